"""Reading Excel workbooks through python-calamine: each sheet a table, its cells as text."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING
from xml.etree import ElementTree

import numpy as np
import pandas as pd
from python_calamine import (
    CalamineError,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from storage.importing.columns import TABLES, normalize_header
from storage.importing.package import (
    UNREADABLE,
    check_workbook,
    is_too_large,
    local_name,
    sheet_parts,
    too_large,
)
from storage.importing.problems import ImportProblem, sheet_source
from storage.importing.read import PROGRESS_EVERY, Progress, ReadResult, recognise_table
from storage.importing.values import map_distinct

if TYPE_CHECKING:
    from storage.importing.mapping import ColumnMapping

_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)$")
# Error values (t="e") and formulas (<f>, also with a namespace prefix), found as plain bytes:
# a regular expression takes seconds on a sheet of 250,000 rows.
_MARKERS = (b't="e"', b"t='e'", b"<f>", b"<f ", b":f>", b":f ")
_CHUNK = 1 << 20

HIDDEN = (
    "arket er skjult i Excel og blir ikke lest; vis arket (høyreklikk på en arkfane, Vis) "
    "og importer på nytt hvis det skal være med"
)

CellIssues = dict[tuple[int, int], tuple[str, str]]  # (row, column) -> (value, message)


def _cell_text(value: object) -> str:
    """A cell as Excel's CSV export of it would read: 03.02.2025, and 1001 without `.0`."""
    if isinstance(value, bool):
        return "SANN" if value else "USANN"
    if isinstance(value, float):
        # Excel keeps every number as a float: employee number 1001 comes back as 1001.0.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        day = f"{value:%d.%m.%Y}"
        return day if value.time() == dt.time() else f"{day} {value:%H:%M:%S}"
    if isinstance(value, dt.date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


def _has_markers(stream: IO[bytes]) -> bool:
    """Whether the sheet has error values or formulas at all: most exports have neither."""
    tail = b""
    while chunk := stream.read(_CHUNK):
        window = tail + chunk
        if any(marker in window for marker in _MARKERS):
            return True
        tail = chunk[-8:]
    return False


def _position(reference: str | None) -> tuple[int, int] | None:
    """("C14") -> (14, 2): Excel's row number and the column from 0."""
    found = _CELL_REF.match(reference or "")
    if found is None:
        return None
    column = 0
    for letter in found.group(1):
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(found.group(2)), column - 1


def _scan(stream: IO[bytes]) -> Iterator[tuple[tuple[int, int], tuple[str, str]]]:
    """Each error value and each formula without a stored result, by position."""
    for _, element in ElementTree.iterparse(stream, events=("end",)):
        tag = local_name(element.tag)
        if tag == "row":
            element.clear()  # keeps memory flat on sheets of 250,000 rows
        if tag != "c":
            continue
        children = {local_name(child.tag): child for child in element}
        value = children["v"].text if "v" in children else None
        position = _position(element.get("r"))
        if position is None:
            continue
        if element.get("t") == "e":
            yield (
                position,
                (value or "#FEIL", "er en feilverdi i Excel; rett formelen eller skriv verdien"),
            )
        elif "f" in children and not value and element.get("t") != "str":
            formula = f"={children['f'].text or ''}"
            yield (
                position,
                (
                    formula,
                    "er en formel uten lagret resultat; åpne filen i Excel og lagre den, "
                    "eller skriv inn verdien",
                ),
            )


def cell_issues(data: bytes, sheet: str) -> CellIssues:
    """The cells of `sheet` that calamine gives as empty though they are not.

    Those are Excel's error values (#DIV/0!, #N/A) and formulas stored without their result
    (files written by programs, not by Excel). A best effort on top of what calamine read: a
    part it cannot find changes nothing.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = sheet_parts(archive).get(sheet)
            if part is None:
                return {}
            with archive.open(part) as stream:
                if not _has_markers(stream):
                    return {}
            with archive.open(part) as stream:
                return dict(_scan(stream))
    except (
        zipfile.BadZipFile,
        KeyError,
        ElementTree.ParseError,
        OSError,
        EOFError,
        RuntimeError,  # an encrypted member
        NotImplementedError,  # a compression zipfile does not know
        zlib.error,
    ):
        return {}


def read_workbook(
    name: str,
    data: bytes,
    progress: Progress | None = None,
    mapping: ColumnMapping | None = None,
) -> ReadResult:
    """Every sheet with a table (recognised by its headers); problems returned, never raised.

    A sheet named like a table (enheter, ansatte, fravær, also fravaer) must hold it; other
    sheets that hold no table (notes, pivots) are skipped with a warning.
    """
    result = ReadResult()

    def error(message: str) -> ReadResult:
        result.errors.append(ImportProblem(name, None, None, None, message))
        return result

    if refusals := check_workbook(name, data):
        result.errors += refusals
        return result
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        return error("arbeidsboken er passordbeskyttet; lagre den uten passord og prøv igjen")
    except CalamineError:
        return error(UNREADABLE)
    # Read from bytes in memory: no file stays open, so the book needs no closing.
    for meta in book.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        if meta.visible != SheetVisibleEnum.Visible:
            # What the user cannot see in Excel is not taken in unseen: an old copy or a
            # helper table is hidden far more often than the data itself.
            result.warnings.append(ImportProblem(name, None, None, None, HIDDEN, meta.name))
            continue
        _read_sheet(book, name, meta.name, data, progress, mapping, result)
    if not result.tables and not result.errors:
        return error("arbeidsboken har ingen ark med enheter, ansatte eller fravær")
    return result


def _read_sheet(
    book: CalamineWorkbook,
    name: str,
    sheet_name: str,
    data: bytes,
    progress: Progress | None,
    mapping: ColumnMapping | None,
    result: ReadResult,
) -> None:
    source = sheet_source(name, sheet_name)
    named = normalize_header(sheet_name) in TABLES

    def error(message: str) -> None:
        result.errors.append(ImportProblem(name, None, None, None, message, sheet_name))

    try:
        sheet = book.get_sheet_by_name(sheet_name)
        if is_too_large(sheet.height, sheet.width):  # an .xls or .ods: the package is not read
            error(too_large(sheet.height, sheet.width))
            return
        cells = sheet.to_python(skip_empty_area=True)
        top, left = sheet.start or (0, 0)
    except CalamineError:
        error("arket kan ikke leses (filen kan være skadet)")
        return

    # Each distinct value converted once: a column of 250,000 dates has a few thousand. The type
    # is part of the key, as True == 1 == 1.0 in Python.
    converted: dict[tuple[type, object], str] = {}

    def text(value: object) -> str:
        key = (type(value), value)
        if (found := converted.get(key)) is None:
            found = converted[key] = _cell_text(value)
        return found

    rows: list[list[str]] = []
    lines: list[int] = []
    for index, row in enumerate(cells):
        texts = [value if type(value) is str else text(value) for value in row]
        if any(text.strip() for text in texts):  # blank rows are skipped, as in CSV
            rows.append(texts)
            lines.append(top + index + 1)
            if progress is not None and len(rows) % PROGRESS_EVERY == 0:
                progress(source, len(rows) - 1, len(cells) - 1)  # rows below the header
    if not rows:
        if named:
            result.warnings.append(
                ImportProblem(name, None, None, None, "arket er tomt", sheet_name)
            )
        return
    frame = pd.DataFrame(rows[1:], columns=pd.RangeIndex(len(rows[0])), dtype=object)
    for column in frame.columns:
        frame[column] = map_distinct(frame[column], str.strip)
    if progress is not None:
        progress(source, len(frame), len(frame))
    header = [text.strip() for text in rows[0]]
    table = recognise_table(
        result,
        name,
        header,
        frame,
        np.array(lines[1:], dtype="int64"),
        mapping,
        sheet_name,
        optional=not named,
    )
    if table is None:
        return
    fields = {index + left: field for field, index in table.positions.items()}
    for (line, column), (value, message) in sorted(cell_issues(data, sheet_name).items()):
        if line > lines[0] and column in fields:
            header_text = table.headers[fields[column]]
            result.errors.append(ImportProblem(name, line, header_text, value, message, sheet_name))
