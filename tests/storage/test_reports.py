"""stats, groups and cases on a small hand-built municipality, checked by hand (DOMAIN.md)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import Engine, delete, update

from core.calendar import default_calendar
from storage.models import UnitMonthFigure
from storage.usecases.reports import (
    groups_of,
    ongoing_cases_of,
    stats_json,
    stats_of,
    unit_frame,
)
from tests.conftest import Builder
from tui.cli import main

pytestmark = pytest.mark.both_backends

D = dt.date
DAY = dt.timedelta(days=1)
TODAY = D(2026, 11, 24)
ROW_KEYS = {
    "unit_id",
    "name",
    "headcount",
    "fte",
    "possible_workdays",
    "lost_workdays",
    "sick_leave_pct",
    "self_certified_pct",
    "doctor_certified_pct",
    "short_term_pct",
    "long_term_pct",
    "graded_share_pct",
}


@pytest.fixture
def town(build: Builder) -> Builder:
    (
        build.unit(1, "E1", "Lia sykehjem", service_area="Helse og velferd")
        .unit(2, "E2", "Berg skole", service_area="Oppvekst og utdanning")
        .unit(3, "E3", "Tomt kontor")
        .employee(1, "1001", "Kari Nordmann")
        .employee(2, "1002", "Ola Hansen")
        .employee(3, "1003", "Per Berg")
        .employment(1, 1, 100.0, D(2020, 1, 1))
        .employment(2, 1, 50.0, D(2020, 1, 1))
        .employment(3, 2, 100.0, D(2020, 1, 1))
        # Kari: Monday 6 to Friday 31 January 2025, 20 workdays, 26 sick days: long-term.
        .spell(1, D(2025, 1, 6), D(2025, 1, 31))
        # Ola: 50 % graded all of March 2025 (21 workdays) on a 50 % position.
        .spell(2, D(2025, 3, 1), D(2025, 3, 31), grade=50.0)
        # Per: self-certified Monday 3 and Tuesday 4 February 2025.
        .spell(3, D(2025, 2, 3), D(2025, 2, 4), kind="egenmelding")
        # Per: child's illness never counts.
        .spell(3, D(2025, 2, 10), D(2025, 2, 11), kind="sykt_barn")
        # Ola: ongoing, no end recorded.
        .spell(2, D(2026, 11, 2), None)
        .refresh(TODAY)
    )
    return build


def test_stats_for_a_quarter_by_hand(town: Builder, engine: Engine) -> None:
    with engine.connect() as conn:
        result = stats_json(stats_of(conn, D(2025, 1, 1), D(2025, 3, 31), today=TODAY))
    units = {row["unit_id"]: row for row in result["units"]}
    assert set(units) == {"E1", "E2", "E3"}
    assert set(units["E1"]) == ROW_KEYS
    lia = units["E1"]
    assert lia["headcount"] == 2
    assert lia["possible_workdays"] == pytest.approx(1.5 * 63)
    assert lia["fte"] == pytest.approx(1.5)
    assert lia["lost_workdays"] == pytest.approx(20 + 0.5 * 0.5 * 21)
    assert lia["sick_leave_pct"] == pytest.approx(25.25 / 94.5 * 100)
    assert lia["self_certified_pct"] == 0.0
    assert lia["doctor_certified_pct"] == pytest.approx(lia["sick_leave_pct"])
    assert lia["long_term_pct"] == pytest.approx(lia["sick_leave_pct"])
    assert lia["graded_share_pct"] == pytest.approx(5.25 / 25.25 * 100)
    berg = units["E2"]
    assert berg["lost_workdays"] == pytest.approx(2.0)
    assert berg["self_certified_pct"] == pytest.approx(2 / 63 * 100)
    assert berg["short_term_pct"] == pytest.approx(2 / 63 * 100)
    assert berg["graded_share_pct"] == 0.0
    empty = units["E3"]
    assert empty["sick_leave_pct"] is None and empty["headcount"] == 0
    total = result["total"]
    assert total["unit_id"] is None and total["name"] is None
    assert total["headcount"] == 3
    assert total["sick_leave_pct"] == pytest.approx(27.25 / 157.5 * 100)
    assert result["from"] == "2025-01-01" and result["to"] == "2025-03-31"


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (D(2025, 1, 1), D(2025, 3, 31), None),  # a quarter
        (D(2025, 1, 1), D(2026, 10, 31), None),  # months up to the last before today's
        (D(2025, 3, 1), D(2025, 3, 31), "E1"),  # a month of one unit
    ],
)
def test_stats_of_whole_months_come_from_the_monthly_figures_as_from_the_spells(
    town: Builder, engine: Engine, start: dt.date, end: dt.date, code: str | None
) -> None:
    with engine.connect() as conn:
        stored = stats_json(stats_of(conn, start, end, code, today=TODAY))
    with engine.begin() as conn:
        conn.execute(delete(UnitMonthFigure))  # the figures reach nowhere: from the spells
    with engine.connect() as conn:
        computed = stats_json(stats_of(conn, start, end, code, today=TODAY))
    assert stored.keys() == computed.keys()
    for ours, theirs in zip(
        [*stored["units"], stored["total"]], [*computed["units"], computed["total"]], strict=True
    ):
        # The same days summed in another order: equal to the last bits of a double.
        assert ours == pytest.approx(theirs, rel=1e-12)


def test_stats_read_the_stored_figures_where_they_answer(town: Builder, engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(UnitMonthFigure).values(lost=UnitMonthFigure.lost * 2))
    with engine.connect() as conn:
        quarter = stats_json(stats_of(conn, D(2025, 1, 1), D(2025, 3, 31), today=TODAY))
        days = stats_json(stats_of(conn, D(2025, 1, 1), D(2025, 3, 30), today=TODAY))
        earlier = stats_json(stats_of(conn, D(2025, 1, 1), D(2025, 3, 31), today=TODAY - DAY))
    lia = 20 + 0.5 * 0.5 * 21

    def lost(document: dict[str, Any]) -> float:
        (row,) = [row for row in document["units"] if row["unit_id"] == "E1"]
        return float(row["lost_workdays"])

    assert lost(quarter) == pytest.approx(2 * lia)
    # Not whole months (Monday 31 March left out), or figures computed for another day: from
    # the spells.
    assert lost(days) == pytest.approx(lia - 0.5 * 0.5)
    assert lost(earlier) == pytest.approx(lia)


def test_groups_from_the_monthly_figures_match_a_direct_count(
    town: Builder, engine: Engine
) -> None:
    as_of = D(2025, 10, 1)  # 8 quarters: 2023Q4 to 2025Q3
    with engine.connect() as conn:
        frame = groups_of(conn, as_of).set_index("code")
        direct = stats_of(conn, D(2023, 10, 1), D(2025, 9, 30), today=TODAY)
    for row in direct.units:
        expected = row.figures.sick_leave_pct
        got = frame.loc[row.code, "avg_2y_pct"]
        assert (expected is None and got != got) or got == pytest.approx(expected)
    workdays = default_calendar().count(D(2023, 10, 1), D(2025, 9, 30))
    assert frame.loc["E1", "avg_2y_pct"] == pytest.approx(25.25 / (1.5 * workdays) * 100)
    assert frame.loc["E1", "headcount"] == 2
    assert frame.loc["E1", "target_group"] == 3


def test_ongoing_cases_with_milestones(town: Builder, engine: Engine) -> None:
    with engine.connect() as conn:
        january = ongoing_cases_of(conn, D(2025, 1, 20))
        now = ongoing_cases_of(conn, TODAY)
    assert [case.employee_number for case in january] == ["1001"]
    (kari,) = january
    assert kari.sick_days == 26 and kari.long_term
    assert kari.unit_code == "E1"
    (ola,) = now
    assert ola.employee_number == "1002"
    assert ola.end is None  # open-ended
    assert ola.sick_days == 23  # 2 to 24 November 2026


def test_unit_list_compares_the_baseline_with_the_same_season(
    build: Builder, engine: Engine
) -> None:
    (
        build.unit(1, "E1", "Lia", project_joined_on=D(2024, 10, 1), baseline_quarter="2024Q3")
        .employee(1, "1")
        .employment(1, 1, 100.0, D(2020, 1, 1))
        .spell(1, D(2024, 7, 1), D(2024, 7, 5))  # 5 workdays in 2024Q3
        .spell(1, D(2025, 7, 1), D(2025, 7, 2))  # 2 workdays in 2025Q3
        .refresh(TODAY)
    )
    cal = default_calendar()
    with engine.connect() as conn:
        row = unit_frame(conn, D(2025, 11, 1)).iloc[0]
    assert row["baseline_pct"] == pytest.approx(5 / cal.count(D(2024, 7, 1), D(2024, 9, 30)) * 100)
    assert row["compare_quarter"] == "2025Q3"
    assert row["compare_pct"] == pytest.approx(2 / cal.count(D(2025, 7, 1), D(2025, 9, 30)) * 100)
    assert row["change_pp"] == pytest.approx(row["compare_pct"] - row["baseline_pct"])


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_command_line_json_contract(
    town: Builder, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = db_url
    document = run_json(capsys, "stats", "--db", db, "--from", "01.01.2025", "--to", "2025-03-31")
    assert set(document) == {"from", "to", "units", "total"}
    assert document["total"]["lost_workdays"] == pytest.approx(27.25)
    one = run_json(capsys, "stats", "--db", db, "--from", "2025-01-01", "--to", "2025-03-31",
                   "--unit", "E2")  # fmt: skip
    assert [u["unit_id"] for u in one["units"]] == ["E2"]

    groups_doc = run_json(capsys, "groups", "--db", db, "--as-of", "2025-10-01")
    assert groups_doc["as_of"] == "2025-10-01"
    assert set(groups_doc["units"][0]) == {
        "unit_id",
        "name",
        "headcount",
        "avg_2y_pct",
        "target_group",
    }

    cases_doc = run_json(capsys, "cases", "--db", db, "--as-of", "2025-01-20")
    (case,) = cases_doc["cases"]
    assert case == {
        "employee_id": "1001",
        "unit_id": "E1",
        "start": "2025-01-06",
        "end": "2025-01-31",
        "sick_days": 26,
        "ongoing": True,
        "long_term": True,
        "milestones": {
            "employer_period_end": "2025-01-21",
            "followup_plan": "2025-02-02",
            "dialogue_meeting_1": "2025-02-23",
            "activity_requirement": "2025-03-02",
            "dialogue_meeting_2": "2025-07-06",
            "week_39": "2025-10-05",
            "max_date": "2026-01-04",
        },
    }


def test_savings_of_the_project(capsys: pytest.CaptureFixture[str]) -> None:
    document = run_json(capsys, "savings", "--reduction-pp", "0,8", "--fte", "15000")
    assert document == {
        "reduction_pp": 0.8,
        "fte": 15000.0,
        "cost_per_day": 4200.0,
        "workdays": 230.0,
        "saved_fte": pytest.approx(120.0),
        "cost_per_fte": 966000.0,
        "savings_nok": pytest.approx(115_920_000.0),
    }
    assert main(["savings", "--reduction-pp", "0,8", "--fte", "15000"]) == 0
    assert "115\u00a0920\u00a0000\u00a0kr" in capsys.readouterr().out


def test_unknown_unit_and_bad_dates_are_refused_in_norwegian(
    town: Builder, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = db_url
    code = main(["stats", "--db", db, "--from", "2025-01-01", "--to", "2025-03-31",
                 "--unit", "X9"])  # fmt: skip
    assert code == 2
    assert "Fant ingen enhet med enhet_id 'X9'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["stats", "--db", db, "--from", "31.02.2025", "--to", "2025-03-31"])
    assert stop.value.code == 2
    assert "ikke en gyldig dato" in capsys.readouterr().err
