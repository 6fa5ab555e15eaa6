"""Measures (tiltak) and their follow-up in each session: the history read across sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, case, or_, select, update
from sqlalchemy import insert as insert_rows
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from core.vocabulary import MEASURE_LEVELS, OPEN_STATUSES
from storage.dialects import upsert
from storage.models import Employee, Measure, MeasureFollowUp
from storage.models import Session as SessionRow
from storage.repos import audit
from storage.repos.sessions import SessionInfo, open_ids


@dataclass(frozen=True, slots=True)
class MeasureRow:
    id: int
    unit_id: int
    level: str
    employee_id: int | None
    employee_number: str | None
    employee_name: str | None
    text: str
    owner: str
    due_date: dt.date | None
    status: str
    created_session_id: int | None
    version: int  # what an edit of it is based on
    created_on: dt.date  # the creating session's date, else the local day it was entered


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """A measure to follow up in a session, with what this session has recorded for it."""

    measure: MeasureRow
    checked: bool
    comment: str
    status: str
    due_date: dt.date | None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    session_id: int | None  # None: recorded outside a meeting
    held_on: dt.date  # the meeting's date, else the local day it was recorded
    session_type: str | None
    checked: bool
    comment: str
    status: str
    due_date: dt.date | None


_CreatingSession = aliased(SessionRow)
_COLUMNS: Final = (
    Measure.id,
    Measure.unit_id,
    Measure.level,
    Measure.employee_id,
    Employee.number,
    Employee.name,
    Measure.text,
    Measure.owner,
    Measure.due_date,
    Measure.status,
    Measure.created_session_id,
    Measure.version,
    Measure.created_at,
    _CreatingSession.held_on,
)
_N_COLUMNS: Final = len(_COLUMNS)


def _local_date(utc: dt.datetime) -> dt.date:
    return utc.replace(tzinfo=dt.UTC).astimezone().date()


def _select(*extra: Any) -> Any:
    return (
        select(*_COLUMNS, *extra)
        .select_from(Measure)
        .outerjoin(Employee, Employee.id == Measure.employee_id)
        .outerjoin(_CreatingSession, _CreatingSession.id == Measure.created_session_id)
    )


def _row(row: Sequence[Any]) -> MeasureRow:
    (
        mid,
        unit_id,
        level,
        employee_id,
        number,
        name,
        text,
        owner,
        due,
        status,
        created_in,
        version,
    ) = row[: _N_COLUMNS - 2]
    created_at, session_held_on = row[_N_COLUMNS - 2 : _N_COLUMNS]
    return MeasureRow(
        id=mid,
        unit_id=unit_id,
        level=level,
        employee_id=employee_id,
        employee_number=number,
        employee_name=name,
        text=text,
        owner=owner,
        due_date=due,
        status=status,
        created_session_id=created_in,
        version=version,
        created_on=session_held_on if session_held_on is not None else _local_date(created_at),
    )


def _level_order() -> ColumnElement[int]:
    return case({level: i for i, level in enumerate(MEASURE_LEVELS)}, value=Measure.level, else_=99)


def _nulls_last(column: Any) -> ColumnElement[int]:
    # NULLS LAST is not on every dialect; an explicit key is.
    return case((column.is_(None), 1), else_=0)


def _not_created_in(session_id: int) -> ColumnElement[bool]:
    return or_(Measure.created_session_id.is_(None), Measure.created_session_id != session_id)


def for_unit(conn: Connection, unit_id: int, *, open_only: bool = False) -> list[MeasureRow]:
    """The unit's measures: open ones first, then by due date (none last)."""
    query = _select().where(Measure.unit_id == unit_id)
    if open_only:
        query = query.where(Measure.status.in_(OPEN_STATUSES))
    query = query.order_by(
        case((Measure.status.in_(OPEN_STATUSES), 0), else_=1),
        _nulls_last(Measure.due_date),
        Measure.due_date,
        _level_order(),
        Measure.id,
    )
    return [_row(r) for r in conn.execute(query)]


