"""Fuzzing the importer: every file ends imported, or refused in Norwegian with nothing written."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Engine

from storage.db import open_database
from storage.importing.files import read_file
from storage.usecases.importing import ImportProblem, ImportReport, import_files
from tests.storage.test_import import ENGLISH, NORWEGIAN, PLAIN, dump, render

# The default run (and CI's) tries about 1,300 cases in some 20 s; HYPOTHESIS_PROFILE=thorough
# tries ten times as many, for a deliberate search.
SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TABLES = ("units", "employments", "spells")
FILE_NAMES = {"units": "enheter", "employments": "ansatte", "spells": "fravær"}
# Python's own words in a message mean an exception's text leaked through.
LEAKED = re.compile(r"Error|Exception|Traceback|line \d|column \d|invalid|object|None")

NASTY = [
    "",
    " ",
    "=SUM(A1:A3)",
    "=cmd|' /C calc'!A0",
    "+1+1",
    "@SUM(1)",
    "9" * 400,
    "1e308",
    "1e999",
    "-1e999",
    "-0",
    "NaN",
    "inf",
    "0,8",
    "62,5 %",
    "1 000,5",
    "31.02.2025",
    "29.02.2024",
    "1.1.10000",
    "0001-01-01",
    "2025-13-01",
    "x" * 5000,
    "\x00",
    "a\x00b",
    "\ufeff",
    '"',
    '""',
    ";",
    ",",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "ÆØÅ æøå",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "E",
    "sykt barn",
    "100",
    "10",
    "1001",
]
cell_values = st.sampled_from(NASTY) | st.text(max_size=30)


def _rows(headers: dict[str, list[str]]) -> dict[str, list[list[str]]]:
    return render(headers=headers)


@st.composite
def tables(draw: st.DrawFn) -> dict[str, list[list[str]]]:
    """The standard data set, partly mangled: some tables, headers shuffled, cells replaced."""
    rendered = _rows(draw(st.sampled_from([NORWEGIAN, ENGLISH, PLAIN])))
    chosen = draw(st.lists(st.sampled_from(TABLES), min_size=1, max_size=3, unique=True))
    result = {}
    for kind in chosen:
        rows = [list(row) for row in rendered[kind]]
        order = draw(st.permutations(range(len(rows[0]))))
        rows = [[row[index] for index in order] for row in rows]
        for _ in range(draw(st.integers(0, 4))):
            row = draw(st.integers(0, len(rows) - 1))
            column = draw(st.integers(0, len(rows[0]) - 1))
            rows[row][column] = draw(cell_values)
        if draw(st.booleans()):  # a truncated or a longer line
            row = draw(st.integers(0, len(rows) - 1))
            rows[row] = rows[row][: draw(st.integers(0, len(rows[row])))]
            rows[row] += draw(st.lists(cell_values, max_size=2))
        result[kind] = rows
    return result


def _serialise(rows: list[list[str]], separator: str, quoted: bool) -> str:
    if not quoted:  # a hand-made export: separators and quotes inside values break the line
        return "".join(separator.join(row) + "\r\n" for row in rows)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


@st.composite
def byte_mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """Truncation, inserted or overwritten bytes (broken encodings, NUL), a deleted slice."""
    for _ in range(draw(st.integers(0, 3))):
        # Not integers(0, len(data)): a workbook's length varies with the time stamps openpyxl
        # writes, and Hypothesis needs the same draws on a replay.
        at = draw(st.integers(0, 1 << 20)) % (len(data) + 1)
        kind = draw(st.sampled_from(["truncate", "insert", "overwrite", "delete"]))
        chunk = draw(st.binary(min_size=1, max_size=8) | st.sampled_from([b"\x00", b"\xff\xfe"]))
        if kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + chunk + data[at:]
        elif kind == "overwrite":
            data = data[:at] + chunk + data[at + len(chunk) :]
        else:
            data = data[:at] + data[at + draw(st.integers(1, 50)) :]
    return data


@st.composite
def csv_files(draw: st.DrawFn) -> dict[str, bytes]:
    """File name -> the bytes of a CSV export, mangled at cell and at byte level."""
    separator = draw(st.sampled_from([";", ",", "\t", "|"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    quoted = draw(st.booleans())
    files = {}
    for kind, rows in draw(tables()).items():
        text = _serialise(rows, separator, quoted)
        data = text.encode(encoding, errors="replace")
        if draw(st.booleans()):
            data = draw(byte_mutations(data))
        files[f"{FILE_NAMES[kind]}.csv"] = data
    if draw(st.integers(0, 9)) == 0:  # now and then a file that is nothing at all
        files["tom.csv"] = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b";;;\r\n;;;", b"\x00" * 9]))
    if draw(st.integers(0, 9)) == 0:
        files["tull.csv"] = draw(st.binary(max_size=300))
    return files


def _cell(draw: st.DrawFn, text: str) -> Any:
    """The text as Excel might hold it: a number, a date, a formula, an error, or text."""
    choice = draw(st.integers(0, 9))
    if choice == 0 and re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", text):
        try:
            return dt.datetime.strptime(text, "%d.%m.%Y").date()
        except ValueError:  # 31.02.2025 stays text: Excel has no such date cell
            return text
    if choice == 1 and re.fullmatch(r"-?\d{1,15}", text):  # Excel keeps 15 digits
        return int(text)
    if choice == 2:
        return draw(st.sampled_from(["=SUM(A1:A3)", "=cmd|' /C calc'!A0", "=1/0"]))
    if choice == 3:
        return draw(
            st.sampled_from([1e308, -1.5, 0.8, 2**53, True, dt.datetime(2025, 1, 1, 13, 30)])
        )
    return ILLEGAL_CHARACTERS_RE.sub("", text)  # openpyxl cannot store control characters


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    """An .xlsx with the (mangled) tables as sheets, odd cells, and now and then broken bytes."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for kind, rows in draw(tables()).items():
        name = draw(st.sampled_from([FILE_NAMES[kind], "fravaer", "Ark1", "Data", "Eksport"]))
        if name in book.sheetnames:
            name = f"{name}{len(book.sheetnames)}"
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([_cell(draw, text) for text in row])
        if draw(st.integers(0, 4)) == 0:
            cell = sheet.cell(
                row=draw(st.integers(1, len(rows) + 1)), column=draw(st.integers(1, 8))
            )
            cell.value, cell.data_type = "#DIV/0!", "e"
    if not book.sheetnames:
        book.create_sheet("Tom")
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if draw(st.integers(0, 4)) == 0:
        data = draw(byte_mutations(data))
    return data


