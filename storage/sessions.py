"""The advisory session's reads and writes; every write commits at once (autosave)."""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    CursorResult,
    Engine,
    Row,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import aliased

from core.cases import MILESTONES
from core.errors import InvalidInput
from core.summary import MeasureLine, MilestoneLine, SessionSummary
from core.text import clean_text
from core.vocabulary import (
    FACTOR_KINDS,
    KS_FACTORS,
    MEASURE_LEVELS,
    MEASURE_STATUSES,
    OPEN_STATUSES,
    SESSION_TYPES,
    SURVEYS,
)
from storage.db import transaction
from storage.models import (
    Employee,
    EmployeeReview,
    Employment,
    Measure,
    MeasureFollowUp,
    MilestoneDone,
    PresenceFactor,
    SurveyScore,
    Unit,
)
from storage.models import Session as SessionRow
from storage.repository import known_people

CLOSED_STATUSES: Final = tuple(s for s in MEASURE_STATUSES if s not in OPEN_STATUSES)
PRESENCE_POSITIONS: Final = 4
MIN_SCORE: Final = 1.0
MAX_SCORE: Final = 5.0
OWNER_MAX_LENGTH: Final = 200
MILESTONE_KEYS: Final = frozenset(m.key for m in MILESTONES)


class _Unset(enum.Enum):
    UNSET = enum.auto()


# "Not given", for arguments where None is a meaningful value (no due date).
UNSET: Final = _Unset.UNSET


def _utcnow() -> dt.datetime:
    # Naive UTC, as storage.models stores its timestamps.
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _local_date(utc: dt.datetime) -> dt.date:
    return utc.replace(tzinfo=dt.UTC).astimezone().date()


# ---------------------------------------------------------------------------------------------
# Sessions


@dataclass(frozen=True)
class SessionInfo:
    id: int
    unit_id: int
    unit_name: str
    session_type: str
    held_on: dt.date
    advisor: str | None
    started_at: dt.datetime  # naive UTC
    ended_at: dt.datetime | None  # naive UTC
    note: str
    summary: str | None


def _session_query() -> Any:
    return (
        select(
            SessionRow.id,
            SessionRow.unit_id,
            Unit.name.label("unit_name"),
            SessionRow.session_type,
            SessionRow.held_on,
            SessionRow.advisor,
            SessionRow.started_at,
            SessionRow.ended_at,
            SessionRow.note,
            SessionRow.summary,
        )
        .join(Unit, Unit.id == SessionRow.unit_id)
        .order_by(SessionRow.held_on.desc(), SessionRow.started_at.desc(), SessionRow.id.desc())
    )


def _session_info(row: Row[Any]) -> SessionInfo:
    return SessionInfo(**row._asdict())


def _check_session_type(session_type: str) -> None:
    if session_type not in SESSION_TYPES:
        raise InvalidInput(
            f"Ukjent økttype «{session_type}». Gyldige: {', '.join(SESSION_TYPES.values())}."
        )


