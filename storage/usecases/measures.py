"""Measures (tiltak): agreeing one, changing it, following it up in a session, cancelling it,
and its history across sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from core.measures import UNSET, MeasureChange, Unset
from core.text import clean_text
from core.vocabulary import MEASURE_LEVELS, MEASURE_STATUSES
from storage.models import utcnow
from storage.repos import audit, measures, sessions
from storage.repos.audit import Change
from storage.repos.measures import HistoryEntry
from storage.usecases import reading, writing

OWNER_MAX_LENGTH: Final = 200


def _check_level(level: str) -> None:
    if level not in MEASURE_LEVELS:
        raise InvalidInput(f"Ukjent nivå «{level}». Gyldige: {', '.join(MEASURE_LEVELS.values())}.")


def _check_status(status: str) -> None:
    if status not in MEASURE_STATUSES:
        raise InvalidInput(
            f"Ukjent status «{status}». Gyldige: {', '.join(MEASURE_STATUSES.values())}."
        )


def _clean_text(text: str) -> str:
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
    text = _clean_text(text)
    owner = _clean_owner(owner)
    _check_due(due_date)
    if level == "enkeltsak" and employee_id is None:
        raise InvalidInput("Et tiltak i en enkeltsak må knyttes til en ansatt.")
    if level != "enkeltsak" and employee_id is not None:
        raise InvalidInput("Bare tiltak i en enkeltsak kan knyttes til en ansatt.")
    with writing(engine) as session:
        if session_id is not None:
            session_unit = sessions.session_unit(session.connection(), session_id)
            if session_unit is None:
                raise InvalidInput(f"Fant ikke økten (id {session_id}).")
            if session_unit != unit_id:
                raise InvalidInput("Økten gjelder en annen enhet enn tiltaket.")
        now = utcnow()
        measure_id = measures.insert(
            session,
            {
                "created_by": audit.advisor(session.connection()),
                "unit_id": unit_id,
                "level": level,
                "employee_id": employee_id,
                "text": text,
                "owner": owner,
                "due_date": due_date,
                "status": "apen",
                "created_session_id": session_id,
                "created_at": now,
            },
        )
        if session_id is not None:
            # The state as agreed: what the next session compares against to tell what changed,
            # and the first line of the measure's history.
            measures.save_follow_up(
                session, measure_id, session_id, "apen", due_date, {"updated_at": now}
            )
        return measure_id


def _tracked(status: str | None, due_date: dt.date | Unset | None) -> dict[str, Any]:
    """The checked new status and due date: what both a measure and its records hold."""
    tracked: dict[str, Any] = {}
    if not isinstance(due_date, Unset):
        _check_due(due_date)
        tracked["due_date"] = due_date
    if status is not None:
        _check_status(status)
        tracked["status"] = status
    return tracked


def _update(
    session: Session,
    measure_id: int,
    values: dict[str, Any],
    tracked: dict[str, Any],
    base: int | None,
) -> int:
    """Change the measure as an edit of its version `base`; its version after."""
    now = utcnow()
    version = measures.change(session, measure_id, {**values, **tracked}, base, now)
    if version is None:
        raise InvalidInput(f"Fant ikke tiltaket (id {measure_id}).")
    if tracked:
        # Into the record of any session still open, so its summary and history agree.
        measures.track_in_open_sessions(session, measure_id, {**tracked, "updated_at": now})
    return version


def update_measure(
    engine: Engine,
    measure_id: int,
    *,
    text: str | None = None,
    owner: str | None = None,
    due_date: dt.date | Unset | None = UNSET,
    status: str | None = None,
    base: int | None = None,
) -> int:
    """Edit a measure, as an edit of its version `base` (None: as it stands); its version
    after. A new status or due date also goes into the history row of any session still open,
    so the session's summary and history agree with the measure. EditConflict
    (core.conflicts) if another advisor changed the same since `base`: nothing is written."""
    values: dict[str, Any] = {}
    if text is not None:
        values["text"] = _clean_text(text)
    if owner is not None:
        values["owner"] = _clean_owner(owner)
    tracked = _tracked(status, due_date)
    with writing(engine) as session:
        return _update(session, measure_id, values, tracked, base)


def _follow_up(
    session: Session,
    measure_id: int,
    session_id: int,
    change: MeasureChange,
    base: int | None = None,
) -> int | None:
    """The measure's version after, if it was changed (None: only the session's record was)."""
    tracked = _tracked(change.status, change.due_date)
    values: dict[str, Any] = dict(tracked)
    if change.checked is not None:
        values["checked"] = bool(change.checked)
    if change.comment is not None:
        values["comment"] = clean_text(change.comment)
    values["updated_at"] = utcnow()
    conn = session.connection()
    found = measures.state(conn, measure_id)
    session_unit = sessions.session_unit(conn, session_id)
    if found is None or session_unit is None:
        raise InvalidInput(f"Fant ikke tiltaket (id {measure_id}) eller økten (id {session_id}).")
    measure_unit, current_status, current_due = found
    if measure_unit != session_unit:
        raise InvalidInput("Tiltaket hører til en annen enhet enn økten.")
    version = None
    if tracked:
        # First, so that a conflict with another advisor's change writes nothing.
        version = measures.change(session, measure_id, tracked, base, values["updated_at"])
    measures.save_follow_up(session, measure_id, session_id, current_status, current_due, values)
    return version


def follow_up(
    engine: Engine,
    measure_id: int,
    session_id: int,
    *,
    checked: bool | None = None,
    comment: str | None = None,
    status: str | None = None,
    due_date: dt.date | Unset | None = UNSET,
) -> None:
    """Record what happened to a measure in this session, in its history row and in the
    measure itself, so both the current state and the history hold."""
    change = MeasureChange(checked, comment, status, due_date)
    with writing(engine) as session:
        _follow_up(session, measure_id, session_id, change)


def change_measure(
    engine: Engine,
    measure_id: int,
    session_id: int | None,
    change: MeasureChange,
    base: int | None = None,
) -> int | None:
    """What the measures screen does with a change, as an edit of the measure's version
    `base`; the version after (None if only a session's record changed). On the session's
    checklist it is the session's follow-up of the measure (core.measures.MeasureChange.
    as_follow_up); otherwise the measure itself is changed (as_update). EditConflict
    (core.conflicts) if another advisor changed the same since."""
    with writing(engine) as session:
        if session_id is not None and measures.on_checklist(
            session.connection(), measure_id, session_id
        ):
            return _follow_up(session, measure_id, session_id, change.as_follow_up(), base)
        update = change.as_update()
        if update is None:
            return None
        return _update(session, measure_id, {}, _tracked(update.status, update.due_date), base)


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
    with writing(engine) as session:
        conn = session.connection()
        found = measures.state(conn, measure_id)
        if found is None:
            raise InvalidInput(f"Fant ikke tiltaket (id {measure_id}).")
        comment = f"Avbrutt: {reason}"
        if session_id is None:
            current = sessions.open_session(conn, found[0])
            if current is None:
                now = utcnow()
                measures.change(session, measure_id, {"status": "avbrutt"}, None, now)
                measures.record_outside_meeting(
                    session, measure_id, comment, "avbrutt", found[2], now
                )
                return
            session_id = current.id
        earlier = measures.follow_up_comment(conn, measure_id, session_id)
        if earlier and earlier.strip():
            comment = f"{earlier.strip()}\n{comment}"
        change = MeasureChange(checked=True, comment=comment, status="avbrutt")
        _follow_up(session, measure_id, session_id, change)


def measure_history(engine: Engine, measure_id: int) -> tuple[HistoryEntry, ...]:
    """Every session's record of the measure, oldest first (the creating session included)."""
    with reading(engine) as conn:
        return tuple(measures.history(conn, measure_id))


def measure_changes(engine: Engine, measure_id: int) -> tuple[Change, ...]:
    """Who changed the measure's status, due date, text or owner, and when: oldest first."""
    with reading(engine) as conn:
        return tuple(measures.changes(conn, measure_id))
