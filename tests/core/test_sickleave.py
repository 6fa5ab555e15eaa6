"""Hand-computed cases for the sick-leave engine (DOMAIN.md), and properties that must hold."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar import default_calendar
from core.forecast import QuarterlyHistory
from core.periods import Quarter
from core.sickleave import (
    FIGURE_COLUMNS,
    Figures,
    Period,
    pct,
    pct_array,
    pct_series,
    workday_figures,
)
from core.status import PAIRS, with_figures

D = dt.date
Q1_2025 = Period(D(2025, 1, 1), D(2025, 3, 31), as_of=D(2025, 12, 31))
H1_2025 = Period(D(2025, 1, 1), D(2025, 6, 30), as_of=D(2025, 12, 31))


def employments(*rows: tuple[int, int, int, float, dt.date, dt.date | None]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["employment_id", "employee_id", "unit_id", "position_pct", "start", "end"]
    )
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    return frame


def spells(*rows: tuple[int, int | None, dt.date, dt.date | None, str, float]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["employee_id", "unit_id", "start", "end", "kind", "grade"])
    frame["unit_id"] = pd.to_numeric(frame["unit_id"], errors="coerce")
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    return frame


def total(frame: pd.DataFrame) -> Figures:
    return Figures.of(frame)


def test_workdays_2025_quarters_include_easter() -> None:
    cal = default_calendar()
    assert cal.count(D(2025, 1, 1), D(2025, 3, 31)) == 63
    assert cal.count(D(2025, 4, 1), D(2025, 6, 30)) == 59
    # April 2025 loses Maundy Thursday, Good Friday and Easter Monday.
    assert cal.count(D(2025, 4, 1), D(2025, 4, 30)) == 19
    assert cal.is_workday(D(2025, 12, 24)) and cal.is_workday(D(2025, 12, 31))
    assert not cal.is_workday(D(2025, 5, 17))


def test_graded_note_on_part_time_position() -> None:
    # 80 % position, a 50 % graded note for all of March 2025 (21 workdays).
    emp = employments((1, 1, 10, 80.0, D(2020, 1, 1), None))
    sick = spells((1, None, D(2025, 3, 1), D(2025, 3, 31), "sykmelding", 50.0))
    figures = total(workday_figures(emp, sick, Q1_2025))
    assert figures.possible == pytest.approx(0.8 * 63)
    assert figures.lost == pytest.approx(0.8 * 0.5 * 21)
    assert figures.sick_leave_pct == pytest.approx(8.4 / 50.4 * 100)
    assert figures.graded_share_pct == pytest.approx(100.0)
    assert figures.doctor_certified_pct == pytest.approx(figures.sick_leave_pct)


def test_self_certified_is_always_full_grade_and_weekends_lose_nothing() -> None:
    emp = employments((1, 1, 10, 100.0, D(2020, 1, 1), None))
    # Friday 7 March to Monday 10 March 2025: two workdays, the weekend loses nothing.
    sick = spells((1, None, D(2025, 3, 7), D(2025, 3, 10), "egenmelding", 40.0))
    figures = total(workday_figures(emp, sick, Q1_2025))
    assert figures.lost == pytest.approx(2.0)
    assert figures.lost_self == pytest.approx(2.0)
    assert figures.lost_graded == 0.0


def test_person_with_two_employments() -> None:
    # 60 % in unit 10 and 40 % in unit 20; a note without unit covers both, one with unit 10
    # only that employment.
    emp = employments(
        (1, 1, 10, 60.0, D(2020, 1, 1), None),
        (2, 1, 20, 40.0, D(2020, 1, 1), None),
    )
    sick = spells(
        (1, None, D(2025, 3, 3), D(2025, 3, 7), "sykmelding", 100.0),  # 5 workdays
        (1, 10, D(2025, 3, 10), D(2025, 3, 14), "sykmelding", 100.0),  # 5 workdays
    )
    result = workday_figures(emp, sick, Q1_2025).set_index("unit_id")
    assert result.loc[10, "possible"] == pytest.approx(0.6 * 63)
    assert result.loc[20, "possible"] == pytest.approx(0.4 * 63)
    assert result.loc[10, "lost"] == pytest.approx(0.6 * 10)
    assert result.loc[20, "lost"] == pytest.approx(0.4 * 5)


def test_position_change_mid_period() -> None:
    # 50 % until Friday 14 February 2025, 100 % from Monday 17 February.
    emp = employments(
        (1, 1, 10, 50.0, D(2024, 1, 1), D(2025, 2, 14)),
        (2, 1, 10, 100.0, D(2025, 2, 15), None),
    )
    cal = default_calendar()
    before = cal.count(D(2025, 1, 1), D(2025, 2, 14))
    after = cal.count(D(2025, 2, 15), D(2025, 3, 31))
    assert before + after == 63
    # Sick Monday 10 to Friday 21 February: 5 workdays at 50 %, 5 at 100 %.
    sick = spells((1, None, D(2025, 2, 10), D(2025, 2, 21), "sykmelding", 100.0))
    figures = total(workday_figures(emp, sick, Q1_2025))
    assert figures.possible == pytest.approx(0.5 * before + 1.0 * after)
    assert figures.lost == pytest.approx(0.5 * 5 + 1.0 * 5)


def test_hire_and_leaver_mid_period() -> None:
    cal = default_calendar()
    emp = employments(
        (1, 1, 10, 100.0, D(2025, 2, 1), None),  # hired 1 February
        (2, 2, 10, 100.0, D(2020, 1, 1), D(2025, 1, 31)),  # left 31 January
    )
    # The leaver's note runs past the last day: the days after the employment lose nothing.
    sick = spells((2, None, D(2025, 1, 27), D(2025, 2, 7), "sykmelding", 100.0))
    result = workday_figures(emp, sick, Q1_2025).set_index("employee_id")
    assert result.loc[1, "possible"] == pytest.approx(cal.count(D(2025, 2, 1), D(2025, 3, 31)))
    assert result.loc[2, "possible"] == pytest.approx(cal.count(D(2025, 1, 1), D(2025, 1, 31)))
    assert result.loc[2, "lost"] == pytest.approx(5.0)
    assert result.loc[1, "lost"] == 0.0


def test_overlap_is_capped_at_100_and_parts_still_add_up() -> None:
    emp = employments((1, 1, 10, 100.0, D(2020, 1, 1), None))
    # A 60 % note and a 60 % note overlap Monday 3 to Friday 7 March: 120 % capped at 100.
    sick = spells(
        (1, None, D(2025, 3, 3), D(2025, 3, 7), "sykmelding", 60.0),
        (1, 10, D(2025, 3, 5), D(2025, 3, 11), "sykmelding", 60.0),
    )
    figures = total(workday_figures(emp, sick, Q1_2025))
    # 3–4 March: 0.6 each day; 5–7 March: capped 1.0; 10–11 March: 0.6.
    assert figures.lost == pytest.approx(0.6 * 2 + 1.0 * 3 + 0.6 * 2)
    assert figures.lost_graded == pytest.approx(figures.lost)


def test_other_absence_never_counts_and_open_spell_runs_to_as_of() -> None:
    emp = employments((1, 1, 10, 100.0, D(2020, 1, 1), None))
    sick = spells(
        (1, None, D(2025, 1, 6), D(2025, 1, 10), "sykt_barn", 100.0),
        (1, None, D(2025, 1, 13), D(2025, 1, 17), "annet", 100.0),
        (1, None, D(2025, 3, 24), None, "sykmelding", 100.0),
    )
    period = Period(D(2025, 1, 1), D(2025, 3, 31), as_of=D(2025, 3, 26))
    figures = total(workday_figures(emp, sick, period))
    assert figures.lost == pytest.approx(3.0)  # Monday 24 to Wednesday 26 March


def test_monthly_rows_sum_to_the_period() -> None:
    emp = employments((1, 1, 10, 75.0, D(2024, 11, 20), None))
    sick = spells((1, None, D(2025, 1, 20), D(2025, 4, 25), "sykmelding", 50.0))
    whole = total(workday_figures(emp, sick, H1_2025))
    monthly = workday_figures(emp, sick, H1_2025, by_month=True)
    assert len(monthly) == 6
    assert total(monthly).lost == pytest.approx(whole.lost)
    assert total(monthly).possible == pytest.approx(whole.possible)
    april = monthly[monthly["month"] == pd.Timestamp("2025-04-01")]
    assert float(april["possible"].iloc[0]) == pytest.approx(0.75 * 19)


def _no_array_shown(value: object) -> str:
    raise AssertionError("an array was formatted as text")


def test_the_figures_format_no_array_as_text() -> None:
    """Grouped by an array of keys, pandas looked the array up among the columns and formatted
    all of it into the error it then caught: some 2 ms of every call, whatever its size."""
    emp = employments(
        (1, 1, 10, 75.0, D(2024, 11, 20), None), (2, 2, 10, 100.0, D(2024, 1, 1), None)
    )
    sick = spells(
        (1, None, D(2025, 1, 20), D(2025, 4, 25), "sykmelding", 50.0),
        (2, 10, D(2025, 2, 3), D(2025, 2, 5), "egenmelding", 100.0),
    )
    with np.printoptions(formatter={"all": _no_array_shown}):
        monthly = workday_figures(emp, sick, H1_2025, by_month=True)
        whole = workday_figures(emp, sick, H1_2025)
    assert total(monthly).lost == pytest.approx(total(whole).lost)
    # 67 workdays from 20 January to 25 April 2025 (Easter's three days off), 3 in February.
    assert total(whole).lost == pytest.approx(0.75 * 0.5 * 67 + 3)


def test_undefined_percentage_is_none() -> None:
    assert pct(0.0, 0.0) is None
    assert Figures().sick_leave_pct is None
    assert Figures(possible=10, lost=0).graded_share_pct is None


day_offsets = st.integers(min_value=0, max_value=180)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    base = D(2025, 1, 1)
    emp_rows = []
    for i in range(draw(st.integers(1, 4))):
        start = draw(day_offsets)
        length = draw(st.integers(0, 200))
        ended = draw(st.booleans())
        emp_rows.append(
            (
                i + 1,
                draw(st.integers(1, 2)),
                draw(st.sampled_from([10, 20])),
                draw(st.sampled_from([20.0, 50.0, 62.5, 100.0])),
                base + dt.timedelta(days=start),
                base + dt.timedelta(days=start + length) if ended else None,
            )
        )
    spell_rows = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(day_offsets)
        spell_rows.append(
            (
                draw(st.integers(1, 2)),
                draw(st.sampled_from([None, 10, 20])),
                base + dt.timedelta(days=start),
                base + dt.timedelta(days=start + draw(st.integers(0, 60))),
                draw(st.sampled_from(["egenmelding", "sykmelding", "sykt_barn"])),
                float(draw(st.sampled_from([20, 50, 100]))),
            )
        )
    sick = spells(*spell_rows) if spell_rows else spells()
    sick["long_term"] = [draw(st.booleans()) for _ in range(len(sick))]
    return employments(*emp_rows), sick


def brute_force(emp: pd.DataFrame, sick: pd.DataFrame, period: Period) -> tuple[float, float]:
    """Day by day, straight from the definition."""
    cal = default_calendar()
    possible = lost = 0.0
    day = period.start
    while day <= period.end:
        if cal.is_workday(day):
            for e in emp.itertuples():
                if e.start.date() <= day and (pd.isna(e.end) or day <= e.end.date()):
                    possible += e.position_pct / 100
                    grade = 0.0
                    for s in sick.itertuples():
                        end = period.as_of if pd.isna(s.end) else s.end.date()
                        if (
                            s.kind in ("egenmelding", "sykmelding")
                            and s.employee_id == e.employee_id
                            and (pd.isna(s.unit_id) or s.unit_id == e.unit_id)
                            and s.start.date() <= day <= end
                        ):
                            grade += 100.0 if s.kind == "egenmelding" else s.grade
                    lost += e.position_pct / 100 * min(grade, 100.0) / 100
        day += dt.timedelta(days=1)
    return possible, lost


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_engine_matches_the_definition_day_by_day(scenario: tuple[pd.DataFrame, pd.DataFrame]):
    emp, sick = scenario
    period = Period(D(2025, 2, 1), D(2025, 8, 31), as_of=D(2025, 12, 31))
    possible, lost = brute_force(emp, sick, period)
    figures = total(workday_figures(emp, sick, period, by_month=True))
    assert figures.possible == pytest.approx(possible)
    assert figures.lost == pytest.approx(lost)


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_breakdowns_add_up_and_stay_within_bounds(scenario: tuple[pd.DataFrame, pd.DataFrame]):
    emp, sick = scenario
    result = workday_figures(emp, sick, H1_2025, by_month=True)
    for _, row in result.iterrows():
        assert 0.0 <= row["lost"] <= row["possible"] + 1e-9
        assert row["lost_self"] + row["lost_doctor"] == pytest.approx(row["lost"])
        assert row["lost_short"] + row["lost_long"] == pytest.approx(row["lost"])
        assert -1e-9 <= row["lost_graded"] <= row["lost"] + 1e-9
    figures = total(result)
    if figures.sick_leave_pct is not None:
        assert 0.0 <= figures.sick_leave_pct <= 100.0
    # An aggregate is Σ lost / Σ possible of its parts, never an average of percentages.
    by_unit = result.groupby("unit_id")[list(FIGURE_COLUMNS)].sum()
    assert by_unit["lost"].sum() == pytest.approx(figures.lost)
    assert np.isclose(by_unit["possible"].sum(), figures.possible)


def test_a_day_lost_whole_in_scaled_pieces_is_100_percent_not_more() -> None:
    """Found by hypothesis: 20 % + 80 % of one day summed to 1.0000000000000002 days."""
    lost = 0.8000000000000002 + 0.20000000000000004
    assert lost > 1.0
    figures = Figures(possible=1.0, lost=lost, lost_self=0.8000000000000002)
    assert figures.sick_leave_pct == 100.0
    assert pct_series(pd.Series([lost, 0.5]), pd.Series([1.0, 1.0])).tolist() == [100.0, 50.0]
    # A real excess is not hidden.
    assert pct(1.01, 1.0) == pytest.approx(101.0)


def test_the_status_and_the_prognosis_take_their_percentages_from_the_one_rule() -> None:
    """Σ lost / Σ possible is pct_array everywhere: a day lost whole is 100 % there too."""
    lost = 0.8000000000000002 + 0.20000000000000004
    quarter = Quarter.parse("2025Q3")
    history = QuarterlyHistory(np.array([[lost]]), np.array([[1.0]]), quarter)
    assert history.pct(quarter).tolist() == [100.0]
    sums = {
        name: [value]
        for pair in PAIRS.values()
        for name, value in zip(pair, (lost, 1.0), strict=True)
    }
    figures = with_figures(pd.DataFrame({**sums, "forecast_known_lost": [lost]}), goal_pp=1.0)
    assert figures.loc[0, "baseline_pct"] == figures.loc[0, "forecast_known_pct"] == 100.0
    assert pct_array([lost, 0.5, 1.0], [1.0, 1.0, 0.0])[:2].tolist() == [100.0, 50.0]
    assert np.isnan(pct_array([1.0], [0.0])[0])  # nothing possible: no percentage
