"""The command line as other tools and scripts use it: exit codes, messages, files."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from storage.db import open_database
from storage.models import AbsenceSpell, Employee
from tests.conftest import Builder
from tui.cli import main

D = dt.date


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


def count(db: Path, model: type) -> int:
    engine = open_database(db)
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