# --- the checks ----------------------------------------------------------------------------------


def _check_problems(problems: list[ImportProblem], given: bytes = b"") -> None:
    """Each problem says something, in its own words: Python's words only where the file had them
    (a message may quote what it found, such as a header "Error")."""
    for problem in problems:
        text = str(problem)
        assert text and problem.message, problem
        leaked = [m.group() for m in LEAKED.finditer(problem.message)]
        assert all(word.encode() in given for word in leaked), problem.message


def _check_outcome(report: ImportReport, before: dict[str, Any], engine: Engine) -> None:
    """Imported with nothing wrong, or refused with reasons and the database as it was."""
    assert isinstance(report, ImportReport)
    _check_problems(report.errors)
    _check_problems(report.warnings)
    if report.ok:
        assert report.errors == [] and report.counts is not None
    else:
        assert report.errors, "refused without a reason"
        assert report.counts is None
        assert dump(engine) == before, "a refused import wrote something"


@pytest.fixture(scope="module")
def loaded_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the standard data set, copied for each case."""
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "base.sqlite"
    engine = open_database(path)
    files = []
    for kind, rows in _rows(NORWEGIAN).items():
        files.append(folder / f"{FILE_NAMES[kind]}.csv")
        files[-1].write_text(_serialise(rows, ";", True), encoding="utf-8")
    assert import_files(engine, files).ok
    engine.dispose()
    return path


class Case:
    """A fresh copy of the loaded database and a folder for the case's files."""

    def __init__(self, base: Path) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="fuzz"))
        shutil.copy(base, self.folder / "db.sqlite")
        self.engine = open_database(self.folder / "db.sqlite")

    def write(self, files: dict[str, bytes]) -> list[Path]:
        paths = []
        for name, data in files.items():
            paths.append(self.folder / name)
            paths[-1].write_bytes(data)
        return paths

    def close(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)


