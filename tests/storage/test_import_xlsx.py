"""Excel workbooks: sheets as tables, date and number cells, errors by sheet and row; and the
holdout-style files (cp1252 `;`, UTF-8 BOM `,`, .xlsx) that must give the same figures."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine

from storage.db import open_database
from storage.usecases.importing import import_files
from storage.usecases.reports import stats_of
from tests.storage.test_import import EXPECTED, content, dump, lines

pytestmark = pytest.mark.both_backends

D = dt.date

HEADERS = {
    "enheter": ["enhet_id", "enhet", "tjenesteområde", "leder"],
    "ansatte": [
        "ansattnr",
        "navn",
        "enhet_id",
        "stillingsprosent",
        "startdato",
        "sluttdato",
        "stilling",
    ],
    "fravær": ["ansattnr", "enhet_id", "fra_dato", "til_dato", "fraværstype", "grad"],
}
# The data set of tests/storage/test_import.py, with Excel's own cell types: numbers as numbers,
# dates as date cells (one as a date-time at midnight, one as text), codes as numbers.
STANDARD: dict[str, list[list[Any]]] = {
    "enheter": [
        [10, "Lade helse- og velferdssenter", "Helse og velferd", "Kari Ås"],
        ["20", "Byåsen barnehage", "Oppvekst og utdanning", "Per Ødegård"],
    ],
    "ansatte": [
        [1001, "Åse Bø", 10, 62.5, D(2024, 1, 1), None, "Helsefagarbeider"],
        [1002, "Øystein Ærø", 20, "100", dt.datetime(2023, 5, 1), D(2025, 12, 31), "Pedagog"],
        [1002, "Øystein Ærø", "10", 20, "1.3.2024", None, "Vikar"],
    ],
    "fravær": [
        [1001, 10, D(2025, 2, 3), D(2025, 2, 5), "egenmelding", None],
        [1001, None, D(2025, 3, 3), "30.03.2025", "sykmelding", 50],
        ["1002", 20, "2025-01-06", None, "sykt barn", None],
    ],
}


def workbook(
    path: Path,
    tables: dict[str, list[list[Any]]],
    names: dict[str, str] | None = None,
    date_format: str = "dd.mm.yyyy",
) -> Path:
    """One sheet per table, with the header in row 1; `names` renames sheets."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for kind, rows in tables.items():
        sheet = book.create_sheet((names or {}).get(kind, kind))
        sheet.append(HEADERS[kind])
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, dt.date):
                    cell.number_format = date_format
    book.save(path)
    return path


