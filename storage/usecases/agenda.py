"""The agenda that opens a session, with the unit's share of the goal: one read snapshot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from core.agenda import Agenda, CaseEvent, MeasureFact, MilestoneItem, masked_texts
from core.effect import Span
from core.goal import GoalShare, SectorComparison, unit_goal
from core.masking import Masker, employee_placeholder
from core.periods import Quarter, complete_quarters_before
from core.project import latest, member_on
from storage.repos.agenda import AgendaRead, read_agenda
from storage.repos.figures import quarter_sums
from storage.repos.project import memberships
from storage.repos.session_history import last_ended_session_day, session_before
from storage.repos.sessions import require as require_session
from storage.repos.settings import load_settings
from storage.repos.staff import unit_masker
from storage.repos.unit_lookup import unit_by_code
from storage.usecases import reading
from storage.usecases.effect import figure_json


@dataclass(frozen=True, slots=True)
class UnitAgenda:
    """A unit's agenda as of a date, with who is who and the unit's part of the goal.

    Measure texts are masked when asked for (every known name replaced, core.masking).
    """

    unit_id: int
    code: str
    name: str
    agenda: Agenda
    numbers: dict[int, str]  # employee id → employee number
    names: dict[int, str | None]  # employee id → name
    goal: GoalShare | None  # None for a unit never in the project
    sector: SectorComparison  # the latest complete quarter against the sector
    masked: bool

    def person(self, employee_id: int | None) -> str:
        """`ansatt 100909` when masked (or without a name), else the name."""
        if employee_id is None:
            return ""
        name = self.names.get(employee_id)
        if self.masked or not name:
            return employee_placeholder(self.numbers[employee_id])
        return name


def unit_agenda(engine: Engine, unit_code: str, as_of: dt.date, masked: bool = True) -> UnitAgenda:
    """The agenda of the unit with `unit_code` (UnknownUnit if none has it)."""
    with reading(engine) as conn:
        unit_id, name = unit_by_code(conn, unit_code)
        settings = load_settings(conn)
        last_session = last_ended_session_day(conn, unit_id, as_of)
        read = read_agenda(conn, unit_id, as_of, last_session, settings.flag_rules())

        last = complete_quarters_before(as_of, 1)[0]
        periods = memberships(conn, unit_id).get(unit_id, [])
        period = member_on(periods, as_of) or latest(periods)
        baseline = None if period is None else Quarter.parse(period.baseline_quarter)
        sums = quarter_sums(conn, min(last, baseline or last), last, unit_id)
        names = unit_masker(conn, unit_id) if masked else None

    goal = unit_goal(
        baseline,
        last,
        lambda quarter: sums.get((unit_id, str(quarter)), (0.0, 0.0)),
        settings.goal_pp,
        settings.cost_per_day,
    )
    agenda = read.agenda
    if names is not None:
        agenda = masked_texts(agenda, names)
    return UnitAgenda(
        unit_id=unit_id,
        code=unit_code,
        name=name,
        agenda=agenda,
        numbers=read.numbers,
        names=read.employee_names,
        goal=goal.share,
        sector=goal.sector,
        masked=masked,
    )


@dataclass(frozen=True, slots=True)
class SessionAgenda:
    """The agenda that opens a session: as of the day it is held, since the session before it.

    Measure texts as written: `names` masks them where shown.
    """

    session_id: int
    unit_id: int
    unit_name: str
    session_type: str
    held_on: dt.date
    agenda: Agenda
    numbers: dict[int, str]  # employee id → employee number
    employee_names: dict[int, str | None]  # employee id → name
    names: Masker
    read: AgendaRead  # what the session's summary builds on (sessions.session_summary)


def session_agenda(engine: Engine, session_id: int, names: Masker | None = None) -> SessionAgenda:
    """The agenda of a session (InvalidInput if there is no such session). `names`: the unit's
    masker (storage.repos.staff.unit_masker) where the caller has it already."""
    with reading(engine) as conn:
        info = require_session(conn, session_id)
        last_session = session_before(conn, info.unit_id, info.id, info.held_on)
        rules = load_settings(conn).flag_rules()
        read = read_agenda(conn, info.unit_id, info.held_on, last_session, rules)
        if names is None:
            names = unit_masker(conn, info.unit_id)
    return SessionAgenda(
        session_id=info.id,
        unit_id=info.unit_id,
        unit_name=info.unit_name,
        session_type=info.session_type,
        held_on=info.held_on,
        agenda=read.agenda,
        numbers=read.numbers,
        employee_names=read.employee_names,
        names=names,
        read=read,
    )


def agenda_json(result: UnitAgenda) -> dict[str, Any]:
    """`naervaer agenda --json` (README.md "What --json prints"): employees by number, and by
    name only when not masked."""
    agenda = result.agenda

    def employee(employee_id: int | None) -> dict[str, Any]:
        if employee_id is None:
            return {"employee_id": None, "employee_name": None}
        return {
            "employee_id": result.numbers[employee_id],
            "employee_name": None if result.masked else result.names.get(employee_id),
        }

    def span(value: Span) -> dict[str, str]:
        return {"from": value.start.isoformat(), "to": value.end.isoformat()}

    def case(event: CaseEvent) -> dict[str, Any]:
        return {
            **employee(event.employee_id),
            "start": event.start.isoformat(),
            "end": _iso(event.end),
            "sick_days": event.sick_days,
        }

    def milestone(item: MilestoneItem) -> dict[str, Any]:
        return {
            **employee(item.employee_id),
            "case_start": item.case_start.isoformat(),
            "milestone": item.milestone.key,
            "due": item.milestone.due.isoformat(),
            "status": item.milestone.status,
            "done_on": _iso(item.milestone.done_on),
        }

    def measure(fact: MeasureFact) -> dict[str, Any]:
        return {
            "measure_id": fact.measure_id,
            "level": fact.level,
            "text": fact.text,
            **employee(fact.employee_id),
            "due_date": _iso(fact.due_date),
            "status": fact.status,
        }

    goal = result.goal
    return {
        "as_of": agenda.as_of.isoformat(),
        "unit_id": result.code,
        "name": result.name,
        "last_session": _iso(agenda.last_session),
        "since": span(agenda.since),
        "ahead": span(agenda.ahead),
        "figure_then": figure_json(agenda.figure_then),
        "figure_now": figure_json(agenda.figure_now),
        "cases_began": [case(e) for e in agenda.began],
        "cases_ended": [case(e) for e in agenda.ended],
        "milestones_passed": [milestone(m) for m in agenda.milestones_passed],
        "new_flags": [
            {**employee(f.employee_id), "flag": f.key, "explanation": f.explanation}
            for f in agenda.new_flags
        ],
        "measures_due": [measure(m) for m in agenda.measures_came_due],
        "milestones_ahead": [milestone(m) for m in agenda.milestones_ahead],
        "measures_ahead": [measure(m) for m in agenda.measures_ahead],
        "since_last": {
            "completed": agenda.since_last.completed,
            "new": agenda.since_last.new,
            "overdue": agenda.since_last.overdue,
            "line": agenda.since_last.line,
        },
        "goal": None
        if goal is None
        else {
            "baseline_quarter": goal.baseline_quarter,
            "baseline_pct": goal.baseline_pct,
            "goal_pp": goal.goal_pp,
            "goal_pct": goal.goal_pct,
            "last_quarter": goal.last_quarter,
            "possible_workdays": goal.possible,
            "compare_quarter": goal.compare_quarter,
            "compare_pct": goal.compare_pct,
            "cost_per_day": goal.cost_per_day,
            "goal_workdays": goal.goal_days,
            "goal_nok": goal.goal_kroner,
            "achieved_workdays": goal.achieved_days,
            "achieved_nok": goal.achieved_kroner,
            "to_go_workdays": goal.to_go_days,
            "to_go_nok": goal.to_go_kroner,
        },
        "sector": {
            "quarter": result.sector.quarter,
            "unit_pct": result.sector.unit_pct,
            "sector_pct": result.sector.sector_pct,
            "light": None if result.sector.light is None else str(result.sector.light),
        },
    }


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
