"""The command palette speaks Norwegian: its field, its commands and its empty answer."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.conftest import Builder
from tests.tui.conftest import TODAY, db_path, screen_text, settle
from tui.app import NaervaerApp

ENGLISH = ("Search for commands", "No matches found", "Theme", "Quit", "Keys", "Screenshot")


async def test_the_palette_is_norwegian_and_says_when_nothing_matches(
    unit: Builder, engine: Engine
):
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await settle(app, pilot)
        shown = screen_text(app)
        assert "Søk etter kommandoer" in shown
        assert "Skjul/vis navn" in shown
        assert not [word for word in ENGLISH if word in shown]

        await pilot.press(*"avsl")
        await pilot.pause(0.3)
        await settle(app, pilot)
        assert "Avslutt" in screen_text(app)

        await pilot.press(*"xyzzy")
        await pilot.pause(0.8)
        await settle(app, pilot)
        shown = screen_text(app)
        assert "Ingen treff" in shown
        assert not [word for word in ENGLISH if word in shown]


async def test_the_palette_finds_the_exports(unit: Builder, engine: Engine):
    """«rapport» and «eksport» find the status report from anywhere; it opens the status first."""
    from tui.dialogs.export import ExportDialog
    from tui.screens.status import StatusScreen

    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for query in ("eksport", "rapport"):
            await pilot.press("ctrl+p", *query)
            await pilot.pause(0.5)
            await settle(app, pilot)
            assert "Eksporter statusrapport" in screen_text(app), query
            await pilot.press("escape")
            await settle(app, pilot)
        await pilot.press("ctrl+p", *"statusrapport")
        await pilot.pause(0.5)
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ExportDialog)
        assert isinstance(app.screen_stack[-2], StatusScreen)


async def test_the_palette_asks_the_app_for_the_screens_and_the_names(
    unit: Builder, engine: Engine
):
    """Each command reaches the app as a message: the screen asked for opens, names show."""
    from tui.screens.help import HelpScreen
    from tui.screens.importing import ImportScreen
    from tui.screens.settings import SettingsScreen
    from tui.screens.status import StatusScreen

    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for query, screen in (
            ("hjelp", HelpScreen),
            ("statusoversikt", StatusScreen),
            ("importer", ImportScreen),
            ("innstillinger", SettingsScreen),
        ):
            await pilot.press("ctrl+p", *query)
            await pilot.pause(0.5)
            await settle(app, pilot)
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, screen), query
            await pilot.press("escape")
            await settle(app, pilot)
        assert app.masked
        await pilot.press("ctrl+p", *"skjul")
        await pilot.pause(0.5)
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert not app.masked


async def test_the_sessions_and_the_unit_report_are_offered_in_a_unit_only(
    unit: Builder, engine: Engine
):
    """The palette's commands are the screen's it was opened on (not the palette's own)."""
    from tui.navigation import OpenUnit
    from tui.screens.unit import UnitScreen

    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"start")
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert "Start statusmøte" not in screen_text(app)  # on the unit list
        await pilot.press("escape")
        app.post_message(OpenUnit(1))
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)
        await pilot.press("ctrl+p", *"start")
        await pilot.pause(0.5)
        await settle(app, pilot)
        shown = screen_text(app)
        assert "Start oppstartsmøte" in shown and "Start statusmøte" in shown
        await pilot.press("escape", "ctrl+p", *"enhetsrapport")
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert "Eksporter enhetsrapport" in screen_text(app)
