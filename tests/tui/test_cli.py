"""The command line as other tools and scripts use it: exit codes, messages, files."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import stat
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from storage import crypto
from storage.db import open_database
from storage.models import AbsenceSpell, Employee, Unit
from tests.conftest import Builder, unreadable_without_the_passphrase
from tui import cli
from tui.cli import EXIT_OK, EXIT_REJECTED, main

D = dt.date
SECRET = "korrekt hest batteri stift"
needs_sqlcipher = pytest.mark.skipif(
    importlib.util.find_spec("sqlcipher3") is None, reason="needs the crypto extra (sqlcipher3)"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


@pytest.fixture
def export(tmp_path: Path) -> list[Path]:
    return [
        write(tmp_path / "enheter.csv", "enhet_id;enhet\nE1;Lia sykehjem\n", "cp1252"),
        write(
            tmp_path / "ansatte.csv",
            "ansattnr;navn;enhet_id;stillingsprosent;startdato\n1001;Kari Ås;E1;80;01.01.2020\n",
        ),
        write(
            tmp_path / "fravær.csv",
            "ansattnr;fra_dato;til_dato;fraværstype;grad\n1001;03.02.2025;21.02.2025;L;50\n",
        ),
    ]


def count(db: Path, model: type, passphrase: str | None = None) -> int:
    engine = open_database(db, passphrase)
    with engine.connect() as conn:
        value = conn.execute(select(func.count()).select_from(model)).scalar_one()
    engine.dispose()
    return int(value)


def test_import_then_a_broken_export_is_refused_with_exit_2(
    tmp_path: Path, export: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "db.sqlite"
    assert main(["import", "--db", str(db), *map(str, export)]) == 0
    assert count(db, AbsenceSpell) == 1
    broken = write(
        tmp_path / "fravær.csv",
        "ansattnr;fra_dato;til_dato;fraværstype;grad\n"
        "1001;03.03.2025;05.03.2025;L;50\n"
        "1001;10.03.2025;31.02.2025;L;\n",
    )
    capsys.readouterr()
    assert main(["import", "--db", str(db), str(broken)]) == 2
    err = capsys.readouterr().err
    assert "fravær.csv linje 3, til_dato: 31.02.2025 er ikke en gyldig dato" in err
    assert "Ingenting er skrevet" in err
    assert count(db, AbsenceSpell) == 1  # the valid line 2 was not written either


def test_as_of_is_today_unless_given(
    tmp_path: Path, export: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "db.sqlite"
    assert main(["import", "--db", str(db), *map(str, export)]) == 0
    for command in ("groups", "cases", "forecast"):
        capsys.readouterr()
        assert main([command, "--db", str(db), "--json"]) == EXIT_OK
        assert json.loads(capsys.readouterr().out)["as_of"] == dt.date.today().isoformat()


def test_backup_is_private_and_purge_removes_the_person(
    build: Builder, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build.unit(1, "E1", "Lia").employee(1, "1001", "Zyxwvu Qwertyson")
    build.employment(1, 1, 100.0, D(2020, 1, 1)).spell(1, D(2025, 1, 6), D(2025, 1, 10))
    db = Path(str(engine.url.database))
    target = tmp_path / "kopi.sqlite"
    assert main(["backup", "--db", str(db), str(target)]) == 0
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert count(target, Employee) == 1

    engine.dispose()
    assert main(["purge", "--db", str(db), "--employee", "1001"]) == 0
    assert count(db, Employee) == 0
    assert b"Qwertyson" not in db.read_bytes()
    assert main(["purge", "--db", str(db), "--employee", "1001"]) == 2
    assert "Fant ingen ansatt" in capsys.readouterr().err


def test_demo_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "demo.sqlite")
    assert main(["demo", "--db", db]) == 0
    assert main(["demo", "--db", db]) == 2
    assert "--replace" in capsys.readouterr().err


def test_db_before_the_command_is_the_database_the_command_uses(
    tmp_path: Path, export: list[Path]
) -> None:
    db = tmp_path / "valgt.sqlite"
    assert main(["--db", str(db), "import", *map(str, export)]) == 0
    assert count(db, Unit) == 1


@needs_sqlcipher
def test_an_encrypted_database_is_backed_up_and_restored_encrypted(
    build: Builder,
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    build.unit(1, "E1", "Lia").employee(1, "1001", "Zyxwvu Qwertyson")
    build.employment(1, 1, 100.0, D(2020, 1, 1))
    db = Path(str(engine.url.database))
    engine.dispose()
    crypto.encrypt(db, SECRET)
    monkeypatch.setenv(crypto.PASSPHRASE_ENV, SECRET)
    copy = tmp_path / "kopi.sqlite"

    assert main(["backup", "--db", str(db), str(copy)]) == 0
    assert unreadable_without_the_passphrase(copy)
    assert b"Qwertyson" not in copy.read_bytes()
    assert count(copy, Employee, SECRET) == 1

    with closing(crypto.connect(db, SECRET)) as conn:  # (main's engines stay open in-process)
        conn.execute("DELETE FROM employments")
        conn.execute("DELETE FROM employees")
        conn.commit()
    assert count(db, Employee, SECRET) == 0
    capsys.readouterr()
    assert main(["restore", "--db", str(db), str(copy)]) == 0
    assert "Databasen slik den var før, er lagret i" in capsys.readouterr().out
    assert unreadable_without_the_passphrase(db)
    assert count(db, Employee, SECRET) == 1

    # Onto a new machine, in a terminal: the backup's passphrase is asked for.
    monkeypatch.delenv(crypto.PASSPHRASE_ENV)
    monkeypatch.setattr(cli.sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(cli.getpass, "getpass", lambda _prompt: SECRET)
    new = tmp_path / "ny" / "naervaer.sqlite"
    assert main(["restore", "--db", str(new), str(copy)]) == 0
    assert unreadable_without_the_passphrase(new)
    assert count(new, Employee, SECRET) == 1


@needs_sqlcipher
def test_a_backup_without_the_right_passphrase_is_refused_in_norwegian(
    build: Builder,
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    build.unit(1, "E1", "Lia")
    db = Path(str(engine.url.database))
    engine.dispose()
    crypto.encrypt(db, SECRET)
    copy = tmp_path / "kopi.sqlite"
    capsys.readouterr()

    monkeypatch.setenv(crypto.PASSPHRASE_ENV, "feil passord")
    assert main(["backup", "--db", str(db), str(copy)]) == cli.EXIT_REJECTED
    assert capsys.readouterr().err == (
        f"naervaer: Feil passord for databasen {db} (eller filen er skadet).\n"
    )
    monkeypatch.delenv(crypto.PASSPHRASE_ENV)
    monkeypatch.setattr(cli.sys.stdin, "isatty", lambda: False)
    assert main(["backup", "--db", str(db), str(copy)]) == cli.EXIT_REJECTED
    assert capsys.readouterr().err.startswith(
        "naervaer: Databasen er kryptert. Sett NAERVAER_PASSPHRASE"
    )
    assert not copy.exists()
    assert not (db.parent / "backups").exists()


@pytest.mark.skipif(os.name != "posix", reason="needs a pty")
def test_restore_is_refused_while_the_app_is_open(
    build: Builder, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.tui.terminal import Terminal

    build.unit(1, "E1", "Lia")
    db = Path(str(engine.url.database))
    copy = tmp_path / "kopi.sqlite"
    assert main(["backup", "--db", str(db), str(copy)]) == 0
    build.unit(2, "E2", "Berg")
    engine.dispose()
    capsys.readouterr()

    app = Terminal(["--db", str(db)], dict(os.environ))
    try:
        assert app.wait_for("2 av 2 enheter", 30), app.text()[-2000:]
        assert main(["restore", "--db", str(db), str(copy)]) == cli.EXIT_REJECTED
        assert capsys.readouterr().err == (
            "naervaer: Databasen er i bruk. Lukk Nærvær og prøv igjen; ingenting er endret.\n"
        )
        assert count(db, Unit) == 2
        app.send("\x11")  # Ctrl+Q
        assert app.close(timeout=20) == 0
    finally:
        app.kill()
    assert main(["restore", "--db", str(db), str(copy)]) == 0
    assert count(db, Unit) == 1


def test_demo_before_a_command_means_the_demo_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("NAERVAER_DB", raising=False)
    # Before the demo exists, a command on it says where it looked and writes nothing.
    assert main(["--demo", "groups", "--as-of", "01.10.2025"]) == EXIT_REJECTED
    assert "demo.sqlite" in capsys.readouterr().err
    assert not (tmp_path / "data" / "naervaer" / "demo.sqlite").exists()

    assert main(["--demo", "demo"]) == EXIT_OK
    capsys.readouterr()
    assert main(["--demo", "groups", "--as-of", "01.10.2025", "--json"]) == EXIT_OK
    assert len(json.loads(capsys.readouterr().out)["units"]) > 5
    assert main(["--demo", "export", "status", "--format", "xlsx", "--out", str(tmp_path)]) == 0
    report = Path(capsys.readouterr().out.strip())
    assert report.parent == tmp_path and report.stat().st_size > 0
