"""The session summary (core.summary's document) read from a session's records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from core.cases import MILESTONES
from core.measures import follow_up_kind
from core.summary import MeasureLine, MilestoneLine, SessionSummary
from core.vocabulary import SESSION_TYPES
from storage.repos import measures, reviews, sessions
from storage.repos.measures import MeasureRow
from storage.repos.sessions import SessionInfo
from storage.repos.staff import known_people


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


def session_summary(conn: Connection, info: SessionInfo) -> SessionSummary:
    """What the leader gets after the session (see core.summary for the document)."""
    agreed = measures.created_in(conn, info.id)
    items = measures.checklist(conn, info.id)
    staff = sessions.staff_on(conn, info.unit_id, info.held_on)
    reviewed = reviews.in_session(conn, info.id)
    previous = measures.previous_states(conn, [item.measure.id for item in items], info)
    employees, leaders = known_people(conn, info.unit_id)
    milestones = reviews.milestones_in_session(conn, info.id)

    lines: dict[str, list[MeasureLine]] = {
        "changed": [],
        "closed": [],
        "ticked_open": [],
        "not_discussed": [],
    }
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
        kind = follow_up_kind(item.status, item.due_date, item.comment, item.checked, before)
        lines[kind].append(line)
    order = {m.key: i for i, m in enumerate(MILESTONES)}
    labels = {m.key: m.label_nb for m in MILESTONES}
    milestones = sorted(milestones, key=lambda r: (r[0], order.get(r[2], len(order))))

    return SessionSummary(
        unit_name=info.unit_name,
        session_type_label=SESSION_TYPES.get(info.session_type, info.session_type),
        held_on=info.held_on,
        advisor=info.advisor,
        reviewed=tuple((number, name) for number, name, done, _ in reviewed if done),
        total_employees=len(staff),
        # A measure written and cancelled in the same session was a slip, not an agreement.
        measures_agreed=tuple(_line(m) for m in agreed if m.status != "avbrutt"),
        measures_changed=tuple(lines["changed"]),
        measures_closed=tuple(lines["closed"]),
        note=info.note,
        note_version=info.version,
        employee_notes=tuple(
            (number, name, note) for number, name, _, note in reviewed if note.strip()
        ),
        known_employees=tuple(employees),
        known_leaders=tuple(leaders),
        milestones_done=tuple(
            MilestoneLine(number, name, labels.get(key, key), done_on)
            for number, name, key, done_on in milestones
        ),
        measures_ticked_open=tuple(lines["ticked_open"]),
        measures_not_discussed=tuple(lines["not_discussed"]),
    )
