"""Unexpected errors: the log says where, never with what data; the user gets one Norwegian line."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage.paths import log_file
from storage.usecases import sessions
from tests.conftest import Builder
from tests.tui.conftest import NAMES, TODAY, UNIT, db_path, screen_text, settle
from tests.tui.terminal import Terminal
from tui import cli
from tui.app import NaervaerApp
from tui.screens.review import ReviewScreen
from tui.screens.units import UnitsScreen

NAME = NAMES[1]
SHORT = re.compile(r"Noe gikk galt \((\w+)\)\. Detaljer er skrevet til (\S+)\.")
# A bug that meets personal data: parsing a name as a number puts the name in the message.
FAULT = """
import sqlite3, sys

from tui.screens.units import UnitsScreen


def show_reason(self):
    with sqlite3.connect(sys.argv[2]) as conn:
        name = conn.execute("SELECT name FROM employees WHERE id = 1").fetchone()[0]
    int(name)


UnitsScreen.show_reason = show_reason
from tui.cli import main

sys.exit(main())
"""


def read_name_as_number(engine: Engine) -> None:
    with closing(sqlite3.connect(db_path(engine))) as conn:
        name = conn.execute("SELECT name FROM employees WHERE id = 1").fetchone()[0]
    # ValueError: invalid literal for int() with base 10: '<the name>'
    int(name)


def assert_logged_without_data(error_type: str, where: str) -> None:
    log = log_file().read_text(encoding="utf-8")
    assert error_type in log and where in log, log
    for secret in (*NAME.split(), "invalid literal"):
        assert secret not in log, f"{secret!r} in the log:\n{log}"


async def test_an_error_in_a_screen_is_one_line_and_logged_without_names(
    unit: Builder, engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(UnitsScreen, "show_reason", lambda _: read_name_as_number(engine))
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)):
        for _ in range(200):  # the app ends itself once the list is shown
            if app.failure is not None:
                break
            # Not pilot.pause: it waits on a screen that may be closing under it.
            await asyncio.sleep(0.05)
    assert app.failure is not None and "\n" not in app.failure
    shown = SHORT.fullmatch(app.failure)
    assert shown is not None and shown[1] == "ValueError", app.failure
    assert Path(shown[2]) == log_file()
    assert_logged_without_data("ValueError", "read_name_as_number")


async def test_a_failed_save_is_told_and_the_app_goes_on(
    unit: Builder, engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    def broken_save(*_: object, **__: object) -> None:
        raise RuntimeError(f"kunne ikke lagre notatet om {NAME}")

    monkeypatch.setattr(sessions, "set_review_note", broken_save)
    session_id = sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(app, pilot)
        await app.push_screen(ReviewScreen(session_id, UNIT))
        await settle(app, pilot)
        await pilot.press("e", *"hei", "escape")
        await settle(app, pilot)
        shown = " ".join(screen_text(app).replace("▌", " ").split())
        assert app.is_running and app.failure is None
        assert "Notatet ble ikke lagret. Noe gikk galt (RuntimeError)." in shown, shown
        assert not any(part in shown for part in NAME.split())
    # Still unsaved when the app quit: tried once more on the way out, and said.
    assert app.failure is not None and app.failure.startswith("Notatet ble ikke lagret.")
    assert_logged_without_data("RuntimeError", "broken_save")


def test_a_command_that_fails_prints_one_line(
    unit: Builder,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    monkeypatch.setattr("storage.usecases.reports.stats", lambda *_: read_name_as_number(engine))
    args = ["stats", "--db", str(db_path(engine)), "--from", "01.01.2026", "--to", "30.06.2026"]
    assert cli.main(args) == cli.EXIT_FAILED
    said = capsys.readouterr()
    assert said.out == ""
    assert SHORT.fullmatch(said.err.removeprefix("naervaer: ").rstrip("\n")), said.err
    assert_logged_without_data("ValueError", "read_name_as_number")


@pytest.mark.skipif(os.name != "posix", reason="needs a pty")
def test_the_real_app_shows_no_traceback_and_no_name(unit: Builder, engine: Engine):
    path = db_path(engine)
    engine.dispose()
    term = Terminal(["--db", str(path)], dict(os.environ), entry=("-c", FAULT))
    assert term.close(timeout=60) == 1
    out = term.text()
    assert "Traceback" not in out and "invalid literal" not in out
    assert not any(part in out for part in NAME.split())
    # The last thing printed, once the app has left the screen: one line.
    said = out[out.rindex("naervaer: ") :].strip()
    assert SHORT.fullmatch(said.removeprefix("naervaer: ")), said
    assert_logged_without_data("ValueError", "show_reason")
