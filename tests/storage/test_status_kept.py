"""The stored status (storage.models.UnitStatus): written with the figures, kept in step with
every change it is computed from, and read by the status overview as one row per unit."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from storage.db import open_server, transaction
from storage.figures import refresh_figures
from storage.models import UnitStatus
from storage.repos import unit_status
from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from storage.usecases.maintenance import purge
from storage.usecases.project import join_project, leave_project
from storage.usecases.settings import change_setting, reset_setting
from storage.usecases.status import StatusReport, status_report, status_within
from storage.usecases.units import ensure_figures_current
from tests.conftest import Builder
from tests.storage.test_status import TODAY, build_scenario
from tests.team import Team

pytestmark = pytest.mark.both_backends

D = dt.date


def stored(engine: Engine) -> dict[int, dict[str, object]]:
    """The stored rows by unit id."""
    with engine.connect() as conn:
        rows = conn.execute(select(UnitStatus)).mappings().all()
    return {row["unit_id"]: dict(row) for row in rows}


def computed(engine: Engine, today: dt.date = TODAY) -> StatusReport:
    """The status computed from the figures, as without stored rows (rolled back after)."""
    with engine.connect() as conn, conn.begin() as outer:
        unit_status.clear(conn)
        report = status_within(conn, today)
        outer.rollback()
    return report


def assert_same(read: StatusReport, expected: StatusReport) -> None:
    pd.testing.assert_frame_equal(read.units, expected.units, check_exact=True, check_like=True)
    pd.testing.assert_frame_equal(read.totals, expected.totals, check_exact=True)
    assert read.chart == expected.chart
    assert (read.fte, read.data_fte) == (expected.fte, expected.data_fte)


@pytest.fixture
def kept(build: Builder, engine: Engine) -> Engine:
    """The scenario of test_status with its figures brought to TODAY by the app's start."""
    build_scenario(build, engine)
    with transaction(engine) as session:
        refresh_figures(session, TODAY - dt.timedelta(days=1))  # yesterday's: the start rebuilds
    assert ensure_figures_current(engine, TODAY)
    return engine


def test_the_figures_refresh_stores_every_units_status_as_computed(kept: Engine) -> None:
    rows = stored(kept)
    assert sorted(rows) == [1, 2, 3]
    assert rows[1]["project_joined_on"] == D(2024, 10, 1) and rows[1]["joined_group"] == 1
    assert rows[3]["project_joined_on"] is None and rows[3]["joined_group"] is None
    assert_same(status_report(kept, TODAY), computed(kept))


def test_a_unit_joining_and_leaving_is_in_its_stored_row(kept: Engine) -> None:
    join_project(kept, ["C3"], D(2025, 10, 1), "2025Q2")
    gamma = stored(kept)[3]
    assert (gamma["project_joined_on"], gamma["baseline_quarter"]) == (D(2025, 10, 1), "2025Q2")
    report = status_report(kept, TODAY)
    assert list(report.project_units()["code"]) == ["A1", "B2", "C3"]
    assert_same(report, computed(kept))

    leave_project(kept, ["A1"], D(2025, 11, 1))
    assert stored(kept)[1]["project_joined_on"] is None
    report = status_report(kept, TODAY)
    assert list(report.project_units()["code"]) == ["B2", "C3"]
    assert_same(report, computed(kept))


def test_a_setting_changed_or_reset_is_in_the_stored_rows(kept: Engine) -> None:
    before = stored(kept)[1]
    change_setting(kept, "goal_pp", 2.0)
    assert stored(kept)[1]["goal_days"] == pytest.approx(2 * before["goal_days"])
    change_setting(kept, "any_size_threshold_pct", 25.0)  # Alfa's 20 %: group 2 at joining
    assert stored(kept)[1]["joined_group"] == 2
    assert_same(status_report(kept, TODAY), computed(kept))

    reset_setting(kept, "any_size_threshold_pct")
    assert stored(kept)[1]["joined_group"] == 1
    assert_same(status_report(kept, TODAY), computed(kept))


def test_a_purge_leaves_the_stored_rows_of_the_units_kept(kept: Engine) -> None:
    purge(kept, unit_code="B2", today=TODAY)
    assert sorted(stored(kept)) == [1, 3]
    report = status_report(kept, TODAY)
    assert list(report.project_units()["code"]) == ["A1"]
    assert_same(report, computed(kept))


def test_a_measure_or_a_meeting_shows_at_once_beside_the_stored_rows(kept: Engine) -> None:
    """The measures and meetings are counted as the overview is read, not stored: an edit is
    in the next overview without a row to rewrite."""
    measure_cases.add_measure(kept, 3, "enhet", "Ny rutine", due_date=D(2025, 11, 20))
    session_id = sessions.start_session(kept, 3, "individuell_radgivning", D(2025, 11, 21))
    sessions.end_session(kept, session_id, "Holdt.")
    assert sorted(stored(kept)) == [1, 2, 3]  # read from the stored rows
    gamma = status_report(kept, TODAY).units.set_index("code").loc["C3"]
    assert (gamma["open_measures"], gamma["overdue_measures"]) == (1, 1)
    assert gamma["last_session"] == D(2025, 11, 21) and gamma["days_since_session"] == 3


def test_another_day_is_computed_not_read_from_the_stored_rows(kept: Engine) -> None:
    later = D(2026, 2, 2)  # the figures are for TODAY: the rows are not this day's
    assert_same(status_report(kept, later), computed(kept, later))
    assert status_report(kept, later).last_quarter == "2025Q4"


@pytest.mark.sqlite_only
def test_a_database_without_stored_rows_computes_the_status(kept: Engine) -> None:
    """A database upgraded to 0010 has none until its figures are next rebuilt."""
    expected = computed(kept)
    with transaction(kept) as session:
        unit_status.clear(session)
    assert stored(kept) == {}
    assert_same(status_report(kept, TODAY), expected)


def test_on_a_server_the_lead_and_every_advisor_keep_the_rows_in_step(crew: Team) -> None:
    """The lead's start and joining write the rows; an advisor, who may change the settings,
    rewrites them too; every advisor reads every unit's row (figures, no person)."""
    day = D(2025, 6, 30)
    owner = open_server(crew.url)
    # Both have worked there since 2020: the figures reach back as far as the status reads.
    for person in (1, 2):
        Builder(owner).employment(person, person, 100.0, D(2020, 1, 1), D(2024, 12, 31))
    leah, anne = crew.as_login(crew.leah), crew.as_login(crew.anne)
    assert ensure_figures_current(leah, day)
    assert sorted(stored(anne)) == [1, 2]
    join_project(leah, ["E2"], D(2025, 6, 2), "2025Q1")
    assert stored(anne)[2]["baseline_quarter"] == "2025Q1"

    change_setting(anne, "goal_pp", 2.0)
    assert stored(owner)[2]["goal_days"] is not None
    assert sorted(stored(owner)) == [1, 2]
    berg = status_report(anne, day).units.set_index("code").loc["E2"]
    assert berg["project"] and berg["baseline_quarter"] == "2025Q1"
    assert_same(status_report(anne, day), computed(owner, day))
    owner.dispose()
