"""The real app with a command run beside it on the same file: what the app saved stays saved.

On POSIX, closing any descriptor of a file drops all of the process's locks on it. If the app
ever opened the database file by a descriptor of its own while connected (to read its header
for the day's backup, say), the next command to close its connection would take itself for the
last user, fold the WAL into the file and delete it, and the app would go on writing into the
deleted WAL: every note after that is lost when the app is killed.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import Builder
from tests.tui.terminal import Terminal

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs a pty and SIGKILL")

UNITS_SHOWN = "1 av 1 enhet"


@pytest.fixture
def database(build: Builder, engine: Engine) -> Path:
    build.unit(1, "K1", "Sidemannsheim")
    for person in range(1, 4):
        build.employee(person, f"40000{person}", f"Person {person}")
        build.employment(person, 1, 100.0, dt.date(2020, 1, 1))
    build.spell(1, dt.date.today() - dt.timedelta(days=30), None)
    build.refresh(dt.date.today())
    engine.dispose()  # the app is the only one with the file open
    return Path(str(engine.url.database))


def wait_until(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.05)
    return False


def type_note(term: Terminal, text: str) -> None:
    """Type `text` into the open note and wait until the note says it is saved."""
    mark = term.mark()
    term.send(text)
    assert term.wait_for("lagret", 20, mark), term.text(mark)[-2000:]


def naervaer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
        timeout=120,
    )


def test_a_command_beside_the_app_loses_nothing_the_app_saved(database: Path):
    backups = database.parent / "backups"
    assert not backups.exists()  # a fresh day: the app takes the day's backup at its start
    term = Terminal(["--db", str(database)], dict(os.environ))
    try:
        assert term.wait_for(UNITS_SHOWN, 30), term.text()[-2000:]
        assert wait_until(lambda: backups.is_dir() and any(backups.glob("auto-*.sqlite")), 30)
        term.send("\r")
        assert term.wait_for("Kvartaler", 20), term.text()[-2000:]
        mark = term.mark()
        term.send("i")  # a new session: its agenda, then its review
        assert term.wait_for("videre til", 20, mark), term.text(mark)[-2000:]
        mark = term.mark()
        term.send("n")
        assert term.wait_for("gjennomgått", 20, mark), term.text(mark)[-2000:]
        term.send("e")
        time.sleep(0.2)
        type_note(term, "første")

        today = f"{dt.date.today():%d.%m.%Y}"
        done = naervaer("--db", str(database), "stats", "--from", "01.01.2026", "--to", today)
        assert done.returncode == 0, done.stderr

        type_note(term, " andre")
        type_note(term, " tredje")
    finally:
        term.kill()
        term.close()

    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        notes = [note for (note,) in conn.execute("SELECT note FROM employee_reviews")]
    assert notes == ["første andre tredje"]
