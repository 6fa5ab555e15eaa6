"""An import on a PostgreSQL server loads its tables with their keys set aside and rebuilds them
once (storage.postgresql.keys_set_aside): the keys come back as the migrations made them, hold
as before, and an import that fails half-way leaves them and the data as they were."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from psycopg.errors import CheckViolation
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from storage.db import open_server, transaction
from storage.dialects import bulk_load
from storage.importer import Tables, write_tables
from storage.importing.write import _table
from storage.models import AbsenceSpell, Employment
from storage.usecases.importing import import_files
from tests.storage.test_import import content, render, write_set
from tests.team import Team, crew  # noqa: F401 (the fixture)

TABLES = ("employments", "absence_spells")


def keys(engine: Engine) -> dict[str, tuple[int, str]]:
    """Every constraint and index of the loaded tables: name -> (its oid, its definition)."""
    with engine.connect() as conn:
        constraints = conn.exec_driver_sql(
            "SELECT conname, oid::int, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%(tables)s::regclass[])",
            {"tables": list(TABLES)},
        ).all()
        indexes = conn.exec_driver_sql(
            "SELECT indexrelid::regclass::text, indexrelid::int, pg_get_indexdef(indexrelid) "
            "FROM pg_index WHERE indrelid = ANY(%(tables)s::regclass[])",
            {"tables": list(TABLES)},
        ).all()
    return {name: (oid, definition) for name, oid, definition in [*constraints, *indexes]}


def definitions(found: dict[str, tuple[int, str]]) -> dict[str, str]:
    return {name: definition for name, (_oid, definition) in found.items()}


def rebuilt(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> set[str]:
    return {name for name, (oid, _definition) in after.items() if before[name][0] != oid}


def count(engine: Engine, model: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_an_import_into_a_new_database_rebuilds_the_keys_as_they_were(
    pg_url: str, tmp_path: Path
) -> None:
    engine = open_server(pg_url)
    before = keys(engine)
    assert "fk_absence_spells_employee_id_employees" in before
    assert "ix_absence_spells_employee" in before

    report = import_files(engine, write_set(tmp_path / "export", render()))

    assert report.ok and report.counts is not None and report.counts.spells.inserted > 0
    after = keys(engine)
    assert definitions(after) == definitions(before)
    # Every foreign key, unique constraint and index but the primary keys was made anew.
    assert rebuilt(before, after) == {
        name for name in before if not name.startswith(("pk_", "ck_"))
    }
    with pytest.raises(IntegrityError), engine.begin() as conn:
        spell = {"id": 10_000, "employee_id": 999_999, "from_date": dt.date(2025, 1, 6)}
        conn.execute(insert(AbsenceSpell).values(absence_type="egenmelding", **spell))
    engine.dispose()


def staff(first: int, count: int, grades: list[float] | None = None) -> Tables:
    """`count` new people in unit 10, from number `first`, with an employment and a spell each;
    the spells' grades as given (past the import's checks: the table may refuse them)."""
    numbers = [f"{first + n}" for n in range(count)]
    employments = pd.DataFrame(
        {
            "employee_number": numbers,
            "unit_code": "10",
            "position_pct": 100.0,
            "start_date": dt.date(2025, 1, 1),
            "end_date": None,
        }
    )
    spells = pd.DataFrame(
        {
            "employee_number": numbers,
            "unit_code": "10",
            "from_date": dt.date(2025, 2, 3),
            "to_date": dt.date(2025, 2, 4),
            "absence_type": "egenmelding",
            "grade_pct": grades or [100.0] * count,
        }
    )
    return Tables(employments=employments, spells=spells)


def test_a_small_write_into_filled_tables_checks_its_rows_one_by_one(
    pg_url: str, tmp_path: Path
) -> None:
    engine = open_server(pg_url)
    assert import_files(engine, write_set(tmp_path / "export", render())).ok
    with transaction(engine) as session:
        write_tables(session, staff(900_000, 40))
    before = keys(engine)

    with transaction(engine) as session:
        write_tables(session, staff(800_000, 2))  # 2 of 45 employments and spells new

    assert keys(engine) == before  # nothing dropped nor made anew
    assert (count(engine, Employment), count(engine, AbsenceSpell)) == (45, 45)
    engine.dispose()


def test_a_write_that_fails_half_way_leaves_the_keys_and_the_data_as_they_were(
    pg_url: str, tmp_path: Path
) -> None:
    engine = open_server(pg_url)
    assert import_files(engine, write_set(tmp_path / "export", render())).ok
    stored, before = content(engine), keys(engine)
    employments, spells = count(engine, Employment), count(engine, AbsenceSpell)
    refused = staff(900_000, 40, [100.0] * 39 + [150.0])  # a write as large as the first

    with pytest.raises(CheckViolation, match="grade_pct"), transaction(engine) as session:
        write_tables(session, refused)

    assert keys(engine) == before
    assert content(engine) == stored
    assert (count(engine, Employment), count(engine, AbsenceSpell)) == (employments, spells)
    engine.dispose()


def test_a_lead_who_does_not_own_the_tables_loads_them_with_the_keys_checked_row_by_row(
    crew: Team,  # noqa: F811 (the fixture)
) -> None:
    lead = crew.as_login(crew.leah)
    before = keys(lead)
    spell = {"employee_id": 1, "unit_id": 1, "from_date": dt.date(2025, 4, 7)}

    with lead.begin() as conn, bulk_load(conn, [_table(AbsenceSpell), _table(Employment)]):
        conn.execute(insert(AbsenceSpell).values(absence_type="egenmelding", **spell))

    assert keys(lead) == before  # nothing dropped nor made anew
    with (
        pytest.raises(IntegrityError),
        lead.begin() as conn,
        bulk_load(conn, [_table(AbsenceSpell)]),
    ):
        conn.execute(insert(AbsenceSpell).values(absence_type="egenmelding", **spell, id=999))
    assert count(lead, AbsenceSpell) == 3
