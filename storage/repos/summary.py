"""The session summary (core.summary's document) read from a session's records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection

from core.agenda import point_groups, taken_up, untouched
from core.cases import MILESTONES
from core.measures import follow_up_kind
from core.summary import AgendaLine, MeasureLine, MilestoneLine, SessionSummary
from core.vocabulary import SESSION_TYPES
from storage.repos import measures, reviews, sessions
from storage.repos.agenda import AgendaRead, read_agenda
from storage.repos.measures import ChecklistItem, MeasureRow
from storage.repos.session_history import session_before
from storage.repos.sessions import SessionInfo
from storage.repos.settings import load_settings
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


def _agenda(
    conn: Connection,
    info: SessionInfo,
    reviewed: list[tuple[str, str | None, bool, str]],
    marked: list[tuple[str, str | None, str, dt.date]],
    followed: list[ChecklistItem | MeasureRow],
    kept: AgendaRead | None,
) -> tuple[str, tuple[AgendaLine, ...]]:
    """The session's agenda: its since-last line, and its points the session did not take up
    (core.agenda.untouched)."""
    last = session_before(conn, info.unit_id, info.id, info.held_on)
    rules = load_settings(conn).flag_rules()
    read = read_agenda(conn, info.unit_id, info.held_on, last, rules, kept)
    ids = {number: employee_id for employee_id, number in read.numbers.items()}
    rows = [item.measure if isinstance(item, ChecklistItem) else item for item in followed]
    touched = taken_up(
        (ids[number] for number, _, done, note in reviewed if number in ids and (done or note)),
        (ids[number] for number, *_ in marked if number in ids),
        ((row.id, row.employee_id) for row in rows),
    )
    lines = tuple(
        AgendaLine(
            heading=group.heading,
            text=point.text,
            employee_number=None if point.employee_id is None else read.numbers[point.employee_id],
            employee_name=None
            if point.employee_id is None
            else read.employee_names.get(point.employee_id),
            measure_text=point.measure_text,
        )
        for group in point_groups(untouched(read.agenda, touched))
        for point in group.points
    )
    return read.agenda.since_last.line, lines


def session_summary(
    conn: Connection, info: SessionInfo, kept: AgendaRead | None = None
) -> SessionSummary:
    """What the leader gets after the session (see core.summary for the document). `kept`:
    the session's agenda as read when it opened (storage.repos.agenda.read_agenda)."""
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
    followed: list[ChecklistItem | MeasureRow] = [*agreed]
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
        if kind != "not_discussed":
            followed.append(item)
    order = {m.key: i for i, m in enumerate(MILESTONES)}
    labels = {m.key: m.label_nb for m in MILESTONES}
    milestones = sorted(milestones, key=lambda r: (r[0], order.get(r[2], len(order))))
    since_last, agenda_untouched = _agenda(conn, info, reviewed, milestones, followed, kept)

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
        since_last=since_last,
        agenda_untouched=agenda_untouched,
    )
