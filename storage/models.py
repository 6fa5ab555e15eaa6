"""SQLAlchemy models: the municipality's units, people, absence, and the advisory sessions.

There is deliberately no field for diagnoses or medical details anywhere in this schema.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so that Alembic batch migrations on SQLite can find them again.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The codes stored for types, levels and statuses live in core.vocabulary with their labels.


def utcnow() -> dt.datetime:
    """Now, as the timestamps are stored: naive UTC (the clock of every use case that writes)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_uid() -> str:
    """A key no other laptop will make: an advisor-written row's identity everywhere."""
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Synced:
    """An advisor-written row: made on any laptop (a replica, offline) and known everywhere by
    its `uid`; its integer id is the database's own (see storage/sync)."""

    uid: Mapped[str] = mapped_column(String(32), index=True, unique=True, default=new_uid)


class Edited(Synced):
    """What two advisors can edit: its version (each change adds one; a change states the
    version it was based on) and who created and last changed it, and when."""

    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_by: Mapped[str | None] = mapped_column(String(200))
    changed_by: Mapped[str | None] = mapped_column(String(200))
    changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Unit(Base):
    """A workplace with one leader (enhet), keyed by its code in the HR system."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    service_area: Mapped[str | None] = mapped_column(String(200))
    leader: Mapped[str | None] = mapped_column(String(200))

    employments: Mapped[list[Employment]] = relationship(back_populates="unit", lazy="raise")


class ProjectMembership(Base):
    """One period of a unit in the project; a unit that left and came back has two.

    Kept when the unit leaves (`left_on`, its first day out), so that its history stays.
    """

    __tablename__ = "project_memberships"
    __table_args__ = (
        UniqueConstraint("unit_id", "joined_on"),
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joined"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    joined_on: Mapped[dt.date] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    baseline_quarter: Mapped[str] = mapped_column(String(6))
    # The unit's target group on the day it joined; None for periods from before it was
    # recorded (the figures then compute it for that day).
    target_group: Mapped[int | None] = mapped_column(Integer)


class Employee(Base):
    """A person, keyed by the HR system's employee number. The name is personal data."""

    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))

    employments: Mapped[list[Employment]] = relationship(back_populates="employee", lazy="raise")


