"""Tests for backup, restore and purge, on real SQLite files."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, insert, select, text

from core.errors import InvalidInput
from storage.db import DatabaseError, in_sole_use, open_database, transaction
from storage.maintenance import (
    backup,
    check_database_file,
    clean_file,
    cutoff_date,
    daily_backup,
    restore,
)
from storage.models import (
    AbsenceSpell,
    Base,
    Employee,
    EmployeeReview,
    Employment,
    Measure,
    MeasureFollowUp,
    MilestoneDone,
    PresenceFactor,
    Session,
    SurveyScore,
    Unit,
    UnitMonthFigure,
)
from storage.paths import backup_dir
from storage.usecases.maintenance import purge, retention_reminder
from tests.conftest import Builder

TODAY = dt.date(2026, 6, 15)
pytestmark = pytest.mark.both_backends

NAME = "Zyxwvu Qwertyson"
NUMBER = "7391846205"
D = dt.date


def db_file(engine: Engine) -> Path:
    assert engine.url.database
    return Path(engine.url.database)


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, alembic's included."""
    with engine.connect() as conn:
        tables = [t.name for t in Base.metadata.sorted_tables] + ["alembic_version"]
        return {
            name: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {name}"))), key=repr)
            for name in tables
        }


def on_file(engine: Engine) -> bool:
    """Whether the database is a file, whose bytes a `grep` of the disk would see."""
    return engine.dialect.name == "sqlite"


def raw_bytes(path: Path) -> bytes:
    """The database file and its WAL, as a `grep` of the disk would see them."""
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(engine: Engine, model: type[Any]) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def add(engine: Engine, model: type[Any], *values: dict[str, Any]) -> None:
    with transaction(engine) as session:
        session.execute(insert(model), list(values))


@pytest.fixture
def world(engine: Engine, build: Builder) -> Engine:
    """Two units; the distinctive person works only in SOL, Per in both, Lise only in BHG."""
    build.unit(1, "SOL", "Solsiden sykehjem", leader="Siri Leder").unit(2, "BHG", "Bakken")
    build.employee(1, NUMBER, NAME).employee(2, "1002", "Per Hansen")
    build.employee(3, "2001", "Lise Annensted")
    build.employment(1, 1, 100, D(2020, 1, 1))
    build.employment(2, 1, 50, D(2021, 1, 1)).employment(2, 2, 50, D(2021, 1, 1))
    build.employment(3, 2, 100, D(2019, 1, 1))
    build.spell(1, D(2026, 3, 2), D(2026, 3, 20))  # no unit: every employment that day
    build.spell(1, D(2026, 4, 1), D(2026, 4, 3), kind="egenmelding", unit_id=1)
    build.spell(2, D(2026, 2, 2), D(2026, 2, 10))
    build.spell(2, D(2026, 5, 4), D(2026, 5, 6), kind="egenmelding", unit_id=1)
    build.spell(2, D(2026, 5, 11), D(2026, 5, 12), kind="egenmelding", unit_id=2)
    build.spell(3, D(2026, 1, 5), D(2026, 1, 9))
    session = {"session_type": "statusmote", "note": "Gjennomgang av sakene"}
    add(
        engine,
        Session,
        {"id": 1, "unit_id": 1, "held_on": D(2026, 5, 20), **session},
        {"id": 2, "unit_id": 2, "held_on": D(2026, 5, 21), **session},
    )
    add(
        engine,
        EmployeeReview,
        {"session_id": 1, "employee_id": 1, "reviewed": True, "note": "Gradert fra mai"},
        {"session_id": 1, "employee_id": 2, "reviewed": True, "note": ""},
        {"session_id": 2, "employee_id": 3, "reviewed": False, "note": ""},
    )
    add(
        engine,
        Measure,
        {"id": 1, "unit_id": 1, "level": "enkeltsak", "employee_id": 1, "text": "Tilrettelegge"},
        {"id": 2, "unit_id": 1, "level": "enhet", "employee_id": None, "text": "Nærværsdag"},
        {"id": 3, "unit_id": 2, "level": "enkeltsak", "employee_id": 2, "text": "Kortere vakter"},
    )
    add(
        engine,
        MeasureFollowUp,
        {"measure_id": 1, "session_id": 1, "status": "pagar", "comment": "Går bra"},
    )
    plan = {"milestone": "followup_plan", "session_id": 1}
    add(
        engine,
        MilestoneDone,
        {"employee_id": 1, "case_start": D(2026, 3, 2), "done_on": D(2026, 3, 25), **plan},
        {"employee_id": 2, "case_start": D(2026, 2, 2), "done_on": D(2026, 2, 20), **plan},
    )
    add(engine, SurveyScore, {"unit_id": 1, "survey": "ansatte", "factor": "Autonomi", "score": 4})
    add(engine, PresenceFactor, {"unit_id": 1, "kind": "styrke", "position": 1, "text": "Humor"})
    build.refresh(TODAY)
    return engine


