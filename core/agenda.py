"""The agenda of a session: what has happened since last time, and what falls due next.

DOMAIN.md "The agenda's windows": "since last time" is the days after the last ended session up
to and including the as-of date (the last 8 weeks for a first session); "next 6 weeks" is the 42
days after the as-of date. Every milestone except the end of the employer period is listed; a
case "ended" on its last sick day.

Since last time: the unit's cases that began or ended, milestones that fell due (done or
missed), flags raised that were not raised on the day before the window, measures that fell due,
and the unit's % over the 3 months up to the day before the window against the 3 months up to
the as-of date. Next 6 weeks: milestones and open measures that fall due.

The summary's line "siden sist: 3 fullført, 2 nye, 1 forfalt" counts the measures completed and
created in the window and those that fell due in it (before the as-of date) and are still open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

import pandas as pd

from core import fmt
from core.calendar import default_calendar
from core.cases import MilestoneStatus, build_cases, case_units, milestone_status
from core.effect import Figure, Span, before_span, unit_figure
from core.flags import (
    BRADFORD,
    FlagRules,
    case_flags,
    employee_flags,
    flag_lines,
)
from core.masking import Masker
from core.status import HIDDEN, too_few
from core.vocabulary import MEASURE_LEVELS, MEASURE_STATUSES, OPEN_STATUSES

FIRST_SESSION_DAYS: Final = 56  # "since last time" for a first session: the last 8 weeks
AHEAD_DAYS: Final = 42  # the next 6 weeks


def windows(as_of: dt.date, last_session: dt.date | None) -> tuple[Span, Span]:
    """(since last time, next 6 weeks) as inclusive spans of days.

    The first span is empty (start after end) when the last session was held on the as-of date.
    """
    if last_session is None:
        start = as_of - dt.timedelta(days=FIRST_SESSION_DAYS - 1)
    else:
        start = last_session + dt.timedelta(days=1)
    ahead = Span(as_of + dt.timedelta(days=1), as_of + dt.timedelta(days=AHEAD_DAYS))
    return Span(start, as_of), ahead


def _within(day: dt.date | None, span: Span) -> bool:
    return day is not None and span.start <= day <= span.end


@dataclass(frozen=True, slots=True)
class MeasureFact:
    """A measure of the unit as the agenda needs it."""

    measure_id: int
    level: str
    text: str
    employee_id: int | None
    due_date: dt.date | None
    status: str
    created_on: dt.date | None  # the day it was agreed (its session's, else when written)
    completed_on: dt.date | None  # core.effect.completed_on

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class CaseEvent:
    employee_id: int
    start: dt.date
    end: dt.date | None  # None while open-ended
    sick_days: int  # sick days up to and including the as-of date


@dataclass(frozen=True, slots=True)
class MilestoneItem:
    employee_id: int
    case_start: dt.date
    milestone: MilestoneStatus


@dataclass(frozen=True, slots=True)
class FlagItem:
    employee_id: int
    key: str  # core.flags: RAISED_FLAGS or a case flag
    explanation: str


@dataclass(frozen=True, slots=True)
class SinceLast:
    completed: int
    new: int
    overdue: int

    @property
    def line(self) -> str:
        """`siden sist: 3 fullført, 2 nye, 1 forfalt`."""
        return (
            f"siden sist: {fmt.number(self.completed, 0)} fullført, "
            f"{fmt.count(self.new, 'nytt', 'nye')}, {fmt.number(self.overdue, 0)} forfalt"
        )


@dataclass(frozen=True, slots=True)
class Agenda:
    as_of: dt.date
    last_session: dt.date | None  # None: a first session
    since: Span
    ahead: Span
    # The unit's cases going on the day before the window or later: its milestones come of them.
    cases: tuple[CaseEvent, ...]
    began: tuple[CaseEvent, ...]
    ended: tuple[CaseEvent, ...]
    milestones_passed: tuple[MilestoneItem, ...]
    new_flags: tuple[FlagItem, ...]
    measures_came_due: tuple[MeasureFact, ...]
    figure_then: Figure  # the 3 months up to the day before the window
    figure_now: Figure  # the 3 months up to the as-of date
    milestones_ahead: tuple[MilestoneItem, ...]
    measures_ahead: tuple[MeasureFact, ...]
    since_last: SinceLast


def since_last(measures: Iterable[MeasureFact], since: Span) -> SinceLast:
    """Measures completed and created in the window, and those fallen due in it still open."""
    facts = list(measures)
    before_today = Span(since.start, since.end - dt.timedelta(days=1))
    return SinceLast(
        completed=sum(_within(m.completed_on, since) for m in facts),
        new=sum(_within(m.created_on, since) for m in facts),
        overdue=sum(m.open and _within(m.due_date, before_today) for m in facts),
    )


Done = Mapping[tuple[int, dt.date], Mapping[str, dt.date]]
Built = tuple[pd.DataFrame, pd.Series]  # core.cases.build_cases of the people's spells


def _flags(
    spells: pd.DataFrame,
    built: Built,
    people: Collection[int],
    unit_cases: Collection[tuple[int, dt.date]],
    day: dt.date,
    rules: FlagRules,
) -> dict[tuple[int, str, dt.date | None], str]:
    """The flags raised on `day`: the employees' (on `people`) and the unit's cases'.

    `built`: the cases of all of `spells` as of `day`. A person's flags and cases come of their
    own spells alone: those of the people asked about are worked out from theirs only.
    """
    raised: dict[tuple[int, str, dt.date | None], str] = {}
    cases, _ = built
    rows = employee_flags(
        cases[cases["employee_id"].isin(people)],
        spells[spells["employee_id"].isin(people)],
        day,
        default_calendar(),
        rules,
    )
    for row in rows.to_dict("records"):
        for key, line in flag_lines(row, rules):
            if key != BRADFORD:
                raised[(int(row["employee_id"]), key, None)] = line
    for flag in case_flags(spells, day, rules, built):
        if (flag.employee_id, flag.case_start) in unit_cases:
            raised[(flag.employee_id, flag.key, flag.case_start)] = flag.explanation
    return raised


def build_agenda(
    unit_id: int,
    as_of: dt.date,
    last_session: dt.date | None,
    employments: pd.DataFrame,
    spells: pd.DataFrame,
    done: Done,
    measures: Sequence[MeasureFact],
    rules: FlagRules = FlagRules(),
) -> Agenda:
    """The unit's agenda as of `as_of` (see the module's doc).

    `employments`: every employment of the unit's people (core.sickleave's shape, the unit's
    own and others, to tell which unit a case belongs to); `spells`: their spells; `done`:
    (employee, case start) → {milestone: the day it was marked done}; `measures`: the unit's.
    """
    since, ahead = windows(as_of, last_session)
    before = since.start - dt.timedelta(days=1)
    built = build_cases(spells, as_of)
    cases = built[0]
    # Only a case still going on the day before the window has anything in it or ahead (a
    # milestone of an ended case falls due by its last day at the latest): of a large unit's
    # people's cases, most ended long before.
    recent = cases["open_ended"].to_numpy() | (cases["end"] >= pd.Timestamp(before)).to_numpy()
    cases = cases[recent]
    cases = cases[(case_units(cases, employments) == unit_id).to_numpy()]
    events = tuple(
        CaseEvent(
            int(case.employee_id),
            case.start.date(),
            None if case.open_ended else case.end.date(),
            int(case.sick_days_to_date),
        )
        for case in cases.itertuples()
    )

    stamp = pd.Timestamp(as_of)
    own = employments[employments["unit_id"] == unit_id]
    present = own[(own["start"] <= stamp) & (own["end"].isna() | (own["end"] >= stamp))]
    people = sorted(set(present["employee_id"].tolist()))
    unit_cases = {(e.employee_id, e.start) for e in events}
    now_flags = _flags(spells, built, people, unit_cases, as_of, rules)
    # A flag is new unless it was raised the day before the window: asked of the people
    # flagged now only.
    flagged = {employee_id for employee_id, _, _ in now_flags}
    theirs = spells[spells["employee_id"].isin(flagged)]
    then_flags = _flags(
        theirs,
        build_cases(theirs, before),
        [employee for employee in people if employee in flagged],
        {case for case in unit_cases if case[0] in flagged},
        before,
        rules,
    )
    new_flags = [
        FlagItem(key[0], key[1], line) for key, line in now_flags.items() if key not in then_flags
    ]
    agenda = Agenda(
        as_of=as_of,
        last_session=last_session,
        since=since,
        ahead=ahead,
        cases=events,
        began=tuple(
            sorted(
                (e for e in events if _within(e.start, since)),
                key=lambda e: (e.start, e.employee_id),
            )
        ),
        ended=tuple(
            sorted(
                (e for e in events if _within(e.end, since)),
                key=lambda e: (e.end or dt.date.max, e.employee_id),
            )
        ),
        milestones_passed=(),
        new_flags=tuple(sorted(new_flags, key=lambda f: (f.employee_id, f.key))),
        measures_came_due=(),
        figure_then=unit_figure(own, spells, before_span(before), before),
        figure_now=unit_figure(own, spells, before_span(as_of), as_of),
        milestones_ahead=(),
        measures_ahead=(),
        since_last=SinceLast(0, 0, 0),
    )
    return with_records(agenda, done, measures)


def with_records(agenda: Agenda, done: Done, measures: Sequence[MeasureFact]) -> Agenda:
    """The agenda with its milestones and measures as `done` and `measures` have them (what a
    session changes); its cases, flags and figures, which come of the spells, as they were."""
    since, ahead, as_of = agenda.since, agenda.ahead, agenda.as_of
    passed, coming = [], []
    for case in agenda.cases:
        start = case.start
        marked = {
            key: day for key, day in done.get((case.employee_id, start), {}).items() if day <= as_of
        }
        for milestone in milestone_status(start, case.end, as_of, marked):
            if not milestone.is_task:
                continue
            if _within(milestone.due, since):
                passed.append(MilestoneItem(case.employee_id, start, milestone))
            elif _within(milestone.due, ahead):
                coming.append(MilestoneItem(case.employee_id, start, milestone))

    def by_milestone(item: MilestoneItem) -> tuple[dt.date, int]:
        return item.milestone.due, item.employee_id

    def by_due(fact: MeasureFact) -> tuple[dt.date, int]:
        return fact.due_date or dt.date.max, fact.measure_id

    return replace(
        agenda,
        milestones_passed=tuple(sorted(passed, key=by_milestone)),
        measures_came_due=tuple(
            sorted((m for m in measures if _within(m.due_date, since)), key=by_due)
        ),
        milestones_ahead=tuple(sorted(coming, key=by_milestone)),
        measures_ahead=tuple(
            sorted((m for m in measures if m.open and _within(m.due_date, ahead)), key=by_due)
        ),
        since_last=since_last(measures, since),
    )


def masked_texts(agenda: Agenda, names: Masker) -> Agenda:
    """The agenda with every known name in its measures' texts replaced (core.masking)."""

    def mask(facts: tuple[MeasureFact, ...]) -> tuple[MeasureFact, ...]:
        return tuple(replace(fact, text=names.text(fact.text)) for fact in facts)

    return replace(
        agenda,
        measures_came_due=mask(agenda.measures_came_due),
        measures_ahead=mask(agenda.measures_ahead),
    )


