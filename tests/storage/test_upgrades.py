"""A database from every released schema upgrades keeping every row; a newer one is refused."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory

from core.project import Membership
from storage.db import MIGRATIONS, SCHEMA_REVISION, DatabaseError, open_database
from storage.repos import measures as measure_rows
from storage.repos.project import memberships
from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from tests.conftest import read
from tui.cli import EXIT_REJECTED, main

FIXTURES = Path(__file__).parent / "fixtures"
SCRIPTS = ScriptDirectory(str(MIGRATIONS))
Rows = dict[str, list[dict[str, Any]]]


def table_rows(path: Path) -> Rows:
    with closing(sqlite3.connect(path)) as conn:
        conn.row_factory = sqlite3.Row
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
            )
        ]
        return {t: [dict(r) for r in conn.execute(f'SELECT * FROM "{t}"')] for t in tables}


def revision(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def test_every_schema_has_a_fixture():
    """A new migration comes with a fixture made by its release (see fixtures/make_schema_*)."""
    made = {p.name for p in FIXTURES.glob("schema_*.sqlite")}
    assert {f"schema_{s.revision}.sqlite" for s in SCRIPTS.walk_revisions()} <= made


def test_the_revision_the_app_opens_without_alembic_is_the_newest_migration():
    """A stale constant would skip a new migration on every database already at the old head."""
    assert SCRIPTS.get_current_head() == SCHEMA_REVISION


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("schema_*.sqlite")), ids=lambda p: p.stem)
def test_a_database_from_each_release_upgrades_with_every_row(fixture: Path, tmp_path: Path):
    path = tmp_path / "naervaer.sqlite"
    shutil.copy(fixture, path)
    before = table_rows(path)
    assert before and all(before.values()), "the fixture must have rows in every table"
    from_revision = revision(path)

    engine = open_database(path)
    # The app reads the old rows through today's models.
    assert [m.text for m in read(measure_rows.for_unit, engine, 1)] == [
        "Felles rutine for fraværssamtaler",
        "Gradert arbeid",
    ]
    assert sessions.session_summary(engine, 2).unit_name == "Lia sykehjem"
    engine.dispose()

    after = table_rows(path)
    assert revision(path) == SCRIPTS.get_current_head()
    for table, rows in before.items():
        # The columns kept: a column added since (a version, say) is not compared.
        kept_columns = (set(after[table][0]) if after[table] else set(rows[0])) & set(rows[0])
        now = [{c: row[c] for c in kept_columns} for row in after[table]]
        for row in rows:
            assert {c: row[c] for c in kept_columns} in now, (table, row)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copies = list(tmp_path.glob(f"{path.name}.før-oppgradering-{from_revision}-*"))
    assert len(copies) == (0 if from_revision == SCRIPTS.get_current_head() else 1)


def test_a_database_from_a_newer_version_is_refused_and_left_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    path = tmp_path / "naervaer.sqlite"
    open_database(path).dispose()
    with closing(sqlite3.connect(path)) as conn:
        # What a later Nærvær might have done: a revision this one has never heard of, and a
        # table of its own.
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
        conn.execute("CREATE TABLE future_things (id INTEGER PRIMARY KEY, note TEXT)")
        conn.execute("INSERT INTO future_things VALUES (1, 'kept')")
        conn.commit()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    with pytest.raises(DatabaseError, match=r"nyere versjon av Nærvær.*filen er ikke endret"):
        open_database(path)
    assert main(["groups", "--db", str(path), "--as-of", "01.01.2026"]) == EXIT_REJECTED
    assert "nyere versjon av Nærvær" in capsys.readouterr().err

    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before
    assert revision(path) == "0099_from_the_future"


def test_a_unit_in_the_project_before_memberships_had_history_stays_in_it(tmp_path: Path):
    """Schema 0001 kept one period on the unit; 0002 moves it to a period of its own."""
    path = tmp_path / "naervaer.sqlite"
    shutil.copy(FIXTURES / "schema_0001.sqlite", path)
    engine = open_database(path)
    with engine.connect() as conn:
        held = memberships(conn)
    engine.dispose()
    assert held == {1: [Membership(dt.date(2024, 10, 1), "2024Q3")]}  # Lia; Berg never joined


def test_a_measure_in_a_database_from_before_0003_can_be_cancelled_outside_a_meeting(
    tmp_path: Path,
):
    """Schema 0002 kept history only per meeting; 0003 lets a record stand outside any."""
    path = tmp_path / "naervaer.sqlite"
    shutil.copy(FIXTURES / "schema_0002.sqlite", path)
    engine = open_database(path)
    sessions.end_session(engine, 2, "Møtet er holdt")  # the fixture's meeting still open
    assert sessions.unit_meetings(engine, 1).open is None
    measure_cases.cancel_measure(engine, 2, "Den ansatte har sluttet")
    history = measure_cases.measure_history(engine, 2)
    engine.dispose()
    assert [(h.session_id, h.session_type, h.status, h.comment) for h in history] == [
        (None, None, "avbrutt", "Avbrutt: Den ansatte har sluttet")
    ]