def with_cached_values(path: Path, sheet: str, values: dict[str, str]) -> None:
    """Give formula cells the result Excel would have stored (openpyxl stores none)."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    member = f"xl/worksheets/{sheet}.xml"
    xml = parts[member].decode()
    for reference, value in values.items():
        xml, count = re.subn(
            rf'(<c r="{reference}"[^>]*>)(<f>[^<]*</f>)<v\s*/>',
            rf"\1\2<v>{value}</v>",
            xml,
        )
        assert count == 1, reference
    parts[member] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_a_workbook_imports_like_the_csv_files(engine: Engine, tmp_path: Path) -> None:
    path = workbook(tmp_path / "eksport.xlsx", STANDARD, {"fravær": "Fravaer"})

    report = import_files(engine, [path])

    assert report.ok, lines(report.errors)
    assert report.warnings == []
    assert report.tables == {
        "eksport.xlsx, ark enheter": "enheter",
        "eksport.xlsx, ark ansatte": "ansatte",
        "eksport.xlsx, ark Fravaer": "fravær",
    }
    assert content(engine) == EXPECTED


def test_reimporting_a_workbook_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = workbook(tmp_path / "eksport.xlsx", STANDARD)
    assert import_files(engine, [path]).ok
    before = dump(engine)

    again = import_files(engine, [path])

    assert again.ok and again.counts is not None and again.counts.changed == 0
    assert dump(engine) == before


def test_errors_name_the_sheet_and_the_row_excel_shows(engine: Engine, tmp_path: Path) -> None:
    spells: list[list[Any]] = [
        [1001, 10, D(2025, 1, day), D(2025, 1, day), "E", None] for day in range(1, 13)
    ]
    spells.append([1001, 10, D(2025, 2, 1), "31.02.2025", "E", None])  # row 14
    spells.append([1001, 10, D(2025, 3, 1), None, "S", 0.5])  # row 15
    tables = {**STANDARD, "fravær": spells}
    path = workbook(tmp_path / "data.xlsx", tables)

    report = import_files(engine, [path])

    assert lines(report.errors) == [
        "data.xlsx, ark fravær rad 14, til_dato: 31.02.2025 er ikke en gyldig dato",
        "data.xlsx, ark fravær rad 15, fraværstype: S er ikke en kjent fraværstype "
        "(bruk egenmelding, sykmelding, sykt barn eller annet)",
        "data.xlsx, ark fravær rad 15, grad: 0.5 ser ut som en andel; skriv prosent, f.eks. 50",
    ]
    assert dump(engine)["units"] == []


def test_rows_are_numbered_as_in_excel_past_blank_rows_and_columns(
    engine: Engine, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "enheter"
    sheet["C3"], sheet["D3"] = "enhet_id", "enhet"  # header in row 3, from column C
    sheet["C4"], sheet["D4"] = 10, "Lade"
    sheet["C6"], sheet["D6"] = 10, "Lade igjen"  # row 5 is blank
    path = tmp_path / "enheter.xlsx"
    book.save(path)

    report = import_files(engine, [path])

    assert lines(report.errors) == [
        "enheter.xlsx, ark enheter rad 6, enhet_id: 10 finnes også på rad 4"
    ]


def test_duplicates_across_sheets_and_files_name_where_the_first_is(
    engine: Engine, tmp_path: Path
) -> None:
    first = workbook(tmp_path / "a.xlsx", {"enheter": STANDARD["enheter"]})
    second = workbook(tmp_path / "b.xlsx", {"enheter": [[10, "Lade"]]}, {"enheter": "Ark1"})

    report = import_files(engine, [first, second])

    assert lines(report.errors) == [
        "b.xlsx, ark Ark1 rad 2, enhet_id: 10 finnes også på a.xlsx, ark enheter rad 2"
    ]


def test_formulas_give_their_stored_result_and_error_values_are_refused(
    engine: Engine, tmp_path: Path
) -> None:
    assert import_files(engine, [workbook(tmp_path / "base.xlsx", STANDARD)]).ok
    before = dump(engine)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "fravær"
    sheet.append(HEADERS["fravær"])
    sheet.append([1001, 10, D(2025, 5, 5), D(2025, 5, 9), "L", "=40+10"])  # cached: 50
    sheet.append([1001, 10, D(2025, 6, 2), None, "L", "=1/0"])
    sheet["D3"] = "#N/A"
    sheet["D3"].data_type = "e"  # an error value where the end date should be
    sheet.append([1001, 10, D(2025, 7, 1), None, "L", "=SUM(A1:A3)"])  # no stored result
    path = tmp_path / "formler.xlsx"
    book.save(path)
    with_cached_values(path, "sheet1", {"F2": "50"})

    report = import_files(engine, [path])

    assert lines(report.errors) == [
        "formler.xlsx, ark fravær rad 3, til_dato: #N/A er en feilverdi i Excel; "
        "rett formelen eller skriv verdien",
        "formler.xlsx, ark fravær rad 3, grad: =1/0 er en formel uten lagret resultat; "
        "åpne filen i Excel og lagre den, eller skriv inn verdien",
        "formler.xlsx, ark fravær rad 4, grad: =SUM(A1:A3) er en formel uten lagret resultat; "
        "åpne filen i Excel og lagre den, eller skriv inn verdien",
    ]
    assert dump(engine) == before

    sheet.delete_rows(3, 2)
    book.save(path)
    with_cached_values(path, "sheet1", {"F2": "50"})
    report = import_files(engine, [path])
    assert report.ok, lines(report.errors)
    assert ("1001", "10", D(2025, 5, 5), D(2025, 5, 9), "sykmelding", 50.0) in content(engine)[
        "spells"
    ]


def test_sheets_without_a_table_are_skipped_unless_named_like_one(
    engine: Engine, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notater"
    notes.append(["Eksportert fra HR-systemet 01.02.2025"])
    book.create_sheet("Tom")
    units = book.create_sheet("enheter")
    units.append(["kode", "beskrivelse"])
    path = tmp_path / "bok.xlsx"
    book.save(path)

    report = import_files(engine, [path])

    assert lines(report.warnings) == [
        "bok.xlsx, ark Notater: blir ikke lest: kjenner ikke igjen tabellen ut fra "
        "overskriftene (fant Eksportert fra HR-systemet 01.02.2025; forventet overskriftene for "
        "enheter, ansatte eller fravær)"
    ]
    assert lines(report.errors) == [
        "bok.xlsx, ark enheter: kjenner ikke igjen tabellen ut fra overskriftene (fant kode, "
        "beskrivelse; forventet overskriftene for enheter, ansatte eller fravær)"
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"PK\x03\x04 not really a zip",
            "filen kan ikke leses som Excel-arbeidsbok (den kan være skadet, eller lagret i et "
            "annet format; prøv å lagre den på nytt som .xlsx eller CSV)",
        ),
        (None, "arbeidsboken har ingen ark med enheter, ansatte eller fravær"),
    ],
)
def test_broken_and_empty_workbooks_are_refused(
    engine: Engine, tmp_path: Path, data: bytes | None, expected: str
) -> None:
    path = tmp_path / "bok.xlsx"
    if data is None:
        openpyxl.Workbook().save(path)
    else:
        path.write_bytes(data)

    report = import_files(engine, [path])

    assert not report.ok
    assert [problem.message for problem in report.errors] == [expected]


def test_an_xlsx_renamed_to_csv_is_still_read(engine: Engine, tmp_path: Path) -> None:
    path = workbook(tmp_path / "eksport.xlsx", STANDARD).rename(tmp_path / "eksport.csv")

    report = import_files(engine, [path])

    assert report.ok, lines(report.errors)
    assert content(engine) == EXPECTED


def test_progress_names_each_sheet(engine: Engine, tmp_path: Path) -> None:
    path = workbook(tmp_path / "eksport.xlsx", STANDARD)
    calls: list[tuple[str, int, int]] = []

    import_files(engine, [path], dry_run=True, progress=lambda *call: calls.append(call))

    assert calls == [
        ("eksport.xlsx, ark enheter", 2, 2),
        ("eksport.xlsx, ark ansatte", 3, 3),
        ("eksport.xlsx, ark fravær", 3, 3),
    ]


# --- holdout-style files: three ways of saving one export give the same figures -----------------

UNITS = [
    ("4101", "Lade helse- og velferdssenter", "Helse og velferd", "Kari Ås"),
    ("4102", "Byåsen barnehage", "Oppvekst", "Per Ødegård"),
    ("4103", "Tiller hjemmetjeneste", "Helse og velferd", ""),
]
EMPLOYMENTS = [  # number, name, unit, position, start, end
    ("5001", "Åse Bø", "4101", 100.0, D(2022, 1, 1), None),
    ("5002", "Øystein Ærø", "4101", 62.5, D(2023, 3, 1), D(2024, 12, 31)),
    ("5002", "Øystein Ærø", "4103", 80.0, D(2025, 1, 1), None),
    ("5003", "Line Aas", "4102", 50.0, D(2021, 8, 1), None),
    ("5003", "Line Aas", "4103", 30.0, D(2024, 6, 1), None),
    ("5004", "Jon Berg", "4102", 100.0, D(2024, 2, 15), D(2025, 6, 30)),
    ("5005", "Ida Holm", "4103", 75.5, D(2020, 1, 1), None),
]
SPELLS = [  # number, unit or "", from, to or None, type as written, grade or None
    ("5001", "4101", D(2024, 1, 8), D(2024, 1, 10), "egenmelding", None),
    ("5001", "", D(2024, 3, 4), D(2024, 5, 31), "sykmelding", 100.0),
    ("5002", "4101", D(2024, 10, 1), D(2024, 11, 15), "L", 50.0),
    ("5002", "", D(2025, 2, 3), None, "sykmelding", 40.0),
    ("5003", "4102", D(2024, 9, 2), D(2024, 9, 4), "E", None),
    ("5003", "", D(2025, 1, 13), D(2025, 3, 14), "sykmelding", 60.0),
    ("5004", "4102", D(2024, 4, 2), D(2024, 4, 5), "sykt barn", None),
    ("5004", "4102", D(2025, 5, 5), D(2025, 6, 30), "legemeldt", 100.0),
    ("5005", "4103", D(2024, 12, 2), D(2025, 1, 31), "sykmelding", 20.0),
    ("5005", "4103", D(2025, 8, 11), D(2025, 8, 13), "egenmeldt", None),
]


def _text_rows(date: str, decimal: str) -> dict[str, list[list[str]]]:
    def day(value: D | None) -> str:
        return value.strftime(date) if value else ""

    def number(value: float | None) -> str:
        return "" if value is None else f"{value:g}".replace(".", decimal)

    return {
        "enheter": [HEADERS["enheter"], *[list(unit) for unit in UNITS]],
        "ansatte": [
            HEADERS["ansatte"][:6],
            *[[n, name, u, number(p), day(s), day(e)] for n, name, u, p, s, e in EMPLOYMENTS],
        ],
        "fravær": [
            HEADERS["fravær"],
            *[[n, u, day(f), day(t), k, number(g)] for n, u, f, t, k, g in SPELLS],
        ],
    }


def _csv_files(folder: Path, separator: str, encoding: str, date: str, decimal: str) -> list[Path]:
    folder.mkdir()
    paths = []
    for kind, rows in _text_rows(date, decimal).items():
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(rows)
        path = folder / f"{kind}.csv"
        path.write_bytes(buffer.getvalue().encode(encoding))
        paths.append(path)
    return paths


def _excel_file(folder: Path) -> list[Path]:
    folder.mkdir()
    book = openpyxl.Workbook()
    book.remove(book.active)
    tables: dict[str, list[list[Any]]] = {
        "enheter": [[int(code), *rest] for code, *rest in UNITS],
        "ansatte": [[int(n), name, int(u), p, s, e] for n, name, u, p, s, e in EMPLOYMENTS],
        "fravær": [[int(n), int(u) if u else None, f, t, k, g] for n, u, f, t, k, g in SPELLS],
    }
    for kind, rows in tables.items():
        sheet = book.create_sheet(kind)
        sheet.append(HEADERS[kind][: len(rows[0])])
        for row in rows:
            sheet.append(row)
    for row in book["ansatte"].iter_rows(min_row=2, min_col=5, max_col=6):
        for cell in row:
            cell.number_format = "dd.mm.yyyy"  # as Excel formats a typed date
    path = folder / "eksport.xlsx"
    book.save(path)
    return [path]


HOLDOUTS = {
    "cp1252, semicolon, dd.mm.yyyy, decimal comma": lambda folder: _csv_files(
        folder, ";", "cp1252", "%d.%m.%Y", ","
    ),
    "UTF-8 with BOM, comma, ISO dates, decimal point": lambda folder: _csv_files(
        folder, ",", "utf-8-sig", "%Y-%m-%d", "."
    ),
    "xlsx with date and number cells": _excel_file,
}


def test_the_holdout_style_files_import_to_the_same_figures(tmp_path: Path) -> None:
    today = D(2026, 1, 15)
    figures = {}
    for index, (variant, write) in enumerate(HOLDOUTS.items()):
        engine = open_database(tmp_path / f"db{index}.sqlite")
        try:
            report = import_files(engine, write(tmp_path / f"files{index}"))
            assert report.ok, (variant, lines(report.errors))
            assert report.counts is not None and report.counts.spells.inserted == len(SPELLS)
            with engine.connect() as conn:
                figures[variant] = [
                    stats_of(conn, start, end, today=today)
                    for start, end in ((D(2024, 1, 1), D(2024, 12, 31)), (D(2025, 1, 1), today))
                ]
            names = {row[1] for row in content(engine)["units"]}
            assert "Tiller hjemmetjeneste" in names and "Byåsen barnehage" in names
        finally:
            engine.dispose()

    first, *others = figures.values()
    assert first[0].total.figures.lost > 0 and first[1].total.figures.lost > 0
    for other in others:
        assert other == first
