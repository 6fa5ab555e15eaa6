"""The tables the unit list and `naervaer stats` read, as plain SQLAlchemy Core with typed
columns.

storage.models maps them too, but the ORM is slow to load: the unit list is what the app shows
first, and loading is most of what a command takes. Typed columns bind and return dates as
dates on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from sqlalchemy import Date, DateTime, Float, Integer, String, column, table

UNITS = table(
    "units",
    column("id", Integer),
    column("code", String),
    column("name", String),
    column("service_area", String),
    column("leader", String),
)
EMPLOYMENTS = table(
    "employments",
    column("unit_id", Integer),
    column("employee_id", Integer),
    column("start_date", Date),
    column("end_date", Date),
)
UNIT_MONTH_FIGURES = table(
    "unit_month_figures",
    column("unit_id", Integer),
    column("month", Date),
    column("possible", Float),
    column("lost", Float),
    column("lost_self", Float),
    column("lost_doctor", Float),
    column("lost_short", Float),
    column("lost_long", Float),
    column("lost_graded", Float),
)
PROJECT_MEMBERSHIPS = table(
    "project_memberships",
    column("unit_id", Integer),
    column("joined_on", Date),
    column("left_on", Date),
    column("baseline_quarter", String),
    column("target_group", Integer),
)
MEASURES = table(
    "measures",
    column("unit_id", Integer),
    column("status", String),
    column("due_date", Date),
)
SESSIONS = table(
    "sessions",
    column("unit_id", Integer),
    column("held_on", Date),
    column("ended_at", DateTime),
)
