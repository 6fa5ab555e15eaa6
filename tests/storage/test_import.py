"""Import of the canonical CSV tables into a real database (an SQLite file, a PostgreSQL
server): variants, errors, idempotency."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, make_transient

from storage import crypto, figures
from storage.db import open_database, transaction
from storage.demo import generate
from storage.figures import compute_unit_months, refresh_figures, sick_spells
from storage.importer import (
    ImportProblem,
    ImportReport,
    Tables,
    format_problems,
    write_tables,
)
from storage.importing.values import parse_dates, parse_numbers, parse_types
from storage.importing.write import execute_plan, load_existing, plan_writes
from storage.models import AbsenceSpell, Base, Employee, Employment, Unit, UnitMonthFigure
from storage.repos.staff import load_employments, load_spells
from storage.usecases.importing import import_files, load_demo

pytestmark = pytest.mark.both_backends

D = dt.date

UNITS = [
    ("10", "Lade helse- og velferdssenter", "Helse og velferd", "Kari Ås"),
    ("20", "Byåsen barnehage", "Oppvekst og utdanning", "Per Ødegård"),
]
EMPLOYMENTS = [  # number, name, unit, position, start, end, title
    ("1001", "Åse Bø", "10", 62.5, D(2024, 1, 1), None, "Helsefagarbeider"),
    ("1002", "Øystein Ærø", "20", 100.0, D(2023, 5, 1), D(2025, 12, 31), "Pedagog"),
    ("1002", "Øystein Ærø", "10", 20.0, D(2024, 3, 1), None, "Vikar"),
]
SPELLS = [  # number, unit, from, to, type as written, grade as written
    ("1001", "10", D(2025, 2, 3), D(2025, 2, 5), "egenmelding", ""),
    ("1001", "", D(2025, 3, 3), D(2025, 3, 30), "sykmelding", "50"),
    ("1002", "20", D(2025, 1, 6), None, "sykt barn", ""),
]
EXPECTED = {
    "units": sorted(UNITS),
    "employees": [("1001", "Åse Bø"), ("1002", "Øystein Ærø")],
    "employments": sorted(EMPLOYMENTS),
    "spells": sorted(
        [
            ("1001", "10", D(2025, 2, 3), D(2025, 2, 5), "egenmelding", 100.0),
            ("1001", None, D(2025, 3, 3), D(2025, 3, 30), "sykmelding", 50.0),
            ("1002", "20", D(2025, 1, 6), None, "sykt_barn", 100.0),
        ],
        key=repr,
    ),
}

NORWEGIAN = {
    "units": ["enhet_id", "enhet", "tjenesteområde", "leder"],
    "employments": [
        "ansattnr",
        "navn",
        "enhet_id",
        "stillingsprosent",
        "startdato",
        "sluttdato",
        "stilling",
    ],
    "spells": ["ansattnr", "enhet_id", "fra_dato", "til_dato", "fraværstype", "grad"],
}
ENGLISH = {
    "units": ["unit_id", "unit", "service_area", "leader"],
    "employments": [
        "employee_id",
        "name",
        "unit_id",
        "position_pct",
        "start_date",
        "end_date",
        "title",
    ],
    "spells": ["employee_id", "unit_id", "from_date", "to_date", "type", "grade_pct"],
}
PLAIN = {  # no æøå, odd case and spaces around
    "units": [" ENHET_ID", "Enhet ", "Tjenesteomrade", "LEDER"],
    "employments": NORWEGIAN["employments"],
    "spells": ["Ansattnr", " enhet_id ", "Fra_Dato", "TIL_DATO", "Fravaerstype", "Grad"],
}


# --- helpers ----------------------------------------------------------------------------------


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def csv_text(rows: list[list[str]], separator: str = ";") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def render(
    layout: str = "%d.%m.%Y",
    decimal: str = ",",
    headers: dict[str, list[str]] = NORWEGIAN,
    types: dict[str, str] | None = None,
    percent: str = "",
) -> dict[str, list[list[str]]]:
    """The standard data set as rows of text, the way an export would write them."""

    def day(value: D | None) -> str:
        if value is None:
            return ""
        text = value.strftime(layout)
        if layout == "d.m.yyyy":
            text = f"{value.day}.{value.month}.{value.year}"
        return text

    def number(value: float) -> str:
        return f"{value:g}".replace(".", decimal) + percent

    return {
        "units": [headers["units"], *[list(unit) for unit in UNITS]],
        "employments": [
            headers["employments"],
            *[[n, name, u, number(p), day(s), day(e), t] for n, name, u, p, s, e, t in EMPLOYMENTS],
        ],
        "spells": [
            headers["spells"],
            *[
                [n, u, day(f), day(t), (types or {}).get(kind, kind), grade]
                for n, u, f, t, kind, grade in SPELLS
            ],
        ],
    }


FILE_NAMES = {"units": "enheter.csv", "employments": "ansatte.csv", "spells": "fravær.csv"}


def write_set(
    folder: Path,
    tables: dict[str, list[list[str]]],
    separator: str = ";",
    encoding: str = "utf-8",
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write(folder, FILE_NAMES[kind], csv_text(rows, separator), encoding)
        for kind, rows in tables.items()
    ]


def content(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """The stored data by natural keys, independent of ids."""
    with engine.connect() as conn:
        units = conn.execute(select(Unit.code, Unit.name, Unit.service_area, Unit.leader)).all()
        employees = conn.execute(select(Employee.number, Employee.name)).all()
        employments = conn.execute(
            select(
                Employee.number,
                Employee.name,
                Unit.code,
                Employment.position_pct,
                Employment.start_date,
                Employment.end_date,
                Employment.title,
            )
            .join(Employee, Employment.employee_id == Employee.id)
            .join(Unit, Employment.unit_id == Unit.id)
        ).all()
        spells = conn.execute(
            select(
                Employee.number,
                Unit.code,
                AbsenceSpell.from_date,
                AbsenceSpell.to_date,
                AbsenceSpell.absence_type,
                AbsenceSpell.grade_pct,
            )
            .join(Employee, AbsenceSpell.employee_id == Employee.id)
            .outerjoin(Unit, AbsenceSpell.unit_id == Unit.id)
        ).all()
    return {
        "units": sorted(tuple(row) for row in units),
        "employees": sorted(tuple(row) for row in employees),
        "employments": sorted(tuple(row) for row in employments),
        "spells": sorted((tuple(row) for row in spells), key=repr),
    }


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ids included: for 'nothing changed' comparisons."""
    with engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
        }


