"""The status report on a hand-built scenario: every total is Σ lost / Σ possible, by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine, delete, update

from core.calendar import default_calendar
from core.goal import Light
from storage.db import transaction
from storage.models import ProjectMembership, UnitPrognosisFigure
from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from storage.usecases.forecast import prognosis
from storage.usecases.settings import change_setting
from storage.usecases.status import StatusReport, status_json, status_report
from storage.usecases.units import open_unit
from tests.conftest import Builder

pytestmark = pytest.mark.both_backends

D = dt.date
NB = "\xa0"
TODAY = D(2025, 11, 24)  # the last complete quarter is 2025Q3, the baseline's season
JOINED = {"project_joined_on": D(2024, 10, 1), "baseline_quarter": "2024Q3"}
Q3_WORKDAYS = 66  # July–September has no public holiday: 66 weekdays in 2024 and in 2025


def workdays(start: dt.date, end: dt.date) -> int:
    return default_calendar().count(start, end)


# The year before joining (2023Q4–2024Q3) and the last four quarters (2024Q4–2025Q3).
YEAR_BEFORE = workdays(D(2023, 10, 1), D(2024, 9, 30))
LAST_YEAR = workdays(D(2024, 10, 1), D(2025, 9, 30))


def build_scenario(build: Builder, engine: Engine) -> Builder:
    """Two project units (target groups 1 and 2 when they joined) and one outside the project.

    Everyone works full time from 2020. In each unit one person is sick for the whole two years
    before joining (2022Q4–2024Q3), and again for a while in 2025Q3:
    - Alfa, 5 people: 1 in 5 = 20 % over the two years, over 16 %: group 1 whatever its size;
      33 workdays sick in 2025Q3 (1 July – 14 August).
    - Beta, 8 people: 12.5 %, over 11 % with 100 or fewer: group 2; 23 workdays (July 2025).
    - Gamma, 10 people, not in the project: one person sick all of 2024Q3 and all of 2025Q3.
    """
    build.unit(1, "A1", "Alfa sykehjem", service_area="Helse og velferd", **JOINED)
    build.unit(2, "B2", "Beta barnehage", service_area="Oppvekst og utdanning", **JOINED)
    build.unit(3, "C3", "Gamma skole", service_area="Oppvekst og utdanning")
    for unit, first, count in ((1, 1, 5), (2, 11, 8), (3, 21, 10)):
        for person in range(first, first + count):
            build.employee(person, f"{1000 + person}")
            build.employment(person, unit, 100.0, D(2020, 1, 1))
    build.spell(1, D(2022, 10, 1), D(2024, 9, 30)).spell(1, D(2025, 7, 1), D(2025, 8, 14))
    build.spell(11, D(2022, 10, 1), D(2024, 9, 30)).spell(11, D(2025, 7, 1), D(2025, 7, 31))
    build.spell(21, D(2024, 7, 1), D(2024, 9, 30)).spell(21, D(2025, 7, 1), D(2025, 9, 30))
    build.refresh(TODAY)
    measure_cases.add_measure(
        engine, 1, "enhet", "Fraværssamtale innen en uke", due_date=D(2025, 11, 1)
    )
    measure_cases.add_measure(engine, 1, "lederrolle", "Faste runder i avdelingene")
    measure_cases.add_measure(
        engine, 2, "enhet", "Plan for tilrettelegging", due_date=D(2025, 12, 1)
    )
    session_id = sessions.start_session(engine, 1, "oppstartsmote", D(2025, 11, 1))
    sessions.end_session(engine, session_id, "Oppstart.")
    return build


@pytest.fixture
def scenario(build: Builder, engine: Engine) -> Builder:
    return build_scenario(build, engine)


def report_of(engine: Engine) -> StatusReport:
    return status_report(engine, TODAY)


def pct(lost: float, possible: float) -> float:
    return lost / possible * 100


def test_the_workdays_the_hand_figures_rest_on() -> None:
    assert (workdays(D(2024, 7, 1), D(2024, 9, 30)), workdays(D(2025, 7, 1), D(2025, 9, 30))) == (
        Q3_WORKDAYS,
        Q3_WORKDAYS,
    )
    assert (workdays(D(2025, 7, 1), D(2025, 8, 14)), workdays(D(2025, 7, 1), D(2025, 7, 31))) == (
        33,
        23,
    )


def test_each_project_unit_against_its_baseline(scenario: Builder, engine: Engine) -> None:
    report = report_of(engine)
    assert report.last_quarter == "2025Q3"
    units = report.units.set_index("code")
    assert list(report.project_units()["code"]) == ["A1", "B2"]
    assert not units.loc["C3", "project"]

    alfa = units.loc["A1"]
    assert alfa["joined_group"] == 1 and "over 16 % uansett størrelse" in alfa["joined_reason"]
    # Today (2023Q4–2025Q3) Alfa is below 16 %: in group 2 now, still counted in group 1.
    today_avg = pct(YEAR_BEFORE + 33, 5 * (YEAR_BEFORE + LAST_YEAR))
    assert alfa["avg_2y_pct"] == pytest.approx(today_avg)
    assert alfa["target_group"] == 2
    assert alfa["compare_quarter"] == "2025Q3"
    assert alfa["baseline_pct"] == pytest.approx(20.0)
    assert alfa["compare_pct"] == pytest.approx(10.0)
    assert alfa["change_pp"] == pytest.approx(-10.0)
    assert alfa["goal_share"] == pytest.approx(10.0)  # ten times the 1-point goal
    assert alfa["before_four_pct"] == pytest.approx(20.0)
    assert alfa["last_four_pct"] == pytest.approx(pct(33, 5 * LAST_YEAR))
    assert (alfa["open_measures"], alfa["overdue_measures"]) == (2, 1)
    assert alfa["last_session"] == D(2025, 11, 1) and alfa["days_since_session"] == 23

    beta = units.loc["B2"]
    assert (beta["joined_group"], beta["target_group"]) == (2, 3)
    assert beta["baseline_pct"] == pytest.approx(12.5)
    assert beta["compare_pct"] == pytest.approx(pct(23, 8 * Q3_WORKDAYS))
    assert (beta["open_measures"], beta["overdue_measures"]) == (1, 0)
    assert pd.isna(beta["days_since_session"])


def test_each_units_share_of_the_goal_and_its_light(scenario: Builder, engine: Engine) -> None:
    # P = the possible workdays of 2025Q3; the goal 1,0 p.p. of P; 4 200 kr a day (the seed's).
    units = report_of(engine).units.set_index("code")
    alfa = units.loc["A1"]  # 5 × 66 = 330 possible; 20 % → 10 %: 33 days fewer
    assert alfa["goal_days"] == pytest.approx(3.3)
    assert alfa["goal_nok"] == pytest.approx(13_860.0)
    assert alfa["achieved_days"] == pytest.approx(33.0)
    assert alfa["achieved_nok"] == pytest.approx(138_600.0)
    assert alfa["to_go_days"] == 0.0 and alfa["to_go_nok"] == 0.0
    # 2025Q3 against the sector's latest published Q3 (2023: 6,3 + 2,0 = 8,3 %): 10 % is red.
    assert alfa["sector_pct"] == pytest.approx(8.3)
    assert alfa["light"] is Light.RED
    beta = units.loc["B2"]  # 8 × 66 = 528 possible; 66 lost → 23 lost: 43 days fewer
    assert beta["goal_days"] == pytest.approx(5.28)
    assert beta["achieved_days"] == pytest.approx(43.0)
    assert beta["light"] is Light.GREEN  # 23 / 528 = 4,4 %
    gamma = units.loc["C3"]  # outside the project: no share, but a light (10 %)
    assert pd.isna(gamma["goal_days"]) and pd.isna(gamma["achieved_days"])
    assert gamma["light"] is Light.RED


def test_the_unit_overview_shows_the_same_share_of_the_goal(
    scenario: Builder, engine: Engine
) -> None:
    goal = open_unit(engine, 1, TODAY).goal
    assert goal.share is not None
    assert (goal.share.baseline_quarter, goal.share.compare_quarter) == ("2024Q3", "2025Q3")
    assert goal.share.possible == pytest.approx(330.0)
    assert goal.share.goal_days == pytest.approx(3.3)
    assert goal.share.achieved_days == pytest.approx(33.0)
    assert goal.share.lines == (
        f"Del av målet: 3,3 dagsverk/kv. (13{NB}860{NB}kr)",
        f"Oppnådd 33,0 (138{NB}600{NB}kr) · igjen 0,0 (0{NB}kr)",
    )
    assert goal.sector.light is Light.RED
    assert open_unit(engine, 3, TODAY).goal.share is None  # Gamma: outside the project


def test_the_totals_are_sums_of_lost_over_sums_of_possible(
    scenario: Builder, engine: Engine
) -> None:
    totals = report_of(engine).totals.set_index("key")
    assert list(totals.index) == ["group1", "group2", "project", "others", "municipality"]
    assert list(totals["units"]) == [1, 1, 2, 1, 3]

    project = totals.loc["project"]
    baseline = pct(66 + 66, 5 * 66 + 8 * 66)  # 15.38 %, not the mean of 20 % and 12.5 %
    now = pct(33 + 23, 13 * 66)
    assert project["baseline_pct"] == pytest.approx(baseline)
    assert project["compare_pct"] == pytest.approx(now)
    assert project["change_pp"] == pytest.approx(now - baseline)
    assert project["before_four_pct"] == pytest.approx(pct(2 * YEAR_BEFORE, 13 * YEAR_BEFORE))
    assert project["last_four_pct"] == pytest.approx(pct(33 + 23, 13 * LAST_YEAR))
    assert (project["open_measures"], project["overdue_measures"]) == (3, 1)
    assert project["year_possible"] == pytest.approx(13 * LAST_YEAR)

    assert totals.loc["group1", "change_pp"] == pytest.approx(-10.0)
    assert totals.loc["group2", "baseline_pct"] == pytest.approx(12.5)
    assert totals.loc["others", "change_pp"] == pytest.approx(0.0)

    municipality = totals.loc["municipality"]
    assert municipality["baseline_pct"] == pytest.approx(pct(66 * 3, 23 * 66))
    assert municipality["compare_pct"] == pytest.approx(pct(33 + 23 + 66, 23 * 66))


def test_the_prognosis_totals_weigh_each_unit_by_its_possible_workdays(
    scenario: Builder, engine: Engine
) -> None:
    report = report_of(engine)
    document = prognosis(engine, TODAY, None, 4).json()
    first = {u["unit_id"]: u["quarters"][0] for u in document["units"]}
    assert report.forecast_quarter == "2025Q4"
    units = report.units.set_index("code")
    assert units.loc["A1", "forecast_pct"] == pytest.approx(first["A1"]["pct"])
    assert units.loc["A1", "forecast_known_pct"] == pytest.approx(first["A1"]["known_pct"])
    # Everyone is full time all quarter, so the weights are the headcounts, 5 and 8.
    totals = report.totals.set_index("key")
    expected = (5 * first["A1"]["pct"] + 8 * first["B2"]["pct"]) / 13
    assert totals.loc["project", "forecast_pct"] == pytest.approx(expected)
    assert report.chart.forecast[-4] == pytest.approx(expected)
    assert report.chart.quarters[-4:] == ("2025Q4", "2026Q1", "2026Q2", "2026Q3")


def test_the_chart_has_the_project_the_goal_and_the_sector(
    scenario: Builder, engine: Engine
) -> None:
    chart = report_of(engine).chart
    q3_2024 = chart.quarters.index("2024Q3")
    assert chart.project[q3_2024] == pytest.approx(pct(132, 13 * 66))
    assert chart.baseline_pct == pytest.approx(pct(132, 13 * 66))
    assert chart.goal_pct == pytest.approx(pct(132, 13 * 66) - 1.0)
    # Published up to 2024Q2 (legemeldt + 2 points), then the same quarter a year before.
    assert chart.sector[chart.quarters.index("2024Q1")] == pytest.approx(8.7 + 2.0)
    assert chart.sector[q3_2024] == pytest.approx(6.3 + 2.0)
    assert "samme kvartal i siste publiserte år" in chart.sector_source
    # The prognosis starts where the measured line ends.
    last = chart.quarters.index("2025Q3")
    assert chart.forecast[last] == chart.project[last]
    assert chart.forecast[:last] == (None,) * last


def test_the_goal_and_the_groups_follow_the_settings(scenario: Builder, engine: Engine) -> None:
    change_setting(engine, "goal_pp", 20.0)
    change_setting(engine, "any_size_threshold_pct", 25.0)
    report = report_of(engine)
    units = report.units.set_index("code")
    assert units.loc["A1", "goal_share"] == pytest.approx(0.5)
    assert units.loc["A1", "joined_group"] == 2
    assert list(report.totals["key"]) == ["group2", "project", "others", "municipality"]


def test_a_unit_that_joined_later_is_measured_from_its_own_baseline(
    scenario: Builder, engine: Engine
) -> None:
    with transaction(engine) as session:
        session.execute(
            update(ProjectMembership)
            .where(ProjectMembership.unit_id == 2)
            .values(joined_on=D(2025, 4, 1), baseline_quarter="2025Q1")
        )
    report = report_of(engine)
    beta = report.units.set_index("code").loc["B2"]
    assert pd.isna(beta["compare_quarter"]) and pd.isna(beta["change_pp"])
    project = report.totals.set_index("key").loc["project"]
    # Beta has nothing to compare yet: the project's change is Alfa's alone.
    assert project["comparable_units"] == 1
    assert project["change_pp"] == pytest.approx(-10.0)


def test_the_municipalitys_årsverk_come_from_the_data_unless_set(
    scenario: Builder, engine: Engine
) -> None:
    """23 people full time the whole last four quarters: 23 årsverk, not the default 15 000.

    The municipality: 198 lost of 23 × 66 possible in 2024Q3 (three people off all quarter),
    33 + 23 + 66 = 122 in 2025Q3; a fall of 76 / 1518 × 100 points, so 76 / 66 årsverk saved,
    × 4 200 kr × 230 days = 1 112 363,64 kr.
    """
    report = report_of(engine)
    assert report.fte.value == pytest.approx(23.0)
    assert (report.fte.from_settings, report.fte.source_nb) == (False, "årsverk fra dataene")
    saved = report.municipality_savings()
    assert saved is not None
    assert saved.saved_fte == pytest.approx(76 / 66)
    assert saved.savings_nok == pytest.approx(76 / 66 * 966_000)

    change_setting(engine, "fte", 500.0)
    report = report_of(engine)
    assert (report.fte.value, report.fte.source_nb) == (500.0, "årsverk fra innstillingene")
    assert report.data_fte.value == pytest.approx(23.0)
    saved = report.municipality_savings()
    assert saved is not None and saved.savings_nok == pytest.approx(76 / 1518 * 500 * 966_000)


def test_the_status_follows_an_import_and_is_the_same_from_the_kept_prognosis(
    scenario: Builder, engine: Engine
) -> None:
    """The prognosis the status reads is the one kept with the monthly figures: rebuilt with
    them (an import), and the same as computed afresh."""
    before = status_json(report_of(engine))
    # A sick note through the next quarter for Beta, then the import's rebuild of the figures.
    scenario.spell(12, D(2025, 11, 3), D(2026, 1, 30)).refresh(TODAY)
    after = status_json(report_of(engine))
    beta = {unit["unit_id"]: unit for group in after["groups"] for unit in group["units"]}["B2"]
    known = workdays(D(2025, 11, 3), D(2025, 12, 31)) / (
        8 * workdays(D(2025, 10, 1), D(2025, 12, 31))
    )
    assert beta["forecast_known_pct"] == pytest.approx(known * 100)
    assert after["project"]["forecast_pct"] != before["project"]["forecast_pct"]
    with engine.begin() as conn:
        conn.execute(delete(UnitPrognosisFigure))  # none kept: computed from the data
    assert status_json(report_of(engine)) == after
