"""Reading one CSV export: encoding, separator, headers, and which table it is."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from storage.importing.columns import TableSpec, normalize_header, recognise
from storage.importing.problems import ImportProblem
from storage.importing.values import map_distinct

Progress = Callable[[str, int, int], None]

PROGRESS_EVERY = 10_000
SEPARATORS = (";", "\t", ",")  # on a tie the first wins: `;` is what Norwegian Excel writes
LINE = "_line"  # the physical line of each row in its file; the header is line 1
FILE = "_file"


@dataclass
class RawTable:
    """One file's rows as stripped strings, one column per recognised field."""

    file: str
    spec: TableSpec
    headers: dict[str, str]  # field name -> the header as written in the file
    frame: pd.DataFrame  # FILE, LINE and one str column per field in `headers`


@dataclass
class ReadResult:
    table: RawTable | None = None
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)


def decode(data: bytes) -> str:
    """Text from Excel's three CSV flavours: UTF-8 with BOM, plain UTF-8, or Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        # The five bytes cp1252 leaves undefined: latin-1 reads every byte and keeps æøå.
        return data.decode("latin-1")


def detect_separator(header_line: str) -> str:
    """The separator that occurs most often in the header line outside quotes."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


class _Irregular(Exception):
    """The file needs the line-by-line reader: ragged rows or line breaks inside quotes."""


def _read_fast(text: str, separator: str) -> tuple[pd.DataFrame, np.ndarray]:
    """pandas' C parser; row i is physical line i + 1 unless a quoted value spans lines."""
    try:
        cells = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            header=None,
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise _Irregular from exc
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    physical = breaks + (0 if text.endswith(("\n", "\r")) else 1)
    if len(cells) != physical:
        raise _Irregular
    lines = np.arange(1, len(cells) + 1, dtype="int64")
    cells.columns = pd.RangeIndex(cells.shape[1])
    for column in cells.columns:
        cells[column] = map_distinct(cells[column].fillna(""), str.strip)
    return cells, lines


def _read_slow(
    text: str, separator: str, name: str, result: ReadResult, progress: Progress | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """The csv module, keeping each record's first physical line and reporting ragged rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows: list[list[str]] = []
    lines: list[int] = []
    width = 0
    total = max(text.count("\n"), 1)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        if not "".join(row).strip():
            continue  # blank lines and Excel's trailing ";;;;" rows
        row = [cell.strip() for cell in row]
        if not rows:
            width = len(row)
        elif len(row) < width:
            row += [""] * (width - len(row))  # Excel drops trailing empty cells in some exports
        elif len(row) > width:
            if any(row[width:]):
                result.errors.append(
                    ImportProblem(
                        name,
                        start,
                        None,
                        None,
                        f"linjen har {len(row)} felt, men overskriften har bare {width} "
                        "(står det et skilletegn i en verdi uten anførselstegn rundt?)",
                    )
                )
            row = row[:width]
        rows.append(row)
        lines.append(start)
        if progress is not None and len(rows) % PROGRESS_EVERY == 0:
            progress(name, len(rows), total)
    return pd.DataFrame(rows, dtype=object), np.array(lines, dtype="int64")


def read_csv(path: Path, progress: Progress | None = None) -> ReadResult:
    """Read, decode and recognise one file; problems are returned, never raised."""
    name = path.name
    result = ReadResult()

    def error(message: str) -> ReadResult:
        result.errors.append(ImportProblem(name, None, None, None, message))
        return result

    if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
        return error("Excel-arbeidsbøker kan ikke leses ennå; lagre arket som CSV og prøv igjen")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return error("filen finnes ikke")
    except IsADirectoryError:
        return error("er en mappe, ikke en fil")
    except PermissionError:
        return error("filen kan ikke leses: du har ikke tilgang til den")
    except OSError as exc:
        return error(f"filen kan ikke leses ({exc.strerror or exc})")
    text = decode(data)
    if not text.strip().strip("\ufeff"):
        return error("filen er tom")

    separator = detect_separator(_first_line(text))
    try:
        try:
            cells, lines = _read_fast(text, separator)
            blank = cells.eq("").all(axis=1).to_numpy()
            cells, lines = cells[~blank].reset_index(drop=True), lines[~blank]
        except _Irregular:
            cells, lines = _read_slow(text, separator, name, result, progress)
    except csv.Error as exc:
        return error(f"filen kan ikke leses som CSV ({exc})")
    if cells.empty:
        return error("filen er tom")  # only separators, e.g. ";;;;" lines from Excel
    header = [cell.lstrip("\ufeff").strip() for cell in cells.iloc[0]]
    body = cells.iloc[1:].reset_index(drop=True)
    if progress is not None:
        progress(name, len(body), len(body))
    return _recognise(name, header, body, lines[1:], result)


def _recognise(
    name: str, header: list[str], raw: pd.DataFrame, lines: np.ndarray, result: ReadResult
) -> ReadResult:
    keys = [normalize_header(cell) for cell in header]
    spec = recognise(keys)
    if spec is None:
        shown = ", ".join(cell for cell in header if cell) or "ingen"
        result.errors.append(
            ImportProblem(
                name,
                None,
                None,
                None,
                "kjenner ikke igjen tabellen ut fra overskriftene "
                f"(fant {shown}; forventet overskriftene for enheter, ansatte eller fravær)",
            )
        )
        return result

    headers: dict[str, str] = {}
    columns: dict[str, pd.Series] = {}
    for index, (cell, key) in enumerate(zip(header, keys, strict=True)):
        column = spec.by_key.get(key)
        if column is None:
            if cell or raw[index].ne("").any():
                label = cell or f"kolonne {index + 1} uten overskrift"
                result.warnings.append(
                    ImportProblem(name, None, label, None, "ukjent kolonne, blir ikke lest")
                )
            continue
        if column.name in headers:
            result.errors.append(
                ImportProblem(
                    name,
                    None,
                    cell,
                    None,
                    f"kolonnen finnes to ganger (også som {headers[column.name]})",
                )
            )
            continue
        headers[column.name] = cell
        columns[column.name] = raw[index]

    for column in spec.columns:
        if column.required and column.name not in headers:
            result.errors.append(
                ImportProblem(
                    name,
                    None,
                    column.header,
                    None,
                    f"kolonnen mangler (den må være med i {spec.kind}; "
                    f"heter {column.english} på engelsk)",
                )
            )
    if raw.empty:
        result.warnings.append(ImportProblem(name, None, None, None, "filen har ingen rader"))

    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(raw)), dtype=object)
    frame.insert(0, LINE, lines)
    frame.insert(0, FILE, name)
    result.table = RawTable(name, spec, headers, frame)
    return result