def created_in(conn: Connection, session_id: int) -> list[MeasureRow]:
    """The measures agreed in this session, by level, in the order they were written."""
    query = (
        _select()
        .where(Measure.created_session_id == session_id)
        .order_by(_level_order(), Measure.id)
    )
    return [_row(r) for r in conn.execute(query)]


def checklist(conn: Connection, session_id: int) -> list[ChecklistItem]:
    """The measures to follow up in this session (snapshotted at its start), by level and due."""
    query = (
        _select(
            MeasureFollowUp.checked,
            MeasureFollowUp.comment,
            MeasureFollowUp.status,
            MeasureFollowUp.due_date,
        )
        .join(MeasureFollowUp, MeasureFollowUp.measure_id == Measure.id)
        .where(MeasureFollowUp.session_id == session_id, _not_created_in(session_id))
        .order_by(
            _level_order(),
            _nulls_last(MeasureFollowUp.due_date),
            MeasureFollowUp.due_date,
            Measure.id,
        )
    )
    return [
        ChecklistItem(_row(r), bool(checked), comment, status, due)
        for r in conn.execute(query).all()
        for checked, comment, status, due in [r[_N_COLUMNS:]]
    ]


def on_checklist(conn: Connection, measure_id: int, session_id: int) -> bool:
    """Whether the measure is on the session's checklist (not one agreed in it)."""
    query = (
        select(MeasureFollowUp.id)
        .join(Measure, Measure.id == MeasureFollowUp.measure_id)
        .where(
            MeasureFollowUp.measure_id == measure_id,
            MeasureFollowUp.session_id == session_id,
            _not_created_in(session_id),
        )
    )
    return conn.execute(query).first() is not None


def state(conn: Connection, measure_id: int) -> tuple[int, str, dt.date | None] | None:
    """(unit id, status, due date) of the measure; None if there is none."""
    query = select(Measure.unit_id, Measure.status, Measure.due_date).where(
        Measure.id == measure_id
    )
    row = conn.execute(query).first()
    return None if row is None else (row.unit_id, row.status, row.due_date)


def follow_up_comment(conn: Connection, measure_id: int, session_id: int) -> str | None:
    query = select(MeasureFollowUp.comment).where(
        MeasureFollowUp.measure_id == measure_id, MeasureFollowUp.session_id == session_id
    )
    return conn.execute(query).scalar_one_or_none()


def insert(session: Session, values: Mapping[str, Any]) -> int:
    measure = Measure(**values)
    session.add(measure)
    session.flush()  # the database assigns the id
    return measure.id


def change(
    session: Session,
    measure_id: int,
    values: Mapping[str, Any],
    base: int | None,
    now: dt.datetime,
) -> int | None:
    """Change the measure as an edit of its version `base` (see storage.repos.audit.change);
    its version after, None if there is no such measure."""
    table = Measure.__table__
    return audit.change(session.connection(), table, measure_id, values, base, now)  # type: ignore[arg-type]


def changes(conn: Connection, measure_id: int) -> list[audit.Change]:
    """The measure's changes in the audit log, oldest first."""
    return audit.changes(conn, Measure.__table__, measure_id)  # type: ignore[arg-type]


def snapshot_open(session: Session, unit_id: int, session_id: int, now: dt.datetime) -> None:
    """The unit's open measures as the session's checklist, unticked, as they stand now."""
    conn = session.connection()
    measures = conn.execute(
        select(Measure.id, Measure.status, Measure.due_date)
        .where(
            Measure.unit_id == unit_id,
            Measure.status.in_(OPEN_STATUSES),
            _not_created_in(session_id),
        )
        .order_by(Measure.id)
    ).all()
    if measures:
        conn.execute(
            insert_rows(MeasureFollowUp),
            [
                {
                    "measure_id": m.id,
                    "session_id": session_id,
                    "checked": False,
                    "comment": "",
                    "status": m.status,
                    "due_date": m.due_date,
                    "updated_at": now,
                }
                for m in measures
            ],
        )


