"""Encryption at rest: unreadable without the passphrase, alike to use with it, reversible."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from storage import crypto
from storage.db import DatabaseError, in_sole_use, open_database
from storage.maintenance import backup, check_database_file, daily_backup, restore
from storage.models import Employee, Measure
from storage.paths import backup_dir
from storage.repos import reviews as review_rows
from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from storage.usecases.importing import load_demo
from storage.usecases.reports import stats_of
from tests.conftest import read, unreadable_without_the_passphrase
from tests.tui.conftest import screen_text, settle
from tui import cli
from tui.app import NaervaerApp
from tui.screens.units import UnitsScreen

TODAY = dt.date(2026, 11, 24)
SECRET = "korrekt hest batteri stift"
# The SQLCipher wheel is an optional extra; without it only the refusal can be tested.
needs_sqlcipher = pytest.mark.skipif(
    importlib.util.find_spec("sqlcipher3") is None, reason="needs the crypto extra (sqlcipher3)"
)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    engine = open_database(path)
    load_demo(engine, scale="small", seed=1, today=TODAY)
    engine.dispose()
    return path


@pytest.fixture
def plain(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "plain" / "naervaer.sqlite"
    path.parent.mkdir(mode=0o700)
    shutil.copy(demo_file, path)
    return path


@pytest.fixture
def encrypted(plain: Path, tmp_path: Path) -> Path:
    path = tmp_path / "encrypted" / "naervaer.sqlite"
    path.parent.mkdir(mode=0o700)
    shutil.copy(plain, path)
    crypto.encrypt(path, SECRET)
    return path


@pytest.fixture
def passphrase_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(crypto.PASSPHRASE_ENV, SECRET)
    yield


def a_name(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        name = conn.execute("SELECT name FROM employees WHERE name IS NOT NULL").fetchone()[0]
    assert isinstance(name, str)
    return name


def run_cli(*args: str, passphrase: str | None = None) -> subprocess.CompletedProcess[str]:
    """The command as a separate process, so that SQLCipher's own writes to fd 2 are seen."""
    env = {k: v for k, v in os.environ.items() if k != crypto.PASSPHRASE_ENV}
    if passphrase is not None:
        env[crypto.PASSPHRASE_ENV] = passphrase
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


@needs_sqlcipher
def test_an_encrypted_file_is_unreadable_without_the_passphrase(plain: Path, encrypted: Path):
    name = a_name(plain)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(encrypted).execute("SELECT name FROM employees").fetchall()
    data = encrypted.read_bytes()
    assert name.encode() not in data and b"employees" not in data
    assert name.encode() in plain.read_bytes()  # the check above could find it
    assert sorted(p.name for p in encrypted.parent.iterdir()) == [
        "naervaer.sqlite",
        "naervaer.sqlite.lock",
    ]
    with pytest.raises(crypto.WrongPassphrase, match="Feil passord"):
        open_database(encrypted, "feil passord")
    with pytest.raises(DatabaseError, match=r"er kryptert.*NAERVAER_PASSPHRASE"):
        open_database(encrypted)


@needs_sqlcipher
def test_encrypted_and_plain_answer_and_write_alike(plain: Path, encrypted: Path):
    def use(engine: Engine) -> tuple[object, ...]:
        session_id = sessions.start_session(engine, 1, "statusmote", TODAY)
        sessions.set_review_note(engine, session_id, 1, "notat")
        measure_cases.add_measure(engine, 1, "enhet", "Tiltak", session_id=session_id)
        with engine.connect() as conn:
            people = conn.execute(select(Employee.number, Employee.name)).all()
            measures = conn.execute(select(Measure.text)).scalars().all()
            figures = stats_of(conn, dt.date(2026, 1, 1), dt.date(2026, 9, 30), today=TODAY)
        return (
            people,
            measures,
            figures,
            read(review_rows.states, engine, session_id),
            sessions.session_summary(engine, session_id).unit_name,
        )

    engines = [open_database(plain), open_database(encrypted, SECRET)]
    assert use(engines[0]) == use(engines[1])
    for engine in engines:
        engine.dispose()


