"""Tests for absence cases and their milestones."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.cases import (
    DURATION_CLASS_LABELS,
    MILESTONES,
    STATUS_LABELS,
    build_cases,
    cases_ongoing,
    duration_class,
    duration_classes,
    milestone_dates,
    milestone_status,
    next_milestone_due,
    next_task,
    union_blocks,
)

D = dt.date
AS_OF = D(2025, 6, 30)


def spells(*rows: tuple) -> pd.DataFrame:
    """Rows (employee_id, start, end|None, kind='sykmelding', unit_id=NaN, grade=100)."""
    records = []
    for i, row in enumerate(rows):
        employee, start, end, *rest = row
        kind = rest[0] if len(rest) > 0 else "sykmelding"
        unit = rest[1] if len(rest) > 1 else np.nan
        grade = rest[2] if len(rest) > 2 else 100.0
        records.append(
            {
                "spell_id": 100 + i,
                "employee_id": employee,
                "unit_id": unit,
                "start": pd.Timestamp(start),
                "end": pd.Timestamp(end) if end is not None else pd.NaT,
                "kind": kind,
                "grade": float(grade),
            }
        )
    frame = pd.DataFrame.from_records(records)
    frame["start"] = frame["start"].astype("datetime64[ns]")
    frame["end"] = frame["end"].astype("datetime64[ns]")
    return frame


def one_case(frame: pd.DataFrame, as_of: dt.date = AS_OF) -> pd.Series:
    cases, _ = build_cases(frame, as_of)
    assert len(cases) == 1
    return cases.iloc[0]


# --- milestones ---------------------------------------------------------------------------------


def test_milestone_keys_and_offsets_follow_the_law() -> None:
    assert [m.key for m in MILESTONES] == [
        "employer_period_end",
        "followup_plan",
        "dialogue_meeting_1",
        "activity_requirement",
        "dialogue_meeting_2",
        "week_39",
        "max_date",
    ]
    offsets = {m.key: m.offset_days for m in MILESTONES}
    assert offsets["employer_period_end"] == 15
    # A milestone at week W falls due on S + 7·W − 1.
    for key, week in [
        ("followup_plan", 4),
        ("dialogue_meeting_1", 7),
        ("activity_requirement", 8),
        ("dialogue_meeting_2", 26),
        ("week_39", 39),
        ("max_date", 52),
    ]:
        assert offsets[key] == 7 * week - 1
    assert all(m.label_nb and m.explanation_nb for m in MILESTONES)


def test_milestone_dates_domain_example() -> None:
    dates = milestone_dates(D(2025, 1, 6))  # a Monday
    assert dates == {
        "employer_period_end": D(2025, 1, 21),
        "followup_plan": D(2025, 2, 2),
        "dialogue_meeting_1": D(2025, 2, 23),
        "activity_requirement": D(2025, 3, 2),
        "dialogue_meeting_2": D(2025, 7, 6),
        "week_39": D(2025, 10, 5),
        "max_date": D(2026, 1, 4),
    }


def test_milestone_status_open_case() -> None:
    result = milestone_status(D(2025, 1, 6), None, D(2025, 2, 20), {"dialogue_meeting_1"})
    assert [(m.key, m.due, m.status) for m in result] == [
        ("employer_period_end", D(2025, 1, 21), "passed"),
        ("followup_plan", D(2025, 2, 2), "overdue"),
        ("dialogue_meeting_1", D(2025, 2, 23), "done"),
        ("activity_requirement", D(2025, 3, 2), "coming"),
        ("dialogue_meeting_2", D(2025, 7, 6), "later"),
        ("week_39", D(2025, 10, 5), "later"),
        ("max_date", D(2026, 1, 4), "later"),
    ]
    assert result[0].label == "Arbeidsgiverperioden slutt"
    assert [m.status_label for m in result[:4]] == ["passert", "forfalt", "utført", "kommer"]
    assert result[-1].status_label == "senere"
    assert set(STATUS_LABELS) == {"done", "overdue", "coming", "later", "passed"}


def test_the_end_of_the_employer_period_is_a_date_not_a_task() -> None:
    """DOMAIN.md: it is never overdue, never done, and never the next milestone to mark."""
    start = D(2025, 1, 6)  # the employer period ends 21 January
    coming = milestone_status(start, None, D(2025, 1, 10))
    assert (coming[0].key, coming[0].status, coming[0].is_task) == (
        "employer_period_end",
        "coming",
        False,
    )
    # Marked done by an older version: still only a date that has passed.
    passed = milestone_status(start, None, D(2025, 1, 30), {"employer_period_end"})
    assert passed[0].status == "passed"
    assert sum(m.status == "overdue" for m in passed) == 0
    following = next_task(passed)
    assert following is not None and following.key == "followup_plan"
    all_done = milestone_status(start, D(2025, 1, 25), D(2025, 3, 1), {"followup_plan"})
    assert [m.key for m in all_done] == ["employer_period_end"]
    assert next_task(all_done) is None


def test_milestone_status_boundaries() -> None:
    start = D(2025, 1, 6)
    # Due today is not yet overdue; due in exactly 14 days is coming, in 15 days later.
    by_key = {m.key: m.status for m in milestone_status(start, None, D(2025, 2, 2))}
    assert by_key["followup_plan"] == "coming"
    by_key = {m.key: m.status for m in milestone_status(start, None, D(2025, 2, 9))}
    assert by_key["dialogue_meeting_1"] == "coming"  # 23 Feb = 9 Feb + 14
    by_key = {m.key: m.status for m in milestone_status(start, None, D(2025, 2, 8))}
    assert by_key["dialogue_meeting_1"] == "later"
    by_key = {m.key: m.status for m in milestone_status(start, None, D(2025, 2, 3))}
    assert by_key["followup_plan"] == "overdue"
    by_key = {m.key: m.status for m in milestone_status(start, None, D(2025, 2, 3), coming_days=0)}
    assert by_key["dialogue_meeting_1"] == "later"


def test_milestone_status_ended_case_drops_milestones_after_its_end() -> None:
    result = milestone_status(D(2025, 1, 6), D(2025, 2, 10), D(2025, 3, 1), set())
    assert [(m.key, m.status) for m in result] == [
        ("employer_period_end", "passed"),
        ("followup_plan", "overdue"),
    ]
    # A milestone due on the last sick day was relevant that day.
    result = milestone_status(D(2025, 1, 6), D(2025, 2, 23), D(2025, 3, 1), {"followup_plan"})
    assert [(m.key, m.status) for m in result] == [
        ("employer_period_end", "passed"),
        ("followup_plan", "done"),
        ("dialogue_meeting_1", "overdue"),
    ]


def test_milestone_status_known_future_end_keeps_all() -> None:
    # The case has not ended on as_of (the sick note runs on), so nothing is dropped.
    result = milestone_status(D(2025, 1, 6), D(2025, 2, 28), D(2025, 2, 20), set())
    assert len(result) == len(MILESTONES)


# --- duration classes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "label"),
    [
        (1, "1–7 dager"),
        (7, "1–7 dager"),
        (8, "8–16 dager"),
        (16, "8–16 dager"),
        (17, "17 dager–8 uker"),
        (56, "17 dager–8 uker"),
        (57, "8–20 uker"),
        (140, "8–20 uker"),
        (141, "20–39 uker"),
        (273, "20–39 uker"),
        (274, "over 39 uker"),
        (1000, "over 39 uker"),
    ],
)
def test_duration_class(days: int, label: str) -> None:
    assert duration_class(days) == label


def test_duration_class_rejects_zero() -> None:
    with pytest.raises(ValueError):
        duration_class(0)


def test_duration_classes_vectorised_matches_scalar() -> None:
    days = pd.Series([1, 7, 8, 16, 17, 56, 57, 140, 141, 273, 274, 5000])
    result = duration_classes(days)
    assert list(result.astype(str)) == [duration_class(int(d)) for d in days]
    assert list(result.cat.categories) == list(DURATION_CLASS_LABELS)


# --- building cases -----------------------------------------------------------------------------


def test_gap_of_15_days_merges() -> None:
    # Non-sick days 11..25 January = 15: one case.
    case = one_case(spells((1, "2025-01-01", "2025-01-10"), (1, "2025-01-26", "2025-01-28")))
    assert case["start"] == pd.Timestamp("2025-01-01")
    assert case["end"] == pd.Timestamp("2025-01-28")
    assert case["sick_days"] == 13
    assert case["n_spells"] == 2
    assert not case["open_ended"]


def test_gap_of_16_days_splits() -> None:
    frame = spells((1, "2025-01-01", "2025-01-10"), (1, "2025-01-27", "2025-01-28"))
    cases, case_of_spell = build_cases(frame, AS_OF)
    assert list(cases["sick_days"]) == [10, 2]
    assert list(cases["end"]) == [pd.Timestamp("2025-01-10"), pd.Timestamp("2025-01-28")]
    assert list(case_of_spell) == [0, 1]


def test_long_term_from_17_days() -> None:
    assert not one_case(spells((1, "2025-01-01", "2025-01-16")))["long_term"]
    case = one_case(spells((1, "2025-01-01", "2025-01-17")))
    assert case["sick_days"] == 17
    assert case["long_term"]


def test_gap_days_are_not_sick_days() -> None:
    # 10 + 6 sick days over a 25-day span: 16 sick days, so short-term.
    case = one_case(spells((1, "2025-01-01", "2025-01-10"), (1, "2025-01-20", "2025-01-25")))
    assert case["sick_days"] == 16
    assert not case["long_term"]


def test_overlapping_spells_count_days_once() -> None:
    frame = spells(
        (1, "2025-03-01", "2025-03-20", "sykmelding", 1, 50),
        (1, "2025-03-05", "2025-03-10", "egenmelding", 2),  # inside the first
        (1, "2025-03-15", "2025-03-25", "sykmelding", 1, 50),  # overlaps its tail
        (1, "2025-03-26", "2025-03-26", "egenmelding"),  # touches
    )
    case = one_case(frame)
    assert case["sick_days"] == 26
    assert case["n_spells"] == 4
    assert case["end"] == pd.Timestamp("2025-03-26")
    assert case["long_term"]


def test_other_absence_never_joins_a_case() -> None:
    frame = spells(
        (1, "2025-01-01", "2025-01-10"),
        (1, "2025-01-11", "2025-02-10", "sykt_barn"),
        (1, "2025-02-11", "2025-02-15", "egenmelding"),
        (2, "2025-01-01", "2025-01-31", "annet"),
    )
    cases, case_of_spell = build_cases(frame, AS_OF)
    assert list(cases["employee_id"]) == [1, 1]
    assert list(cases["sick_days"]) == [10, 5]
    # Only the sick spells are mapped, by their row index.
    assert case_of_spell.to_dict() == {0: 0, 2: 1}


def test_employees_are_kept_apart_and_units_merge() -> None:
    frame = spells(
        (1, "2025-01-01", "2025-01-10", "sykmelding", 10),
        (1, "2025-01-12", "2025-01-20", "sykmelding", 20),
        (2, "2025-01-05", "2025-01-06", "egenmelding", 10),
    )
    cases, _ = build_cases(frame, AS_OF)
    assert list(cases["employee_id"]) == [1, 2]
    assert list(cases["sick_days"]) == [19, 2]
    # The latest spell that names a unit gives the case's unit.
    assert list(cases["unit_id"]) == [20.0, 10.0]


def test_unit_of_case_skips_spells_without_unit() -> None:
    frame = spells(
        (1, "2025-01-01", "2025-01-10", "sykmelding", 10),
        (1, "2025-01-12", "2025-01-20", "sykmelding"),
        (2, "2025-01-01", "2025-01-02", "sykmelding"),
    )
    cases, _ = build_cases(frame, AS_OF)
    assert cases["unit_id"].iloc[0] == 10.0
    assert np.isnan(cases["unit_id"].iloc[1])


def test_open_ended_runs_to_as_of() -> None:
    frame = spells((1, "2025-06-01", None))
    case = one_case(frame, D(2025, 6, 30))
    assert case["end"] == pd.Timestamp("2025-06-30")
    assert case["sick_days"] == 30
    assert case["open_ended"]
    assert case["long_term"]


def test_known_sick_note_keeps_recorded_end_and_later_spells_are_unknown() -> None:
    frame = spells(
        (1, "2025-06-20", "2025-07-15"),
        (1, "2025-07-20", None),  # starts after as_of: not known yet
        (2, "2025-07-01", "2025-07-02"),
    )
    cases, case_of_spell = build_cases(frame, D(2025, 6, 30))
    assert len(cases) == 1
    case = cases.iloc[0]
    assert case["end"] == pd.Timestamp("2025-07-15")
    assert case["sick_days"] == 26
    assert not case["open_ended"]
    assert list(case_of_spell.index) == [0]


def test_open_ended_only_when_it_reaches_the_last_day() -> None:
    frame = spells((1, "2025-06-10", None), (1, "2025-06-20", "2025-07-10"))
    case = one_case(frame, D(2025, 6, 30))
    assert case["end"] == pd.Timestamp("2025-07-10")
    assert not case["open_ended"]
    case = one_case(spells((1, "2025-06-10", None), (1, "2025-06-01", "2025-06-12")), AS_OF)
    assert case["open_ended"]
    assert case["sick_days"] == 30


def test_input_order_and_date_types_do_not_matter() -> None:
    frame = spells(
        (2, "2025-02-01", "2025-02-03"),
        (1, "2025-01-20", "2025-01-25"),
        (1, "2025-01-01", "2025-01-10"),
    )
    frame = frame.set_index(pd.Index([7, 3, 5]))
    frame["start"] = frame["start"].dt.date  # plain dates (object column)
    frame["end"] = frame["end"].astype("datetime64[us]")
    cases, case_of_spell = build_cases(frame, AS_OF)
    assert list(cases["employee_id"]) == [1, 2]
    assert list(cases["start"]) == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01")]
    assert case_of_spell.to_dict() == {7: 1, 3: 0, 5: 0}
    assert list(case_of_spell.index) == [7, 3, 5]


def test_empty_input_gives_empty_frames() -> None:
    cases, case_of_spell = build_cases(spells((1, "2025-01-01", "2025-01-05", "sykt_barn")), AS_OF)
    assert cases.empty
    assert list(cases.columns) == [
        "case_id",
        "employee_id",
        "unit_id",
        "start",
        "end",
        "open_ended",
        "sick_days",
        "sick_days_to_date",
        "long_term",
        "n_spells",
    ]
    assert case_of_spell.empty


def test_cases_ongoing() -> None:
    frame = spells(
        (1, "2025-06-01", "2025-06-10"),  # ended
        (2, "2025-06-20", "2025-06-30"),  # last sick day is as_of
        (3, "2025-06-25", None),  # open-ended
        (4, "2025-06-29", "2025-07-31"),  # known sick note beyond as_of
    )
    cases, _ = build_cases(frame, AS_OF)
    ongoing = cases_ongoing(cases, AS_OF)
    assert list(ongoing["employee_id"]) == [2, 3, 4]
    # Asked about a later date, an open-ended case is still ongoing, a finished one not.
    assert list(cases_ongoing(cases, D(2025, 7, 5))["employee_id"]) == [3, 4]
    assert list(cases_ongoing(cases, D(2025, 6, 5))["employee_id"]) == [1]


def test_union_blocks() -> None:
    keys = np.array([1, 1, 1, 2, 1])
    starts = np.array([10, 1, 5, 1, 30])
    ends = np.array([12, 4, 9, 3, 31])
    k, s, e = union_blocks(keys, starts, ends)
    assert list(zip(k, s, e, strict=True)) == [(1, 1, 12), (1, 30, 31), (2, 1, 3)]


def test_many_spells_are_fast_enough() -> None:
    rng = np.random.default_rng(1)
    n = 250_000
    start = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 2000, n), unit="D")
    frame = pd.DataFrame(
        {
            "employee_id": rng.integers(0, 15_000, n),
            "unit_id": rng.integers(0, 60, n).astype(float),
            "start": start,
            "end": start + pd.to_timedelta(rng.integers(0, 30, n), unit="D"),
            "kind": rng.choice(["egenmelding", "sykmelding", "sykt_barn"], n),
            "grade": 100.0,
        }
    )
    cases, case_of_spell = build_cases(frame, D(2026, 1, 1))
    assert cases["n_spells"].sum() == len(case_of_spell)
    assert (cases["sick_days"] >= 1).all()


# --- properties against a day-by-day brute force ------------------------------------------------

KINDS = ["egenmelding", "sykmelding", "sykt_barn", "annet"]
BASE = D(2025, 1, 1)

spell_strategy = st.tuples(
    st.integers(1, 3),  # employee
    st.integers(0, 90),  # start offset
    st.integers(0, 25),  # length − 1
    st.sampled_from(KINDS),
    st.booleans(),  # open-ended
)


def brute_force_cases(rows: list[tuple], as_of_offset: int) -> list[tuple[int, int, int, int]]:
    """(employee, first, last, sick days) per case, from sets of sick day offsets."""
    days: dict[int, set[int]] = {}
    for employee, start, length, kind, open_ended in rows:
        if kind not in ("egenmelding", "sykmelding") or start > as_of_offset:
            continue
        end = as_of_offset if open_ended else start + length
        days.setdefault(employee, set()).update(range(start, end + 1))
    result = []
    for employee in sorted(days):
        ordered = sorted(days[employee])
        current = [ordered[0]]
        for day in ordered[1:]:
            if day - current[-1] - 1 > 15:
                result.append((employee, current[0], current[-1], len(current)))
                current = []
            current.append(day)
        result.append((employee, current[0], current[-1], len(current)))
    return result


def frame_of(rows: list[tuple]) -> pd.DataFrame:
    return spells(
        *[
            (
                employee,
                BASE + dt.timedelta(days=start),
                None if open_ended else BASE + dt.timedelta(days=start + length),
                kind,
            )
            for employee, start, length, kind, open_ended in rows
        ]
    )


def offset(value: pd.Timestamp) -> int:
    return (value.date() - BASE).days


@settings(max_examples=150, deadline=None)
@given(st.lists(spell_strategy, min_size=1, max_size=12), st.integers(30, 110))
def test_cases_match_brute_force(rows: list[tuple], as_of_offset: int) -> None:
    as_of = BASE + dt.timedelta(days=as_of_offset)
    frame = frame_of(rows)
    cases, case_of_spell = build_cases(frame, as_of)
    got = [
        (int(c.employee_id), offset(c.start), offset(c.end), int(c.sick_days))
        for c in cases.itertuples()
    ]
    assert got == brute_force_cases(rows, as_of_offset)
    assert list(cases["long_term"]) == [days >= 17 for *_, days in got]

    # Every known sick spell is in exactly one case, inside the case's bounds.
    known = frame[
        frame["kind"].isin(["egenmelding", "sykmelding"]) & (frame["start"] <= pd.Timestamp(as_of))
    ]
    assert sorted(case_of_spell.index) == sorted(known.index)
    assert int(cases["n_spells"].sum()) == len(known)
    by_id = cases.set_index("case_id")
    for index, case_id in case_of_spell.items():
        spell = frame.loc[index]
        case = by_id.loc[case_id]
        assert case["employee_id"] == spell["employee_id"]
        assert case["start"] <= spell["start"] <= case["end"]
        if pd.isna(spell["end"]):
            assert case["open_ended"] or case["end"] > pd.Timestamp(as_of)

    # Cases of one employee never overlap and are at least 16 non-sick days apart.
    for _, group in cases.groupby("employee_id"):
        gaps = (group["start"].iloc[1:].to_numpy() - group["end"].iloc[:-1].to_numpy()).astype(
            "timedelta64[D]"
        ).astype(int) - 1
        assert (gaps >= 16).all()


def test_sick_days_to_date_leave_out_the_days_of_a_sick_note_still_ahead() -> None:
    # 1–10 March and a sick note 15 March – 30 April, as of 20 March: 10 + 6 days so far
    # (15–20 March), 10 + 47 = 57 with the whole note.
    frame = spells((1, "2025-03-01", "2025-03-10"), (1, "2025-03-15", "2025-04-30"))
    case = one_case(frame, D(2025, 3, 20))
    assert (case["sick_days"], case["sick_days_to_date"]) == (57, 16)
    # Overlapping spells count a day once, so far too: 1–20 March and 5–25 March, as of 12 March.
    frame = spells((1, "2025-03-01", "2025-03-20"), (1, "2025-03-05", "2025-03-25"))
    case = one_case(frame, D(2025, 3, 12))
    assert (case["sick_days"], case["sick_days_to_date"]) == (25, 12)
    # Once the note has run out, both are the same.
    case = one_case(frame, D(2025, 6, 30))
    assert case["sick_days_to_date"] == case["sick_days"] == 25


def test_the_next_milestone_is_the_first_on_or_after_the_day_task_or_not():
    start = D(2025, 1, 1)
    dates = sorted(milestone_dates(start).values())
    assert next_milestone_due(start, start) == dates[0]
    assert next_milestone_due(start, dates[1]) == dates[1]  # due that day is still ahead
    assert next_milestone_due(start, dates[1] + dt.timedelta(days=1)) == dates[2]
    assert next_milestone_due(start, dates[-1] + dt.timedelta(days=1)) is None