# --- the agenda in words: the screen, the session summary and its export -----------------------

BEGAN: Final = "Fraværstilfeller som startet"
ENDED: Final = "Fraværstilfeller som sluttet"
MILESTONES_PASSED: Final = "Milepæler med frist i perioden"
NEW_FLAGS: Final = "Nye flagg"
MEASURES_DUE: Final = "Tiltak med frist i perioden"
MILESTONES_AHEAD: Final = "Milepæler de neste 6 ukene"
MEASURES_AHEAD: Final = "Tiltak med frist de neste 6 ukene"


@dataclass(frozen=True, slots=True)
class Point:
    """One point of the agenda in words: whom it is about (None: the unit), what it says
    (dates, labels, statuses: no free text) and a measure's own words (free text: masked where
    shown)."""

    employee_id: int | None
    text: str
    measure_text: str = ""


@dataclass(frozen=True, slots=True)
class PointGroup:
    heading: str
    ahead: bool  # the next 6 weeks, else since last time
    points: tuple[Point, ...]


def since_text(agenda: Agenda) -> str:
    """`Siden sist: etter møtet 22.09.2026 (23.09.2026–06.12.2026)`."""
    if agenda.since.start > agenda.since.end:
        return f"Siden sist: forrige møte var {fmt.date(agenda.last_session)}, i dag"
    days = f"{fmt.date(agenda.since.start)}–{fmt.date(agenda.since.end)}"
    if agenda.last_session is None:
        return f"Siden sist: første møte, de siste 8 ukene ({days})"
    return f"Siden sist: etter møtet {fmt.date(agenda.last_session)} ({days})"


