"""The employees gone through in a session, and the legal milestones marked done (a milestone
unmarked keeps its row, with no day done, and its version)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

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
        if done_on is not None:  # else unmarked
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
    return [(number, name, key, day) for number, name, key, day in rows if day is not None]


def milestone_versions(
    conn: Connection, employee_ids: Sequence[int]
) -> dict[tuple[int, dt.date, str], int]:
    """(employee_id, case start, milestone key) -> the version of its row (none: 0)."""
    if not employee_ids:
        return {}
    query = select(
        MilestoneDone.employee_id,
        MilestoneDone.case_start,
        MilestoneDone.milestone,
        MilestoneDone.version,
    ).where(MilestoneDone.employee_id.in_(list(employee_ids)))
    return {(e, start, key): version for e, start, key, version in conn.execute(query)}


def milestone_changes(
    conn: Connection, employee_id: int, case_start: dt.date
) -> list[tuple[str, audit.Change]]:
    """(milestone key, change) of the case's milestones in the audit log, oldest first."""
    rows = conn.execute(
        select(MilestoneDone.id, MilestoneDone.milestone).where(
            MilestoneDone.employee_id == employee_id, MilestoneDone.case_start == case_start
        )
    ).all()
    table = MilestoneDone.__table__
    found = [
        (key, change)
        for row_id, key in rows
        for change in audit.changes(conn, table, row_id)  # type: ignore[arg-type]
    ]
    return sorted(found, key=lambda pair: (pair[1].at, pair[1].version))


def mark(
    session: Session,
    employee_id: int,
    case_start: dt.date,
    milestone: str,
    done_on: dt.date | None,
    session_id: int | None,
    base: int | None,
    now: dt.datetime,
) -> int:
    """Mark the case's milestone done on `done_on` (None: not done), as an edit of its version
    `base` (0: it has no row; see storage.repos.audit.change); the version after. Marked done,
    it belongs to the session it was marked in."""
    conn = session.connection()
    key = {"employee_id": employee_id, "case_start": case_start, "milestone": milestone}
    table = MilestoneDone.__table__
    version = audit.change_or_add(conn, table, key, {"done_on": done_on}, base, now)  # type: ignore[arg-type]
    if done_on is not None:
        # Only if this edit changed it (changed_at is its moment): else it stands as it was.
        conn.execute(
            update(MilestoneDone)
            .where(*(getattr(MilestoneDone, c) == v for c, v in key.items()))
            .where(MilestoneDone.changed_at == now)
            .values(session_id=session_id)
        )
    return version