# --- Backup ------------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_backup_holds_what_is_committed_while_others_write(world: Engine) -> None:
    path = db_file(world)
    with closing(sqlite3.connect(path)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO units (id, code, name) VALUES (7, 'NY', 'Ny enhet')")
        during = backup(world)  # does not wait for the writer (WAL)
        writer.commit()
    after = backup(world)
    with world.begin() as conn:  # the app's own engine in the middle of a transaction
        conn.execute(insert(Unit).values(id=8, code="APP", name="Ulagret"))
        inside = backup(world)

    assert rows(during, "SELECT code FROM units ORDER BY id") == [("SOL",), ("BHG",)]
    assert rows(after, "SELECT code FROM units ORDER BY id") == [("SOL",), ("BHG",), ("NY",)]
    assert rows(inside, "SELECT count(*) FROM units") == [(3,)]
    assert rows(after, f"SELECT name FROM employees WHERE number = '{NUMBER}'") == [(NAME,)]
    assert all(p.parent == path.parent / "backups" for p in (during, after, inside))
    assert re.fullmatch(r"naervaer-\d{8}-\d{6}(-\d+)?\.sqlite", during.name)
    assert len({during, after, inside}) == 3  # same second: numbered, never overwritten


@pytest.mark.sqlite_only
@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_backup_is_private_and_self_contained(world: Engine, tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # what most desktops use: files readable by everyone
    try:
        made = backup(world)
        chosen = backup(world, tmp_path / "kopi.sqlite")
    finally:
        os.umask(old_umask)

    assert made.parent.stat().st_mode & 0o777 == 0o700
    assert made.stat().st_mode & 0o777 == 0o600
    assert chosen.stat().st_mode & 0o777 == 0o600
    assert made.read_bytes()[18:20] == b"\x01\x01"  # rollback journal: no -wal to go with it
    assert sorted(p.name for p in made.parent.iterdir()) == [made.name]  # no temporary left
    with pytest.raises(DatabaseError, match="finnes allerede"):
        backup(world, chosen)


def test_backup_of_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="Finner ingen database"):
        backup(tmp_path / "borte.sqlite")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.sqlite_only
def test_daily_backup_once_a_day_keeping_the_newest(world: Engine) -> None:
    path = db_file(world)
    manual = backup(world)
    made = [daily_backup(path, keep=3, today=D(2026, 6, day)) for day in range(1, 6)]
    again = daily_backup(path, keep=3, today=D(2026, 6, 5))

    assert again is None
    assert all(p is not None for p in made)
    autos = sorted(p.name for p in manual.parent.glob("auto-*"))
    assert [name[:22] for name in autos] == [
        "auto-naervaer-20260603",
        "auto-naervaer-20260604",
        "auto-naervaer-20260605",
    ]
    assert manual.exists()  # only its own backups are ever deleted
    assert daily_backup(path.with_name("ingen.sqlite")) is None


@pytest.mark.sqlite_only
@pytest.mark.skipif(os.name != "posix", reason="POSIX advisory locks")
def test_a_backup_leaves_the_locks_of_the_open_database_alone(world: Engine) -> None:
    path = db_file(world)
    with world.connect() as conn:  # the engine keeps this connection open, as the app's does
        conn.exec_driver_sql("SELECT count(*) FROM units").one()
    other = "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('SELECT * FROM units')"
    for take in (backup, daily_backup):
        take(world)
        # Another process opens and closes the file. Had this one's locks been dropped (by a
        # descriptor of the file opened and closed beside the connection), that one would
        # take itself for the last user and delete the WAL this one still writes into.
        subprocess.run([sys.executable, "-c", other, str(path)], check=True)
        assert Path(f"{path}-wal").exists(), take.__name__


def damage(path: Path, table: str = "employees") -> None:
    """Garbage over the first page of `table`, as a failing disk or a stray write leaves it."""
    with closing(sqlite3.connect(path)) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * 64)


