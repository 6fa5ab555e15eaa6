"""The prognosis model, the known/expected split and the back-tests, checked by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from core.forecast import (
    CREDIBILITY_WORKDAYS,
    QuarterlyHistory,
    backtest,
    forecast_quarters,
    last_complete_quarter,
    mean_absolute_errors,
    model_pct,
    naive_pct,
    split_forecast,
)
from core.periods import Quarter
from core.reference import SECTOR_QUARTERLY, SOURCE, sector_yardstick

D = dt.date
Q = Quarter.parse
SEASONS = (10.0, 9.0, 7.0, 9.0)  # Q1 highest, Q3 lowest, as in DOMAIN.md


def series(first: str, values: list[float]) -> dict[str, float]:
    start = Q(first)
    return {str(start.shift(i)): v for i, v in enumerate(values)}


def test_the_forecast_starts_with_the_quarter_not_yet_complete() -> None:
    assert forecast_quarters(D(2025, 8, 15), 4) == [
        Q("2025Q3"),
        Q("2025Q4"),
        Q("2026Q1"),
        Q("2026Q2"),
    ]
    # A quarter ending on the as-of day is complete: it is history, not forecast.
    assert last_complete_quarter(D(2025, 9, 30)) == Q("2025Q3")
    assert forecast_quarters(D(2025, 9, 30), 1) == [Q("2025Q4")]
    assert forecast_quarters(D(2025, 10, 1), 1) == [Q("2025Q4")]


def test_a_steady_seasonal_series_is_forecast_exactly() -> None:
    history = QuarterlyHistory.of_pct(series("2022Q1", list(SEASONS) * 3))
    targets = forecast_quarters(D(2025, 1, 15), 5)
    assert model_pct(history, targets)[0] == pytest.approx([*SEASONS, SEASONS[0]])
    assert naive_pct(history, targets)[0] == pytest.approx([*SEASONS, SEASONS[0]])
    result = backtest(history)
    assert result.count == 4
    assert (result.method_mae, result.naive_mae) == pytest.approx((0.0, 0.0))


def test_with_one_year_of_history_the_model_is_the_seasonal_naive_forecast() -> None:
    history = QuarterlyHistory.of_pct(series("2024Q3", [6.0, 8.0, 12.0, 9.5, 7.5]))
    targets = [Q("2025Q4"), Q("2026Q1"), Q("2026Q2"), Q("2026Q3")]
    assert model_pct(history, targets)[0] == pytest.approx([8.0, 12.0, 9.5, 7.5])
    assert naive_pct(history, targets)[0] == pytest.approx([8.0, 12.0, 9.5, 7.5])


def test_the_same_quarter_is_carried_along_the_trend() -> None:
    year_before = [10.0, 9.0, 7.0, 9.0]  # level 8.75
    last_year = [11.0, 10.0, 8.0, 10.0]  # level 9.75: a point up, a quarter point a quarter
    history = QuarterlyHistory.of_pct(series("2023Q1", year_before + last_year))
    # Each Q1 over the level on the line at its time (the levels sit mid-year, between Q2 and
    # Q3): 9.75 − 1.5 × 0.25 for 2024Q1 and 8.75 − 1.5 × 0.25 for 2023Q1; then at level 9.75.
    expected = 9.75 * (11.0 / 9.375 + 10.0 / 8.375) / 2
    assert model_pct(history, [Q("2025Q1")])[0, 0] == pytest.approx(expected)
    assert naive_pct(history, [Q("2025Q1")])[0, 0] == 11.0


def test_the_model_needs_a_complete_year() -> None:
    short = QuarterlyHistory.of_pct(series("2024Q3", [6.0, 8.0, 12.0]))
    assert np.isnan(model_pct(short, [Q("2025Q2")])).all()
    gap = QuarterlyHistory(
        np.array([[5.0, 0.0, 5.0, 5.0]]), np.array([[100.0, 0.0, 100.0, 100.0]]), Q("2024Q4")
    )
    assert np.isnan(model_pct(gap, [Q("2025Q1")])).all()


def test_a_small_unit_leans_on_the_common_seasonal_pattern() -> None:
    # Row 0: a large unit with a flat year; row 1: a tiny unit whose absence all fell in Q1.
    possible = np.array([[100_000.0] * 4, [500.0] * 4])
    lost = np.array([[8_000.0] * 4, [100.0, 0.0, 0.0, 0.0]])
    history = QuarterlyHistory(lost, possible, Q("2024Q4"))
    forecast = model_pct(history, [Q("2025Q1"), Q("2025Q2")])
    pooled_q1 = (8_000 + 100) / 100_500 / ((32_000 + 100) / 402_000)
    pooled_q2 = 8_000 / 100_500 / ((32_000 + 100) / 402_000)
    z = 2_000 / (2_000 + CREDIBILITY_WORKDAYS)
    level = 100 / 2_000 * 100
    assert forecast[1, 0] == pytest.approx(level * (z * 4.0 + (1 - z) * pooled_q1))
    assert forecast[1, 1] == pytest.approx(level * (1 - z) * pooled_q2)
    z_large = 400_000 / (400_000 + CREDIBILITY_WORKDAYS)
    assert forecast[0, 0] == pytest.approx(8.0 * (z_large * 1.0 + (1 - z_large) * pooled_q1))


def test_known_and_expected_add_up_and_notes_are_not_counted_twice() -> None:
    parts = split_forecast(
        known=np.array([10.0, 0.0]),
        known_after=np.array([6.0, 0.0]),
        possible=np.array([100.0, 100.0]),
        possible_after=np.array([40.0, 40.0]),
        model=np.array([20.0, 10.0]),
    )
    # The model expects 8 + 4 lost workdays after as_of; the notes already fix 6 of them, so
    # half of each unit's expectation is left to come.
    assert parts.known_pct == pytest.approx([10.0, 0.0])
    assert parts.expected_pct == pytest.approx([4.0, 2.0])
    assert parts.pct == pytest.approx([14.0, 2.0])
    # The workdays they are of: a group's prognosis is Σ lost / Σ possible of its units.
    assert parts.known_lost == pytest.approx([10.0, 0.0])
    assert parts.lost == pytest.approx([14.0, 2.0])
    assert parts.possible == pytest.approx([100.0, 100.0])


def test_the_expected_part_fills_at_most_the_days_left() -> None:
    parts = split_forecast(
        known=np.array([63.0, 10.0, 5.0, 0.0]),
        known_after=np.array([63.0, 0.0, 0.0, 0.0]),
        possible=np.array([63.0, 63.0, 20.0, 0.0]),
        possible_after=np.array([63.0, 0.0, 10.0, 0.0]),
        model=np.array([30.0, np.nan, np.nan, 5.0]),
    )
    # Sick all quarter: 100 %, nothing to add. No days left: known is all. No model: unknown.
    assert parts.pct[0] == pytest.approx(100.0)
    assert parts.expected_pct[0] == 0.0
    assert (parts.known_pct[1], parts.expected_pct[1], parts.pct[1]) == pytest.approx(
        (10 / 63 * 100, 0.0, 10 / 63 * 100)
    )
    assert parts.known_pct[2] == pytest.approx(25.0)
    assert np.isnan(parts.expected_pct[2]) and np.isnan(parts.pct[2])
    assert np.isnan([parts.known_pct[3], parts.expected_pct[3], parts.pct[3]]).all()
    # The days only where the prognosis is defined.
    assert parts.lost[:2] == pytest.approx([63.0, 10.0])
    assert np.isnan(parts.lost[2:]).all() and np.isnan(parts.known_lost[2:]).all()


def test_errors_are_compared_on_the_same_cells() -> None:
    actual = np.array([10.0, 8.0, np.nan, 6.0])
    maes, count = mean_absolute_errors(
        actual,
        {"a": np.array([9.0, 8.5, 7.0, np.nan]), "b": np.array([10.0, 10.0, 7.0, 6.0])},
    )
    assert count == 2
    assert maes == pytest.approx({"a": 0.75, "b": 1.0})
    assert mean_absolute_errors(actual, {"a": np.full(4, np.nan)}) == ({"a": None}, 0)


def test_the_method_beats_naive_on_the_published_sector_series() -> None:
    result = backtest(QuarterlyHistory.of_pct(SECTOR_QUARTERLY))
    assert result.count == 4
    # 2023Q3–2024Q2 forecast from the quarters before each: naive misses by 0.1, 0.2, 0.1, 0.6.
    assert result.naive_mae == pytest.approx(0.25)
    assert result.method_mae is not None and result.naive_mae is not None
    assert result.method_mae <= result.naive_mae


def test_the_method_beats_naive_on_a_noisy_seasonal_series_with_a_trend() -> None:
    rng = np.random.default_rng(2024)
    quarters = 16
    t = np.arange(quarters)
    trend = 7.5 + 0.06 * t  # about a quarter of a point a year
    season = np.tile(np.array(SEASONS) / np.mean(SEASONS), quarters // 4)
    # 40 units of about 60 FTE each: possible workdays per quarter, noise from long absences.
    possible = np.full((40, quarters), 60 * 62.0)
    pct = trend * season + rng.normal(0.0, 1.2, (40, quarters))
    history = QuarterlyHistory(np.clip(pct, 0, None) / 100 * possible, possible, Q("2024Q4"))
    result = backtest(history)
    assert result.count == 160
    assert result.method_mae is not None and result.naive_mae is not None
    assert result.method_mae < 0.9 * result.naive_mae

    clean = QuarterlyHistory.of_pct(series("2021Q1", list(trend * season)))
    exact = backtest(clean)
    assert exact.method_mae is not None and exact.naive_mae is not None
    assert exact.method_mae < exact.naive_mae


def test_a_series_with_a_gap_is_refused() -> None:
    with pytest.raises(ValueError):
        QuarterlyHistory.of_pct({"2023Q1": 8.6, "2023Q3": 6.3})


def test_the_published_sector_figures_and_the_derived_yardstick() -> None:
    assert [SECTOR_QUARTERLY[f"2023Q{q}"] for q in range(1, 5)] == [8.6, 7.7, 6.3, 8.3]
    published = sector_yardstick([Q("2023Q1"), "2023Q3", "2030Q1"], with_self_certified=False)
    assert published.quarters == ("2023Q1", "2023Q3", "2030Q1")
    assert published.values == (8.6, 6.3, None)
    assert published.published
    assert SOURCE in published.source
    derived = sector_yardstick(["2023Q1", "2030Q1"], with_self_certified=True)
    assert derived.values == (pytest.approx(10.6), None)
    assert not derived.published
    assert "anslag" in derived.label
    assert "2,0 prosentpoeng" in derived.source
