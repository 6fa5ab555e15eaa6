"""Tests for the demo municipality: the pure generator, and writing it to a real database."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from core.cases import MILESTONES
from core.periods import Quarter
from core.vocabulary import KS_FACTORS, MEASURE_LEVELS, MEASURE_STATUSES, SESSION_TYPES
from storage import demo
from storage.models import (
    AbsenceSpell,
    Employee,
    EmployeeReview,
    Employment,
    Measure,
    MeasureFollowUp,
    MilestoneDone,
    PresenceFactor,
    ProjectMembership,
    SurveyScore,
    Unit,
    UnitMonthFigure,
)
from storage.models import Session as SessionRow
from storage.usecases.importing import load_demo
from storage.usecases.reports import groups_of

pytestmark = pytest.mark.both_backends

TODAY = dt.date(2025, 11, 24)
NAME = re.compile(r"^[A-Za-zÆØÅæøåÉé]+(?:[ -][A-Za-zÆØÅæøåÉé]+)*$")


@pytest.fixture(scope="module")
def small() -> demo.DemoData:
    return demo.generate("small", 1, TODAY)


def _frames(data: demo.DemoData) -> dict[str, pd.DataFrame]:
    return {name: value for name, value in vars(data).items() if isinstance(value, pd.DataFrame)}


def _spell_days(spells: pd.DataFrame) -> pd.Series:
    """Calendar days of each spell; an open one runs to TODAY."""
    end = spells["to_date"].fillna(pd.Timestamp(TODAY))
    return (end - spells["from_date"]).dt.days + 1


# --- the generator ----------------------------------------------------------------------------


def test_same_seed_gives_identical_frames(small: demo.DemoData) -> None:
    again = demo.generate("small", 1, TODAY)
    for name, frame in _frames(small).items():
        pd.testing.assert_frame_equal(frame, _frames(again)[name], obj=name)
    pd.testing.assert_series_equal(small.unit_kinds, again.unit_kinds)


def test_another_seed_gives_another_municipality(small: demo.DemoData) -> None:
    other = demo.generate("small", 2, TODAY)
    assert not small.units.equals(other.units)
    assert not small.employments.equals(other.employments)
    assert not small.spells.equals(other.spells)


def test_tables_have_exactly_the_import_columns(small: demo.DemoData) -> None:
    assert list(small.units) == ["code", "name", "service_area", "leader"]
    assert list(small.employments) == [
        "employee_number",
        "name",
        "unit_code",
        "position_pct",
        "start_date",
        "end_date",
        "title",
    ]
    assert list(small.spells) == [
        "employee_number",
        "unit_code",
        "from_date",
        "to_date",
        "absence_type",
        "grade_pct",
    ]
    assert small.units["code"].str.fullmatch(r"E\d{4}").all()
    assert small.units["code"].is_unique and small.units["name"].is_unique
    assert small.employments["employee_number"].str.fullmatch(r"1\d{5}").all()
    assert set(small.spells["absence_type"]) == {"egenmelding", "sykmelding", "sykt_barn", "annet"}


def test_unit_sizes_follow_their_kind(small: demo.DemoData) -> None:
    today = pd.Timestamp(TODAY)
    jobs = small.employments
    active = jobs[
        (jobs["start_date"] <= today) & (jobs["end_date"].isna() | (jobs["end_date"] >= today))
    ]
    headcount = active.groupby("unit_code")["employee_number"].nunique()
    assert len(small.units) == 12
    assert 500 <= small.employments["employee_number"].nunique() <= 750
    for code, kind in small.unit_kinds.items():
        low, high = demo.KINDS[kind].size
        assert 0.9 * low <= headcount[code] <= 1.1 * high, (code, kind, headcount[code])


def test_positions_are_part_time_in_care_and_mostly_full_time_in_schools(
    small: demo.DemoData,
) -> None:
    jobs = small.employments.assign(kind=small.employments["unit_code"].map(small.unit_kinds))
    full_time = (jobs["position_pct"] == 100).groupby(jobs["kind"]).mean()
    assert full_time["sykehjem"] < 0.5
    assert full_time["skole"] > 0.7
    assert jobs["position_pct"].between(1, 100).all()
    assert 62.5 in set(jobs["position_pct"])


def test_hires_leavers_position_changes_and_two_units(small: demo.DemoData) -> None:
    jobs = small.employments
    history = pd.Timestamp(demo.history_start(TODAY))
    assert (jobs["start_date"] > history).sum() > 30  # hired during the history
    assert jobs["end_date"].notna().sum() > 30  # left
    rows = jobs.groupby("employee_number").agg(
        rows=("unit_code", "size"), units=("unit_code", "nunique")
    )
    assert ((rows["rows"] > 1) & (rows["units"] == 1)).any()  # a new position %
    assert (rows["units"] > 1).any()  # two units at once
    # A position change: the new row starts the day after the old one ends.
    changed = jobs[
        jobs["employee_number"].isin(rows.index[(rows["rows"] > 1) & (rows["units"] == 1)])
    ]
    first, second = (
        changed.sort_values("start_date").groupby("employee_number").nth(i) for i in (0, 1)
    )
    gap = (
        second.set_index("employee_number")["start_date"]
        - first.set_index("employee_number")["end_date"]
    )
    assert (gap == pd.Timedelta(days=1)).all()


def test_names_are_only_letters_spaces_and_hyphens(small: demo.DemoData) -> None:
    names = pd.concat(
        [
            small.employments["name"],
            small.units["leader"],
            small.sessions["advisor"],
            small.measures["owner"],
        ]
    )
    bad = [name for name in names.unique() if not NAME.match(name)]
    assert not bad
    assert small.units["name"].str.fullmatch(r"[\wÆØÅæøå -]+").all()


def test_spell_lengths_and_grades(small: demo.DemoData) -> None:
    spells = small.spells
    days = _spell_days(spells)
    self_certified = spells["absence_type"] == "egenmelding"
    assert days[self_certified].between(1, 3).all()
    assert (spells.loc[self_certified, "grade_pct"] == 100).all()
    doctor = spells["absence_type"] == "sykmelding"
    assert days[doctor].median() < 16
    assert (days[doctor] > 180).sum() > 0
    graded = spells.loc[doctor, "grade_pct"] < 100
    assert 0.2 <= graded.mean() <= 0.3
    assert spells.loc[doctor & (spells["grade_pct"] < 100), "grade_pct"].between(20, 80).all()
    assert (spells.loc[~doctor, "grade_pct"] == 100).all()


def test_no_person_has_overlapping_spells(small: demo.DemoData) -> None:
    spells = small.spells.sort_values(["employee_number", "from_date"])
    same_person = spells["employee_number"].eq(spells["employee_number"].shift())
    previous_end = spells["to_date"].shift()
    assert not (same_person & (spells["from_date"] <= previous_end)).any()


def test_first_quarter_loses_more_than_the_third(small: demo.DemoData) -> None:
    sick = small.spells[small.spells["absence_type"].isin(["egenmelding", "sykmelding"])]
    end = sick["to_date"].fillna(pd.Timestamp(TODAY))
    lost = {}
    for q in (1, 3):
        quarter = Quarter(2024, q)
        first = sick["from_date"].clip(lower=pd.Timestamp(quarter.start))
        last = end.clip(upper=pd.Timestamp(quarter.end))
        days = ((last - first).dt.days + 1).clip(lower=0)
        lost[q] = (days * sick["grade_pct"] / 100).sum()
    assert lost[1] > 1.15 * lost[3]


def test_ongoing_cases_reach_past_today(small: demo.DemoData) -> None:
    doctor = small.spells[small.spells["absence_type"] == "sykmelding"]
    assert doctor["to_date"].isna().sum() > 0
    assert (doctor["to_date"] > pd.Timestamp(TODAY)).sum() > 0
    # Nothing is known that starts after today.
    assert (small.spells["from_date"] <= pd.Timestamp(TODAY)).all()


def test_project_units_and_their_records(small: demo.DemoData) -> None:
    project = set(small.project_units["unit_code"])
    assert 3 <= len(project) <= 6
    assert set(small.project_units["target_group"]) <= {1, 2}
    assert (small.project_units["avg_2y_pct"] > 11).all()

    factors = small.presence_factors
    assert set(factors["unit_code"]) == project
    per_kind = factors.groupby(["unit_code", "kind"])["position"].apply(sorted)
    assert all(positions == [1, 2, 3, 4] for positions in per_kind)
    scores = small.survey_scores
    assert len(scores) == len(project) * 2 * len(KS_FACTORS)
    assert set(scores["factor"]) == set(KS_FACTORS)
    assert scores["score"].between(1, 5).all()
    assert (scores["score"] == scores["score"].round(1)).all()


def test_sessions_measures_and_follow_ups(small: demo.DemoData) -> None:
    sessions, measures = small.sessions, small.measures
    assert set(sessions["unit_code"]) <= set(small.project_units["unit_code"])
    assert set(sessions["session_type"]) == {"oppstartsmote", "individuell_radgivning"}
    assert set(sessions["session_type"]) <= set(SESSION_TYPES)
    assert (sessions["held_on"] < TODAY).all()
    assert set(measures["level"]) == set(MEASURE_LEVELS)
    assert set(measures["status"]) <= set(MEASURE_STATUSES)
    assert {"apen", "pagar"} & set(measures["status"]) and "fullfort" in set(measures["status"])
    case_measures = measures["level"] == "enkeltsak"
    assert measures.loc[case_measures, "employee_number"].notna().all()
    assert measures.loc[~case_measures, "employee_number"].isna().all()
    # A follow-up belongs to a later session of the same unit than the one the measure came from.
    follow = small.follow_ups.merge(
        measures, left_on="measure", right_index=True, suffixes=("", "_measure")
    )
    assert (follow["session"] > follow["session_measure"]).all()
    assert len(small.reviews) > 0 and small.reviews["reviewed"].any()
    assert set(small.milestones_done["milestone"]) <= {m.key for m in MILESTONES}


def test_municipality_scale_counts() -> None:
    data = demo.generate("municipality", 1, TODAY)
    assert len(data.units) == 300
    assert 18_000 <= data.employments["employee_number"].nunique() <= 23_000
    assert 180_000 <= len(data.spells) <= 320_000
    assert 40 <= len(data.project_units) <= 70
    assert set(data.units["service_area"]) == {
        "Helse og velferd",
        "Oppvekst og utdanning",
        "Kultur og næring",
        "Byutvikling",
        "Organisasjon og stab",
    }


def test_unknown_scale_and_too_early_a_day_are_refused() -> None:
    with pytest.raises(ValueError, match="Ukjent størrelse"):
        demo.generate("city", 1, TODAY)
    with pytest.raises(ValueError, match="prosjektstart"):
        demo.generate("small", 1, dt.date(2024, 11, 1))


# --- writing to a real database ---------------------------------------------------------------


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_small_scale_is_written_whole(engine: Engine, small: demo.DemoData) -> None:
    summary = load_demo(engine, "small", 1, TODAY)

    expected = {
        Unit: len(small.units),
        Employee: small.employments["employee_number"].nunique(),
        Employment: len(small.employments),
        AbsenceSpell: len(small.spells),
        SessionRow: len(small.sessions),
        Measure: len(small.measures),
        MeasureFollowUp: len(small.follow_ups),
        EmployeeReview: len(small.reviews),
        MilestoneDone: len(small.milestones_done),
        PresenceFactor: len(small.presence_factors),
        SurveyScore: len(small.survey_scores),
    }
    assert {model: _count(engine, model) for model in expected} == expected
    assert _count(engine, UnitMonthFigure) > 0
    assert summary.units == 12 and summary.spells == len(small.spells)
    assert summary.project_units == len(small.project_units)

    with engine.connect() as conn:
        marked = conn.execute(
            select(Unit.code, ProjectMembership.joined_on, ProjectMembership.baseline_quarter).join(
                ProjectMembership, ProjectMembership.unit_id == Unit.id
            )
        ).all()
        # The project units are exactly groups 1 and 2 as the app itself computes them.
        computed = groups_of(conn, demo.PROJECT_START)
    assert {code for code, _, _ in marked} == set(small.project_units["unit_code"])
    assert {(joined, quarter) for _, joined, quarter in marked} == {(demo.PROJECT_START, "2024Q3")}
    in_groups = computed.loc[computed["target_group"].isin([1, 2]), "code"]
    assert set(in_groups) == set(small.project_units["unit_code"])


def test_a_database_with_units_is_refused_unless_replaced(engine: Engine) -> None:
    first = load_demo(engine, "small", 1, TODAY)
    with pytest.raises(ValueError, match="har allerede 12 enheter"):
        load_demo(engine, "small", 2, TODAY)
    assert _count(engine, Employee) == first.employees  # nothing written by the refused call

    replaced = load_demo(engine, "small", 2, TODAY, replace=True)
    assert _count(engine, Unit) == 12
    assert _count(engine, Employee) == replaced.employees
    assert _count(engine, AbsenceSpell) == replaced.spells
    assert _count(engine, SessionRow) == replaced.sessions