class Employment(Base):
    """One row of a person's employment in one unit with one position percentage."""

    __tablename__ = "employments"
    __table_args__ = (
        UniqueConstraint("employee_id", "unit_id", "start_date"),
        CheckConstraint("position_pct > 0 AND position_pct <= 100", name="position_pct"),
        Index("ix_employments_unit", "unit_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    position_pct: Mapped[float] = mapped_column(Float)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    title: Mapped[str | None] = mapped_column(String(200))

    employee: Mapped[Employee] = relationship(back_populates="employments", lazy="raise")
    unit: Mapped[Unit] = relationship(back_populates="employments", lazy="raise")


class AbsenceSpell(Base):
    """One recorded absence spell. `unit_id` None means every employment active that day."""

    __tablename__ = "absence_spells"
    __table_args__ = (
        UniqueConstraint("employee_id", "unit_id", "from_date", "absence_type"),
        CheckConstraint("grade_pct >= 1 AND grade_pct <= 100", name="grade_pct"),
        Index("ix_absence_spells_employee", "employee_id", "from_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    from_date: Mapped[dt.date] = mapped_column(Date)
    to_date: Mapped[dt.date | None] = mapped_column(Date)
    absence_type: Mapped[str] = mapped_column(String(16))
    grade_pct: Mapped[float] = mapped_column(Float, default=100.0)


class UnitMonthFigure(Base):
    """Precomputed workdays per unit and month, so unit-level figures need no spell scan.

    Rebuilt after every import (and whenever the as-of day it was computed for has passed,
    since open-ended spells grow with time). Lost workdays are split so that the parts add up.
    """

    __tablename__ = "unit_month_figures"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    possible: Mapped[float] = mapped_column(Float)
    lost: Mapped[float] = mapped_column(Float)
    lost_self: Mapped[float] = mapped_column(Float)
    lost_doctor: Mapped[float] = mapped_column(Float)
    lost_short: Mapped[float] = mapped_column(Float)
    lost_long: Mapped[float] = mapped_column(Float)
    lost_graded: Mapped[float] = mapped_column(Float)


class UnitPrognosisFigure(Base):
    """The prognosis per unit and quarter (storage.prognoses), computed with the monthly figures
    for the same day and kept with them: the status overview and `forecast` read it.

    `known_lost` and `lost` are the known and the whole prognosis's lost workdays, `possible`
    the possible workdays of the employments known that day, of which the prognosis is a %.
    A percentage (and its lost workdays) is NULL where it is undefined.
    """

    __tablename__ = "unit_prognoses"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    quarter: Mapped[str] = mapped_column(String(6), primary_key=True)
    known_pct: Mapped[float | None] = mapped_column(Float)
    expected_pct: Mapped[float | None] = mapped_column(Float)
    pct: Mapped[float | None] = mapped_column(Float)
    known_lost: Mapped[float | None] = mapped_column(Float)
    lost: Mapped[float | None] = mapped_column(Float)
    possible: Mapped[float] = mapped_column(Float)


class UnitStatus(Base):
    """What the status overview shows of a unit (storage.usecases.status), computed for the day
    of the monthly figures with the settings and the project's periods of that time, and kept in
    step with every change of them: the overview reads one row per unit.

    The sums are of lost and possible workdays: `baseline_*`, `compare_*` and `before_four_*`
    from the unit's own baseline quarter, `municipal_*` from the settings' (the municipality's
    totals), `last_four_*` the last four complete quarters. The measures, the meetings and the
    prognosis are read where they are kept. Figures only: no person's.
    """

    __tablename__ = "unit_status"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    project_joined_on: Mapped[dt.date | None] = mapped_column(Date)
    baseline_quarter: Mapped[str | None] = mapped_column(String(6))
    target_group_at_joining: Mapped[int | None] = mapped_column(Integer)
    headcount: Mapped[int] = mapped_column(Integer)
    avg_2y_pct: Mapped[float | None] = mapped_column(Float)
    target_group: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    joined_group: Mapped[int | None] = mapped_column(Integer)
    joined_reason: Mapped[str | None] = mapped_column(Text)
    compare_quarter: Mapped[str | None] = mapped_column(String(6))
    baseline_lost: Mapped[float] = mapped_column(Float)
    baseline_possible: Mapped[float] = mapped_column(Float)
    compare_lost: Mapped[float] = mapped_column(Float)
    compare_possible: Mapped[float] = mapped_column(Float)
    last_four_lost: Mapped[float] = mapped_column(Float)
    last_four_possible: Mapped[float] = mapped_column(Float)
    before_four_lost: Mapped[float] = mapped_column(Float)
    before_four_possible: Mapped[float] = mapped_column(Float)
    municipal_baseline_lost: Mapped[float] = mapped_column(Float)
    municipal_baseline_possible: Mapped[float] = mapped_column(Float)
    municipal_compare_lost: Mapped[float] = mapped_column(Float)
    municipal_compare_possible: Mapped[float] = mapped_column(Float)
    municipal_before_four_lost: Mapped[float] = mapped_column(Float)
    municipal_before_four_possible: Mapped[float] = mapped_column(Float)
    goal_days: Mapped[float | None] = mapped_column(Float)
    goal_nok: Mapped[float | None] = mapped_column(Float)
    achieved_days: Mapped[float | None] = mapped_column(Float)
    achieved_nok: Mapped[float | None] = mapped_column(Float)
    to_go_days: Mapped[float | None] = mapped_column(Float)
    to_go_nok: Mapped[float | None] = mapped_column(Float)
    sector_pct: Mapped[float | None] = mapped_column(Float)
    light: Mapped[str | None] = mapped_column(String(8))


class Setting(Base):
    """A user setting or bookkeeping value, stored as JSON text."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Session(Edited, Base):
    """An advisory meeting with a unit's leader (oppstartsmøte, rådgivning, statusmøte)."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_unit", "unit_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    session_type: Mapped[str] = mapped_column(String(32))
    advisor: Mapped[str | None] = mapped_column(String(200))
    held_on: Mapped[dt.date] = mapped_column(Date)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str | None] = mapped_column(Text)


class EmployeeReview(Edited, Base):
    """One employee gone through in one session: reviewed or not, and the session's note."""

    __tablename__ = "employee_reviews"
    __table_args__ = (UniqueConstraint("session_id", "employee_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Measure(Edited, Base):
    """An agreed action (tiltak) for a case, the unit or the leader's own role."""

    __tablename__ = "measures"
    __table_args__ = (Index("ix_measures_unit", "unit_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(16))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="apen")
    created_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class MeasureFollowUp(Synced, Base):
    """What happened to a measure in one later session (or outside any): its history."""

    __tablename__ = "measure_follow_ups"
    __table_args__ = (UniqueConstraint("measure_id", "session_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"))
    # None: recorded outside any meeting (a cancellation), dated by updated_at.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    checked: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class MilestoneDone(Edited, Base):
    """A legal follow-up milestone of an absence case, marked done by the advisor."""

    __tablename__ = "milestones_done"
    __table_args__ = (UniqueConstraint("employee_id", "case_start", "milestone"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    case_start: Mapped[dt.date] = mapped_column(Date)
    milestone: Mapped[str] = mapped_column(String(32))
    done_on: Mapped[dt.date | None] = mapped_column(Date)  # None: unmarked, its version kept
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))


class SurveyScore(Edited, Base):
    """A unit's score on one factor of a survey (kartlegging) of the leader or the staff."""

    __tablename__ = "survey_scores"
    __table_args__ = (UniqueConstraint("unit_id", "survey", "factor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    survey: Mapped[str] = mapped_column(String(16))
    factor: Mapped[str] = mapped_column(String(100))
    score: Mapped[float | None] = mapped_column(Float)
    measured_on: Mapped[dt.date | None] = mapped_column(Date)


class PresenceFactor(Edited, Base):
    """One of the unit's nærværsfaktorer: four strengths and four things to improve."""

    __tablename__ = "presence_factors"
    __table_args__ = (UniqueConstraint("unit_id", "kind", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")


class AuditEntry(Base):
    """Who changed what of an advisor-written row, and when: append-only (on PostgreSQL a
    trigger refuses to change or delete a row). Values as text: a date in ISO form, a code."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_row", "table_name", "row_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    advisor: Mapped[str] = mapped_column(String(200))
    table_name: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)  # the row's version this change made
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class Advisor(Base):
    """A member of the project's team: an advisor, or its lead, by their login on the server.

    On a server the login is a database role, and row-level security lets it see the personal
    data of its assigned units only (a lead sees everything); a file has no team.
    """

    __tablename__ = "advisors"

    login: Mapped[str] = mapped_column(String(63), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    lead: Mapped[bool] = mapped_column(Boolean, default=False)


class AdvisorUnit(Base):
    """A unit assigned to an advisor: its people are the advisor's to see and follow up."""

    __tablename__ = "advisor_units"

    login: Mapped[str] = mapped_column(
        ForeignKey("advisors.login", ondelete="CASCADE", onupdate="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )


class SyncApplied(Base):
    """An outbox entry of a replica the server has applied (by the entry's uid): a push
    repeated after a cut skips it. On a server an advisor sees only their own login's."""

    __tablename__ = "sync_applied"

    uid: Mapped[str] = mapped_column(String(32), primary_key=True)
    login: Mapped[str] = mapped_column(String(63))
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime)