@needs_sqlcipher
def test_a_wrong_passphrase_says_so_and_nothing_else(encrypted: Path):
    result = run_cli("groups", "--db", str(encrypted), "--as-of", "01.01.2026", passphrase="feil")
    assert result.returncode == cli.EXIT_REJECTED
    assert result.stdout == ""
    # One line: no SQLCipher log ("ERROR CORE ... hmac check failed"), no traceback.
    assert (
        result.stderr
        == f"naervaer: Feil passord for databasen {encrypted} (eller filen er skadet).\n"
    )
    missing = run_cli("groups", "--db", str(encrypted), "--as-of", "01.01.2026")
    assert missing.returncode == cli.EXIT_REJECTED
    assert missing.stderr.startswith("naervaer: Databasen er kryptert. Sett NAERVAER_PASSPHRASE")
    assert missing.stderr.count("\n") == 1


@needs_sqlcipher
def test_decrypt_brings_back_the_plain_file(
    plain: Path, encrypted: Path, passphrase_env: None, capsys: pytest.CaptureFixture[str]
):
    assert cli.main(["decrypt", "--db", str(encrypted)]) == cli.EXIT_OK
    assert not crypto.is_encrypted(encrypted)
    assert a_name(encrypted) == a_name(plain)
    with sqlite3.connect(encrypted) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert "ikke lenger kryptert" in capsys.readouterr().out


@needs_sqlcipher
def test_encrypt_on_the_command_line_asks_twice_and_warns_of_plain_copies(
    plain: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from storage.maintenance import backup

    backup(plain)
    answers = iter([SECRET, SECRET])
    monkeypatch.setattr(cli.getpass, "getpass", lambda _prompt: next(answers))
    monkeypatch.setattr(cli.sys.stdin, "isatty", lambda: True)
    monkeypatch.delenv(crypto.PASSPHRASE_ENV, raising=False)
    assert cli.main(["encrypt", "--db", str(plain)]) == cli.EXIT_OK
    assert crypto.is_encrypted(plain)
    out = capsys.readouterr()
    assert "Databasen er kryptert" in out.out
    assert "1 eldre kopier av databasen er ikke kryptert" in out.err
    open_database(plain, SECRET).dispose()


@needs_sqlcipher
def test_the_app_asks_for_the_passphrase_until_it_is_right(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    answers = iter(["feil", SECRET])
    monkeypatch.setattr(cli.getpass, "getpass", lambda _prompt: next(answers))
    monkeypatch.setattr(cli.sys.stdin, "isatty", lambda: True)
    monkeypatch.delenv(crypto.PASSPHRASE_ENV, raising=False)
    started: list[str | None] = []
    monkeypatch.setattr(
        "tui.app.run_app", lambda _path, demo, passphrase: started.append(passphrase) or 0
    )
    assert cli.main(["--db", str(encrypted)]) == cli.EXIT_OK
    assert started == [SECRET]
    assert capsys.readouterr().err == "Feil passord.\n"

    monkeypatch.setattr(cli.getpass, "getpass", lambda _prompt: "feil")
    assert cli.main(["--db", str(encrypted)]) == cli.EXIT_REJECTED
    assert started == [SECRET]
    assert "Feil passord 3 ganger" in capsys.readouterr().err


@needs_sqlcipher
async def test_the_app_works_on_an_encrypted_database(encrypted: Path):
    app = NaervaerApp(encrypted, today=TODAY, passphrase=SECRET)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, UnitsScreen) and app.failure is None
        assert "12 av 12 enheter" in screen_text(app)
        told = [str(n.message) for n in app._notifications]
    # The day's backup at start is taken, and encrypted like the database.
    assert not [m for m in told if "sikkerhetskopi" in m], told
    (daily,) = backup_dir(encrypted).glob("auto-*.sqlite")
    assert unreadable_without_the_passphrase(daily)
    assert counts(daily, SECRET) == counts(encrypted, SECRET)


@needs_sqlcipher
def test_encrypt_refuses_a_weak_passphrase_or_a_database_in_use(plain: Path):
    before = plain.read_bytes()
    with pytest.raises(crypto.EncryptionError, match="minst 8 tegn"):
        crypto.encrypt(plain, "kort")
    with in_sole_use(plain), pytest.raises(DatabaseError, match="allerede åpen i Nærvær"):
        crypto.encrypt(plain, SECRET)
    assert plain.read_bytes() == before


def test_without_the_extra_encryption_is_explained(
    plain: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setitem(sys.modules, "sqlcipher3", None)  # as if not installed
    assert cli.main(["encrypt", "--db", str(plain)]) == cli.EXIT_REJECTED
    assert "krever tillegget sqlcipher3" in capsys.readouterr().err
    assert not crypto.is_encrypted(plain)


# --- Backup and restore of an encrypted database ------------------------------------------------


def counts(path: Path, passphrase: str | None = None) -> dict[str, int]:
    """Rows per table, read with the passphrase (SQLCipher) or without it (plain SQLite)."""
    opened: Any = crypto.connect(path, passphrase) if passphrase else sqlite3.connect(path)
    with closing(opened) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables
        }


def add_a_unit(path: Path, code: str) -> None:
    with closing(crypto.connect(path, SECRET)) as conn:
        conn.execute("INSERT INTO units (code, name) VALUES (?, 'Lagt til etterpå')", (code,))
        conn.commit()


@needs_sqlcipher
def test_a_backup_of_an_encrypted_database_is_encrypted_with_the_same_passphrase(
    plain: Path, encrypted: Path, tmp_path: Path
):
    engine = open_database(encrypted, SECRET)  # open as in the app, WAL and all
    measure_cases.add_measure(engine, 1, "enhet", "Skrevet mens appen var åpen")
    before = counts(encrypted, SECRET)
    try:
        chosen = backup(encrypted, tmp_path / "kopi.sqlite", SECRET)
        made = backup(engine, passphrase=SECRET)
    finally:
        engine.dispose()

    for copy in (chosen, made):
        assert crypto.is_encrypted(copy)
        assert unreadable_without_the_passphrase(copy)
        assert a_name(plain).encode() not in copy.read_bytes()
        assert counts(copy, SECRET) == before  # the measure in the WAL is in the copy
        check_database_file(copy, SECRET)
        with pytest.raises(crypto.WrongPassphrase):
            crypto.check_passphrase(copy, "feil passord")
        if os.name == "posix":
            assert copy.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in made.parent.iterdir()) == [made.name]  # no temporary left


