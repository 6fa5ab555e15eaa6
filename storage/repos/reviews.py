"""The employees gone through in a session, and the legal milestones marked done."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, and_, delete, select, update
from sqlalchemy.orm import Session

from storage.dialects import upsert
from storage.models import Employee, EmployeeReview, MilestoneDone
from storage.repos import audit


def states(conn: Connection, session_id: int) -> dict[int, tuple[bool, str]]:
    """employee_id -> (reviewed, note) for the employees touched in this session."""
    query = (
        select(EmployeeReview.employee_id, EmployeeReview.reviewed, EmployeeReview.note)
        .where(EmployeeReview.session_id == session_id)
        .order_by(EmployeeReview.employee_id)
    )
    return {r.employee_id: (bool(r.reviewed), r.note) for r in conn.execute(query)}


def versions(conn: Connection, session_id: int) -> dict[int, int]:
    """employee_id -> the version of the employee's review in this session (none: 0)."""
    query = select(EmployeeReview.employee_id, EmployeeReview.version).where(
        EmployeeReview.session_id == session_id
    )
    return {employee_id: version for employee_id, version in conn.execute(query)}


def save(
    session: Session,
    session_id: int,
    employee_id: int,
    values: Mapping[str, Any],
    base: int | None,
    now: dt.datetime,
) -> int:
    """Set `values` (reviewed, note) on the employee's review in the session, as an edit of
    its version `base` (0: there was none; see storage.repos.audit.change); the version after.
    A new review starts at version 0, not reviewed, without a note."""
    conn = session.connection()
    key = {"session_id": session_id, "employee_id": employee_id}
    table = EmployeeReview.__table__
    version = audit.change_or_add(conn, table, key, values, base, now)  # type: ignore[arg-type]
    conn.execute(
        update(EmployeeReview)
        .where(EmployeeReview.session_id == session_id, EmployeeReview.employee_id == employee_id)
        .values(updated_at=now)
    )
    return version


def in_session(conn: Connection, session_id: int) -> list[tuple[str, str | None, bool, str]]:
    """(number, name, reviewed, note) of the employees touched in the session, by number."""
    rows = conn.execute(
        select(Employee.number, Employee.name, EmployeeReview.reviewed, EmployeeReview.note)
        .join(Employee, Employee.id == EmployeeReview.employee_id)
        .where(EmployeeReview.session_id == session_id)
        .order_by(Employee.number)
    ).all()
    return [(number, name, bool(reviewed), note) for number, name, reviewed, note in rows]


def milestones_done(
    conn: Connection, employee_ids: Sequence[int]
) -> dict[tuple[int, dt.date], dict[str, dt.date]]:
    """(employee_id, case start) -> {milestone key: the day it was marked done}."""
    if not employee_ids:
        return {}
    rows = conn.execute(
        select(
            MilestoneDone.employee_id,
            MilestoneDone.case_start,
            MilestoneDone.milestone,
            MilestoneDone.done_on,
        )
        .where(MilestoneDone.employee_id.in_(list(employee_ids)))
        .order_by(MilestoneDone.employee_id, MilestoneDone.case_start, MilestoneDone.milestone)
    ).all()
    done: dict[tuple[int, dt.date], dict[str, dt.date]] = {}
    for employee_id, case_start, milestone, done_on in rows:
        done.setdefault((employee_id, case_start), {})[milestone] = done_on
    return done


def milestones_in_session(
    conn: Connection, session_id: int
) -> list[tuple[str, str | None, str, dt.date]]:
    """(number, name, milestone key, done on) of the milestones marked done in the session."""
    rows = conn.execute(
        select(Employee.number, Employee.name, MilestoneDone.milestone, MilestoneDone.done_on)
        .join(Employee, Employee.id == MilestoneDone.employee_id)
        .where(MilestoneDone.session_id == session_id)
        .order_by(Employee.number, MilestoneDone.milestone)
    ).all()
    return [(number, name, key, done_on) for number, name, key, done_on in rows]


def mark_done(
    session: Session,
    employee_id: int,
    case_start: dt.date,
    milestone: str,
    done_on: dt.date,
    session_id: int | None,
) -> None:
    row = {
        "employee_id": employee_id,
        "case_start": case_start,
        "milestone": milestone,
        "done_on": done_on,
        "session_id": session_id,
    }
    key = ("employee_id", "case_start", "milestone")
    upsert(session.connection(), MilestoneDone.__table__, row, key)  # type: ignore[arg-type]


def mark_not_done(session: Session, employee_id: int, case_start: dt.date, milestone: str) -> None:
    session.connection().execute(
        delete(MilestoneDone).where(
            and_(
                MilestoneDone.employee_id == employee_id,
                MilestoneDone.case_start == case_start,
                MilestoneDone.milestone == milestone,
            )
        )
    )
