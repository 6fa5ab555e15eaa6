"""A note typed for an employee whom another terminal purged meanwhile is not shown as saved."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from sqlalchemy import Engine
from textual.widgets import TextArea

from storage.usecases import sessions
from tests.conftest import Builder
from tests.tui.conftest import TODAY, UNIT, db_path, settle
from tests.tui.test_review import open_review
from tui.app import NaervaerApp


def purge(path: Path, number: str) -> None:
    """`naervaer purge --employee` from another terminal, as the advisor's colleague would."""
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(path), "purge", "--employee", number],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


async def test_a_note_for_an_employee_purged_meanwhile_says_it_was_not_saved(
    unit: Builder, engine: Engine
):
    session_id = sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)
    path = db_path(engine)
    told: list[tuple[str, str]] = []
    app = NaervaerApp(path, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot, session_id)
        screen.notify = lambda text, **kw: told.append((text, kw["severity"]))  # type: ignore[method-assign]
        note = screen.query_one("#review-note", TextArea)
        first = screen.details[0]
        await pilot.press("e", *"Først")
        await pilot.pause(0.8)  # longer than the pause after which a note is saved
        await settle(app, pilot)
        assert note.border_subtitle == "lagret"

        purge(path, first.number)
        await pilot.press(*" og siden")
        await pilot.pause(0.8)
        await settle(app, pilot)

        assert told == [
            (
                "Notatet ble ikke lagret. Den ansatte finnes ikke lenger i databasen; "
                "vedkommende er slettet (naervaer purge) mens gjennomgangen var åpen.",
                "error",
            )
        ]
        assert first.employee_id not in screen.position  # read back: the person is gone
        assert screen.selected != first.employee_id
        assert note.border_subtitle != "lagret"
        assert "siden" not in note.text
        await pilot.pause(0.8)  # and it is not tried again at the next pause
        await settle(app, pilot)
        assert len(told) == 1
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM employee_reviews").fetchone() == (0,)
