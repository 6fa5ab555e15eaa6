"""Tests for the employee flags: frequent, recurring and self-certified absence, Bradford."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar import default_calendar
from core.cases import build_cases
from core.flags import (
    FLAG_COLUMNS,
    GRADED_REVIEW,
    NEAR_WEEK_39,
    FlagRules,
    case_flags,
    employee_flags,
    flag_explanations,
)

D = dt.date
AS_OF = D(2025, 6, 30)  # window for "last 12 months": 2024-07-01 .. 2025-06-30
NATIONAL = FlagRules(self_cert_rule="nasjonal")


def spells(*rows: tuple) -> pd.DataFrame:
    """Rows (employee_id, start, end|None, kind='sykmelding')."""
    return pd.DataFrame(
        {
            "employee_id": [r[0] for r in rows],
            "unit_id": np.nan,
            "start": pd.to_datetime([r[1] for r in rows]).astype("datetime64[ns]"),
            "end": pd.to_datetime([r[2] for r in rows]).astype("datetime64[ns]"),
            "kind": [r[3] if len(r) > 3 else "sykmelding" for r in rows],
            "grade": 100.0,
        }
    )


def repeated(employee: int, first: str, days: int, count: int, every: int, kind: str) -> list:
    """`count` spells of `days` days, one starting every `every` days from `first`."""
    start = pd.Timestamp(first)
    return [
        (
            employee,
            start + pd.Timedelta(days=every * i),
            start + pd.Timedelta(days=every * i + days - 1),
            kind,
        )
        for i in range(count)
    ]


def flags_of(rows: list, as_of: dt.date = AS_OF, rules: FlagRules = FlagRules()) -> pd.DataFrame:
    frame = spells(*rows)
    cases, _ = build_cases(frame, as_of)
    return employee_flags(cases, frame, as_of, default_calendar(), rules).set_index("employee_id")


def flags_row(rows: list, as_of: dt.date = AS_OF, rules: FlagRules = FlagRules()) -> pd.Series:
    result = flags_of(rows, as_of, rules)
    assert len(result) == 1
    return result.iloc[0]


# --- frequent short-term absence ---------------------------------------------------------------


def test_four_short_cases_in_12_months_is_frequent() -> None:
    row = flags_row(repeated(1, "2025-01-06", 3, 4, 28, "sykmelding"))
    assert row["short_cases_12m"] == 4
    assert row["frequent_short"]
    assert flag_explanations(row)[0] == (
        "Hyppig korttidsfravær: 4 korttidstilfeller siste 12 måneder"
    )


def test_three_short_cases_is_not_frequent() -> None:
    row = flags_row(repeated(1, "2025-01-06", 3, 3, 28, "sykmelding"))
    assert row["short_cases_12m"] == 3
    assert not row["frequent_short"]
    assert not any(line.startswith("Hyppig") for line in flag_explanations(row))


def test_short_case_window_and_length() -> None:
    rows = [
        (1, "2024-06-30", "2024-07-01"),  # starts as_of − 365: outside
        (1, "2024-08-01", "2024-08-17"),  # 17 days: long-term
        (1, "2024-09-10", "2024-09-25"),  # 16 days: short-term
        *repeated(1, "2024-11-04", 2, 3, 30, "egenmelding"),
    ]
    row = flags_row(rows)
    assert row["short_cases_12m"] == 4
    assert row["frequent_short"]
    rows[0] = (1, "2024-07-01", "2024-07-02")  # first day of the window: inside
    assert flags_row(rows)["short_cases_12m"] == 5


# --- recurring absence (NAV) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "count", "expected"),
    [
        (20, 5, True),  # 5 cases, 100 days
        (19, 5, False),  # 5 cases, 95 days
        (30, 4, False),  # 120 days but only 4 cases
        (150, 2, True),  # 2 cases, 300 days
        (149, 2, False),  # 298 days
    ],
)
def test_recurring_rule(days: int, count: int, expected: bool) -> None:
    row = flags_row(repeated(1, "2023-01-02", days, count, days + 30, "sykmelding"))
    assert row["recurring_cases"] == count
    assert row["recurring_days"] == days * count
    assert bool(row["recurring"]) is expected


def test_recurring_explanation() -> None:
    row = flags_row(repeated(1, "2023-01-02", 20, 5, 50, "sykmelding"))
    assert (
        "Tilbakevendende fravær (NAVs regel): 5 tilfeller på 16 dager eller mer med til sammen "
        "100 sykedager siste 36 måneder"
    ) in flag_explanations(row)


def test_recurring_ignores_cases_under_16_days() -> None:
    row = flags_row(repeated(1, "2023-01-02", 15, 10, 40, "sykmelding"))
    assert row["recurring_cases"] == 0
    assert not row["recurring"]


def test_recurring_counts_cases_that_ended_in_the_last_36_months() -> None:
    # as_of − 3 years = 2022-06-30, outside; 2022-07-01 inside.
    old = (1, "2022-02-01", "2022-06-30")  # 150 days
    recent = (1, "2024-01-01", "2024-05-29")  # 150 days
    assert not flags_row([old, recent])["recurring"]
    shifted = (1, "2022-02-02", "2022-07-01")
    assert flags_row([shifted, recent])["recurring"]


def test_recurring_needs_the_case_to_have_ended() -> None:
    ended = (1, "2024-01-01", "2024-05-29")  # 150 days
    assert not flags_row([ended, (1, "2025-01-01", None)])["recurring"]  # open-ended, 181 days
    note = (1, "2025-01-01", "2025-07-31")  # known sick note beyond as_of
    row = flags_row([ended, note])
    assert row["recurring_cases"] == 1
    assert not row["recurring"]


# --- self-certification quota -------------------------------------------------------------------


def test_self_cert_extended_days() -> None:
    rows = repeated(1, "2025-01-06", 5, 5, 30, "egenmelding")  # 25 days
    row = flags_row(rows)
    assert row["self_cert_days_12m"] == 25
    assert row["self_cert_quota"]
    assert (
        "Egenmeldingskvote (utvidet regel): 25 egenmeldte dager siste 12 måneder (mer enn 24)"
        in flag_explanations(row)
    )
    rows[-1] = (1, rows[-1][1], rows[-1][2] - pd.Timedelta(days=1), "egenmelding")  # 24 days
    row = flags_row(rows)
    assert row["self_cert_days_12m"] == 24
    assert not row["self_cert_quota"]


def test_self_cert_extended_spell_length() -> None:
    row = flags_row([(1, "2025-03-03", "2025-03-11", "egenmelding")])
    assert row["self_cert_longest_days"] == 9
    assert row["self_cert_quota"]
    assert flag_explanations(row)[0] == (
        "Egenmeldingskvote (utvidet regel): egenmelding på 9 dager i strekk (mer enn 8)"
    )
    assert not flags_row([(1, "2025-03-03", "2025-03-10", "egenmelding")])["self_cert_quota"]


def test_self_cert_days_are_clipped_to_the_window_and_not_double_counted() -> None:
    rows = [
        (1, "2024-06-28", "2024-07-03", "egenmelding"),  # 3 days inside the window
        (1, "2025-02-03", "2025-02-05", "egenmelding"),
        (1, "2025-02-04", "2025-02-06", "egenmelding"),  # overlaps: 4 days together
        (1, "2025-06-29", None, "egenmelding"),  # open-ended: runs to as_of, 2 days
        (1, "2025-04-01", "2025-04-20", "sykmelding"),  # doctor-certified: not counted
    ]
    row = flags_row(rows)
    assert row["self_cert_days_12m"] == 3 + 4 + 2
    assert row["self_cert_periods_12m"] == 3
    assert row["self_cert_longest_days"] == 6


def test_self_cert_national_rule() -> None:
    four = repeated(1, "2025-01-06", 3, 4, 30, "egenmelding")
    assert not flags_row(four, rules=NATIONAL)["self_cert_quota"]
    five = repeated(1, "2025-01-06", 2, 5, 30, "egenmelding")
    row = flags_row(five, rules=NATIONAL)
    assert row["self_cert_quota"]
    assert (
        "Egenmeldingskvote (nasjonal regel): 5 egenmeldingsperioder siste 12 måneder (mer enn 4)"
        in flag_explanations(row, NATIONAL)
    )
    # The extended rule does not flag the same absence.
    assert not flags_row(five)["self_cert_quota"]
    long = [(1, "2025-03-03", "2025-03-06", "egenmelding")]
    row = flags_row(long, rules=NATIONAL)
    assert row["self_cert_quota"]
    assert flag_explanations(row, NATIONAL)[0] == (
        "Egenmeldingskvote (nasjonal regel): egenmelding på 4 dager i strekk (mer enn 3)"
    )


def test_adjacent_self_cert_rows_are_one_period() -> None:
    rows = [
        (1, "2025-03-03", "2025-03-04", "egenmelding"),
        (1, "2025-03-05", "2025-03-05", "egenmelding"),
    ]
    row = flags_row(rows, rules=NATIONAL)
    assert row["self_cert_periods_12m"] == 1
    assert row["self_cert_longest_days"] == 3
    assert not row["self_cert_quota"]


# --- Bradford -----------------------------------------------------------------------------------


def test_bradford_five_cases_ten_days() -> None:
    mondays = ["2025-01-06", "2025-02-03", "2025-03-03", "2025-03-31", "2025-04-28"]
    rows = [(1, day, pd.Timestamp(day) + pd.Timedelta(days=1)) for day in mondays]
    row = flags_row(rows)
    assert (row["bradford_cases"], row["bradford_days"], row["bradford"]) == (5, 10, 250)
    assert flag_explanations(row) == [
        "Hyppig korttidsfravær: 5 korttidstilfeller siste 12 måneder",
        "Bradford-faktor 250 (S² × D: 5 tilfeller, 10 dager) – et tall til samtalen, "
        "ikke en vurdering",
    ]


def test_bradford_counts_workdays_in_the_window_only() -> None:
    rows = [
        (1, "2024-06-28", "2024-07-01"),  # Fri–Mon: only Monday 1 July is in the window
        (1, "2025-04-30", "2025-05-02"),  # 1 May is a public holiday: 2 workdays
        (1, "2025-05-23", "2025-05-26"),  # Fri–Mon: 2 workdays
        (1, "2025-05-24", "2025-05-25", "egenmelding"),  # weekend inside the same spell
        (1, "2025-06-28", None),  # Sat–Mon (as_of): 1 workday
    ]
    row = flags_row(rows)
    assert row["bradford_cases"] == 4
    assert row["bradford_days"] == 1 + 2 + 2 + 1
    assert row["bradford"] == 16 * 6
    assert "Bradford-faktor 96 (S² × D: 4 tilfeller, 6 dager)" in flag_explanations(row)[-1]


def test_bradford_large_number_uses_norwegian_grouping() -> None:
    row = {
        "frequent_short": False,
        "recurring": False,
        "self_cert_quota": False,
        "bradford_cases": 1,
        "bradford_days": 1,
        "bradford": 1,
    }
    assert flag_explanations(row) == [
        "Bradford-faktor 1 (S² × D: 1 tilfelle, 1 dag) – et tall til samtalen, ikke en vurdering"
    ]
    row.update(bradford_cases=12, bradford_days=40, bradford=5760)
    assert flag_explanations(row)[0].startswith("Bradford-faktor 5\u00a0760 (S² × D: 12 tilfeller")


# --- shape --------------------------------------------------------------------------------------


def test_one_row_per_employee_including_those_without_sick_leave() -> None:
    rows = [
        (3, "2025-01-06", "2025-01-07"),
        (1, "2025-01-06", "2025-01-10", "sykt_barn"),
        (2, "2025-07-01", "2025-07-02"),  # after as_of: unknown
    ]
    result = flags_of(rows).reset_index()
    assert list(result.columns) == list(FLAG_COLUMNS)
    assert list(result["employee_id"]) == [1, 2, 3]
    quiet = result.set_index("employee_id").loc[1]
    assert not quiet[["frequent_short", "recurring", "self_cert_quota"]].any()
    assert quiet["bradford"] == 0
    assert flag_explanations(quiet) == []
    assert result.set_index("employee_id").loc[3, "bradford"] == 2


def test_empty_spells() -> None:
    frame = spells((1, "2025-01-06", "2025-01-07")).iloc[0:0]
    cases, _ = build_cases(frame, AS_OF)
    result = employee_flags(cases, frame, AS_OF, default_calendar())
    assert result.empty
    assert list(result.columns) == list(FLAG_COLUMNS)


# --- properties against a day-by-day brute force ------------------------------------------------

BASE = D(2025, 1, 1)
WINDOW = 30
spell_strategy = st.tuples(
    st.integers(1, 3),
    st.integers(0, 80),
    st.integers(0, 12),
    st.sampled_from(["egenmelding", "sykmelding", "sykt_barn"]),
    st.booleans(),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(spell_strategy, min_size=1, max_size=10), st.integers(20, 100))
def test_window_counts_match_brute_force(rows: list[tuple], as_of_offset: int) -> None:
    rules = FlagRules(window_days=WINDOW)
    as_of = BASE + dt.timedelta(days=as_of_offset)
    spell_rows = [
        (e, BASE + dt.timedelta(days=s), None if open_ else BASE + dt.timedelta(days=s + n), kind)
        for e, s, n, kind, open_ in rows
    ]
    result = flags_of(spell_rows, as_of, rules)

    window = set(range(as_of_offset - WINDOW + 1, as_of_offset + 1))
    sick: dict[int, set[int]] = {}
    self_cert: dict[int, set[int]] = {}
    for e, s, n, kind, open_ in rows:
        if kind == "sykt_barn" or s > as_of_offset:
            continue
        days = set(range(s, (as_of_offset if open_ else s + n) + 1))
        sick.setdefault(e, set()).update(days)
        if kind == "egenmelding":
            self_cert.setdefault(e, set()).update(days)
    calendar = default_calendar()
    for employee, row in result.iterrows():
        in_window = sick.get(int(employee), set()) & window
        workdays = sum(calendar.is_workday(BASE + dt.timedelta(days=d)) for d in in_window)
        assert row["bradford_days"] == workdays
        assert row["self_cert_days_12m"] == len(self_cert.get(int(employee), set()) & window)
        # S: cases (runs split by 16+ non-sick days) with a sick day in the window.
        ordered = sorted(sick.get(int(employee), set()))
        runs = [[d] for d in ordered[:1]]
        for d in ordered[1:]:
            if d - runs[-1][-1] > 16:
                runs.append([])
            runs[-1].append(d)
        assert row["bradford_cases"] == sum(1 for run in runs if set(run) & window)
        assert row["bradford"] == row["bradford_cases"] ** 2 * workdays


# --- flags on a case: graded sick leave worth a look, approaching week 39 ---------------------
# A case starting Monday 6 January 2025 (DOMAIN.md's example): it has run 56 calendar days on
# 2 March (S + 55) and 57 on 3 March; its 39-week milestone is S + 272 = 5 October 2025.
CASE_START = D(2025, 1, 6)


def graded_spells(*rows: tuple) -> pd.DataFrame:
    """Rows (employee_id, start, end|None, kind, grade)."""
    frame = spells(*[r[:4] for r in rows])
    frame["grade"] = [float(r[4]) for r in rows]
    return frame


def flag_keys(frame: pd.DataFrame, as_of: dt.date) -> list[tuple[int, dt.date, str]]:
    return [(f.employee_id, f.case_start, f.key) for f in case_flags(frame, as_of)]


def test_graded_flag_after_more_than_8_weeks_at_100() -> None:
    open_case = graded_spells((1, "2025-01-06", None, "sykmelding", 100))
    assert flag_keys(open_case, D(2025, 3, 2)) == []  # exactly 8 weeks (56 days): not more
    assert flag_keys(open_case, D(2025, 3, 3)) == [(1, CASE_START, GRADED_REVIEW)]
    flag = case_flags(open_case, D(2025, 3, 3))[0]
    assert flag.run_days == 57
    assert flag.explanation == (
        "Vurder gradert sykmelding: 100\u00a0% sykmeldt i 57 dager (fra 06.01.2025), "
        "over 8 uker uten gradering"
    )


def test_graded_flag_not_raised_once_any_spell_was_graded() -> None:
    frame = graded_spells(
        (1, "2025-01-06", "2025-01-08", "egenmelding", 100),  # self-certified counts as 100
        (1, "2025-01-09", "2025-02-09", "sykmelding", 100),
        (2, "2025-01-06", "2025-02-09", "sykmelding", 100),
        (2, "2025-02-10", None, "sykmelding", 50),
    )
    assert flag_keys(frame, D(2025, 3, 10)) == []
    # The egenmelding–sykmelding case goes on at 100 % and is flagged.
    frame.loc[1, "end"] = pd.NaT
    assert flag_keys(frame, D(2025, 3, 10)) == [(1, CASE_START, GRADED_REVIEW)]


def test_graded_flag_only_on_an_ongoing_case() -> None:
    ended = graded_spells((1, "2025-01-06", "2025-03-20", "sykmelding", 100))
    assert flag_keys(ended, D(2025, 3, 20)) == [(1, CASE_START, GRADED_REVIEW)]
    assert flag_keys(ended, D(2025, 3, 21)) == []


def test_graded_flag_ignores_a_graded_spell_not_yet_started() -> None:
    frame = graded_spells(
        (1, "2025-01-06", "2025-03-09", "sykmelding", 100),
        (1, "2025-03-10", None, "sykmelding", 60),
    )
    assert flag_keys(frame, D(2025, 3, 9)) == [(1, CASE_START, GRADED_REVIEW)]
    assert flag_keys(frame, D(2025, 3, 10)) == []


def test_week_39_flag_within_the_next_42_days() -> None:
    frame = graded_spells((1, "2025-01-06", None, "sykmelding", 50))
    assert flag_keys(frame, D(2025, 8, 23)) == []  # 43 days before
    assert flag_keys(frame, D(2025, 8, 24)) == [(1, CASE_START, NEAR_WEEK_39)]  # 42 days
    assert flag_keys(frame, D(2025, 10, 4)) == [(1, CASE_START, NEAR_WEEK_39)]  # 1 day
    assert flag_keys(frame, D(2025, 10, 5)) == []  # today: no longer ahead
    flag = case_flags(frame, D(2025, 8, 24))[0]
    assert flag.week_39 == D(2025, 10, 5)
    assert flag.explanation == "Nærmer seg 39 uker: NAVs 39-ukersbrev 05.10.2025, om 42 dager"


def test_week_39_flag_needs_an_ongoing_case_and_both_flags_can_stand() -> None:
    ended = graded_spells((1, "2025-01-06", "2025-08-31", "sykmelding", 100))
    assert flag_keys(ended, D(2025, 9, 1)) == []
    ongoing = graded_spells((1, "2025-01-06", None, "sykmelding", 100))
    assert flag_keys(ongoing, D(2025, 9, 1)) == [
        (1, CASE_START, GRADED_REVIEW),
        (1, CASE_START, NEAR_WEEK_39),
    ]


def test_no_spells_no_case_flags() -> None:
    assert case_flags(graded_spells(), D(2025, 9, 1)) == ()
