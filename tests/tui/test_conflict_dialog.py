"""Another advisor changed what this one is editing: the dialog shows both values in Norwegian,
the advisor keeps theirs or takes the other's, a note can be merged; nothing is lost."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from textual.widgets import DataTable, Static, TextArea

from core.conflicts import EditConflict
from storage.repos import measures as measure_rows
from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from storage.usecases.settings import change_setting
from tests.conftest import Builder, read
from tests.tui.conftest import TODAY, UNIT, D, db_path, settle
from tests.tui.test_snapshots import SMALL, snapshot_of
from tui.app import NaervaerApp
from tui.dialogs.conflict import ConflictDialog
from tui.screens.history import HistoryScreen
from tui.screens.measures import MeasuresScreen
from tui.screens.summary import SummaryScreen
from tui.widgets.autosave import AutosaveTextArea

DEC_20 = D(2026, 12, 20)
JAN_15 = D(2027, 1, 15)


@pytest.fixture
def oslo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The clock the advisors read, whatever the machine's: 09.42 UTC is 10.42 in Oslo."""
    monkeypatch.setenv("TZ", "Europe/Oslo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def per_writes(engine: Engine) -> None:
    """From here on the other advisor, Per, writes (on a file: the settings' name)."""
    change_setting(engine, "advisor_name", "Per")


def due_dates(engine: Engine) -> dict[int, dt.date | None]:
    return {m.id: m.due_date for m in read(measure_rows.for_unit, engine, UNIT)}


@pytest.mark.parametrize(("key", "kept"), [("ctrl+s", DEC_20), ("escape", JAN_15)])
async def test_a_due_date_changed_meanwhile_shows_both_and_the_advisor_chooses(
    unit: Builder, engine: Engine, key: str, kept: dt.date
):
    mid = measure_cases.add_measure(engine, UNIT, "enhet", "Felles rutine", due_date=DEC_20)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await app.push_screen(MeasuresScreen(UNIT, None))
        await settle(app, pilot)
        # Per moves the date while the list is open here.
        per_writes(engine)
        measure_cases.update_measure(engine, mid, due_date=JAN_15, base=1)

        await pilot.press("d", "ctrl+u", *"20.12.2026", "enter")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ConflictDialog)
        line = str(dialog.query_one("#conflict-line", Static).render())
        # The app's today is not the clock's: the day is said with the time.
        when = r"\d\d\.\d\d\.\d{4} kl\. \d\d\.\d\d"
        assert re.fullmatch(f"Endret av Per {when}: frist 15.01.2027 — din: 20.12.2026", line)
        assert due_dates(engine) == {mid: JAN_15}  # nothing written before the choice

        await pilot.press(key)
        await settle(app, pilot)
        assert isinstance(app.screen, MeasuresScreen)
    assert due_dates(engine) == {mid: kept}


async def test_a_note_written_meanwhile_is_not_overwritten_and_can_be_merged(
    unit: Builder, engine: Engine
):
    session_id = sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await app.push_screen(SummaryScreen(session_id, UNIT))
        await settle(app, pilot)
        per_writes(engine)
        sessions.set_session_note(engine, session_id, "Turnus og vikarer", base=1)

        await pilot.press("e", *"Sykefravær i desember")
        app.screen.query_one(AutosaveTextArea).flush()
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ConflictDialog)
        theirs = str(dialog.query_one("#conflict-theirs", Static).render())
        assert theirs == "Turnus og vikarer"
        assert sessions.session_info(engine, session_id).note == "Turnus og vikarer"

        merged = dialog.query_one("#conflict-yours", TextArea)
        assert merged.text == "Sykefravær i desember"
        merged.load_text("Turnus og vikarer. Sykefravær i desember")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        shown = app.screen.query_one(AutosaveTextArea).text
        assert shown == "Turnus og vikarer. Sykefravær i desember"
    assert sessions.session_info(engine, session_id).note == shown


async def test_the_history_says_who_changed_the_status_and_due_date_and_when(
    unit: Builder, engine: Engine
):
    mid = measure_cases.add_measure(engine, UNIT, "enhet", "Felles rutine", due_date=DEC_20)
    per_writes(engine)
    measure_cases.update_measure(engine, mid, due_date=JAN_15, status="pagar")
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await app.push_screen(MeasuresScreen(UNIT, None))
        await settle(app, pilot)
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one("#changes", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
    when = r"\d\d\.\d\d\.\d{4} kl\. \d\d\.\d\d"
    assert [row[1:] for row in rows] == [
        ["Per", "frist 20.12.2026 → 15.01.2027"],
        ["Per", "status åpen → pågår"],
    ]
    assert all(re.fullmatch(when, row[0]) for row in rows)


def conflict_dialog(conflict: EditConflict) -> Any:
    async def push(pilot: Any) -> None:
        await pilot.app.push_screen(ConflictDialog(conflict))

    return push


def test_snapshot_due_date_conflict(
    snap_compare: Any, unit: Builder, engine: Engine, oslo: None
) -> None:
    at = dt.datetime(2026, 11, 24, 9, 42)  # UTC
    conflict = EditConflict("due_date", JAN_15, DEC_20, "Per", at, 2)
    assert snapshot_of(snap_compare, engine, conflict_dialog(conflict))


def test_snapshot_note_conflict_80x24(
    snap_compare: Any, unit: Builder, engine: Engine, oslo: None
) -> None:
    at = dt.datetime(2026, 11, 24, 9, 42)
    conflict = EditConflict("note", "Turnus og vikarer", "Sykefravær i desember", "Per", at, 3)
    assert snapshot_of(snap_compare, engine, conflict_dialog(conflict), size=SMALL)
