"""Two instances on one file: a second window is refused politely; concurrent writers all land."""

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

from storage.usecases import sessions
from tests.conftest import Builder
from tests.tui.terminal import Terminal

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs a pty")

WRITES = 60
WRITERS = 3
# Each writer opens the file as the app does and writes notes, measures and factors in short
# transactions, all starting at the same moment.
WRITER = """
import sys, time
from pathlib import Path
from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from storage.db import open_database

path, tag, session_id, start = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
engine = open_database(path)
time.sleep(max(0.0, start - time.time()))
for k in range(int(sys.argv[5])):
    measure_cases.add_measure(engine, 1, "enhet", f"tiltak {tag}-{k}", session_id=session_id)
    sessions.set_review_note(engine, session_id, 1 + k % 4, f"notat {tag}-{k}")
    sessions.set_presence_factor(engine, 1, "styrke", 1 + k % 4, f"faktor {tag}-{k}")
engine.dispose()
"""


@pytest.fixture
def database(build: Builder, engine: Engine) -> tuple[Path, int]:
    build.unit(1, "K1", "Tobrukheim")
    for person in range(1, 5):
        build.employee(person, f"30000{person}", f"Person {person}")
        build.employment(person, 1, 100.0, dt.date(2020, 1, 1))
    build.refresh(dt.date.today())
    session_id = sessions.start_session(engine, 1, "statusmote", dt.date.today())
    engine.dispose()
    return Path(str(engine.url.database)), session_id


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_a_second_window_is_refused_politely_and_the_first_keeps_working(
    database: tuple[Path, int],
):
    path, _ = database
    env = dict(os.environ)
    first = Terminal(["--db", str(path)], env)
    assert first.wait_for("1 av 1 enhet", 30), first.text()[-2000:]

    second = Terminal(["--db", str(path)], env)
    assert second.close(timeout=30) == 2
    said = second.text().strip()
    assert said == (
        f"naervaer: Databasen {path} er allerede åpen i Nærvær, i et annet vindu eller en "
        "annen terminal. Bruk den, eller lukk den først."
    )

    first.send("\r")
    assert first.wait_for("Kvartaler", 20)
    mark = first.mark()
    first.send("s")  # the open status meeting: its agenda, then (no checklist) its review
    assert first.wait_for("videre til", 20, mark)
    mark = first.mark()
    first.send("n")
    assert first.wait_for("gjennomgått", 20, mark)
    first.send("e")
    time.sleep(0.2)
    first.send("etter avvisningen")
    time.sleep(1.0)
    first.send("\x11")  # Ctrl+Q
    assert first.close() == 0
    with closing(sqlite3.connect(path)) as conn:
        notes = [n for (n,) in conn.execute("SELECT note FROM employee_reviews")]
    assert "etter avvisningen" in notes
    assert integrity(path) == "ok"

    # Once the first has closed, the file is free again.
    third = Terminal(["--db", str(path)], env)
    assert third.wait_for("1 av 1 enhet", 30), third.text()[-2000:]
    third.send("\x11")
    assert third.close() == 0


def test_processes_writing_at_once_keep_every_write(database: tuple[Path, int]):
    path, session_id = database
    start = time.time() + 3.0  # after every writer has imported and opened the file
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, *map(str, (path, f"w{n}", session_id, start, WRITES))],
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[2],
        )
        for n in range(WRITERS)
    ]
    for writer in writers:
        _, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors
    with closing(sqlite3.connect(path)) as conn:
        measures = {t for (t,) in conn.execute("SELECT text FROM measures")}
        reviews = conn.execute("SELECT count(*) FROM employee_reviews").fetchone()[0]
        factors = conn.execute("SELECT count(*) FROM presence_factors").fetchone()[0]
    expected = {f"tiltak w{n}-{k}" for n in range(WRITERS) for k in range(WRITES)}
    assert measures == expected
    assert reviews == 4 and factors == 4  # one row each, whoever wrote last
    assert integrity(path) == "ok"
