"""A file that is no usable database, a full disk, a read-only or locked file: each is told for
what it is, in Norwegian, with what to do; exit 2, and nothing is written."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from storage.maintenance import backup
from storage.paths import backup_dir
from tests.conftest import Builder
from tests.storage.test_maintenance import damage
from tests.tui.conftest import TODAY, db_path, settle
from tui.app import NaervaerApp
from tui.cli import main
from tui.errors import describe

STATS = ["stats", "--from", "01.01.2026", "--to", "31.01.2026"]


@pytest.fixture
def database(build: Builder, engine: Engine) -> Path:
    """A real database of several pages, closed (its WAL folded in), with one backup."""
    build.unit(1, "K1", "Filheim")
    for person in range(1, 40):
        build.employee(person, f"5000{person:02}", f"Person {person}")
        build.employment(person, 1, 100.0, dt.date(2020, 1, 1))
    build.refresh(TODAY)
    engine.dispose()
    path = db_path(engine)
    backup(path)
    return path


def refused(args: list[str], path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """What `naervaer --db PATH ARGS` says, checking that it refused and wrote nothing."""
    before = sorted(p.name for p in path.parent.iterdir())
    content = path.read_bytes()
    assert main(["--db", str(path), *args]) == 2
    said = capsys.readouterr()
    assert said.out == ""
    assert path.read_bytes() == content
    assert sorted(p.name for p in path.parent.iterdir()) == before
    return said.err


@pytest.mark.parametrize(
    "args",
    [STATS, [], ["backup"], ["encrypt"], ["decrypt"]],
    ids=["stats", "app", "backup", "encrypt", "decrypt"],
)
def test_a_text_file_is_not_a_database(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    path = tmp_path / "notater.txt"
    path.write_text("Møtenotater fra mandag\n" * 40, encoding="utf-8")
    assert refused(args, path, capsys) == (
        f"naervaer: {path} er ikke en Nærvær-database (verken en SQLite-fil eller en kryptert "
        "database). Sjekk filnavnet, velg databasen med --db FIL, eller lag en ny med "
        "naervaer demo eller naervaer import.\n"
    )


@pytest.mark.parametrize("args", [STATS, []], ids=["stats", "app"])
def test_a_damaged_header_is_damage_not_encryption(
    args: list[str], database: Path, capsys: pytest.CaptureFixture[str]
):
    with database.open("r+b") as file:
        file.write(b"\x00" * 16)  # SQLite's magic string overwritten
    (newest,) = backup_dir(database).iterdir()
    said = refused(args, database, capsys)
    assert "kryptert" not in said
    assert said == (
        f"naervaer: Databasen {database} er skadet: starten av filen er overskrevet. "
        "Gjenopprett den fra den nyeste sikkerhetskopien: "
        f"naervaer --db {database} restore {newest}\n"
    )


def test_a_truncated_file_is_told_as_such(database: Path, capsys: pytest.CaptureFixture[str]):
    size = database.stat().st_size
    with database.open("r+b") as file:
        file.truncate(size // 2)
    said = refused(STATS, database, capsys)
    assert said.startswith(
        f"naervaer: Databasen {database} er avkortet: filen har {size // 2} byte, men skal ha "
        f"{size}. En kopiering eller lagring ble trolig avbrutt. Gjenopprett den fra den "
        "nyeste sikkerhetskopien:"
    )


@pytest.fixture
def rollback_journal(database: Path) -> Path:
    with closing(sqlite3.connect(database)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    return database


def test_a_locked_database_is_told_as_busy(
    rollback_journal: Path, capsys: pytest.CaptureFixture[str]
):
    # Another program writing, holding the file's lock (for longer than the 5 s waited).
    with closing(sqlite3.connect(rollback_journal, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        assert main(["--db", str(rollback_journal), *STATS]) == 2
        other.execute("ROLLBACK")
    assert capsys.readouterr().err == (
        f"naervaer: Databasen {rollback_journal} er opptatt: et annet program skriver i den. "
        "Vent litt og prøv igjen.\n"
    )


async def test_the_app_tells_a_locked_database_and_ends_with_2(rollback_journal: Path):
    with closing(sqlite3.connect(rollback_journal, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        app = NaervaerApp(rollback_journal, today=TODAY)
        async with app.run_test(size=(120, 40)):
            for _ in range(600):  # the app ends itself once SQLite has waited 5 s for the lock
                if app.failure is not None:
                    break
                await asyncio.sleep(0.05)
        other.execute("ROLLBACK")
    assert app.return_value == 2  # what run_app returns as the exit status
    assert app.failure == (
        f"Databasen {rollback_journal} er opptatt: et annet program skriver i den. "
        "Vent litt og prøv igjen."
    )


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "kladd.sqlite"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE t (x BLOB)")
    engine = create_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def failure(engine: Engine, *statements: str) -> OperationalError:
    with pytest.raises(OperationalError) as caught, engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    return caught.value


def test_a_full_disk_says_free_space(scratch: Engine):
    # SQLite's page limit gives the very error (SQLITE_FULL) a full disk gives.
    error = failure(
        scratch, "PRAGMA max_page_count = 3", "INSERT INTO t VALUES (randomblob(100000))"
    )
    assert describe(error) == (
        "Disken er full, så databasen kan ikke skrives. Frigjør plass og prøv igjen; det som "
        "ikke ble lagret, er ikke skrevet."
    )


def test_a_read_only_file_says_permissions(tmp_path: Path, scratch: Engine):
    path = tmp_path / "kladd.sqlite"
    read_only = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        error = failure(read_only, "INSERT INTO t VALUES (1)")
    finally:
        read_only.dispose()
    assert describe(error) == (
        "Databasen kan ikke skrives: du mangler tilgang til filen eller mappen den ligger i, "
        "eller den ligger på en skrivebeskyttet disk. Sjekk tilgangen, eller velg en annen "
        "database med --db FIL."
    )


async def test_the_app_says_when_the_day_s_backup_finds_the_database_damaged(
    unit: Builder, engine: Engine
):
    path = db_path(engine)
    engine.dispose()
    damage(path, "survey_scores")  # a table the start does not read: the app opens as usual
    told: list[tuple[str, str]] = []
    app = NaervaerApp(path, today=TODAY)
    app.notify = lambda text, **kw: told.append((text, kw.get("severity", "")))  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.is_running and app.failure is None  # the advisor can go on working
    (said,) = [(text, severity) for text, severity in told if "sikkerhetskopi" in text]
    assert said[1] == "error"
    assert said[0].startswith(f"Fikk ikke tatt dagens sikkerhetskopi. Databasen {path} er skadet (")
    assert said[0].endswith(
        "Ingen ny sikkerhetskopi er tatt, og de eldre er beholdt. Gjenopprett den fra en "
        f"sikkerhetskopi med naervaer --db {path} restore FIL (det er ingen i "
        f"{backup_dir(path)})."
    )
    assert list(backup_dir(path).iterdir()) == []


async def test_the_app_tells_a_damaged_database_at_its_start_and_ends_with_2(
    unit: Builder, engine: Engine
):
    path = db_path(engine)
    engine.dispose()
    good = backup(path)
    damage(path, "settings")  # read at the start, once the database is open
    app = NaervaerApp(path, today=TODAY)
    async with app.run_test(size=(120, 40)):
        for _ in range(400):
            if app.failure is not None:
                break
            await asyncio.sleep(0.05)
    assert app.return_value == 2
    assert app.failure == (
        f"Databasen {path} er skadet og kan ikke brukes slik den er. Gjenopprett den fra den "
        f"nyeste sikkerhetskopien: naervaer --db {path} restore {good}"
    )