@needs_sqlcipher
def test_a_backup_of_an_encrypted_database_needs_its_passphrase(encrypted: Path, tmp_path: Path):
    target = tmp_path / "kopi.sqlite"
    with pytest.raises(crypto.EncryptionError, match="er kryptert, så sikkerhetskopien trenger"):
        backup(encrypted, target)
    with pytest.raises(crypto.EncryptionError, match="er kryptert, så sikkerhetskopien trenger"):
        daily_backup(encrypted, today=TODAY)
    with pytest.raises(crypto.WrongPassphrase, match="Feil passord for databasen"):
        backup(encrypted, target, "feil passord")

    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["encrypted", "plain"]
    assert list(backup_dir(encrypted).iterdir()) == []  # no plain copy, no partial one


@needs_sqlcipher
def test_the_daily_backup_of_an_encrypted_database_is_encrypted(encrypted: Path):
    made = daily_backup(encrypted, today=TODAY, passphrase=SECRET)

    assert made is not None and made.parent == backup_dir(encrypted)
    assert unreadable_without_the_passphrase(made)
    assert counts(made, SECRET) == counts(encrypted, SECRET)
    assert daily_backup(encrypted, today=TODAY, passphrase=SECRET) is None


@needs_sqlcipher
def test_restoring_an_encrypted_backup_keeps_every_row_and_the_encryption(
    encrypted: Path, tmp_path: Path
):
    saved = backup(encrypted, tmp_path / "kopi.sqlite", SECRET)
    snapshot = counts(encrypted, SECRET)
    add_a_unit(encrypted, "SENERE")
    changed = counts(encrypted, SECRET)

    safety = restore(saved, encrypted, SECRET)

    assert unreadable_without_the_passphrase(encrypted)
    assert counts(encrypted, SECRET) == snapshot
    engine = open_database(encrypted, SECRET)
    engine.dispose()
    assert safety is not None
    assert unreadable_without_the_passphrase(safety)  # what was there before, as protected
    assert counts(safety, SECRET) == changed

    elsewhere = tmp_path / "ny" / "naervaer.sqlite"  # onto a new machine: encrypted there too
    assert restore(saved, elsewhere, SECRET) is None
    assert unreadable_without_the_passphrase(elsewhere)
    assert counts(elsewhere, SECRET) == snapshot