@pytest.fixture
def damaged(world: Engine, tmp_path: Path) -> Path:
    """A copy of the world with its own good backups (three days); then a page is damaged."""
    path = tmp_path / "skadet" / "naervaer.sqlite"
    path.parent.mkdir()
    backup(world, path)
    for day in (1, 2, 3):
        daily_backup(path, keep=3, today=D(2026, 6, day))
    damage(path)
    return path


@pytest.mark.sqlite_only
def test_a_damaged_database_is_not_backed_up_and_its_good_backups_stay(damaged: Path) -> None:
    folder = backup_dir(damaged)
    good = sorted(folder.iterdir())
    with pytest.raises(DatabaseError) as refused:
        daily_backup(damaged, keep=3, today=D(2026, 6, 4))
    with pytest.raises(DatabaseError):
        backup(damaged)

    assert sorted(folder.iterdir()) == good  # none added, none rotated out, no temporary left
    assert str(refused.value).startswith(f"Databasen {damaged} er skadet (")
    assert str(refused.value).endswith(
        "Ingen ny sikkerhetskopi er tatt, og de eldre er beholdt. Gjenopprett den fra den "
        f"nyeste sikkerhetskopien: naervaer --db {damaged} restore {good[-1]}"
    )


@pytest.mark.sqlite_only
def test_the_backup_command_refuses_a_damaged_database(
    damaged: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.cli import main

    newest = backup_dir(damaged) / sorted(p.name for p in backup_dir(damaged).iterdir())[-1]
    chosen = tmp_path / "kopi.sqlite"
    assert main(["--db", str(damaged), "backup", str(chosen)]) == 2
    said = capsys.readouterr()
    assert said.out == ""
    assert said.err.startswith(f"naervaer: Databasen {damaged} er skadet (")
    assert f"restore {newest}" in said.err
    assert not chosen.exists()
    assert not list(tmp_path.glob(".kopi.sqlite*"))  # no temporary left


# --- Check and restore -------------------------------------------------------------------------


def corrupt(path: Path) -> None:
    """Scribble over every page after the schema, as a failing disk might."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = bytes(range(256)) * ((len(data) - page) // 256)
    path.write_bytes(bytes(data))


def newer(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_fremtid'")
        conn.commit()


def foreign(path: Path) -> None:
    """Someone else's SQLite database in its place."""
    path.unlink()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE handleliste (vare TEXT)")


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda p: p.write_text("navn;fravær\nKari;12\n"), "ikke en Nærvær-database"),
        (lambda p: p.write_bytes(b""), "ikke en Nærvær-database"),
        (corrupt, "er skadet"),
        (newer, "nyere versjon av Nærvær"),
        (foreign, "SQLite-database, men ikke fra Nærvær"),
    ],
    ids=["text", "empty", "corrupted", "newer", "foreign"],
)
def test_restore_refuses_a_bad_file_and_changes_nothing(
    world: Engine, tmp_path: Path, spoil: Any, message: str
) -> None:
    source = backup(world, tmp_path / "kilde.sqlite")
    spoil(source)
    path = db_file(world)
    world.dispose()
    before = digest(path)

    with pytest.raises(DatabaseError, match=message):
        restore(source, path)

    assert digest(path) == before
    assert not (path.parent / "backups").exists()


def test_check_names_a_missing_file() -> None:
    with pytest.raises(DatabaseError, match="Finner ikke filen"):
        check_database_file(Path("/finnes/ikke.sqlite"))


@pytest.mark.sqlite_only
def test_restore_round_trip_keeps_every_row(world: Engine, tmp_path: Path) -> None:
    snapshot = dump(world)
    saved = backup(world, tmp_path / "kopi.sqlite")
    check_database_file(saved)
    purge(world, unit_code="SOL", today=TODAY)
    add(world, Unit, {"id": 9, "code": "SENERE", "name": "Lagt til etter kopien"})
    changed = dump(world)
    path = db_file(world)
    world.dispose()

    safety = restore(saved, path)
    engine = open_database(path)
    try:
        assert dump(engine) == snapshot
    finally:
        engine.dispose()
    assert safety is not None
    check_database_file(safety)
    safety_engine = open_database(safety)
    try:
        assert dump(safety_engine) == changed  # what was there before is never lost
    finally:
        safety_engine.dispose()
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
        assert safety.stat().st_mode & 0o777 == 0o600


