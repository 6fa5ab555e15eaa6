"""Lederside: from the unit list and the unit overview (l), masked by default."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from tests.conftest import Builder
from tests.storage.test_leader_usecase import TODAY, build_leader
from tests.tui.conftest import db_path, drawn_rows, screen_text, settle
from tui.app import NaervaerApp
from tui.screens.leader import LeaderScreen
from tui.screens.unit import UnitScreen

NB = "\xa0"


@pytest.fixture
def leader(build: Builder) -> Engine:
    engine = build_leader(build)
    build.refresh(TODAY)
    return engine


async def test_the_leaders_units_cases_and_measures(leader: Engine) -> None:
    app = NaervaerApp(db_path(leader), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"Osp", "enter", "l")
        await settle(app, pilot)
        assert isinstance(app.screen, LeaderScreen) and app.screen.unit_id == 2
        text = screen_text(app).replace(NB, " ")
        assert "Leder: skjult · 2 enheter" in text
        assert "Eika (E1)  ·  siste møte 03.02.2025" in text
        assert "1 åpent fraværstilfelle · 2 forfalte oppfølgingspunkter" in text
        assert (
            "ansatt 1001: fra 06.01.2025, 55 dager · forfalt: Oppfølgingsplan (02.02.2025), "
            "Dialogmøte 1 (23.02.2025)"
        ) in text
        assert "Sparring med ansatt 1001 (Åpen, frist 01.04.2025)" in text
        assert "Osp (E2)  ·  siste møte ingen" in text
        assert "Ask" not in text and "Person1" not in text
        await pilot.press("m")
        await settle(app, pilot)
        text = screen_text(app).replace(NB, " ")
        assert "Leder: lise LUND" in text  # as Osp has it
        assert "Person1 Etternavn: fra 06.01.2025" in text


async def test_from_the_unit_overview(leader: Engine) -> None:
    app = NaervaerApp(db_path(leader), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"Eika", "enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)
        await pilot.press("l")
        await settle(app, pilot)
        assert isinstance(app.screen, LeaderScreen) and app.screen.unit_id == 1
        await pilot.press("escape")
        assert isinstance(app.screen, UnitScreen)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_leader_snapshot(snap_compare: Any, leader: Engine, size: tuple[int, int]) -> None:
    app = NaervaerApp(db_path(leader), today=TODAY)

    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)
        await app.push_screen(LeaderScreen(1))
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_a_long_line_goes_on_below_its_start(leader: Engine) -> None:
    app = NaervaerApp(db_path(leader), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(LeaderScreen(1))
        await settle(app, pilot)
        rows = [row.rstrip() for row in drawn_rows(app.screen.query_one("#leader-text"))]
    first = next(i for i, row in enumerate(rows) if "forfalt: Oppfølgingsplan" in row)
    assert rows[first].startswith("    ansatt 1001: fra 06.01.2025")
    assert rows[first + 1] == "    (02.02.2025), Dialogmøte 1 (23.02.2025)"