@needs_sqlcipher
def test_restore_with_a_wrong_or_missing_passphrase_says_so_and_changes_nothing(
    encrypted: Path, tmp_path: Path
):
    saved = backup(encrypted, tmp_path / "kopi.sqlite", SECRET)
    other = tmp_path / "annet" / "naervaer.sqlite"
    other.parent.mkdir()
    shutil.copy(saved, other)
    crypto.decrypt(other, SECRET)
    crypto.encrypt(other, "et helt annet passord")
    add_a_unit(encrypted, "SENERE")
    before = encrypted.read_bytes()

    with pytest.raises(DatabaseError, match=r"Passordet åpner ikke kopi\.sqlite"):
        restore(saved, encrypted, "feil passord")
    with pytest.raises(DatabaseError, match=r"kopi\.sqlite er ikke en Nærvær-database.*kryptert"):
        restore(saved, encrypted)
    with pytest.raises(DatabaseError, match=r"Passordet åpner ikke naervaer\.sqlite"):
        restore(other, encrypted, SECRET)  # a backup under another passphrase
    with pytest.raises(crypto.WrongPassphrase, match="Feil passord for databasen"):
        restore(saved, other, SECRET)  # the database under another passphrase

    assert encrypted.read_bytes() == before
    assert not backup_dir(encrypted).exists() or not list(backup_dir(encrypted).iterdir())


@needs_sqlcipher
def test_restore_never_takes_encryption_away_nor_adds_it_unasked(
    plain: Path, encrypted: Path, tmp_path: Path
):
    plain_copy = backup(plain, tmp_path / "ukryptert.sqlite")
    encrypted_copy = backup(encrypted, tmp_path / "kryptert.sqlite", SECRET)
    plain_before, encrypted_before = plain.read_bytes(), encrypted.read_bytes()

    with pytest.raises(DatabaseError, match=r"ukryptert\.sqlite er ikke kryptert, men databasen"):
        restore(plain_copy, encrypted, SECRET)
    with pytest.raises(DatabaseError, match=r"kryptert\.sqlite er kryptert, men databasen er ikke"):
        restore(encrypted_copy, plain, SECRET)

    assert plain.read_bytes() == plain_before
    assert encrypted.read_bytes() == encrypted_before


@needs_sqlcipher
def test_a_damaged_encrypted_backup_is_refused(encrypted: Path, tmp_path: Path):
    saved = backup(encrypted, tmp_path / "kopi.sqlite", SECRET)
    data = bytearray(saved.read_bytes())
    data[8192:] = bytes(range(256)) * ((len(data) - 8192) // 256)  # all after the second page
    saved.write_bytes(bytes(data))
    before = encrypted.read_bytes()

    with pytest.raises(DatabaseError, match=r"kopi\.sqlite er skadet"):
        restore(saved, encrypted, SECRET)
    assert encrypted.read_bytes() == before


@needs_sqlcipher
def test_restore_is_refused_while_the_app_holds_the_encrypted_database(
    encrypted: Path, tmp_path: Path
):
    saved = backup(encrypted, tmp_path / "kopi.sqlite", SECRET)
    add_a_unit(encrypted, "SENERE")
    before = encrypted.read_bytes()

    with in_sole_use(encrypted), pytest.raises(DatabaseError, match="Databasen er i bruk"):
        restore(saved, encrypted, SECRET)

    assert encrypted.read_bytes() == before


@needs_sqlcipher
def test_a_damaged_encrypted_database_is_not_backed_up(encrypted: Path):
    made = daily_backup(encrypted, today=TODAY, passphrase=SECRET)
    size = encrypted.stat().st_size
    with encrypted.open("r+b") as file:  # a stray write in the middle of a page
        file.seek(size // 2 + 100)
        file.write(b"\xa5" * 32)

    with pytest.raises(DatabaseError) as refused:
        daily_backup(encrypted, today=TODAY + dt.timedelta(days=1), passphrase=SECRET)
    assert str(refused.value).startswith(f"Databasen {encrypted} er skadet (")
    assert str(refused.value).endswith(f"restore {made}")
    assert list(backup_dir(encrypted).iterdir()) == [made]  # kept; nothing added
