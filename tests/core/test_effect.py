"""Before and after a completed measure, by hand (DOMAIN.md "Before and after a measure")."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core.effect import (
    TOO_FEW,
    TOO_SHORT,
    Comparison,
    CompletedMeasure,
    Figure,
    MeasureEffect,
    Span,
    after_span,
    before_span,
    completed_on,
    kind_summaries,
    measure_effect,
)
from core.periods import shift_months

D = dt.date
C = D(2025, 3, 31)  # completed on the last day of 2025 Q1
MEASURE = CompletedMeasure(1, 7, "enhet", "Holde fagdag om nærvær", C)


def employments(count: int, extra_from: D | None = None) -> pd.DataFrame:
    """`count` full-time employees of unit 7 since 2023, and one more from `extra_from`."""
    rows = [(i, i, 7, 100.0, pd.Timestamp("2023-01-01"), pd.NaT) for i in range(1, count + 1)]
    if extra_from is not None:
        rows.append((count + 1, count + 1, 7, 100.0, pd.Timestamp(extra_from), pd.NaT))
    return pd.DataFrame(
        rows, columns=["employment_id", "employee_id", "unit_id", "position_pct", "start", "end"]
    )


def spells(*rows: tuple[int, str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employee_id": [r[0] for r in rows],
            "unit_id": 7.0,
            "start": pd.to_datetime([r[1] for r in rows]),
            "end": pd.to_datetime([r[2] for r in rows]),
            "kind": "sykmelding",
            "grade": [float(r[3]) for r in rows],
        }
    )


# Five full-time employees. Employee 1 is off all of 2025 Q1 (the 3 months before: 1/5 = 20 %);
# employee 2 all of April–September 2024 (a year before: 20 %); employee 3 at 50 % in
# April–September 2025 (the months after: 0,5/5 = 10 %). Whole periods, so no workday count
# matters: every person's possible days are the same.
SPELLS = spells(
    (1, "2025-01-01", "2025-03-31", 100),
    (2, "2024-04-01", "2024-09-30", 100),
    (3, "2025-04-01", "2025-09-30", 50),
)


def test_spans() -> None:
    assert before_span(C) == Span(D(2025, 1, 1), D(2025, 3, 31))
    assert after_span(C, 3) == Span(D(2025, 4, 1), D(2025, 6, 30))
    assert after_span(C, 6, years_back=1) == Span(D(2024, 4, 1), D(2024, 9, 30))
    assert shift_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert shift_months(D(2024, 2, 29), -12) == D(2023, 2, 28)


def test_after_against_a_year_before_and_the_months_before() -> None:
    effect = measure_effect(MEASURE, employments(5), SPELLS, D(2025, 10, 15))
    assert effect.before.pct == pytest.approx(20.0) and effect.before.persons == 5
    for months in (3, 6):
        result = effect.after(months)
        assert result.verdict is None
        assert result.after is not None and result.year_before is not None
        assert result.after.pct == pytest.approx(10.0) and result.after.persons == 5
        assert result.year_before.pct == pytest.approx(20.0)
        assert result.change_vs_year_pp == pytest.approx(-10.0)
        assert result.change_vs_before_pp == pytest.approx(-10.0)


def test_persons_behind_each_figure() -> None:
    # A sixth person from 1 April 2025 is in the months after only: 0,5 / 6 = 8,33 %.
    effect = measure_effect(MEASURE, employments(5, D(2025, 4, 1)), SPELLS, D(2025, 10, 15))
    after = effect.after(3)
    assert effect.before.persons == 5
    assert after.after is not None and after.after.persons == 6
    assert after.after.pct == pytest.approx(50 / 6)
    assert after.year_before is not None and after.year_before.persons == 5


def test_too_short_until_the_months_have_passed() -> None:
    exactly_three = measure_effect(MEASURE, employments(5), SPELLS, D(2025, 6, 30))
    assert exactly_three.after(3).verdict is None
    assert exactly_three.after(6).verdict == TOO_SHORT
    assert exactly_three.after(6).after is None
    day_short = measure_effect(MEASURE, employments(5), SPELLS, D(2025, 6, 29))
    assert day_short.after(3).verdict == TOO_SHORT
    assert day_short.after(3).change_vs_year_pp is None
    assert measure_effect(MEASURE, employments(5), SPELLS, D(2025, 9, 30)).after(6).verdict is None


def test_too_few_persons_hides_the_figures() -> None:
    effect = measure_effect(MEASURE, employments(4), SPELLS, D(2025, 10, 15))
    result = effect.after(3)
    assert result.verdict == TOO_FEW
    assert effect.before.pct is None and effect.before.persons == 4
    assert result.after is not None and result.after.pct is None
    assert result.change_vs_year_pp is None and result.change_vs_before_pp is None


def test_completed_on_from_the_history() -> None:
    history = [
        (D(2025, 1, 10), "apen"),
        (D(2025, 2, 10), "pagar"),
        (D(2025, 3, 10), "fullfort"),
        (D(2025, 4, 10), "fullfort"),
    ]
    assert completed_on(history, D(2025, 5, 1)) == D(2025, 3, 10)
    assert completed_on(history, D(2025, 3, 10)) == D(2025, 3, 10)
    assert completed_on(history, D(2025, 3, 9)) is None
    assert completed_on([*history, (D(2025, 5, 10), "pagar")], D(2025, 6, 1)) is None
    assert completed_on([], D(2025, 6, 1)) is None


def _effect(unit: int, level: str, text: str, change: float | None) -> MeasureEffect:
    figure = Figure(Span(C, C), 10.0, 5)
    six = Comparison(6, figure, figure, None if change is not None else TOO_SHORT, change, change)
    measure = CompletedMeasure(unit * 10, unit, level, text, C)
    return MeasureEffect(measure, figure, (six,))


def test_kinds_count_units_and_take_the_median_after_6_months() -> None:
    summaries = kind_summaries(
        [
            _effect(1, "enhet", "Holde fagdag om nærvær", -2.0),
            _effect(2, "enhet", "holde  fagdag om Nærvær", -4.0),
            _effect(2, "enhet", "Holde fagdag om nærvær", 1.0),
            _effect(3, "enhet", "Holde fagdag om nærvær", None),
            _effect(4, "lederrolle", "Delta på lederkurs", None),
        ]
    )
    assert [(s.level, s.text, s.units, s.measures, s.compared) for s in summaries] == [
        ("enhet", "Holde fagdag om nærvær", 3, 4, 3),
        ("lederrolle", "Delta på lederkurs", 1, 1, 0),
    ]
    assert summaries[0].median_change_pp == pytest.approx(-2.0)
    assert summaries[1].median_change_pp is None