def start_session(
    engine: Engine,
    unit_id: int,
    session_type: str,
    held_on: dt.date,
    advisor: str | None = None,
) -> int:
    """Create a session and snapshot the unit's open measures as its checklist."""
    _check_session_type(session_type)
    if not isinstance(held_on, dt.date):
        raise InvalidInput("Økten må ha en dato.")
    if advisor is not None:
        advisor = clean_text(advisor).strip() or None
    with transaction(engine) as s:
        if s.execute(select(Unit.id).where(Unit.id == unit_id)).first() is None:
            raise InvalidInput(f"Fant ikke enheten (id {unit_id}).")
        row = SessionRow(
            unit_id=unit_id,
            session_type=session_type,
            held_on=held_on,
            advisor=advisor,
            note="",
            started_at=_utcnow(),
        )
        s.add(row)
        s.flush()
        session_id = row.id
        measures = s.execute(
            select(Measure.id, Measure.status, Measure.due_date).where(
                Measure.unit_id == unit_id,
                Measure.status.in_(OPEN_STATUSES),
                _not_created_in(session_id),
            )
        ).all()
        if measures:
            now = _utcnow()
            s.connection().execute(
                insert(MeasureFollowUp),
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
    return session_id


def session_info(engine: Engine, session_id: int) -> SessionInfo:
    with engine.connect() as conn:
        row = conn.execute(_session_query().where(SessionRow.id == session_id)).first()
    if row is None:
        raise InvalidInput(f"Fant ikke økten (id {session_id}).")
    return _session_info(row)


def sessions_for_unit(engine: Engine, unit_id: int) -> list[SessionInfo]:
    """The unit's sessions, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(_session_query().where(SessionRow.unit_id == unit_id)).all()
    return [_session_info(r) for r in rows]


def latest_ended_session(engine: Engine, unit_id: int) -> SessionInfo | None:
    query = _session_query().where(SessionRow.unit_id == unit_id, SessionRow.ended_at.is_not(None))
    with engine.connect() as conn:
        row = conn.execute(query.limit(1)).first()
    return None if row is None else _session_info(row)


def sessions_ended_on(engine: Engine, unit_id: int, day: dt.date) -> int:
    """How many of the unit's sessions held on `day` have been ended."""
    query = select(func.count()).where(
        SessionRow.unit_id == unit_id, SessionRow.held_on == day, SessionRow.ended_at.is_not(None)
    )
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def open_session(engine: Engine, unit_id: int) -> SessionInfo | None:
    """The latest session not ended, to resume after a crash or a closed laptop."""
    query = (
        _session_query()
        .where(SessionRow.unit_id == unit_id, SessionRow.ended_at.is_(None))
        .order_by(None)
        .order_by(SessionRow.started_at.desc(), SessionRow.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else _session_info(row)


def _execute(s: OrmSession, statement: Any) -> CursorResult[Any]:
    # Plain Core DML on the session's connection: no ORM bookkeeping, and a typed rowcount.
    return s.connection().execute(statement)


def _update_one(s: OrmSession, statement: Any, missing: str) -> None:
    if _execute(s, statement).rowcount == 0:
        raise InvalidInput(missing)


def set_session_note(engine: Engine, session_id: int, text: str) -> None:
    # Not stripped: autosave runs while the advisor types, and a trailing space is still typing.
    with transaction(engine) as s:
        _update_one(
            s,
            update(SessionRow).where(SessionRow.id == session_id).values(note=clean_text(text)),
            f"Fant ikke økten (id {session_id}).",
        )


def end_session(engine: Engine, session_id: int, summary_markdown: str) -> None:
    """Mark the session ended and keep its summary; ending again only replaces the summary."""
    with transaction(engine) as s:
        _update_one(
            s,
            update(SessionRow)
            .where(SessionRow.id == session_id)
            .values(
                ended_at=func.coalesce(SessionRow.ended_at, _utcnow()),
                summary=clean_text(summary_markdown),
            ),
            f"Fant ikke økten (id {session_id}).",
        )


# ---------------------------------------------------------------------------------------------
# Employees gone through


def review_states(engine: Engine, session_id: int) -> dict[int, tuple[bool, str]]:
    """employee_id -> (reviewed, note) for the employees touched in this session."""
    query = select(EmployeeReview.employee_id, EmployeeReview.reviewed, EmployeeReview.note).where(
        EmployeeReview.session_id == session_id
    )
    with engine.connect() as conn:
        return {r.employee_id: (bool(r.reviewed), r.note) for r in conn.execute(query)}


def _upsert_review(engine: Engine, session_id: int, employee_id: int, **values: Any) -> None:
    # Update, then insert if there was nothing to update: portable, unlike ON CONFLICT, and
    # safe here since one advisor's laptop is the only writer.
    values["updated_at"] = _utcnow()
    with transaction(engine) as s:
        updated = _execute(
            s,
            update(EmployeeReview)
            .where(
                EmployeeReview.session_id == session_id,
                EmployeeReview.employee_id == employee_id,
            )
            .values(**values),
        )
        if updated.rowcount == 0:
            # Purged from another terminal while the review was open: said, not a crash.
            if s.get(Employee, employee_id) is None:
                raise InvalidInput(
                    "Den ansatte finnes ikke lenger i databasen; vedkommende er slettet "
                    "(naervaer purge) mens gjennomgangen var åpen."
                )
            if s.get(SessionRow, session_id) is None:
                raise InvalidInput("Møtet finnes ikke lenger i databasen; det er slettet.")
            row = {"reviewed": False, "note": "", **values}
            _execute(
                s,
                insert(EmployeeReview).values(
                    session_id=session_id, employee_id=employee_id, **row
                ),
            )


def set_reviewed(engine: Engine, session_id: int, employee_id: int, reviewed: bool) -> None:
    _upsert_review(engine, session_id, employee_id, reviewed=bool(reviewed))


def set_review_note(engine: Engine, session_id: int, employee_id: int, text: str) -> None:
    _upsert_review(engine, session_id, employee_id, note=clean_text(text))


# ---------------------------------------------------------------------------------------------
# Legal follow-up milestones


def milestones_done(
    engine: Engine, employee_ids: Sequence[int]
) -> dict[tuple[int, dt.date], set[str]]:
    """(employee_id, case start) -> the milestone keys marked done."""
    if not employee_ids:
        return {}
    query = select(MilestoneDone.employee_id, MilestoneDone.case_start, MilestoneDone.milestone)
    query = query.where(MilestoneDone.employee_id.in_(list(employee_ids)))
    done: dict[tuple[int, dt.date], set[str]] = {}
    with engine.connect() as conn:
        for employee_id, case_start, milestone in conn.execute(query):
            done.setdefault((employee_id, case_start), set()).add(milestone)
    return done


def set_milestone_done(
    engine: Engine,
    employee_id: int,
    case_start: dt.date,
    milestone: str,
    done: bool,
    done_on: dt.date,
    session_id: int | None,
) -> None:
    if milestone not in MILESTONE_KEYS:
        raise InvalidInput(f"Ukjent milepæl «{milestone}».")
    where = and_(
        MilestoneDone.employee_id == employee_id,
        MilestoneDone.case_start == case_start,
        MilestoneDone.milestone == milestone,
    )
    with transaction(engine) as s:
        if not done:
            _execute(s, delete(MilestoneDone).where(where))
            return
        values = {"done_on": done_on, "session_id": session_id}
        if _execute(s, update(MilestoneDone).where(where).values(**values)).rowcount == 0:
            _execute(
                s,
                insert(MilestoneDone).values(
                    employee_id=employee_id, case_start=case_start, milestone=milestone, **values
                ),
            )


# ---------------------------------------------------------------------------------------------
# Measures (tiltak) and their follow-up


@dataclass(frozen=True)
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
    created_on: dt.date  # the creating session's date, else the local day it was entered


@dataclass(frozen=True)
class ChecklistItem:
    """A measure to follow up in a session, with what this session has recorded for it."""

    measure: MeasureRow
    checked: bool
    comment: str
    status: str
    due_date: dt.date | None


@dataclass(frozen=True)
class HistoryEntry:
    session_id: int | None  # None: recorded outside a meeting
    held_on: dt.date  # the meeting's date, else the local day it was recorded
    session_type: str | None
    checked: bool
    comment: str
    status: str
    due_date: dt.date | None


_CreatingSession = aliased(SessionRow)
_MEASURE_COLUMNS: Final = (
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
    Measure.created_at,
    _CreatingSession.held_on,
)
_N_MEASURE_COLUMNS: Final = len(_MEASURE_COLUMNS)


def _measure_select(*extra: Any) -> Any:
    return (
        select(*_MEASURE_COLUMNS, *extra)
        .select_from(Measure)
        .outerjoin(Employee, Employee.id == Measure.employee_id)
        .outerjoin(_CreatingSession, _CreatingSession.id == Measure.created_session_id)
    )


def _measure_row(row: Sequence[Any]) -> MeasureRow:
    (mid, unit_id, level, employee_id, number, name, text, owner, due, status, created_in) = row[
        : _N_MEASURE_COLUMNS - 2
    ]
    created_at, session_held_on = row[_N_MEASURE_COLUMNS - 2 : _N_MEASURE_COLUMNS]
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
        created_on=session_held_on if session_held_on is not None else _local_date(created_at),
    )


def _level_order() -> Any:
    return case({level: i for i, level in enumerate(MEASURE_LEVELS)}, value=Measure.level, else_=99)


def _nulls_last(column: Any) -> Any:
    # NULLS LAST is not on every dialect; an explicit key is.
    return case((column.is_(None), 1), else_=0)


def _not_created_in(session_id: int) -> Any:
    return or_(Measure.created_session_id.is_(None), Measure.created_session_id != session_id)


def _check_level(level: str) -> None:
    if level not in MEASURE_LEVELS:
        raise InvalidInput(f"Ukjent nivå «{level}». Gyldige: {', '.join(MEASURE_LEVELS.values())}.")


def _check_status(status: str) -> None:
    if status not in MEASURE_STATUSES:
        raise InvalidInput(
            f"Ukjent status «{status}». Gyldige: {', '.join(MEASURE_STATUSES.values())}."
        )


def _clean_measure_text(text: str) -> str:
    text = " ".join(clean_text(text).split())
    if not text:
        raise InvalidInput("Tiltaket må ha en tekst.")
    return text


def _clean_owner(owner: str) -> str:
    owner = " ".join(clean_text(owner).split())
    if len(owner) > OWNER_MAX_LENGTH:
        raise InvalidInput(f"Ansvarlig kan være høyst {OWNER_MAX_LENGTH} tegn.")
    return owner


def _check_due(due_date: object) -> None:
    if due_date is not None and not isinstance(due_date, dt.date):
        raise InvalidInput("Fristen må være en dato.")


def _open_sessions() -> Any:
    return select(SessionRow.id).where(SessionRow.ended_at.is_(None))


def add_measure(
    engine: Engine,
    unit_id: int,
    level: str,
    text: str,
    owner: str = "",
    due_date: dt.date | None = None,
    session_id: int | None = None,
    employee_id: int | None = None,
) -> int:
    """Record an agreed measure; made in a session, it also gets that session's history row."""
    _check_level(level)
    text = _clean_measure_text(text)
    owner = _clean_owner(owner)
    _check_due(due_date)
    if level == "enkeltsak" and employee_id is None:
        raise InvalidInput("Et tiltak i en enkeltsak må knyttes til en ansatt.")
    if level != "enkeltsak" and employee_id is not None:
        raise InvalidInput("Bare tiltak i en enkeltsak kan knyttes til en ansatt.")
    with transaction(engine) as s:
        if session_id is not None:
            session_unit = s.execute(
                select(SessionRow.unit_id).where(SessionRow.id == session_id)
            ).scalar_one_or_none()
            if session_unit is None:
                raise InvalidInput(f"Fant ikke økten (id {session_id}).")
            if session_unit != unit_id:
                raise InvalidInput("Økten gjelder en annen enhet enn tiltaket.")
        measure = Measure(
            unit_id=unit_id,
            level=level,
            employee_id=employee_id,
            text=text,
            owner=owner,
            due_date=due_date,
            status="apen",
            created_session_id=session_id,
            created_at=_utcnow(),
        )
        s.add(measure)
        s.flush()
        if session_id is not None:
            # The state as agreed: what the next session compares against to tell what changed,
            # and the first line of the measure's history.
            s.add(
                MeasureFollowUp(
                    measure_id=measure.id,
                    session_id=session_id,
                    checked=False,
                    comment="",
                    status="apen",
                    due_date=due_date,
                    updated_at=_utcnow(),
                )
            )
        return measure.id


def update_measure(
    engine: Engine,
    measure_id: int,
    *,
    text: str | None = None,
    owner: str | None = None,
    due_date: dt.date | _Unset | None = UNSET,
    status: str | None = None,
) -> None:
    """Edit a measure. A new status or due date also goes into the history row of any session
    still open, so the session's summary and history agree with the measure."""
    values: dict[str, Any] = {}
    if text is not None:
        values["text"] = _clean_measure_text(text)
    if owner is not None:
        values["owner"] = _clean_owner(owner)
    tracked: dict[str, Any] = {}
    if not isinstance(due_date, _Unset):
        _check_due(due_date)
        tracked["due_date"] = due_date
    if status is not None:
        _check_status(status)
        tracked["status"] = status
    with transaction(engine) as s:
        if not values and not tracked:
            _require_measure(s, measure_id)
            return
        _update_one(
            s,
            update(Measure).where(Measure.id == measure_id).values(**values, **tracked),
            f"Fant ikke tiltaket (id {measure_id}).",
        )
        if tracked:
            _execute(
                s,
                update(MeasureFollowUp)
                .where(
                    MeasureFollowUp.measure_id == measure_id,
                    MeasureFollowUp.session_id.in_(_open_sessions()),
                )
                .values(**tracked, updated_at=_utcnow()),
            )


def _require_measure(s: OrmSession, measure_id: int) -> None:
    if s.execute(select(Measure.id).where(Measure.id == measure_id)).first() is None:
        raise InvalidInput(f"Fant ikke tiltaket (id {measure_id}).")


def measures_for_unit(engine: Engine, unit_id: int, *, open_only: bool = False) -> list[MeasureRow]:
    """The unit's measures: open ones first, then by due date (none last)."""
    query = _measure_select().where(Measure.unit_id == unit_id)
    if open_only:
        query = query.where(Measure.status.in_(OPEN_STATUSES))
    query = query.order_by(
        case((Measure.status.in_(OPEN_STATUSES), 0), else_=1),
        _nulls_last(Measure.due_date),
        Measure.due_date,
        _level_order(),
        Measure.id,
    )
    with engine.connect() as conn:
        return [_measure_row(r) for r in conn.execute(query)]


def measures_created_in(engine: Engine, session_id: int) -> list[MeasureRow]:
    """The measures agreed in this session, by level, in the order they were written."""
    query = (
        _measure_select()
        .where(Measure.created_session_id == session_id)
        .order_by(_level_order(), Measure.id)
    )
    with engine.connect() as conn:
        return [_measure_row(r) for r in conn.execute(query)]


def checklist(engine: Engine, session_id: int) -> list[ChecklistItem]:
    """The measures to follow up in this session (snapshotted at its start), by level and due."""
    query = (
        _measure_select(
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
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        ChecklistItem(_measure_row(r), bool(checked), comment, status, due)
        for r in rows
        for checked, comment, status, due in [r[_N_MEASURE_COLUMNS:]]
    ]


def follow_up(
    engine: Engine,
    measure_id: int,
    session_id: int,
    *,
    checked: bool | None = None,
    comment: str | None = None,
    status: str | None = None,
    due_date: dt.date | _Unset | None = UNSET,
) -> None:
    """Record what happened to a measure in this session, in its history row and in the
    measure itself, so both the current state and the history hold."""
    tracked: dict[str, Any] = {}
    if status is not None:
        _check_status(status)
        tracked["status"] = status
    if not isinstance(due_date, _Unset):
        _check_due(due_date)
        tracked["due_date"] = due_date
    values: dict[str, Any] = dict(tracked)
    if checked is not None:
        values["checked"] = bool(checked)
    if comment is not None:
        values["comment"] = clean_text(comment)
    values["updated_at"] = _utcnow()
    with transaction(engine) as s:
        found = s.execute(
            select(Measure.unit_id, Measure.status, Measure.due_date, SessionRow.unit_id)
            .select_from(Measure)
            .join(SessionRow, SessionRow.id == session_id)
            .where(Measure.id == measure_id)
        ).first()
        if found is None:
            raise InvalidInput(
                f"Fant ikke tiltaket (id {measure_id}) eller økten (id {session_id})."
            )
        measure_unit, current_status, current_due, session_unit = found
        if measure_unit != session_unit:
            raise InvalidInput("Tiltaket hører til en annen enhet enn økten.")
        updated = _execute(
            s,
            update(MeasureFollowUp)
            .where(
                MeasureFollowUp.measure_id == measure_id,
                MeasureFollowUp.session_id == session_id,
            )
            .values(**values),
        )
        if updated.rowcount == 0:
            row = {
                "checked": False,
                "comment": "",
                "status": current_status,
                "due_date": current_due,
            }
            _execute(
                s,
                insert(MeasureFollowUp).values(
                    measure_id=measure_id, session_id=session_id, **{**row, **values}
                ),
            )
        if tracked:
            _execute(s, update(Measure).where(Measure.id == measure_id).values(**tracked))


def cancel_measure(
    engine: Engine, measure_id: int, reason: str, session_id: int | None = None
) -> None:
    """Cancel a measure, keeping why in its history: the comment of this session's record of it.

    Outside a session the unit's open session, if any, gets it; without one the history gets a
    record of its own, outside any meeting, dated the day it is made.
    """
    reason = " ".join(clean_text(reason).split())
    if not reason:
        raise InvalidInput("Skriv hvorfor tiltaket avbrytes.")
    comment = f"Avbrutt: {reason}"
    with transaction(engine) as s:
        found = s.execute(
            select(Measure.unit_id, Measure.due_date).where(Measure.id == measure_id)
        ).first()
        if found is None:
            raise InvalidInput(f"Fant ikke tiltaket (id {measure_id}).")
        unit_id, due_date = found
        if session_id is None:
            session_id = s.execute(
                _open_sessions()
                .where(SessionRow.unit_id == unit_id)
                .order_by(SessionRow.started_at.desc(), SessionRow.id.desc())
                .limit(1)
            ).scalar_one_or_none()
        if session_id is None:
            s.add(
                MeasureFollowUp(
                    measure_id=measure_id,
                    session_id=None,
                    checked=True,
                    comment=comment,
                    status="avbrutt",
                    due_date=due_date,
                    updated_at=_utcnow(),
                )
            )
            _execute(s, update(Measure).where(Measure.id == measure_id).values(status="avbrutt"))
            return
        earlier = s.execute(
            select(MeasureFollowUp.comment).where(
                MeasureFollowUp.measure_id == measure_id, MeasureFollowUp.session_id == session_id
            )
        ).scalar_one_or_none()
    if earlier and earlier.strip():
        comment = f"{earlier.strip()}\n{comment}"
    follow_up(engine, measure_id, session_id, checked=True, comment=comment, status="avbrutt")


def measure_history(engine: Engine, measure_id: int) -> list[HistoryEntry]:
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
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    entries = []
    for sid, held_on, started_at, kind, checked, comment, status, due, updated_at in rows:
        # Outside a meeting the record's own time places it among the meetings.
        when = started_at if sid is not None else updated_at
        day = held_on if sid is not None else _local_date(updated_at)
        entry = HistoryEntry(sid, day, kind, bool(checked), comment, status, due)
        entries.append(((day, when, sid or 0), entry))
    return [entry for _, entry in sorted(entries, key=lambda pair: pair[0])]


# ---------------------------------------------------------------------------------------------
# Presence factors and survey scores


def presence_factors(engine: Engine, unit_id: int) -> dict[str, list[str]]:
    """{"styrke": [4 texts], "forbedring": [4 texts]}, "" where nothing is written."""
    factors = {kind: [""] * PRESENCE_POSITIONS for kind in FACTOR_KINDS}
    query = select(PresenceFactor.kind, PresenceFactor.position, PresenceFactor.text).where(
        PresenceFactor.unit_id == unit_id
    )
    with engine.connect() as conn:
        for kind, position, text in conn.execute(query):
            if kind in factors and 1 <= position <= PRESENCE_POSITIONS:
                factors[kind][position - 1] = text
    return factors


def set_presence_factor(engine: Engine, unit_id: int, kind: str, position: int, text: str) -> None:
    if kind not in FACTOR_KINDS:
        raise InvalidInput(f"Ukjent type nærværsfaktor «{kind}».")
    if isinstance(position, bool) or position not in range(1, PRESENCE_POSITIONS + 1):
        raise InvalidInput(f"Plassen må være mellom 1 og {PRESENCE_POSITIONS}.")
    text = clean_text(text)
    where = and_(
        PresenceFactor.unit_id == unit_id,
        PresenceFactor.kind == kind,
        PresenceFactor.position == position,
    )
    with transaction(engine) as s:
        if _execute(s, update(PresenceFactor).where(where).values(text=text)).rowcount == 0:
            _execute(
                s,
                insert(PresenceFactor).values(
                    unit_id=unit_id, kind=kind, position=position, text=text
                ),
            )


def survey_scores(engine: Engine, unit_id: int) -> dict[str, dict[str, float | None]]:
    """survey -> factor -> score for every survey and every KS factor, None where unset."""
    scores: dict[str, dict[str, float | None]] = {
        survey: dict.fromkeys(KS_FACTORS) for survey in SURVEYS
    }
    query = select(SurveyScore.survey, SurveyScore.factor, SurveyScore.score).where(
        SurveyScore.unit_id == unit_id
    )
    with engine.connect() as conn:
        for survey, factor, score in conn.execute(query):
            if survey in scores and factor in scores[survey]:
                scores[survey][factor] = score
    return scores


def set_survey_score(
    engine: Engine,
    unit_id: int,
    survey: str,
    factor: str,
    score: float | None,
    measured_on: dt.date | None = None,
) -> None:
    if survey not in SURVEYS:
        raise InvalidInput(f"Ukjent kartlegging «{survey}».")
    if factor not in KS_FACTORS:
        raise InvalidInput(f"Ukjent faktor «{factor}».")
    if score is not None:
        if (
            isinstance(score, bool)
            or not isinstance(score, int | float)
            or not math.isfinite(score)
            or not MIN_SCORE <= score <= MAX_SCORE
        ):
            raise InvalidInput("Poengsum må være mellom 1 og 5.")
        score = float(score)
    values = {"score": score, "measured_on": measured_on}
    where = and_(
        SurveyScore.unit_id == unit_id, SurveyScore.survey == survey, SurveyScore.factor == factor
    )
    with transaction(engine) as s:
        if _execute(s, update(SurveyScore).where(where).values(**values)).rowcount == 0:
            _execute(
                s,
                insert(SurveyScore).values(unit_id=unit_id, survey=survey, factor=factor, **values),
            )


# ---------------------------------------------------------------------------------------------
# The summary


def _line(measure: MeasureRow, **extra: Any) -> MeasureLine:
    fields: dict[str, Any] = {
        "level": measure.level,
        "text": measure.text,
        "owner": measure.owner,
        "due_date": measure.due_date,
        "status": measure.status,
        "employee_number": measure.employee_number,
        "employee_name": measure.employee_name,
    }
    return MeasureLine(**{**fields, **extra})


def _previous_states(
    conn: Any, measure_ids: Sequence[int], info: SessionInfo
) -> Mapping[int, tuple[str, dt.date | None]]:
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
    )
    this_key = (info.held_on, info.started_at, info.id)
    previous: dict[int, tuple[tuple[Any, ...], str, dt.date | None]] = {}
    for measure_id, status, due, held_on, started_at, sid in conn.execute(query):
        key = (held_on, started_at, sid)
        if key < this_key and (measure_id not in previous or key > previous[measure_id][0]):
            previous[measure_id] = (key, status, due)
    return {mid: (status, due) for mid, (_, status, due) in previous.items()}


def session_summary(engine: Engine, session_id: int) -> SessionSummary:
    """What the leader gets after the session (see core.summary for the document)."""
    info = session_info(engine, session_id)
    agreed = measures_created_in(engine, session_id)
    items = checklist(engine, session_id)
    with engine.connect() as conn:
        staff = conn.execute(
            select(Employee.id, Employee.number, Employee.name)
            .where(
                Employee.id.in_(
                    select(Employment.employee_id).where(
                        Employment.unit_id == info.unit_id,
                        Employment.start_date <= info.held_on,
                        or_(Employment.end_date.is_(None), Employment.end_date >= info.held_on),
                    )
                )
            )
            .order_by(Employee.number)
        ).all()
        reviews = conn.execute(
            select(Employee.number, Employee.name, EmployeeReview.reviewed, EmployeeReview.note)
            .join(Employee, Employee.id == EmployeeReview.employee_id)
            .where(EmployeeReview.session_id == session_id)
            .order_by(Employee.number)
        ).all()
        previous = _previous_states(conn, [item.measure.id for item in items], info)
        employees, leaders = known_people(conn, info.unit_id)
        milestones = conn.execute(
            select(
                Employee.number,
                Employee.name,
                MilestoneDone.milestone,
                MilestoneDone.done_on,
            )
            .join(Employee, Employee.id == MilestoneDone.employee_id)
            .where(MilestoneDone.session_id == session_id)
        ).all()

    changed: list[MeasureLine] = []
    closed: list[MeasureLine] = []
    ticked_open: list[MeasureLine] = []
    not_discussed: list[MeasureLine] = []
    for item in items:
        before = previous.get(item.measure.id)
        # The session's own record, which later sessions do not overwrite.
        line = _line(
            item.measure,
            status=item.status,
            due_date=item.due_date,
            comment=item.comment,
            previous_status=before[0] if before else None,
            previous_due_date=before[1] if before else None,
        )
        if item.status in CLOSED_STATUSES:
            closed.append(line)
        elif (
            item.comment.strip()
            or (before is not None and (before[0] != item.status or before[1] != item.due_date))
            # Without an earlier record the measure was written outside any session, open.
            or (before is None and item.status != "apen")
        ):
            changed.append(line)
        else:
            (ticked_open if item.checked else not_discussed).append(line)
    order = {m.key: i for i, m in enumerate(MILESTONES)}
    labels = {m.key: m.label_nb for m in MILESTONES}
    milestones = sorted(milestones, key=lambda r: (r.number, order.get(r.milestone, len(order))))

    return SessionSummary(
        unit_name=info.unit_name,
        session_type_label=SESSION_TYPES.get(info.session_type, info.session_type),
        held_on=info.held_on,
        advisor=info.advisor,
        reviewed=tuple((r.number, r.name) for r in reviews if r.reviewed),
        total_employees=len(staff),
        # A measure written and cancelled in the same session was a slip, not an agreement.
        measures_agreed=tuple(_line(m) for m in agreed if m.status != "avbrutt"),
        measures_changed=tuple(changed),
        measures_closed=tuple(closed),
        note=info.note,
        employee_notes=tuple((r.number, r.name, r.note) for r in reviews if r.note.strip()),
        known_employees=tuple(employees),
        known_leaders=tuple(leaders),
        milestones_done=tuple(
            MilestoneLine(r.number, r.name, labels.get(r.milestone, r.milestone), r.done_on)
            for r in milestones
        ),
        measures_ticked_open=tuple(ticked_open),
        measures_not_discussed=tuple(not_discussed),
    )