def overwrite_header(path: Path) -> None:
    with path.open("r+b") as file:
        file.write(b"\x00" * 16)


def cut_in_half(path: Path) -> None:
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("harm", [overwrite_header, cut_in_half, damage], ids=lambda f: f.__name__)
def test_restore_replaces_a_damaged_database_and_keeps_its_bytes(
    world: Engine, damaged: Path, harm: Any
) -> None:
    if harm is not damage:  # the fixture's damage is in a page; these harm the file otherwise
        good = sorted(backup_dir(damaged).iterdir())[-1]
        restore(good, damaged)
        harm(damaged)
    harmed = damaged.read_bytes()
    newest = sorted(backup_dir(damaged).glob("auto-*"))[-1]

    kept = restore(newest, damaged)

    assert kept is not None
    if harm is damage:  # still readable: copied through SQLite, damaged pages and all
        assert kept.read_bytes()[100:] == harmed[100:]
    else:  # unreadable: kept byte for byte
        assert kept.read_bytes() == harmed
    assert mode_of(kept) == 0o600
    check_database_file(damaged)
    restored = open_database(damaged)
    try:
        assert dump(restored) == dump(world)
    finally:
        restored.dispose()


@pytest.mark.sqlite_only
def test_restore_refuses_while_the_database_is_open(world: Engine, tmp_path: Path) -> None:
    saved = backup(world, tmp_path / "kopi.sqlite")
    add(world, Unit, {"id": 9, "code": "SENERE", "name": "Lagt til etter kopien"})

    with pytest.raises(DatabaseError, match="i bruk"):
        restore(saved, db_file(world))

    assert count(world, Unit) == 3


@pytest.mark.sqlite_only
def test_restore_refuses_while_the_app_holds_the_database(world: Engine, tmp_path: Path) -> None:
    saved = backup(world, tmp_path / "kopi.sqlite")
    add(world, Unit, {"id": 9, "code": "SENERE", "name": "Lagt til etter kopien"})
    path = db_file(world)
    # The app between queries: no connection need be open, but it holds the file as its own.
    world.dispose()
    before = digest(path)

    with in_sole_use(path):
        with pytest.raises(DatabaseError, match=r"Databasen er i bruk\. Lukk Nærvær"):
            restore(saved, path)
        assert digest(path) == before
        assert not list(path.parent.glob("backups/*før-gjenoppretting*"))

    assert restore(saved, path) is not None  # once the app has closed
    assert rows(path, "SELECT count(*) FROM units") == [(2,)]


@pytest.mark.sqlite_only
def test_restore_onto_a_new_machine(world: Engine, tmp_path: Path) -> None:
    saved = backup(world, tmp_path / "kopi.sqlite")
    snapshot = dump(world)
    path = tmp_path / "ny" / "naervaer.sqlite"

    assert restore(saved, path) is None
    engine = open_database(path)
    try:
        assert dump(engine) == snapshot
    finally:
        engine.dispose()
    # The lock is the one the app takes too; no -wal, -shm or temporary is left behind.
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "naervaer.sqlite",
        "naervaer.sqlite.lock",
    ]


# --- Purge -------------------------------------------------------------------------------------


def lost_days(engine: Engine, unit_id: int) -> float:
    with engine.connect() as conn:
        query = select(func.sum(UnitMonthFigure.lost)).where(UnitMonthFigure.unit_id == unit_id)
        return conn.execute(query).scalar() or 0.0


def test_purged_employee_is_gone_from_the_file_itself(world: Engine) -> None:
    if on_file(world):
        assert NAME.encode() in raw_bytes(db_file(world))
    lost_before = lost_days(world, 1)

    report = purge(world, employee_number=NUMBER, today=TODAY)

    assert report.removed == {
        "measure_follow_ups": 1,
        "measures": 1,
        "employee_reviews": 1,
        "milestones_done": 1,
        "absence_spells": 2,
        "employments": 1,
        "employees": 1,
    }
    assert report.file_cleaned
    assert report.still_named_in == {}
    if on_file(world):
        data = raw_bytes(db_file(world))
        for needle in (b"Zyxwvu", b"Qwertyson", NUMBER.encode(), b"Gradert", b"Tilrettelegge"):
            assert needle not in data
    assert count(world, Employee) == 2
    assert lost_days(world, 1) < lost_before  # the figures no longer count the person
    assert str(report).startswith("Slettet 1 ansatt, 1 arbeidsforhold, 2 fraværsperioder, ")


