"""SVG snapshots of the status screen at 120×40 and 80×24, on the screens' small unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine

from storage.usecases import measures as measure_cases
from storage.usecases.project import join_project
from tests.conftest import Builder
from tests.tui.conftest import TODAY, UNIT, db_path, settle
from tui.app import NaervaerApp
from tui.screens.status import StatusScreen

SIZE = (120, 40)


@pytest.fixture
def project(unit: Builder, engine: Engine) -> Engine:
    """Both units of the `unit` fixture in the project since 1 October 2025, with a measure.

    Berg skole's one employee was 20 % sick (graded) for the two years before: target group 1.
    """
    unit.spell(9, dt.date(2023, 10, 1), dt.date(2025, 9, 30), grade=20.0).refresh(TODAY)
    join_project(engine, ["E1", "E2"], dt.date(2025, 10, 1), "2025Q3")
    measure_cases.add_measure(engine, UNIT, "enhet", "Felles rutine for fraværssamtaler",
                         due_date=TODAY.replace(month=10))  # fmt: skip
    return engine


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["120x40", "80x24"])
def test_status(snap_compare: Any, project: Engine, size: tuple[int, int]) -> None:
    """At 80×24 the project's figures stay above the table (the chart on c), every filter too."""
    app = NaervaerApp(db_path(project), today=TODAY)

    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)
        await app.push_screen(StatusScreen())
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