def _run(base: Path, files: dict[str, bytes]) -> None:
    case = Case(base)
    try:
        paths = case.write(files)
        before = dump(case.engine)
        report = import_files(case.engine, paths)
        _check_outcome(report, before, case.engine)
        if report.ok:  # and importing the same files again changes nothing
            after = dump(case.engine)
            again = import_files(case.engine, paths)
            assert again.ok and again.counts is not None and again.counts.changed == 0
            assert dump(case.engine) == after
    finally:
        case.close()


@functools.cache
def _standard_workbook() -> bytes:
    """The standard data set as a workbook, for byte-level mutation (cheaper than building)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for kind, rows in _rows(NORWEGIAN).items():
        sheet = book.create_sheet(FILE_NAMES[kind])
        for row in rows:
            sheet.append(row)
    sheet["D2"] = "=SUM(A1:A3)"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@settings(FUZZ, max_examples=1200 * SCALE)
@given(
    data=st.binary(max_size=2000)
    | csv_files().map(lambda files: b"".join(files.values()))
    | st.builds(_standard_workbook).flatmap(byte_mutations),
    suffix=st.sampled_from([".csv", ".txt", ".xlsx"]),
)
@example(data=b"Error", suffix=".csv")  # a header the message quotes, not a leak
def test_the_reader_returns_a_table_or_a_reason_for_any_bytes(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fil{suffix}"
        path.write_bytes(data)

        result = read_file(path)

    assert result.tables or result.errors
    _check_problems(result.errors + result.warnings, given=data)
    for table in result.tables:
        lines = table.frame["_line"].tolist()
        assert lines == sorted(set(lines)) and all(line >= 2 for line in lines)


@settings(FUZZ, max_examples=80 * SCALE)
@given(files=csv_files())
def test_any_csv_export_is_imported_whole_or_refused_whole(
    loaded_database: Path, files: dict[str, bytes]
) -> None:
    _run(loaded_database, files)


@settings(FUZZ, max_examples=30 * SCALE)
@given(workbook=workbooks(), also_csv=st.booleans(), files=csv_files())
def test_any_workbook_is_imported_whole_or_refused_whole(
    loaded_database: Path, workbook: bytes, also_csv: bool, files: dict[str, bytes]
) -> None:
    _run(loaded_database, {"eksport.xlsx": workbook, **(files if also_csv else {})})


def test_known_hard_cases(loaded_database: Path) -> None:
    """The fuzzers' finds and the brief's list, kept as plain examples."""
    head = "ansattnr;enhet_id;fra_dato;til_dato;fraværstype;grad\r\n"
    for data in [
        b"",
        b"\x00" * 100,
        "enhet_id;enhet\r\n".encode("utf-16-le"),  # UTF-16 without its BOM
        ("enhet_id;enhet\r\n10;" + "x" * 200_000 + "\r\n").encode(),  # a very long line
        (head + '1001;10;"01.02.2025;;E;\r\n').encode(),  # a quote that never closes
        (head + "1001;10;01.02.2025;=SUM(A1:A3);E;\r\n").encode(),
        (head + "1001;10;01.02.2025;;E;" + "9" * 400 + "\r\n").encode(),
        (head + "1001;10;01.02.2025;;E;1e999\r\n").encode(),
        (head + "1001;10;01.02.2025;;E;100\r\n")[:-9].encode(),  # truncated
        (head + "1001;10;01.02.2025;;E;100\r\n").encode("utf-16")[:-1],  # odd byte count
    ]:
        _run(loaded_database, {"fravær.csv": data})
