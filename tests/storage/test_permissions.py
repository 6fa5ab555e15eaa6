"""The data folder is 0700 and every file with data in it 0600, from creation and at every start."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import db
from storage.db import DatabaseError, open_database
from storage.maintenance import backup
from storage.paths import backup_dir, default_db_path
from tui.cli import main

pytestmark = pytest.mark.skipif(os.name != "posix", reason="Unix permissions")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The loosest umask, so that only the code's own choices keep others out."""
    before = os.umask(0)
    yield
    os.umask(before)


def write_row(path: Path) -> None:
    engine = open_database(path)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO settings (key, value) VALUES ('k', 'v')"))
    engine.dispose()


def test_files_are_private_from_the_first_byte(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "data" / "naervaer.sqlite"
    # Without the repair at start: what is private must be so because it was created so.
    monkeypatch.setattr(db, "make_private", lambda *_, **__: [])
    engine = open_database(path)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO settings (key, value) VALUES ('k', 'v')"))
        # While the connection is open, SQLite's -wal and -shm exist.
        files = {p.name: mode(p) for p in path.parent.iterdir() if p.is_file()}
    engine.dispose()
    assert mode(path.parent) == 0o700
    assert {"naervaer.sqlite", "naervaer.sqlite-wal", "naervaer.sqlite-shm"} <= set(files)
    assert all(m == 0o600 for m in files.values()), files
    made = backup(path)
    assert mode(made) == 0o600 and mode(made.parent) == 0o700


def test_every_start_narrows_what_others_could_read():
    path = default_db_path()  # in the user's own data folder, which is narrowed too
    write_row(path)
    backup(path)
    upgrade_copy = path.with_name(f"{path.name}.før-oppgradering-0001-20260101-120000")
    upgrade_copy.write_bytes(path.read_bytes())
    # Another connection keeps the -wal and -shm in place through the start.
    keeper = sqlite3.connect(path)
    keeper.execute("INSERT INTO settings (key, value) VALUES ('k2', 'v')")
    keeper.commit()
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    loose = [path, wal, shm, upgrade_copy, *backup_dir(path).iterdir()]
    for file in loose:
        file.chmod(0o644)
    path.parent.chmod(0o755)
    backup_dir(path).chmod(0o755)
    unrelated = path.parent / "notes.txt"  # not the database's: left alone
    unrelated.write_text("x")
    unrelated.chmod(0o644)

    told: list[str] = []
    open_database(path, notice=told.append).dispose()
    after = {file.name: mode(file) for file in loose}
    keeper.close()

    assert mode(path.parent) == 0o700 and mode(backup_dir(path)) == 0o700
    assert after == {file.name: 0o600 for file in loose}
    assert mode(unrelated) == 0o644
    assert len(told) == 1 and "Nå har bare du det" in told[0]
    assert f"{len(loose) + 2} av databasens filer" in told[0]

    told.clear()
    open_database(path, notice=told.append).dispose()
    assert told == []  # nothing to say when all was private


def test_the_command_line_repairs_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "naervaer.sqlite"
    write_row(path)
    path.chmod(0o644)
    assert main(["groups", "--db", str(path), "--as-of", "01.01.2026"]) == 0
    assert mode(path) == 0o600
    assert "Nå har bare du det" in capsys.readouterr().err


def test_a_file_system_that_ignores_permissions_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "naervaer.sqlite"
    write_row(path)
    path.chmod(0o644)
    # As on a FAT stick or a network share: chmod succeeds and changes nothing.
    monkeypatch.setattr(Path, "chmod", lambda *_: None)
    with pytest.raises(DatabaseError, match=r"Andre brukere kan lese .*naervaer\.sqlite"):
        open_database(path)


def test_the_log_is_private(tmp_path: Path, open_umask: None):
    from storage.paths import log_file

    log = log_file()
    assert mode(log) == 0o600 and mode(log.parent) == 0o700


def test_a_shared_folder_keeps_its_mode_and_the_database_is_private(tmp_path: Path):
    shared = tmp_path / "delt"
    shared.mkdir()
    shared.chmod(0o1777)  # as /tmp: everyone may add files, only the owner remove them
    path = shared / "naervaer.sqlite"
    write_row(path)
    path.chmod(0o644)
    assert main(["groups", "--db", str(path), "--as-of", "01.01.2026"]) == 0
    assert main(["backup", "--db", str(path)]) == 0
    assert mode(shared) == 0o1777
    assert mode(path) == 0o600
    assert mode(backup_dir(path)) == 0o700  # the backup folder is Nærvær's own


READ_COMMANDS = [
    ["stats", "--from", "01.01.2026", "--to", "31.01.2026"],
    ["groups", "--as-of", "01.01.2026"],
    ["cases", "--as-of", "01.01.2026"],
    ["forecast", "--as-of", "01.01.2026"],
    ["export", "status", "--format", "xlsx"],
    ["purge", "--employee", "1001"],
    ["purge", "--clean"],
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_command_that_reads_creates_no_database(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    typo = tmp_path / "naervear.sqlite"
    assert main([command[0], "--db", str(typo), *command[1:]]) == 2
    assert capsys.readouterr().err == (
        f"naervaer: Fant ingen database på {typo}. Sjekk filnavnet, velg databasen med "
        "--db FIL, eller lag en med naervaer demo eller naervaer import.\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_what_is_written_under_an_open_umask_is_private(
    tmp_path: Path, open_umask: None, capsys: pytest.CaptureFixture[str]
):
    path = tmp_path / "ny" / "mappe" / "naervaer.sqlite"
    assert main(["demo", "--db", str(path)]) == 0
    out = tmp_path / "rapporter" / "november"
    assert main(["export", "status", "--db", str(path), "--format", "xlsx", "--out", str(out)]) == 0
    report = Path(capsys.readouterr().out.strip().splitlines()[-1])
    templates = tmp_path / "maler"
    assert main(["template", str(templates)]) == 0
    assert main(["backup", "--db", str(path)]) == 0

    for folder in (path.parent, path.parent.parent, out, out.parent, templates, backup_dir(path)):
        assert mode(folder) == 0o700, folder
    written = [report, *templates.iterdir(), *path.parent.iterdir(), *backup_dir(path).iterdir()]
    assert {p.name: mode(p) for p in written if p.is_file()} == {
        p.name: 0o600 for p in written if p.is_file()
    }