@pytest.mark.sqlite_only
def test_a_purge_renews_the_automatic_backups_and_keeps_those_made_by_hand(
    world: Engine, tmp_path: Path
) -> None:
    """The day's automatic copies held the person: they give way to a copy without; a copy
    the user took by hand is the user's, and says so by staying."""
    path = db_file(world)
    daily_backup(world, today=TODAY - dt.timedelta(days=1))
    daily_backup(world, today=TODAY)
    by_hand = backup(world)
    folder = backup_dir(path)
    assert all(NAME.encode() in raw_bytes(copy) for copy in folder.iterdir())

    purge(world, employee_number=NUMBER, today=TODAY)

    holding = sorted(copy.name for copy in folder.iterdir() if NAME.encode() in raw_bytes(copy))
    assert holding == [by_hand.name]
    assert len(list(folder.iterdir())) == 2  # the one by hand, and today's made after the purge


def test_purge_points_to_free_text_that_still_names_the_person(world: Engine) -> None:
    with transaction(world) as session:
        session.get_one(Session, 2).note = f"Snakket med {NAME.upper()} om turnus."
        session.get_one(Unit, 2).leader = NAME

    report = purge(world, employee_number=NUMBER, today=TODAY)

    assert report.still_named_in == {"units": 1, "sessions": 1}
    assert "står fortsatt i fritekst i 1 enhet og 1 møte" in str(report)


def test_purge_unknown_employee_or_unit_or_unclear_choice(world: Engine) -> None:
    with pytest.raises(InvalidInput, match="Fant ingen ansatt med ansattnummer «999»"):
        purge(world, employee_number="999")
    with pytest.raises(InvalidInput, match="Fant ingen enhet"):
        purge(world, unit_code="FINNES_IKKE")
    with pytest.raises(InvalidInput, match="Velg én ting"):
        purge(world)
    with pytest.raises(InvalidInput, match="Velg én ting"):
        purge(world, unit_code="SOL", employee_number=NUMBER)
    with pytest.raises(InvalidInput, match="minst 1"):
        purge(world, older_than_years=0)
    assert count(world, Employee) == 3


def test_purge_unit_keeps_what_belongs_elsewhere(world: Engine) -> None:
    report = purge(world, unit_code="SOL", today=TODAY)

    assert report.removed == {
        "units": 1,
        "employees": 1,  # the distinctive person worked only here
        "employments": 2,
        "absence_spells": 3,
        "sessions": 1,
        "employee_reviews": 2,
        "measures": 2,
        "measure_follow_ups": 1,
        "milestones_done": 1,
        "survey_scores": 1,
        "presence_factors": 1,
    }
    assert report.file_cleaned
    with world.connect() as conn:
        assert conn.execute(select(Unit.code)).scalars().all() == ["BHG"]
        assert conn.execute(select(Employee.number)).scalars().all() == ["1002", "2001"]
        per_spells = (
            select(AbsenceSpell.from_date, AbsenceSpell.unit_id)
            .where(AbsenceSpell.employee_id == 2)
            .order_by(AbsenceSpell.from_date)
        )
        # Per's spell without a unit still counts in BHG; the one in SOL went with SOL.
        assert conn.execute(per_spells).all() == [
            (D(2026, 2, 2), None),
            (D(2026, 5, 11), 2),
        ]
        assert conn.execute(select(Employment.unit_id).where(Employment.employee_id == 2)).all()
        assert conn.execute(select(MilestoneDone.employee_id, MilestoneDone.session_id)).all() == [
            (2, None)
        ]
        assert conn.execute(select(Measure.id)).scalars().all() == [3]
        assert set(conn.execute(select(UnitMonthFigure.unit_id)).scalars()) == {2}
    if on_file(world):
        assert b"Siri Leder" not in raw_bytes(db_file(world))
    assert str(report).startswith("Slettet 1 enhet, 1 ansatt, 2 arbeidsforhold, ")


