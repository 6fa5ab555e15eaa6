"""A unit's agenda (core.agenda) as of a date, read with the caller's connection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection

from core.agenda import Agenda, MeasureFact, build_agenda, with_records
from core.effect import completed_on
from core.flags import FlagRules
from storage.repos.measure_history import measure_records
from storage.repos.reviews import milestones_done
from storage.repos.staff import load_employees, load_employments, load_spells, staff_of


@dataclass(frozen=True, slots=True)
class AgendaRead:
    """The agenda with who is who: measure texts as written (storage.repos.staff.unit_masker
    masks them where they are shown), and what its cases, flags and figures came of."""

    agenda: Agenda
    numbers: dict[int, str]  # employee id → employee number
    employee_names: dict[int, str | None]  # employee id → name
    unit_id: int
    rules: FlagRules
    employments: pd.DataFrame  # every employment of the unit's people
    spells: pd.DataFrame  # their spells

    def holds(
        self,
        unit_id: int,
        as_of: dt.date,
        last_session: dt.date | None,
        rules: FlagRules,
        employments: pd.DataFrame,
        spells: pd.DataFrame,
    ) -> bool:
        """Whether the agenda's cases, flags and figures are those of these: the same unit,
        day, window and rules, and the people's employments and spells as they were."""
        return (
            self.unit_id == unit_id
            and self.agenda.as_of == as_of
            and self.agenda.last_session == last_session
            and self.rules == rules
            and self.employments.equals(employments)
            and self.spells.equals(spells)
        )


def read_agenda(
    conn: Connection,
    unit_id: int,
    as_of: dt.date,
    last_session: dt.date | None,
    rules: FlagRules,
    kept: AgendaRead | None = None,
) -> AgendaRead:
    """The unit's agenda. `kept`: one read before (the session's, as it opened): where its
    employments and spells are read again unchanged, its cases, flags and figures stand, and
    only the milestones marked and the measures are taken anew."""
    people = staff_of(conn, [unit_id])
    employments = load_employments(conn, employee_ids=people)
    spells = load_spells(conn, people)
    done = milestones_done(conn, people)
    records = measure_records(conn, [unit_id])
    employees = load_employees(conn, people)
    facts = [
        MeasureFact(
            measure_id=r.measure_id,
            level=r.level,
            text=r.text,
            employee_id=r.employee_id,
            due_date=r.due_date,
            status=r.status,
            created_on=r.created_on,
            completed_on=completed_on(r.history, as_of),
        )
        for r in records
        if r.created_on <= as_of
    ]
    if kept is not None and kept.holds(unit_id, as_of, last_session, rules, employments, spells):
        agenda = with_records(kept.agenda, done, facts)
    else:
        agenda = build_agenda(unit_id, as_of, last_session, employments, spells, done, facts, rules)
    return AgendaRead(
        agenda=agenda,
        numbers=dict(zip(employees["employee_id"], employees["number"], strict=True)),
        employee_names=dict(zip(employees["employee_id"], employees["name"], strict=True)),
        unit_id=unit_id,
        rules=rules,
        employments=employments,
        spells=spells,
    )