def figure_text(agenda: Agenda) -> str:
    """The unit's % over the 3 months before the window and now, `***` for fewer than 5."""

    def shown(figure: Figure) -> str:
        value = HIDDEN if too_few(figure.persons) else fmt.percent(figure.pct)
        return f"{value} ({fmt.count(figure.persons, 'ansatt', 'ansatte')})"

    then, now = agenda.figure_then, agenda.figure_now
    return (
        f"Sykefravær siste 3 måneder: per {fmt.date(then.span.end)} {shown(then)}, nå {shown(now)}"
    )


def _milestone(item: MilestoneItem) -> Point:
    m = item.milestone
    status = m.status_label
    if m.done_on is not None:
        status += f" {fmt.date(m.done_on)}"
    return Point(item.employee_id, f"{m.label}, frist {fmt.date(m.due)}: {status}")


def _measure(fact: MeasureFact) -> Point:
    level = MEASURE_LEVELS.get(fact.level, fact.level)
    status = MEASURE_STATUSES.get(fact.status, fact.status).lower()
    due = f"frist {fmt.date(fact.due_date)}" if fact.due_date else "ingen frist"
    return Point(fact.employee_id, f"{level.lower()}, {due}, {status}", fact.text)


def _sick_days(event: CaseEvent) -> str:
    return fmt.count(event.sick_days, "sykedag", "sykedager")


