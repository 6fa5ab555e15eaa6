"""The small dialogs ask before they keep what is probably a slip."""

from __future__ import annotations

from sqlalchemy import Engine
from textual.widgets import Input

from storage.repos import measures as measure_rows
from tests.conftest import Builder, read
from tests.tui.conftest import TODAY, UNIT, D, db_path, screen_text, settle
from tui.app import NaervaerApp
from tui.dialogs.forms import DateForm, MeasureDialog


async def test_a_due_date_in_the_past_is_kept_only_when_saved_twice(unit: Builder, engine: Engine):
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await app.push_screen(MeasureDialog(UNIT, None))
        await pilot.press(*"Felles rutine", "tab", "tab", *"01.11.2026", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MeasureDialog)  # still open, nothing stored
        assert "Fristen 01.11.2026 er passert" in screen_text(app)
        assert read(measure_rows.for_unit, engine, UNIT) == []

        due = app.screen.query_one("#due", Input)
        due.value = "02.11.2026"  # another past date is pointed out too
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Fristen 02.11.2026 er passert" in screen_text(app)
        await pilot.press("enter")  # the same date again: meant
        await settle(app, pilot)
        assert not isinstance(app.screen, MeasureDialog)
    (stored,) = read(measure_rows.for_unit, engine, UNIT)
    assert stored.due_date == D(2026, 11, 2)


async def test_a_new_due_date_today_or_later_is_taken_at_once(unit: Builder, engine: Engine):
    results: list[object] = []
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await app.push_screen(DateForm("Ny frist", None), results.append)
        await pilot.press(*"23.11.2026", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DateForm) and results == []
        app.screen.query_one(Input).value = "24.11.2026"
        await pilot.press("enter")
        await settle(app, pilot)
    assert results == [(D(2026, 11, 24),)]
