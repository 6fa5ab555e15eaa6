"""Advisory sessions (møter): their rows, read and written on the caller's connection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Select, func, or_, select, update
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from storage.models import Employee, Employment, Unit
from storage.models import Session as SessionRow
from storage.repos import audit


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: int
    unit_id: int
    unit_name: str
    session_type: str
    held_on: dt.date
    advisor: str | None
    version: int  # what an edit of its note is based on
    started_at: dt.datetime  # naive UTC
    ended_at: dt.datetime | None  # naive UTC
    note: str
    summary: str | None


def _query() -> Any:
    return (
        select(
            SessionRow.id,
            SessionRow.unit_id,
            Unit.name.label("unit_name"),
            SessionRow.session_type,
            SessionRow.held_on,
            SessionRow.advisor,
            SessionRow.version,
            SessionRow.started_at,
            SessionRow.ended_at,
            SessionRow.note,
            SessionRow.summary,
        )
        .join(Unit, Unit.id == SessionRow.unit_id)
        .order_by(SessionRow.held_on.desc(), SessionRow.started_at.desc(), SessionRow.id.desc())
    )


def _info(row: Row[Any] | None) -> SessionInfo | None:
    return None if row is None else SessionInfo(**row._asdict())


def session_info(conn: Connection, session_id: int) -> SessionInfo | None:
    return _info(conn.execute(_query().where(SessionRow.id == session_id)).first())


def require(conn: Connection, session_id: int) -> SessionInfo:
    """The session, or a Norwegian refusal if there is none (purged, or a wrong id)."""
    info = session_info(conn, session_id)
    if info is None:
        raise InvalidInput(f"Fant ikke økten (id {session_id}).")
    return info


def for_unit(conn: Connection, unit_id: int) -> list[SessionInfo]:
    """The unit's sessions, newest first."""
    rows = conn.execute(_query().where(SessionRow.unit_id == unit_id)).all()
    return [SessionInfo(**r._asdict()) for r in rows]


def latest_ended(conn: Connection, unit_id: int) -> SessionInfo | None:
    query = _query().where(SessionRow.unit_id == unit_id, SessionRow.ended_at.is_not(None))
    return _info(conn.execute(query.limit(1)).first())


def open_session(conn: Connection, unit_id: int) -> SessionInfo | None:
    """The latest session not ended, to resume after a crash or a closed laptop."""
    query = (
        _query()
        .where(SessionRow.unit_id == unit_id, SessionRow.ended_at.is_(None))
        .order_by(None)
        .order_by(SessionRow.started_at.desc(), SessionRow.id.desc())
        .limit(1)
    )
    return _info(conn.execute(query).first())


def open_ids() -> Select[Any]:
    """The ids of the sessions not ended, as a subquery."""
    return select(SessionRow.id).where(SessionRow.ended_at.is_(None))


def ended_on(conn: Connection, unit_id: int, day: dt.date) -> int:
    """How many of the unit's sessions held on `day` have been ended."""
    query = select(func.count()).where(
        SessionRow.unit_id == unit_id, SessionRow.held_on == day, SessionRow.ended_at.is_not(None)
    )
    return int(conn.execute(query).scalar_one())


def unit_exists(conn: Connection, unit_id: int) -> bool:
    return conn.execute(select(Unit.id).where(Unit.id == unit_id)).first() is not None


def session_unit(conn: Connection, session_id: int) -> int | None:
    """The unit the session is with; None if there is no such session."""
    query = select(SessionRow.unit_id).where(SessionRow.id == session_id)
    return conn.execute(query).scalar_one_or_none()


def insert(
    session: Session,
    unit_id: int,
    session_type: str,
    held_on: dt.date,
    advisor: str | None,
    started_at: dt.datetime,
) -> int:
    row = SessionRow(
        unit_id=unit_id,
        session_type=session_type,
        held_on=held_on,
        advisor=advisor,
        created_by=audit.advisor(session.connection()),
        note="",
        started_at=started_at,
    )
    session.add(row)
    session.flush()  # the database assigns the id
    return row.id


def set_note(
    session: Session, session_id: int, note: str, base: int | None, now: dt.datetime
) -> int | None:
    """The note, as an edit of the session's version `base` (storage.repos.audit.change);
    the version after, None if there is no such session."""
    table = SessionRow.__table__
    return audit.change(session.connection(), table, session_id, {"note": note}, base, now)  # type: ignore[arg-type]


def end(session: Session, session_id: int, summary: str, now: dt.datetime) -> bool:
    """Mark it ended (once: the first end stands) with its summary; False if there is none."""
    statement = (
        update(SessionRow)
        .where(SessionRow.id == session_id)
        .values(ended_at=func.coalesce(SessionRow.ended_at, now), summary=summary)
    )
    return session.connection().execute(statement).rowcount > 0


def staff_on(conn: Connection, unit_id: int, day: dt.date) -> list[tuple[str, str | None]]:
    """(number, name) of everyone employed in the unit on `day`."""
    employed = select(Employment.employee_id).where(
        Employment.unit_id == unit_id,
        Employment.start_date <= day,
        or_(Employment.end_date.is_(None), Employment.end_date >= day),
    )
    rows = conn.execute(
        select(Employee.number, Employee.name)
        .where(Employee.id.in_(employed))
        .order_by(Employee.number)
    ).all()
    return [(number, name) for number, name in rows]


def employee_exists(conn: Connection, employee_id: int) -> bool:
    return conn.execute(select(Employee.id).where(Employee.id == employee_id)).first() is not None