def point_groups(agenda: Agenda) -> tuple[PointGroup, ...]:
    """The agenda's points by group: since last time, then the next 6 weeks; what may ask for
    action (milestones, flags, measures) before the cases that began or ended."""
    began = tuple(
        Point(
            e.employee_id,
            f"fra {fmt.date(e.start)}, pågår, {_sick_days(e)}"
            if e.end is None
            else f"{fmt.date(e.start)}–{fmt.date(e.end)}, {_sick_days(e)}",
        )
        for e in agenda.began
    )
    ended = tuple(
        Point(e.employee_id, f"{fmt.date(e.start)}–{fmt.date(e.end)}, {_sick_days(e)}")
        for e in agenda.ended
    )
    return (
        PointGroup(MILESTONES_PASSED, False, tuple(map(_milestone, agenda.milestones_passed))),
        PointGroup(
            NEW_FLAGS, False, tuple(Point(f.employee_id, f.explanation) for f in agenda.new_flags)
        ),
        PointGroup(MEASURES_DUE, False, tuple(map(_measure, agenda.measures_came_due))),
        PointGroup(BEGAN, False, began),
        PointGroup(ENDED, False, ended),
        PointGroup(MILESTONES_AHEAD, True, tuple(map(_milestone, agenda.milestones_ahead))),
        PointGroup(MEASURES_AHEAD, True, tuple(map(_measure, agenda.measures_ahead))),
    )


# --- what a session took up ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Touched:
    """What a session took up (README.md's glossary, "touched"): the employees gone through
    (reviewed, noted, a milestone of theirs marked, a measure about them agreed or followed up)
    and the measures followed up on the checklist or agreed in it."""

    employees: frozenset[int] = frozenset()
    measures: frozenset[int] = frozenset()


def taken_up(
    reviewed: Iterable[int],
    milestones_marked: Iterable[int],
    measures: Iterable[tuple[int, int | None]],
) -> Touched:
    """What a session took up: the employees gone through (`reviewed`: marked or noted), those
    with a milestone marked in it, and the measures (id, whom it is about) agreed or followed
    up in it, with the employees they are about."""
    followed = list(measures)
    people = {*reviewed, *milestones_marked}
    people |= {employee_id for _, employee_id in followed if employee_id is not None}
    return Touched(frozenset(people), frozenset(measure_id for measure_id, _ in followed))


def untouched(agenda: Agenda, touched: Touched) -> Agenda:
    """The agenda's points that still asked for something and the session did not take up.

    A point about an employee is touched when the employee is; a milestone done is settled; a
    measure is touched when followed up or agreed in the session, and settled once closed.
    """

    def person(employee_id: int) -> bool:
        return employee_id not in touched.employees

    def milestone(item: MilestoneItem) -> bool:
        return item.milestone.status != "done" and person(item.employee_id)

    def measure(fact: MeasureFact) -> bool:
        return fact.open and fact.measure_id not in touched.measures

    return replace(
        agenda,
        began=tuple(e for e in agenda.began if person(e.employee_id)),
        ended=tuple(e for e in agenda.ended if person(e.employee_id)),
        milestones_passed=tuple(m for m in agenda.milestones_passed if milestone(m)),
        new_flags=tuple(f for f in agenda.new_flags if person(f.employee_id)),
        measures_came_due=tuple(m for m in agenda.measures_came_due if measure(m)),
        milestones_ahead=tuple(m for m in agenda.milestones_ahead if milestone(m)),
        measures_ahead=tuple(m for m in agenda.measures_ahead if measure(m)),
    )