@pytest.fixture
def history(engine: Engine, build: Builder) -> Engine:
    """The cut-off for five years before TODAY is 15.06.2021."""
    build.unit(1, "SOL", "Solsiden").unit(2, "BHG", "Bakken")
    build.employee(10, "10", "Gammel Sluttet").employee(11, "11", "Nå Ansatt")
    build.employee(12, "12", "Sluttet Nylig")
    # 10: left in 2019, nothing since: goes entirely.
    build.employment(10, 1, 100, D(2015, 1, 1), D(2019, 12, 31))
    build.spell(10, D(2019, 3, 1), D(2019, 3, 10))
    # 11: an old employment and old spells, but still working here.
    build.employment(11, 2, 100, D(2015, 1, 1), D(2020, 12, 31))
    build.employment(11, 1, 100, D(2021, 1, 1))
    build.spell(11, D(2020, 2, 3), D(2020, 2, 20))
    build.spell(11, D(2021, 6, 14), D(2021, 6, 14), kind="egenmelding")  # the day before
    build.spell(11, D(2021, 6, 15), D(2021, 6, 16), kind="egenmelding")  # on the cut-off: kept
    build.spell(11, D(2026, 6, 1), None)
    # 12: the employment ended long ago, but a spell ended after the cut-off.
    build.employment(12, 1, 100, D(2018, 1, 1), D(2021, 6, 1))
    build.spell(12, D(2021, 5, 20), D(2021, 7, 1))
    milestone = {"milestone": "followup_plan"}
    add(
        engine,
        MilestoneDone,
        {"employee_id": 10, "case_start": D(2019, 3, 1), "done_on": D(2019, 3, 9), **milestone},
        {"employee_id": 11, "case_start": D(2020, 2, 3), "done_on": D(2020, 2, 19), **milestone},
        {"employee_id": 11, "case_start": D(2026, 6, 1), "done_on": D(2026, 6, 12), **milestone},
        {"employee_id": 12, "case_start": D(2021, 5, 20), "done_on": D(2021, 6, 3), **milestone},
    )
    build.refresh(TODAY)
    return engine


def test_purge_older_than(history: Engine) -> None:
    reminder = retention_reminder(history, 5, TODAY)
    assert reminder == (
        "Databasen har 3 fraværsperioder og 3 arbeidsforhold som ble avsluttet før 15.06.2021, "
        "for mer enn 5 år siden. Vurder å slette dem: naervaer purge --older-than 5."
    )

    report = purge(history, older_than_years=5, today=TODAY)

    assert report.removed == {
        "absence_spells": 3,
        "employments": 3,
        "milestones_done": 2,  # 11's old case, and 10's with the person
        "employees": 1,
    }
    assert report.file_cleaned
    with history.connect() as conn:
        assert conn.execute(select(Employee.id)).scalars().all() == [11, 12]
        assert sorted(conn.execute(select(AbsenceSpell.from_date)).scalars()) == [
            D(2021, 5, 20),
            D(2021, 6, 15),
            D(2026, 6, 1),
        ]
        assert conn.execute(select(MilestoneDone.case_start)).scalars().all() == [
            D(2026, 6, 1),
            D(2021, 5, 20),
        ]
    if on_file(history):
        assert b"Gammel Sluttet" not in raw_bytes(db_file(history))
    assert retention_reminder(history, 5, TODAY) is None


def test_cutoff_on_a_leap_day() -> None:
    assert cutoff_date(D(2028, 2, 29), 1) == D(2027, 2, 28)
    assert cutoff_date(D(2028, 2, 29), 4) == D(2024, 2, 29)


@pytest.fixture
def quick_engine(world: Engine) -> Iterator[Engine]:
    """The world's engine, giving up on a busy database in 0.1 s instead of 5 s."""
    world.dispose()

    def impatient(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=100")

    event.listen(world, "connect", impatient)
    yield world
    event.remove(world, "connect", impatient)


@pytest.mark.sqlite_only
def test_purge_says_when_a_reader_kept_the_file_from_being_cleaned(quick_engine: Engine) -> None:
    path = db_file(quick_engine)
    with closing(sqlite3.connect(path, isolation_level=None)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM employees").fetchall()
        report = purge(quick_engine, employee_number=NUMBER, today=TODAY)
        assert not report.file_cleaned
        assert "naervaer purge --clean" in str(report)

    assert clean_file(quick_engine)
    assert NAME.encode() not in raw_bytes(path)
