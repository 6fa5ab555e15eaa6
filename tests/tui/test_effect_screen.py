"""Virkning av tiltak: from the unit overview (one unit) and the status overview (every unit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine
from textual.widgets import Static

from tests.conftest import Builder
from tests.storage.test_effect_usecase import build_units, measure
from tests.tui.conftest import db_path, screen_text, settle
from tui.app import NaervaerApp
from tui.screens.effect import EffectScreen
from tui.screens.status import StatusScreen
from tui.screens.unit import UnitScreen

AS_OF = dt.date(2025, 10, 15)  # 6 months and a fortnight after the measures were completed
NB = "\xa0"


@pytest.fixture
def measures(build: Builder) -> Engine:
    """Eika (5 people) and Bjørka (4) with the same measure completed 31.03.2025
    (tests/storage/test_effect_usecase.py), and at Eika one naming an employee."""
    engine = build_units(build)
    measure(
        build, 5, 1, "lederrolle", "Sparring med Person1 Etternavn", [(1, "apen"), (2, "fullfort")]
    )
    build.refresh(AS_OF)
    return engine


async def open_effect(app: NaervaerApp, pilot: Any, unit_code: str | None) -> EffectScreen:
    await settle(app, pilot)
    await app.push_screen(EffectScreen(unit_code, "Eika" if unit_code else None))
    await settle(app, pilot)
    assert isinstance(app.screen, EffectScreen)
    return app.screen


async def test_a_units_measures_before_and_after(measures: Engine) -> None:
    app = NaervaerApp(db_path(measures), today=AS_OF)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_effect(app, pilot, "E1")
        text = screen_text(app).replace(NB, " ")
        # Before: employee 1 off all of 2025 Q1, 1 of 5 = 20 %; 6 months after: employee 3 at
        # 50 %, 10 %; the same months a year earlier: employee 2, 20 %.
        assert "3 mnd før (01.01.2025–31.03.2025): 20,0 % (5 ansatte)" in text
        assert "6 mnd etter (01.04.2025–30.09.2025): 10,0 % (5 ansatte)" in text
        assert "samme måneder året før (01.04.2024–30.09.2024): 20,0 % (5 ansatte)" in text
        assert "forskjell: −10,0 p.p. mot året før, −10,0 p.p. mot 3 mnd før" in text
        assert "De sier ikke at en endring skyldes tiltaket" in text
        assert "Bjørka" not in text  # the other unit's measure is not this unit's
        # Masked by default: the employee named in the measure is a placeholder.
        assert "Person1" not in text and "ansatt 1001" in text
        await pilot.press("m")
        await settle(app, pilot)
        assert "Sparring med Person1 Etternavn" in screen_text(app).replace(NB, " ")
        await pilot.press("escape")
        assert not isinstance(app.screen, EffectScreen)


async def test_every_unit_and_the_kinds_for_the_status_meeting(measures: Engine) -> None:
    app = NaervaerApp(db_path(measures), today=AS_OF)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_effect(app, pilot, None)
        text = str(screen.query_one("#effect-text", Static).render()).replace(NB, " ")
        # The fagdag in two units, one comparable (Eika: −10 p.p.); Bjørka's 4 are too few.
        assert "Enhet: Holde fagdag om nærvær" in text
        assert "2 enheter · median −10,0 p.p. (av 1 tiltak)" in text
        assert "Lederrolle: Sparring med ansatt 1001" in text
        assert "1 enhet · median −10,0 p.p. (av 1 tiltak)" in text
        assert "Bjørka · Enhet: holde fagdag om Nærvær" in text
        assert "for få ansatte til å si noe" in text
        assert "1 fullført tiltak uten dato fra et møte er ikke med" in text


async def test_opened_from_the_unit_and_the_status_overview(measures: Engine) -> None:
    app = NaervaerApp(db_path(measures), today=AS_OF)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"Eika", "enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)
        await pilot.press("v")
        await settle(app, pilot)
        assert isinstance(app.screen, EffectScreen) and app.screen.unit_code == "E1"
        await pilot.press("escape")
        await app.push_screen(StatusScreen())
        await settle(app, pilot)
        await pilot.press("v")
        await settle(app, pilot)
        assert isinstance(app.screen, EffectScreen) and app.screen.unit_code is None


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_effect_snapshot(snap_compare: Any, measures: Engine, size: tuple[int, int]) -> None:
    app = NaervaerApp(db_path(measures), today=AS_OF)

    async def run_before(pilot: Any) -> None:
        await open_effect(app, pilot, "E1")

    assert snap_compare(app, terminal_size=size, run_before=run_before)