def save_follow_up(
    session: Session,
    measure_id: int,
    session_id: int,
    status: str,
    due_date: dt.date | None,
    values: Mapping[str, Any],
) -> None:
    """Set `values` on the session's record of the measure; a new record starts unticked,
    without a comment, at `status` and `due_date` (the measure's own, as it stands)."""
    row = {
        "measure_id": measure_id,
        "session_id": session_id,
        "checked": False,
        "comment": "",
        "status": status,
        "due_date": due_date,
        **values,
    }
    upsert(
        session.connection(),
        MeasureFollowUp.__table__,  # type: ignore[arg-type]
        row,
        ("measure_id", "session_id"),
        update=tuple(values),
    )


def track_in_open_sessions(session: Session, measure_id: int, values: Mapping[str, Any]) -> None:
    """A new status or due date into the record of every session still open."""
    session.connection().execute(
        update(MeasureFollowUp)
        .where(
            MeasureFollowUp.measure_id == measure_id,
            MeasureFollowUp.session_id.in_(open_ids()),
        )
        .values(**values)
    )


def history(conn: Connection, measure_id: int) -> list[HistoryEntry]:
    """Every session's record of the measure, and those made outside a meeting (session_id and
    session_type None), oldest first (the creating session included)."""
    query = (
        select(
            MeasureFollowUp.session_id,
            SessionRow.held_on,
            SessionRow.started_at,
            SessionRow.session_type,
            MeasureFollowUp.checked,
            MeasureFollowUp.comment,
            MeasureFollowUp.status,
            MeasureFollowUp.due_date,
            MeasureFollowUp.updated_at,
        )
        .outerjoin(SessionRow, SessionRow.id == MeasureFollowUp.session_id)
        .where(MeasureFollowUp.measure_id == measure_id)
        .order_by(MeasureFollowUp.id)
    )
    entries = []
    for sid, held_on, started_at, kind, checked, comment, status, due, updated_at in conn.execute(
        query
    ).all():
        # Outside a meeting the record's own time places it among the meetings.
        when = started_at if sid is not None else updated_at
        day = held_on if sid is not None else _local_date(updated_at)
        entry = HistoryEntry(sid, day, kind, bool(checked), comment, status, due)
        entries.append(((day, when, sid or 0), entry))
    return [entry for _, entry in sorted(entries, key=lambda pair: pair[0])]


def record_outside_meeting(
    session: Session,
    measure_id: int,
    comment: str,
    status: str,
    due_date: dt.date | None,
    now: dt.datetime,
) -> None:
    """A record of the measure in its history that belongs to no meeting."""
    session.add(
        MeasureFollowUp(
            measure_id=measure_id,
            session_id=None,
            checked=True,
            comment=comment,
            status=status,
            due_date=due_date,
            updated_at=now,
        )
    )


def previous_states(
    conn: Connection, measure_ids: Sequence[int], info: SessionInfo
) -> dict[int, tuple[str, dt.date | None]]:
    """Each measure's state as the last session before this one left it."""
    if not measure_ids:
        return {}
    query = (
        select(
            MeasureFollowUp.measure_id,
            MeasureFollowUp.status,
            MeasureFollowUp.due_date,
            SessionRow.held_on,
            SessionRow.started_at,
            SessionRow.id,
        )
        .join(SessionRow, SessionRow.id == MeasureFollowUp.session_id)
        .where(MeasureFollowUp.measure_id.in_(list(measure_ids)), SessionRow.id != info.id)
        .order_by(
            MeasureFollowUp.measure_id, SessionRow.held_on, SessionRow.started_at, SessionRow.id
        )
    )
    this_key = (info.held_on, info.started_at, info.id)
    previous: dict[int, tuple[tuple[Any, ...], str, dt.date | None]] = {}
    for measure_id, status, due, held_on, started_at, sid in conn.execute(query):
        key = (held_on, started_at, sid)
        if key < this_key and (measure_id not in previous or key > previous[measure_id][0]):
            previous[measure_id] = (key, status, due)
    return {mid: (status, due) for mid, (_, status, due) in previous.items()}