def lines(problems: list[ImportProblem]) -> list[str]:
    return [str(problem) for problem in problems]


def standard_import(engine: Engine, folder: Path) -> ImportReport:
    report = import_files(engine, write_set(folder, render()))
    assert report.ok, lines(report.errors)
    return report


# --- reading every variant Excel writes ---------------------------------------------------------


VARIANTS: dict[str, Callable[[Path], list[Path]]] = {
    "cp1252, semicolon, dd.mm.yyyy": lambda folder: write_set(folder, render(), ";", "cp1252"),
    "UTF-8 with BOM, comma, ISO dates, decimal comma in quotes": lambda folder: write_set(
        folder, render("%Y-%m-%d"), ",", "utf-8-sig"
    ),
    "tab, UTF-8, d.m.yyyy, decimal point": lambda folder: write_set(
        folder, render("d.m.yyyy", "."), "\t", "utf-8"
    ),
    "English headers and one-letter type codes": lambda folder: write_set(
        folder,
        render(
            "%Y-%m-%d",
            ".",
            ENGLISH,
            {"egenmelding": "E", "sykmelding": "L", "sykt barn": "B"},
        ),
        ",",
        "utf-8",
    ),
    "headers without æøå, odd case and spaces, cp1252": lambda folder: write_set(
        folder, render(headers=PLAIN, types={"sykmelding": "Legemeldt"}), ";", "cp1252"
    ),
    "percent signs and Excel's CRLF, UTF-8 with BOM": lambda folder: write_set(
        folder, render(percent=" %"), ";", "utf-8-sig"
    ),
    "UTF-16, tab (Excel's Unicode text)": lambda folder: write_set(
        folder, render(), "\t", "utf-16"
    ),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_imports_the_same_data(engine: Engine, tmp_path: Path, variant: str) -> None:
    report = import_files(engine, VARIANTS[variant](tmp_path / "files"))

    assert report.ok, lines(report.errors)
    assert report.tables == {
        "enheter.csv": "enheter",
        "ansatte.csv": "ansatte",
        "fravær.csv": "fravær",
    }
    stored = content(engine)
    assert stored["units"] == EXPECTED["units"]  # æøå survived the encoding
    assert stored["employees"] == EXPECTED["employees"]
    assert stored["employments"] == EXPECTED["employments"]
    assert stored["spells"] == EXPECTED["spells"]


def test_tables_are_recognised_by_headers_not_names(engine: Engine, tmp_path: Path) -> None:
    tables = render()
    paths = [
        write(tmp_path, "eksport1.txt", csv_text(tables["spells"])),
        write(tmp_path, "eksport2.txt", csv_text(tables["units"])),
        write(tmp_path, "eksport3.txt", csv_text(tables["employments"])),
    ]

    report = import_files(engine, paths)

    assert report.ok, lines(report.errors)
    assert report.tables == {
        "eksport1.txt": "fravær",
        "eksport2.txt": "enheter",
        "eksport3.txt": "ansatte",
    }
    assert content(engine)["spells"] == EXPECTED["spells"]


def test_written_numbers_and_dates_are_understood() -> None:
    numbers = pd.Series(
        ["62,5", "62.5", "62,5 %", "80%", "1 000,5", "1\u00a0000", "1\u202f000,25", "1.234,5"],
        dtype=object,
    )
    assert parse_numbers(numbers).tolist() == [62.5, 62.5, 62.5, 80, 1000.5, 1000, 1000.25, 1234.5]
    assert parse_numbers(pd.Series(["", "åtti", "1,2,3"], dtype=object)).isna().all()

    dates, shaped = parse_dates(
        pd.Series(["03.02.2025", "3.2.2025", "2025-02-03", "2025-02-03 00:00:00"], dtype=object)
    )
    assert all(day == pd.Timestamp(2025, 2, 3) for day in dates)
    assert shaped.all()
    invalid, shaped = parse_dates(pd.Series(["31.02.2025", "03/02/2025", "3.2.25"], dtype=object))
    assert invalid.isna().all()
    assert shaped.tolist() == [True, False, False]

    kinds = ["E", "egenmeldt", "L", "Sykemelding", "legemeldt", "B", "Sykt  barn", "ANNET", "ferie"]
    assert parse_types(pd.Series(kinds, dtype=object)).tolist()[:-1] == [
        "egenmelding",
        "egenmelding",
        "sykmelding",
        "sykmelding",
        "sykmelding",
        "sykt_barn",
        "sykt_barn",
        "annet",
    ]
    assert pd.isna(parse_types(pd.Series(["ferie"], dtype=object))[0])


def test_blank_lines_trailing_separators_and_quoted_line_breaks_keep_line_numbers(
    engine: Engine, tmp_path: Path
) -> None:
    standard_import(engine, tmp_path / "first")
    text = (
        "ansattnr;navn;enhet_id;stillingsprosent;startdato;sluttdato;stilling\r\n"
        '2001;"Kari\r\nNordmann";10;100;01.01.2024;;\r\n'  # a quoted line break: lines 2-3
        "\r\n"  # line 4: blank
        ";;;;;;\r\n"  # line 5: Excel's empty row
        "2002;Ola;10;abc;01.01.2024;;\r\n"  # line 6
    )
    report = import_files(engine, [write(tmp_path, "ansatte.csv", text)])

    assert lines(report.errors) == ["ansatte.csv linje 6, stillingsprosent: abc er ikke et tall"]


# --- errors: every kind, with file, line, column and value --------------------------------------

UNIT_HEAD = "enhet_id;enhet\n"
EMPLOYMENT_HEAD = "ansattnr;navn;enhet_id;stillingsprosent;startdato;sluttdato\n"
SPELL_HEAD = "ansattnr;enhet_id;fra_dato;til_dato;fraværstype;grad\n"
GOOD_UNITS = UNIT_HEAD + "10;Lade\n"
GOOD_EMPLOYMENTS = EMPLOYMENT_HEAD + "1001;Åse;10;100;01.01.2024;\n"

ERROR_CASES: dict[str, tuple[dict[str, str], list[str]]] = {
    "missing required column": (
        {"fravær.csv": "ansattnr;enhet_id;til_dato;fraværstype\n1001;10;01.02.2025;E\n"},
        [
            "fravær.csv, fra_dato: kolonnen mangler (den må være med i fravær; "
            "heter from_date på engelsk)"
        ],
    ),
    "empty required value": (
        {"ansatte.csv": EMPLOYMENT_HEAD + "1001;Åse;10;100;01.01.2024;\n1002;Ola;10;100;;\n"},
        ["ansatte.csv linje 3, startdato: mangler verdi"],
    ),
    "impossible date": (
        {"fravær.csv": SPELL_HEAD + "1001;10;01.02.2025;31.02.2025;E;\n"},
        ["fravær.csv linje 2, til_dato: 31.02.2025 er ikke en gyldig dato"],
    ),
    "date in an unknown layout": (
        {"fravær.csv": SPELL_HEAD + "1001;10;01/02/2025;;E;\n"},
        [
            "fravær.csv linje 2, fra_dato: 01/02/2025 er ikke en gyldig dato "
            "(skriv dd.mm.åååå eller åååå-mm-dd)"
        ],
    ),
    "number that is no number": (
        {"ansatte.csv": EMPLOYMENT_HEAD + "1001;Åse;10;åtti;01.01.2024;\n"},
        ["ansatte.csv linje 2, stillingsprosent: åtti er ikke et tall"],
    ),
    "to-date before from-date": (
        {"fravær.csv": SPELL_HEAD + "1001;10;05.01.2025;01.01.2025;L;\n"},
        ["fravær.csv linje 2, til_dato: 01.01.2025 er før fra_dato (05.01.2025)"],
    ),
    "end date before start date": (
        {"ansatte.csv": EMPLOYMENT_HEAD + "1001;Åse;10;100;01.02.2024;31.01.2024\n"},
        ["ansatte.csv linje 2, sluttdato: 31.01.2024 er før startdato (01.02.2024)"],
    ),
    "grade outside 1-100": (
        {"fravær.csv": SPELL_HEAD + "1001;10;01.02.2025;;L;150\n1001;10;01.03.2025;;L;0\n"},
        [
            "fravær.csv linje 2, grad: 150 er utenfor 1–100",
            "fravær.csv linje 3, grad: 0 er utenfor 1–100",
        ],
    ),
    "position outside 0-100": (
        {
            "ansatte.csv": EMPLOYMENT_HEAD
            + "1001;Åse;10;120;01.01.2024;\n1002;Ola;10;0;01.01.2024;\n"
        },
        [
            "ansatte.csv linje 2, stillingsprosent: 120 er utenfor 0–100 "
            "(må være over 0 og høyst 100)",
            "ansatte.csv linje 3, stillingsprosent: 0 er utenfor 0–100 "
            "(må være over 0 og høyst 100)",
        ],
    ),
    "thousands separators (space, no-break, narrow no-break) are read as numbers": (
        {
            "ansatte.csv": EMPLOYMENT_HEAD
            + "1001;Åse;10;1 000;01.01.2024;\n"
            + "1002;Ola;10;1\u00a0000;01.01.2024;\n"
            + "1003;Kari;10;2\u202f000,5;01.01.2024;\n"
        },
        [
            f"ansatte.csv linje {line}, stillingsprosent: {value} er utenfor 0–100 "
            "(må være over 0 og høyst 100)"
            for line, value in ((2, "1 000"), (3, "1\u00a0000"), (4, "2\u202f000,5"))
        ],
    ),
    "position written as a share": (
        {"ansatte.csv": EMPLOYMENT_HEAD + "1001;Åse;10;0,8;01.01.2024;\n"},
        [
            "ansatte.csv linje 2, stillingsprosent: 0,8 ser ut som en andel; "
            "skriv prosent, f.eks. 80"
        ],
    ),
    "unknown absence type": (
        {"fravær.csv": SPELL_HEAD + "1001;10;01.02.2025;;ferie;\n"},
        [
            "fravær.csv linje 2, fraværstype: ferie er ikke en kjent fraværstype "
            "(bruk egenmelding, sykmelding, sykt barn eller annet)"
        ],
    ),
    "unknown unit": (
        {
            "ansatte.csv": EMPLOYMENT_HEAD + "1001;Åse;99;100;01.01.2024;\n",
            "fravær.csv": SPELL_HEAD + "1001;98;01.02.2025;;E;\n",
        },
        [
            "ansatte.csv linje 2, enhet_id: 99 er ikke en kjent enhet "
            "(finnes verken i enhetsfilen eller i databasen)",
            "fravær.csv linje 2, enhet_id: 98 er ikke en kjent enhet "
            "(finnes verken i enhetsfilen eller i databasen)",
        ],
    ),
    "unknown employee": (
        {"fravær.csv": SPELL_HEAD + "5555;10;01.02.2025;;E;\n"},
        [
            "fravær.csv linje 2, ansattnr: 5555 er ikke en kjent ansatt "
            "(finnes verken i ansattfilen eller i databasen)"
        ],
    ),
    "duplicate unit": (
        {"enheter.csv": UNIT_HEAD + "10;Lade\n20;Byåsen\n10;Lade igjen\n"},
        ["enheter.csv linje 4, enhet_id: 10 finnes også på linje 2"],
    ),
    "duplicate employment": (
        {
            "ansatte.csv": EMPLOYMENT_HEAD
            + "1001;Åse;10;100;01.01.2024;\n1001;Åse;10;80;1.1.2024;\n"
        },
        [
            "ansatte.csv linje 3, ansattnr/enhet_id/startdato: 1001/10/1.1.2024 "
            "finnes også på linje 2"
        ],
    ),
    "duplicate spell, type written two ways, no unit": (
        {
            "fravær.csv": SPELL_HEAD
            + "1001;;01.02.2025;;E;\n1001;;2025-02-01;03.02.2025;egenmelding;\n"
        },
        [
            "fravær.csv linje 3, ansattnr/enhet_id/fra_dato/fraværstype: "
            "1001/(tom)/2025-02-01/egenmelding finnes også på linje 2"
        ],
    ),
    "unrecognised table": (
        {"lønn.csv": "ansattnr;lønn;trinn\n1001;500000;40\n"},
        [
            "lønn.csv: kjenner ikke igjen tabellen ut fra overskriftene (fant ansattnr, lønn, "
            "trinn; forventet overskriftene for enheter, ansatte eller fravær)"
        ],
    ),
    "empty file": ({"fravær.csv": ""}, ["fravær.csv: filen er tom"]),
    "row with more fields than the header": (
        {"enheter.csv": UNIT_HEAD + "10;Lade;ekstra\n"},
        [
            "enheter.csv linje 2: linjen har 3 felt, men overskriften har bare 2 "
            "(står det et skilletegn i en verdi uten anførselstegn rundt?)"
        ],
    ),
    "column given twice": (
        {"enheter.csv": "enhet_id;enhet;unit_id\n10;Lade;10\n"},
        ["enheter.csv, unit_id: kolonnen finnes to ganger (også som enhet_id)"],
    ),
}


@pytest.mark.parametrize("case", ERROR_CASES)
def test_each_error_names_file_line_column_and_value(
    engine: Engine, tmp_path: Path, case: str
) -> None:
    base = import_files(
        engine,
        [
            write(tmp_path, "enheter.csv", GOOD_UNITS),
            write(tmp_path, "ansatte.csv", GOOD_EMPLOYMENTS),
        ],
    )
    assert base.ok, lines(base.errors)
    files, expected = ERROR_CASES[case]
    folder = tmp_path / "bad"
    folder.mkdir()
    before = dump(engine)

    report = import_files(engine, [write(folder, name, text) for name, text in files.items()])

    assert not report.ok
    assert report.counts is None
    assert lines(report.errors) == expected
    assert dump(engine) == before


def test_unreadable_files(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "mappe.csv").mkdir()
    report = import_files(
        engine,
        [tmp_path / "borte.csv", tmp_path / "mappe.csv", write(tmp_path, "ark.xlsx", "PK")],
    )

    assert lines(report.errors) == [
        "borte.csv: filen finnes ikke",
        "mappe.csv: er en mappe uten CSV- eller Excel-filer",
        "ark.xlsx: filen kan ikke leses som Excel-arbeidsbok (den kan være skadet, eller lagret "
        "i et annet format; prøv å lagre den på nytt som .xlsx eller CSV)",
    ]


def test_all_errors_are_collected_in_file_and_line_order(engine: Engine, tmp_path: Path) -> None:
    spells = SPELL_HEAD + (
        "1001;10;01.02.2025;;E;\n"  # line 2: fine
        "1001;10;31.02.2025;;E;\n"  # line 3: date
        "1001;10;01.03.2025;;ferie;\n"  # line 4: type
        ";10;01.04.2025;;L;500\n"  # line 5: two errors
    )
    report = import_files(
        engine,
        [
            write(tmp_path, "fravær.csv", spells),
            write(tmp_path, "enheter.csv", UNIT_HEAD + "10;\n"),
            write(tmp_path, "ansatte.csv", GOOD_EMPLOYMENTS),
        ],
    )

    assert [(p.file, p.line, p.column) for p in report.errors] == [
        ("fravær.csv", 3, "fra_dato"),
        ("fravær.csv", 4, "fraværstype"),
        ("fravær.csv", 5, "ansattnr"),
        ("fravær.csv", 5, "grad"),
        ("enheter.csv", 2, "enhet"),
    ]
    assert content(engine)["units"] == []


def test_long_lists_are_cut_with_a_count(engine: Engine, tmp_path: Path) -> None:
    rows = "".join(f"{n};Navn;10;abc;01.01.2024;\n" for n in range(1000, 1070))
    report = import_files(
        engine,
        [
            write(tmp_path, "enheter.csv", GOOD_UNITS),
            write(tmp_path, "ansatte.csv", EMPLOYMENT_HEAD + rows),
        ],
    )

    assert len(report.errors) == 70
    shown = format_problems(report.errors)
    assert len(shown) == 51
    assert shown[-1] == "… og 20 til"
    assert "Importen er avvist: 70 feil. Ingenting er lagret." in report.summary()


def test_same_table_in_two_files_reports_duplicates_across_them(
    engine: Engine, tmp_path: Path
) -> None:
    report = import_files(
        engine,
        [
            write(tmp_path, "enheter.csv", GOOD_UNITS),
            write(tmp_path, "ansatte.csv", GOOD_EMPLOYMENTS),
            write(tmp_path, "fravær_2024.csv", SPELL_HEAD + "1001;10;01.12.2024;;L;\n"),
            write(tmp_path, "fravær_2025.csv", SPELL_HEAD + "1001;10;01.12.2024;;L;50\n"),
        ],
    )

    assert lines(report.errors) == [
        "fravær_2025.csv linje 2, ansattnr/enhet_id/fra_dato/fraværstype: "
        "1001/10/01.12.2024/L finnes også på fravær_2024.csv linje 2"
    ]


def test_units_and_employees_already_in_the_database_are_known(
    engine: Engine, tmp_path: Path
) -> None:
    standard_import(engine, tmp_path / "first")
    report = import_files(
        engine, [write(tmp_path, "fravær.csv", SPELL_HEAD + "1002;10;01.06.2025;02.06.2025;E;\n")]
    )

    assert report.ok, lines(report.errors)
    assert report.counts is not None and report.counts.spells.inserted == 1


# --- all or nothing, idempotency, updates ---------------------------------------------------------


def test_rejected_import_leaves_the_database_unchanged(engine: Engine, tmp_path: Path) -> None:
    standard_import(engine, tmp_path / "first")
    before = dump(engine)
    tables = render()
    tables["units"].append(["30", "Ny enhet", "", ""])
    tables["employments"][1][3] = "80"  # an update
    tables["spells"].append(["1001", "10", "01.05.2025", "", "L", "abc"])  # one error

    report = import_files(engine, write_set(tmp_path / "second", tables))

    assert not report.ok
    assert lines(report.errors) == ["fravær.csv linje 5, grad: abc er ikke et tall"]
    assert dump(engine) == before


def test_importing_the_same_files_twice_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    paths = write_set(tmp_path, render())
    first = import_files(engine, paths)
    after_first = dump(engine)

    second = import_files(engine, paths)

    assert first.ok and second.ok
    assert dump(engine) == after_first
    assert second.counts is not None
    for counts in (
        second.counts.units,
        second.counts.employees,
        second.counts.employments,
        second.counts.spells,
    ):
        assert counts.inserted == counts.updated == 0
    assert second.counts.spells.unchanged == 3


def test_an_updated_row_replaces_the_stored_one(engine: Engine, tmp_path: Path) -> None:
    standard_import(engine, tmp_path / "first")
    rows_before = {name: len(rows) for name, rows in dump(engine).items()}
    tables = render()
    tables["units"][1][3] = "Ny Leder"
    tables["employments"][1][3] = "80"  # 1001 goes from 62,5 to 80 %
    tables["employments"][2][1] = ""  # an empty name keeps the stored one
    tables["employments"][3][1] = "Øystein Ærø Berg"  # 1002's last row renames him
    tables["spells"][2][3] = "01.04.2025"  # the spell without a unit gets a to-date...
    tables["spells"][2][5] = "60"  # ...and a new grade

    report = import_files(engine, write_set(tmp_path / "second", tables))

    assert report.ok, lines(report.errors)
    assert report.counts is not None
    assert (report.counts.units.updated, report.counts.units.unchanged) == (1, 1)
    assert report.counts.employees.updated == 1
    assert report.counts.employments.updated == 1
    assert report.counts.spells.updated == 1
    assert report.counts.spells.inserted == 0
    stored = content(engine)
    assert ("10", "Lade helse- og velferdssenter", "Helse og velferd", "Ny Leder") in stored[
        "units"
    ]
    assert stored["employees"] == [("1001", "Åse Bø"), ("1002", "Øystein Ærø Berg")]
    assert ("1001", "Åse Bø", "10", 80.0, D(2024, 1, 1), None, "Helsefagarbeider") in stored[
        "employments"
    ]
    assert ("1001", None, D(2025, 3, 3), D(2025, 4, 1), "sykmelding", 60.0) in stored["spells"]
    assert {
        name: len(rows) for name, rows in dump(engine).items() if name != "unit_month_figures"
    } == {name: count for name, count in rows_before.items() if name != "unit_month_figures"}


def test_dry_run_writes_nothing_and_tells_what_would_be_written(
    engine: Engine, tmp_path: Path
) -> None:
    before = dump(engine)

    report = import_files(engine, write_set(tmp_path, render()), dry_run=True)

    assert report.ok and report.dry_run
    assert dump(engine) == before
    assert report.counts is not None
    assert report.counts.spells.inserted == 3
    assert report.counts.employees.inserted == 2
    assert report.summary().splitlines()[3:] == [
        "Prøvekjøring, ingenting er lagret. Ville lagret:",
        "  enheter: 2 nye, 0 endret, 0 uendret",
        "  ansatte: 2 nye, 0 endret, 0 uendret",
        "  arbeidsforhold: 3 nye, 0 endret, 0 uendret",
        "  fraværsperioder: 3 nye, 0 endret, 0 uendret",
    ]


def test_a_table_of_one_row_is_one_row(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "en"
    folder.mkdir()
    (folder / "enheter.csv").write_text("enhet_id;enhet\nE1;Lia sykehjem\n")
    report = import_files(engine, [folder / "enheter.csv"], dry_run=True)
    assert report.summary().splitlines()[0] == "enheter.csv: enheter, 1 rad"


def test_warnings_are_reported_and_the_import_goes_on(engine: Engine, tmp_path: Path) -> None:
    tables = render()
    tables["spells"][0] = [*tables["spells"][0], "kommentar"]
    tables["spells"][1:] = [
        ["1001", "10", "03.02.2025", "05.02.2025", "E", "50", ""],  # egenmelding with a grade
        ["1001", "", "01.01.2020", "10.01.2020", "L", "", ""],  # before any employment
        ["1002", "20", "06.01.2025", "31.01.2025", "L", "60", ""],
        ["1002", "", "13.01.2025", "20.01.2025", "L", "70", "ingen"],  # 130 % with the one above
    ]

    report = import_files(engine, write_set(tmp_path, tables))

    assert report.ok, lines(report.errors)
    assert lines(report.warnings) == [
        "fravær.csv, kommentar: ukjent kolonne, blir ikke lest",
        "fravær.csv linje 2, grad: 50 gjelder en egenmelding, som alltid har grad 100; "
        "100 er brukt",
        "fravær.csv linje 3, fra_dato: 01.01.2020 ligger utenfor alle arbeidsforholdene til "
        "ansatt 1001; dagene teller ikke i sykefraværet",
        "fravær.csv linje 5, grad: 70 gir samlet grad 130 % den 13.01.2025 sammen med annet "
        "sykefravær (over 100 % regnes som 100 %)",
    ]
    assert len(content(engine)["spells"]) == 4
    assert ("1001", "10", D(2025, 2, 3), D(2025, 2, 5), "egenmelding", 100.0) in content(engine)[
        "spells"
    ]


def test_overlap_with_a_stored_spell_is_found_and_other_units_do_not_overlap(
    engine: Engine, tmp_path: Path
) -> None:
    standard_import(engine, tmp_path / "first")  # 1001 is 50 % sick 3-30 March, no unit
    spells = SPELL_HEAD + (
        "1002;10;06.01.2025;31.01.2025;L;80\n"  # unit 10; 1002's sykt barn in 20 is no sick leave
        "1002;20;06.01.2025;31.01.2025;L;80\n"  # unit 20: no overlap with unit 10
        "1001;;10.03.2025;12.03.2025;L;60\n"  # 50 + 60 on 10 March
    )

    report = import_files(engine, [write(tmp_path, "fravær.csv", spells)])

    assert report.ok, lines(report.errors)
    assert lines(report.warnings) == [
        "fravær.csv linje 4, grad: 60 gir samlet grad 110 % den 10.03.2025 sammen med annet "
        "sykefravær (over 100 % regnes som 100 %)"
    ]


def test_spell_outside_the_employment_in_its_unit_is_warned(engine: Engine, tmp_path: Path) -> None:
    standard_import(engine, tmp_path / "first")  # 1002 is in unit 20 until the end of 2025
    spells = SPELL_HEAD + "1002;20;05.01.2026;06.01.2026;E;\n1002;;05.01.2026;06.01.2026;annet;\n"

    report = import_files(engine, [write(tmp_path, "fravær.csv", spells)])

    assert report.ok
    assert lines(report.warnings) == [
        "fravær.csv linje 2, fra_dato: 05.01.2026 ligger utenfor alle arbeidsforholdene til "
        "ansatt 1002 i enhet 20; dagene teller ikke i sykefraværet"
    ]


def test_progress_is_reported_while_reading_and_writing(engine: Engine, tmp_path: Path) -> None:
    standard_import(engine, tmp_path / "first")
    count = 25_000
    days = pd.date_range("2000-01-03", periods=count, freq="D")
    text = SPELL_HEAD + "".join(f"1001;;{day:%d.%m.%Y};{day:%d.%m.%Y};annet;\n" for day in days)
    calls: list[tuple[str, int, int]] = []

    report = import_files(
        engine,
        [write(tmp_path, "fravær.csv", text)],
        progress=lambda name, done, total: calls.append((name, done, total)),
    )

    assert report.ok
    assert ("fravær.csv", count, count) in calls
    writing = [(done, total) for name, done, total in calls if name == "lagrer i databasen"]
    assert [done for done, _ in writing] == [10_000, 20_000, count]
    assert all(total == count for _, total in writing)


# --- write_tables: the shared writer ------------------------------------------------------------


def test_write_tables_takes_dates_in_any_form_and_matches_spells_without_unit(
    engine: Engine,
) -> None:
    tables = Tables(
        units=pd.DataFrame({"code": ["A"], "name": ["Enhet A"]}),
        employments=pd.DataFrame(
            {
                "employee_number": ["1", "2"],
                "name": ["Én", None],
                "unit_code": ["A", "A"],
                "position_pct": [100, 50.0],
                "start_date": [D(2024, 1, 1), pd.Timestamp(2024, 6, 1)],
                "end_date": [None, pd.NaT],
                "title": [None, "Vikar"],
            }
        ),
        spells=pd.DataFrame(
            {
                "employee_number": ["1", "1", "2"],
                "unit_code": [None, "A", None],
                "from_date": pd.to_datetime(["2025-01-06", "2025-01-06", "2025-02-03"]),
                "to_date": [D(2025, 1, 10), None, D(2025, 2, 4)],
                "absence_type": ["sykmelding", "sykmelding", "egenmelding"],
                "grade_pct": [50.0, 100.0, 100.0],
            }
        ),
    )
    with transaction(engine) as session:
        first = write_tables(session, tables)
    after_first = dump(engine)
    with transaction(engine) as session:
        second = write_tables(session, tables)

    assert (first.spells.inserted, first.employments.inserted, first.units.inserted) == (3, 2, 1)
    assert (second.spells.unchanged, second.spells.inserted, second.spells.updated) == (3, 0, 0)
    assert dump(engine) == after_first
    assert ("1", None, D(2025, 1, 6), D(2025, 1, 10), "sykmelding", 50.0) in content(engine)[
        "spells"
    ]


def test_write_tables_keeps_stored_values_of_columns_left_out(
    engine: Engine, tmp_path: Path
) -> None:
    standard_import(engine, tmp_path / "first")
    units = pd.DataFrame({"code": ["10"], "name": ["Lade HVS"]})  # no service area, no leader
    with transaction(engine) as session:
        counts = write_tables(session, Tables(units=units))

    assert counts.units.updated == 1
    assert ("10", "Lade HVS", "Helse og velferd", "Kari Ås") in content(engine)["units"]


# --- how rows are written: through the driver, read back through the ORM --------------------------


def raw_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored value with its SQLite storage class, read past SQLAlchemy's types."""
    with closing(sqlite3.connect(path)) as conn:
        return {
            table.name: sorted(
                conn.execute(
                    "SELECT "
                    + ", ".join(f"typeof({c.name}), {c.name}" for c in table.columns)
                    + f" FROM {table.name}"
                ).fetchall(),
                key=repr,
            )
            for table in Base.metadata.sorted_tables
        }


def test_written_rows_read_back_through_the_orm_with_their_types(
    engine: Engine, tmp_path: Path
) -> None:
    standard_import(engine, tmp_path / "files")

    with Session(engine) as session:
        spells = session.scalars(select(AbsenceSpell).order_by(AbsenceSpell.id)).all()
        employments = session.scalars(select(Employment).order_by(Employment.id)).all()
        units = session.scalars(select(Unit).order_by(Unit.id)).all()
        employees = session.scalars(select(Employee).order_by(Employee.id)).all()
    for spell in spells:
        assert type(spell.id) is int and type(spell.employee_id) is int
        assert spell.unit_id is None or type(spell.unit_id) is int
        assert type(spell.from_date) is dt.date
        assert spell.to_date is None or type(spell.to_date) is dt.date
        assert type(spell.grade_pct) is float and type(spell.absence_type) is str
    assert [(s.from_date, s.to_date, s.unit_id is None) for s in spells] == [
        (D(2025, 2, 3), D(2025, 2, 5), False),
        (D(2025, 3, 3), D(2025, 3, 30), True),
        (D(2025, 1, 6), None, False),
    ]
    for employment in employments:
        assert type(employment.id) is int and type(employment.unit_id) is int
        assert type(employment.start_date) is dt.date and type(employment.position_pct) is float
        assert employment.end_date is None or type(employment.end_date) is dt.date
    assert [e.end_date for e in employments] == [None, D(2025, 12, 31), None]
    assert [type(u.id) for u in units] == [int, int]
    assert [(e.number, e.name) for e in employees] == [("1001", "Åse Bø"), ("1002", "Øystein Ærø")]


@pytest.mark.sqlite_only
def test_written_rows_are_stored_as_sqlalchemy_itself_stores_them(
    engine: Engine, tmp_path: Path
) -> None:
    standard_import(engine, tmp_path / "files")
    imported = raw_rows(Path(str(engine.url.database)))
    # The same rows, read through the ORM and written again by it into an empty database.
    copy = open_database(tmp_path / "copy" / "naervaer.sqlite")
    try:
        with Session(engine) as source, transaction(copy) as target:
            for model in (Unit, Employee, Employment, AbsenceSpell, UnitMonthFigure):
                for row in source.scalars(select(model)).all():
                    source.expunge(row)
                    make_transient(row)
                    target.add(row)
                target.flush()
    finally:
        copy.dispose()
    again = raw_rows(tmp_path / "copy" / "naervaer.sqlite")

    for table in ("units", "employees", "employments", "absence_spells", "unit_month_figures"):
        assert imported[table] == again[table], table
    dates = [row[6:10] for row in imported["absence_spells"]]  # typeof and value of both
    assert ("text", "2025-03-03", "text", "2025-03-30") in dates
    assert ("text", "2025-01-06", "null", None) in dates


def test_figures_written_with_an_import_are_those_computed_from_the_database(
    engine: Engine,
) -> None:
    """The importer computes the figures from what it writes; reading it back gives the same."""
    data = generate("small", 3, D(2026, 6, 30))
    first = Tables(units=data.units, employments=data.employments, spells=data.spells)
    spells = data.spells.copy()
    changed = spells.index[::7]
    spells.loc[changed, "to_date"] = spells.loc[changed, "from_date"] + pd.Timedelta(days=40)
    spells.loc[changed[::2], "grade_pct"] = 40.0
    spells.loc[spells.index[::11], "unit_code"] = None  # new spells, for every employment
    employments = data.employments.copy()
    employments.loc[employments.index[::5], "position_pct"] = 55.0
    employments.loc[employments.index[::9], "end_date"] = pd.Timestamp(2025, 12, 31)
    second = Tables(employments=employments, spells=spells)

    for tables in (first, second, second):
        # What the importer holds as written is what the database then holds, ids and order too.
        with Session(engine) as session:
            existing = load_existing(session)
            written = execute_plan(session, existing, plan_writes(existing, tables))
            conn = session.connection()
            stored_employments = load_employments(conn)[list(written.employments.columns)]
            stored_spells = load_spells(conn)
            session.rollback()
        dates = {"start": "datetime64[s]", "end": "datetime64[s]"}
        pd.testing.assert_frame_equal(written.employments, stored_employments.astype(dates))
        pd.testing.assert_frame_equal(
            written.spells.astype({"kind": object}),
            stored_spells.astype({**dates, "kind": object}),
        )
        # And the figures written with the import are those read back from it.
        with transaction(engine) as session:
            write_tables(session, tables)
        after_import = dump(engine)["unit_month_figures"]
        with transaction(engine) as session:
            refresh_figures(session)
        assert dump(engine)["unit_month_figures"] == after_import
        assert after_import


def test_the_figures_are_the_same_worked_out_a_group_of_employees_at_a_time(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A large import takes its employees a group at a time (all at once would take gigabytes).
    today = dt.date(2026, 11, 24)
    load_demo(engine, scale="small", seed=3, today=today)
    with engine.connect() as conn:
        employments, spells = load_employments(conn), sick_spells(conn)
    start = dt.date(2023, 1, 1)
    whole = compute_unit_months(employments, spells, start, today, today)
    monkeypatch.setattr(figures, "ONE_GO_ROWS", 0)
    monkeypatch.setattr(figures, "CHUNK_ROWS", 47 * 20)  # 20 employees a group: 30 groups

    grouped = compute_unit_months(employments, spells, start, today, today)

    assert employments["employee_id"].nunique() > 20 * 30
    assert whole["lost"].sum() > 0
    pd.testing.assert_frame_equal(grouped, whole, check_exact=False, rtol=1e-12)


@pytest.mark.skipif(
    importlib.util.find_spec("sqlcipher3") is None, reason="needs the crypto extra (sqlcipher3)"
)
def test_an_encrypted_database_is_written_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "secret" / "naervaer.sqlite"
    path.parent.mkdir(mode=0o700)
    open_database(path).dispose()
    crypto.encrypt(path, "hemmelig passord")
    engine = open_database(path, "hemmelig passord")
    try:
        first = standard_import(engine, tmp_path / "files")
        after_first = dump(engine)
        second = import_files(engine, write_set(tmp_path / "again", render()))
        stored = content(engine)
        assert dump(engine) == after_first
    finally:
        engine.dispose()

    assert first.counts is not None and first.counts.spells.inserted == 3
    assert second.ok and second.counts is not None and second.counts.changed == 0
    assert stored["spells"] == EXPECTED["spells"]
    assert after_first["unit_month_figures"]


def test_formulas_and_overlong_values_are_refused_in_any_row_and_column(
    engine: Engine, tmp_path: Path
) -> None:
    text = (
        UNIT_HEAD
        + "10;Lade\n"
        + "20;=cmd|' /C calc'!A0\n"
        + f"30;{'Å' * 255}\n"  # as long as a value may be
        + f"40;{'Å' * 256}\n"
        + "=1;Byåsen\n"
        + '50;"Nord\n=Sør"\n'  # a line break and "=" inside a value: no formula
    )

    report = import_files(engine, [write(tmp_path, "enheter.csv", text)])

    assert lines(report.errors) == [
        "enheter.csv linje 3, enhet: =cmd|' /C calc'!A0 ser ut som en formel; "
        "lagre resultatet, ikke formelen (eller fjern =)",
        f"enheter.csv linje 5, enhet: {'Å' * 59}… er for lang (over 255 tegn)",
        "enheter.csv linje 6, enhet_id: =1 ser ut som en formel; "
        "lagre resultatet, ikke formelen (eller fjern =)",
    ]


def test_the_header_is_found_below_many_blank_lines(engine: Engine, tmp_path: Path) -> None:
    text = "\r\n" * 3000 + " ;;\r\n" * 2000 + "enhet_id;enhet\r\n10;=Lade\r\n"

    report = import_files(engine, [write(tmp_path, "enheter.csv", text)])

    assert report.tables == {"enheter.csv": "enheter"}
    assert lines(report.errors) == [
        "enheter.csv linje 5002, enhet: =Lade ser ut som en formel; "
        "lagre resultatet, ikke formelen (eller fjern =)"
    ]


# --- property: importing the same generated files twice changes nothing ---------------------------


@pytest.fixture(scope="module")
def empty_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "empty.sqlite"
    open_database(path).dispose()
    return path


codes = st.text(alphabet="0123456789ABCÆØÅ", min_size=1, max_size=4)
names = st.text(alphabet="abcæøå ÆØÅ-", min_size=1, max_size=12).map(str.strip).filter(bool)
LAST_DAY = D(2026, 12, 31)
days = st.dates(min_value=D(2015, 1, 1), max_value=LAST_DAY)
percents = st.sampled_from([100.0, 80.0, 62.5, 50.0, 20.0, 33.3])


@st.composite
def data_sets(draw: st.DrawFn) -> dict[str, list[list[str]]]:
    """Valid tables (with duplicates removed by key) written in a random variant."""
    layout = draw(st.sampled_from(["%d.%m.%Y", "%Y-%m-%d"]))
    decimal = draw(st.sampled_from([",", "."]))
    unit_codes = draw(st.lists(codes, min_size=1, max_size=4, unique=True))
    units = [[code, draw(names), draw(names), ""] for code in unit_codes]
    employments: dict[tuple[str, str, D], list[str]] = {}
    for _ in range(draw(st.integers(1, 8))):
        number, unit, start = draw(codes), draw(st.sampled_from(unit_codes)), draw(days)
        end = draw(st.none() | st.dates(min_value=start, max_value=LAST_DAY))
        position = f"{draw(percents):g}".replace(".", decimal)
        employments[(number, unit, start)] = [
            number,
            draw(st.sampled_from(["", "Kari Ås"])),
            unit,
            position,
            start.strftime(layout),
            end.strftime(layout) if end else "",
            "",
        ]
    people = sorted({key[0] for key in employments})
    spells: dict[tuple[str, str, D, str], list[str]] = {}
    for _ in range(draw(st.integers(0, 12))):
        number = draw(st.sampled_from(people))
        unit = draw(st.sampled_from(["", *unit_codes]))
        start = draw(days)
        end = draw(st.none() | st.dates(min_value=start, max_value=LAST_DAY))
        kind = draw(st.sampled_from(["egenmelding", "sykmelding", "sykt_barn", "annet"]))
        written = {"sykt_barn": "sykt barn"}.get(kind, kind)
        grade = draw(st.sampled_from(["", "50", "100", "20,5"]))
        spells[(number, unit, start, kind)] = [
            number,
            unit,
            start.strftime(layout),
            end.strftime(layout) if end else "",
            written,
            grade,
        ]
    return {
        "units": [NORWEGIAN["units"], *units],
        "employments": [NORWEGIAN["employments"], *employments.values()],
        "spells": [NORWEGIAN["spells"], *spells.values()],
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    tables=data_sets(),
    separator=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_property_importing_twice_changes_nothing(
    empty_database: Path, tables: dict[str, list[list[str]]], separator: str, encoding: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "db.sqlite"
        shutil.copy(empty_database, database)
        engine = open_database(database)
        try:
            paths = write_set(Path(folder) / "files", tables, separator, encoding)
            first = import_files(engine, paths)
            assert first.ok, lines(first.errors)
            after_first = dump(engine)
            second = import_files(engine, paths)
            assert second.ok
            assert dump(engine) == after_first
            assert second.counts is not None and second.counts.changed == 0
            assert len(content(engine)["spells"]) == len(tables["spells"]) - 1
        finally:
            engine.dispose()
