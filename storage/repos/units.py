"""The units: who they are, how many work there, and what the advisor has going on with them.

Plain SQLAlchemy Core without pandas or the ORM: the unit list reads these at the app's start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, Row, case, func, select

from core.text import name_order
from storage.dialects import headcounts_on, last_sessions_of_all, measure_counts_on
from storage.repos.tables import EMPLOYMENTS, MEASURES, SESSIONS, UNITS

# A unit's own columns, as unit_identities and storage.repos.staff.load_units name them.
UNIT_IDENTITY = ["unit_id", "code", "name", "service_area", "leader"]


def unit_ids(conn: Connection) -> dict[str, int]:
    """Every unit's id by its code."""
    rows = conn.execute(select(UNITS.c.code, UNITS.c.id).order_by(UNITS.c.code)).all()
    return {code: unit_id for code, unit_id in rows}


def unit_id_of(conn: Connection, code: str) -> int | None:
    """The id of the unit with this code, None when there is none."""
    return conn.execute(select(UNITS.c.id).where(UNITS.c.code == code)).scalar()


def has_units(conn: Connection) -> bool:
    return conn.execute(select(UNITS.c.id).limit(1)).first() is not None


def unit_identities(
    conn: Connection, unit_id: int | None = None
) -> Sequence[Row[int, str, str, str | None, str | None]]:
    """id, code, name, service_area, leader of every unit (or the one with `unit_id`), by name."""
    query = select(
        UNITS.c.id, UNITS.c.code, UNITS.c.name, UNITS.c.service_area, UNITS.c.leader
    ).order_by(UNITS.c.id)
    if unit_id is not None:
        query = query.where(UNITS.c.id == unit_id)
    # In Norwegian order here, not by the database's collation (which differs between them).
    return sorted(conn.execute(query).all(), key=lambda unit: name_order(unit.name))


def headcount_on(conn: Connection, day: dt.date, unit_id: int | None = None) -> dict[int, int]:
    """Distinct employees per unit with an employment on `day` (units with none are absent);
    on a server every unit's, also those whose people the login may not read."""
    counted = headcounts_on(conn, day)
    if counted is not None:
        if unit_id is not None:
            return {unit_id: counted[unit_id]} if unit_id in counted else {}
        return counted
    query = (
        select(EMPLOYMENTS.c.unit_id, func.count(func.distinct(EMPLOYMENTS.c.employee_id)))
        .where(EMPLOYMENTS.c.start_date <= day)
        .where(EMPLOYMENTS.c.end_date.is_(None) | (EMPLOYMENTS.c.end_date >= day))
        .group_by(EMPLOYMENTS.c.unit_id)
    )
    if unit_id is not None:
        query = query.where(EMPLOYMENTS.c.unit_id == unit_id)
    return {unit: count for unit, count in conn.execute(query).all()}


def headcount_between(conn: Connection, start: dt.date, end: dt.date) -> dict[int, int]:
    """Distinct employees per unit with an employment on any day from start to end (units with
    none are absent)."""
    query = (
        select(EMPLOYMENTS.c.unit_id, func.count(func.distinct(EMPLOYMENTS.c.employee_id)))
        .where(EMPLOYMENTS.c.start_date <= end)
        .where(EMPLOYMENTS.c.end_date.is_(None) | (EMPLOYMENTS.c.end_date >= start))
        .group_by(EMPLOYMENTS.c.unit_id)
    )
    return {unit: count for unit, count in conn.execute(query).all()}


def employees_between(
    conn: Connection, start: dt.date, end: dt.date, unit_ids: Sequence[int] | None = None
) -> int:
    """Distinct employees (of the units) with an employment on any day from start to end."""
    query = (
        select(func.count(func.distinct(EMPLOYMENTS.c.employee_id)))
        .where(EMPLOYMENTS.c.start_date <= end)
        .where(EMPLOYMENTS.c.end_date.is_(None) | (EMPLOYMENTS.c.end_date >= start))
    )
    if unit_ids is not None:
        query = query.where(EMPLOYMENTS.c.unit_id.in_(list(unit_ids)))
    return int(conn.execute(query).scalar_one())


def measure_counts(
    conn: Connection, today: dt.date, open_statuses: Iterable[str]
) -> dict[int, tuple[int, int]]:
    """Per unit: its open measures, and how many of them are past their due date on `today`;
    on a server every unit's, also those whose measures the login may not read."""
    counted = measure_counts_on(conn, today, list(open_statuses))
    if counted is not None:
        return counted
    overdue = case((MEASURES.c.due_date < today, 1), else_=0)
    query = (
        select(MEASURES.c.unit_id, func.count(), func.coalesce(func.sum(overdue), 0))
        .where(MEASURES.c.status.in_(list(open_statuses)))
        .group_by(MEASURES.c.unit_id)
    )
    return {unit: (count, late) for unit, count, late in conn.execute(query).all()}


def last_sessions(conn: Connection, *, ended: bool = False) -> dict[int, dt.date]:
    """Per unit: the day of its latest session (units never met are absent); on a server every
    unit's, also those whose sessions the login may not read. `ended`: of its latest session
    that has ended (one begun and not ended is no meeting held yet), of the units the login
    reads."""
    if not ended:
        held = last_sessions_of_all(conn)
        if held is not None:
            return held
    query = select(SESSIONS.c.unit_id, func.max(SESSIONS.c.held_on)).group_by(SESSIONS.c.unit_id)
    if ended:
        query = query.where(SESSIONS.c.ended_at.is_not(None))
    return {unit: day for unit, day in conn.execute(query).all()}
