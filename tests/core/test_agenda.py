"""The agenda of a session, by hand from DOMAIN.md's windows and milestone rules."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core.agenda import (
    BEGAN,
    MEASURES_AHEAD,
    MILESTONES_AHEAD,
    MILESTONES_PASSED,
    MeasureFact,
    SinceLast,
    build_agenda,
    point_groups,
    since_last,
    since_text,
    taken_up,
    untouched,
    windows,
)
from core.effect import Span
from core.flags import GRADED_REVIEW, NEAR_WEEK_39

D = dt.date
AS_OF = D(2025, 3, 31)
LAST = D(2025, 2, 28)  # since last time: 01.03–31.03; next 6 weeks: 01.04–12.05


def employments() -> pd.DataFrame:
    rows = [(i, i, 7, 100.0, "2024-01-01", None) for i in range(1, 6)]
    # Employee 6 moved to unit 9 on 1 March: a case from 10 March is unit 9's.
    rows += [(6, 6, 7, 100.0, "2024-01-01", "2025-02-28"), (7, 6, 9, 100.0, "2025-03-01", None)]
    frame = pd.DataFrame(
        rows, columns=["employment_id", "employee_id", "unit_id", "position_pct", "start", "end"]
    )
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    return frame


def spells() -> pd.DataFrame:
    rows = [
        (1, "2025-01-06", None, "sykmelding", 100),  # open, 100 % since 6 January
        (2, "2025-03-10", "2025-03-12", "egenmelding", 100),  # began and ended in the window
        (3, "2024-07-15", None, "sykmelding", 50),  # week 39 on 13.04.2025
        (4, "2025-01-20", "2025-03-20", "sykmelding", 100),  # ended 20.03
        (6, "2025-03-10", None, "sykmelding", 100),  # unit 9's
    ]
    return pd.DataFrame(
        {
            "employee_id": [r[0] for r in rows],
            "unit_id": float("nan"),
            "start": pd.to_datetime([r[1] for r in rows]),
            "end": pd.to_datetime([r[2] for r in rows]),
            "kind": [r[3] for r in rows],
            "grade": [float(r[4]) for r in rows],
        }
    )


def fact(mid: int, due: D | None, status: str, created: D, completed: D | None = None):
    return MeasureFact(mid, "enhet", f"Tiltak {mid}", None, due, status, created, completed)


MEASURES = (
    fact(1, D(2025, 3, 15), "fullfort", D(2025, 1, 31), D(2025, 3, 20)),
    fact(2, D(2025, 3, 25), "apen", D(2025, 2, 28)),  # agreed at the last session
    fact(3, D(2025, 4, 20), "pagar", D(2025, 3, 10)),
    fact(4, AS_OF, "apen", AS_OF),  # due today: fallen due, not yet overdue
    fact(5, D(2025, 5, 13), "apen", D(2025, 3, 1)),  # the 43rd day: not in the next 6 weeks
)
DONE = {
    (1, D(2025, 1, 6)): {"activity_requirement": D(2025, 3, 5)},
    (4, D(2025, 1, 20)): {"dialogue_meeting_1": D(2025, 4, 2)},  # marked after the as-of date
}


def agenda(last: D | None = LAST):
    return build_agenda(7, AS_OF, last, employments(), spells(), DONE, MEASURES)


def test_windows() -> None:
    assert windows(AS_OF, LAST) == (Span(D(2025, 3, 1), AS_OF), Span(D(2025, 4, 1), D(2025, 5, 12)))
    # A first session looks back 8 weeks: 56 days, the as-of date included.
    assert windows(AS_OF, None)[0] == Span(D(2025, 2, 4), AS_OF)
    # A session already held today leaves nothing since.
    since = windows(AS_OF, AS_OF)[0]
    assert since.start > since.end


def test_cases_that_began_and_ended_in_the_units_window() -> None:
    result = agenda()
    assert [(e.employee_id, e.start, e.end) for e in result.began] == [
        (2, D(2025, 3, 10), D(2025, 3, 12))
    ]
    assert [(e.employee_id, e.end) for e in result.ended] == [
        (2, D(2025, 3, 12)),
        (4, D(2025, 3, 20)),
    ]
    assert result.began[0].sick_days == 3


def test_milestones_passed_done_or_missed_and_those_ahead() -> None:
    result = agenda()
    # Employee 1: activity requirement 02.03 (S + 55), done 05.03. Employee 4 (from 20.01):
    # dialogue meeting 1 09.03 (marked only on 02.04: not yet done) and activity 16.03.
    assert [
        (m.employee_id, m.milestone.key, m.milestone.due, m.milestone.status)
        for m in result.milestones_passed
    ] == [
        (1, "activity_requirement", D(2025, 3, 2), "done"),
        (4, "dialogue_meeting_1", D(2025, 3, 9), "overdue"),
        (4, "activity_requirement", D(2025, 3, 16), "overdue"),
    ]
    # Employee 3's 39-week letter on 13.04 (S + 272); employee 6's case is unit 9's.
    assert [
        (m.employee_id, m.milestone.key, m.milestone.due, m.milestone.status)
        for m in result.milestones_ahead
    ] == [(3, "week_39", D(2025, 4, 13), "coming")]


def test_new_flags_are_those_not_raised_the_day_before_the_window() -> None:
    result = agenda()
    # Employee 1 had run 54 days on 28.02 and 85 on 31.03; employee 3's week 39 was 44 days
    # away on 28.02 and 13 on 31.03.
    assert [(f.employee_id, f.key) for f in result.new_flags] == [
        (1, GRADED_REVIEW),
        (3, NEAR_WEEK_39),
    ]
    assert result.new_flags[1].explanation.endswith("13.04.2025, om 13 dager")


def test_measures_and_the_since_last_line() -> None:
    result = agenda()
    assert [m.measure_id for m in result.measures_came_due] == [1, 2, 4]
    assert [m.measure_id for m in result.measures_ahead] == [3]
    assert result.since_last == SinceLast(completed=1, new=3, overdue=1)
    assert result.since_last.line == "siden sist: 1 fullført, 3 nye, 1 forfalt"
    assert SinceLast(3, 1, 0).line == "siden sist: 3 fullført, 1 nytt, 0 forfalt"
    assert since_last(MEASURES, Span(AS_OF + dt.timedelta(days=1), AS_OF)) == SinceLast(0, 0, 0)


def test_the_units_figure_now() -> None:
    # 01.01–31.03.2025 (63 workdays): employees 1–5 possible 5 × 63, employee 6 January and
    # February (22 + 20). Lost: employee 1 from 06.01 (61), 2 (3), 3 at 50 % (31,5), 4 from
    # 20.01 to 20.03 (10 + 20 + 14); employee 6's sick days are after leaving the unit.
    now = agenda().figure_now
    assert now.span == Span(D(2025, 1, 1), AS_OF)
    assert now.persons == 6
    assert now.pct == pytest.approx(139.5 / 357 * 100)


def test_a_first_session_looks_back_8_weeks() -> None:
    result = agenda(last=None)
    assert result.since == Span(D(2025, 2, 4), AS_OF)
    assert result.figure_then.span.end == D(2025, 2, 3)
    # 16.02 (employee 4's follow-up plan) and 23.02 (employee 1's dialogue meeting 1) now fall
    # in the window too, and measure 2 was agreed in it.
    keys = [(m.employee_id, m.milestone.key) for m in result.milestones_passed]
    assert keys[:2] == [(4, "followup_plan"), (1, "dialogue_meeting_1")]
    assert result.since_last.new == 4


def test_what_a_session_took_up_leaves_the_rest_of_its_agenda() -> None:
    """Employee 4 gone through: its missed milestones and its ended case are touched; employee
    1's activity requirement was done already; measure 2 was followed up, 1 is closed."""
    result = agenda()
    touched = taken_up(reviewed=[4], milestones_marked=[], measures=[(2, None)])
    left = untouched(result, touched)
    assert [e.employee_id for e in left.began] == [2]
    assert [e.employee_id for e in left.ended] == [2]
    assert left.milestones_passed == ()
    assert [m.employee_id for m in left.milestones_ahead] == [3]
    assert [(f.employee_id, f.key) for f in left.new_flags] == [
        (1, GRADED_REVIEW),
        (3, NEAR_WEEK_39),
    ]
    assert [m.measure_id for m in left.measures_came_due] == [4]
    assert [m.measure_id for m in left.measures_ahead] == [3]
    # A milestone marked, or a measure about them, touches the employee too.
    touched = taken_up([], milestones_marked=[1], measures=[(2, None), (3, 3), (4, None)])
    left = untouched(result, touched)
    assert [f.employee_id for f in left.new_flags] == []
    assert left.measures_came_due == left.measures_ahead == left.milestones_ahead == ()


def test_the_agenda_in_words() -> None:
    result = agenda()
    groups = {group.heading: group for group in point_groups(result)}
    assert [(p.employee_id, p.text) for p in groups[MILESTONES_PASSED].points] == [
        (1, "Aktivitetskrav, frist 02.03.2025: utført 05.03.2025"),
        (4, "Dialogmøte 1, frist 09.03.2025: forfalt"),
        (4, "Aktivitetskrav, frist 16.03.2025: forfalt"),
    ]
    assert [p.text for p in groups[BEGAN].points] == ["10.03.2025–12.03.2025, 3 sykedager"]
    assert [(p.text, p.measure_text) for p in groups[MEASURES_AHEAD].points] == [
        ("enhet, frist 20.04.2025, pågår", "Tiltak 3")
    ]
    assert groups[MILESTONES_AHEAD].ahead and not groups[MILESTONES_PASSED].ahead
    assert since_text(result) == "Siden sist: etter møtet 28.02.2025 (01.03.2025–31.03.2025)"
    assert since_text(agenda(None)).startswith("Siden sist: første møte, de siste 8 ukene")
