"""Reading one CSV export (encoding, separator) and recognising the table by its headers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core import fmt
from storage.importing.columns import SPECS, SPELLS, TableSpec, normalize_header, recognise
from storage.importing.encoding import NOT_UTF8, MixedEncoding, decode
from storage.importing.problems import ImportProblem, sheet_source
from storage.importing.values import is_formula, is_too_long, map_distinct

if TYPE_CHECKING:  # the mapping module reads its file with `decode` from here
    from storage.importing.mapping import ColumnMapping

Progress = Callable[[str, int, int], None]

PROGRESS_EVERY = 10_000
SEPARATORS = (";", "\t", ",")  # on a tie the first wins: `;` is what Norwegian Excel writes
LINE = "_line"  # the physical line of each row in its file; the header is line 1
FILE = "_file"


@dataclass
class RawTable:
    """One file's (or sheet's) rows as stripped strings, one column per recognised field."""

    file: str
    spec: TableSpec
    headers: dict[str, str]  # field name -> the header as written in the file
    frame: pd.DataFrame  # FILE (the source), LINE and one str column per field in `headers`
    sheet: str | None = None  # the sheet of a workbook; LINE is then Excel's row number
    positions: dict[str, int] = field(default_factory=dict)  # field name -> column, from 0
    # Fields whose every value is known to be a str that is neither a formula nor too long: the
    # CSV reader sees each distinct text anyway, and the checks need not look again.
    plain: frozenset[str] = frozenset()

    @property
    def source(self) -> str:
        """The file, or the workbook and sheet, as messages name it."""
        return self.file if self.sheet is None else sheet_source(self.file, self.sheet)


@dataclass
class ReadResult:
    tables: list[RawTable] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)


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
    """The first line that is not blank, as `text.splitlines()` cuts it (without splitting all)."""
    size = 4096
    while True:
        whole = size >= len(text)
        lines = text[:size].splitlines()
        if not whole:
            lines = lines[:-1]  # the last line of a slice may go on past it
        for line in lines:
            if line.strip():
                return line
        if whole:
            return ""
        size *= 4


class _Irregular(Exception):
    """The file needs the line-by-line reader: ragged rows or line breaks inside quotes."""


def _read_fast(text: str, separator: str) -> tuple[pd.DataFrame, np.ndarray, set[int]]:
    """pandas' C parser; row i is physical line i + 1 unless a quoted value spans lines.

    Also the columns whose texts are all plain (neither formula nor too long).
    """
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
    breaks = text.count("\n")
    if "\r" in text:
        breaks += text.count("\r") - text.count("\r\n")
    physical = breaks + (0 if text.endswith(("\n", "\r")) else 1)
    if len(cells) != physical:
        raise _Irregular
    lines = np.arange(1, len(cells) + 1, dtype="int64")
    cells.columns = pd.RangeIndex(cells.shape[1])
    plain: set[int] = set()
    for column in cells.columns:
        cells[column], texts = _stripped(cells[column])
        if _all_plain(texts):
            plain.add(column)
    return cells, lines, plain


def _all_plain(texts: list[str]) -> bool:
    """No text is a formula nor too long (a NUL before "=" inside a text only says False)."""
    joined = "\0".join(texts)
    return not (is_formula(joined) or "\0=" in joined) and not is_too_long(max(texts, key=len))


def _stripped(column: pd.Series) -> tuple[pd.Series, list[str]]:
    """Each text stripped, "" for a missing field (a short row): once per distinct text.

    Also the distinct texts, stripped.
    """
    codes, uniques = pd.factorize(column.to_numpy(dtype=object))
    texts = [*(str(text).strip() for text in uniques), ""]
    values = np.array(texts, dtype=object)[codes]  # code -1 (missing): ""
    return pd.Series(values, index=column.index, dtype=object), texts


UNCLOSED_QUOTE = 'et anførselstegn (") åpnes men lukkes aldri'


def _unclosed_quote(
    row: list[str], separator: str, start: int, end: int, last: int
) -> tuple[int, str] | None:
    """Where a quote left open swallowed the lines after it: its line, and what to say.

    A value that spans lines and holds the separator is whole rows read as one value: no column
    of ours has line breaks, and a line break typed in a cell (Alt+Enter) brings no separator.
    `start` is the record's first line, `end` its last, `last` the file's.
    """
    for index, cell in enumerate(row):
        if "\n" in cell and separator in cell:
            opened = start + sum(earlier.count("\n") for earlier in row[:index])
            if end >= last:
                return opened, UNCLOSED_QUOTE
            return opened, (
                f'et anførselstegn (") åpnes, og lukkes først på linje {end}; '
                "alt imellom ble lest som én verdi"
            )
    return None


def _csv_error(error: csv.Error) -> str:
    """The csv module's complaint in Norwegian (its own text is English)."""
    if "field limit" in str(error):
        limit = fmt.number(csv.field_size_limit(), 0)
        return f"en verdi er lengre enn {limit} tegn (mangler et avsluttende anførselstegn?)"
    return "linjen kan ikke leses som CSV"


def _read_slow(
    text: str, separator: str, name: str, result: ReadResult, progress: Progress | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """The csv module, keeping each record's first physical line and reporting ragged rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows: list[list[str]] = []
    lines: list[int] = []
    width = 0
    total = max(text.count("\n"), 1)
    last = text.count("\n") + (0 if text.endswith("\n") else 1)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:  # the rest cannot be read reliably: one error, then stop
            message = _csv_error(error)
            if reader.line_num > start and "field limit" in str(error):
                message = UNCLOSED_QUOTE  # a value that long and over lines is an open quote
            result.errors.append(ImportProblem(name, start, None, None, message))
            break
        unclosed = reader.line_num > start and _unclosed_quote(
            row, separator, start, reader.line_num, last
        )
        if unclosed:
            opened, message = unclosed
            result.errors.append(ImportProblem(name, opened, None, None, message))
            break  # what follows is read from the wrong place: one error, then stop
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


def read_csv(
    name: str,
    data: bytes,
    progress: Progress | None = None,
    mapping: ColumnMapping | None = None,
) -> ReadResult:
    """Decode, parse and recognise one CSV file's bytes; problems are returned, never raised."""
    result = ReadResult()

    def error(message: str, line: int | None = None) -> ReadResult:
        result.errors.append(ImportProblem(name, line, None, None, message))
        return result

    try:
        text = decode(data)
    except MixedEncoding as mixed:
        result.errors += [ImportProblem(name, line, None, None, NOT_UTF8) for line in mixed.lines]
        return result
    if not text.strip().strip("\ufeff"):
        return error("filen er tom")
    if (nul := text.find("\x00")) >= 0:
        # Not text at all, or damaged: nothing in it can be trusted, so stop at the first.
        line = text.count("\n", 0, nul) + 1
        return error("har et NUL-tegn; filen er skadet eller ikke en tekstfil (CSV)", line)

    separator = detect_separator(_first_line(text))
    plain: set[int] = set()
    try:
        cells, lines, plain = _read_fast(text, separator)
        blank = np.ones(len(cells), dtype=bool)
        for column in cells.columns:
            blank &= cells[column].to_numpy() == ""
        cells, lines = cells[~blank].reset_index(drop=True), lines[~blank]
    except _Irregular:
        cells, lines = _read_slow(text, separator, name, result, progress)
    if cells.empty:
        return error("filen er tom")  # only separators, e.g. ";;;;" lines from Excel
    header = [cell.lstrip("\ufeff").strip() for cell in cells.iloc[0]]
    body = cells.iloc[1:].reset_index(drop=True)
    if progress is not None:
        progress(name, len(body), len(body))
    recognise_table(result, name, header, body, lines[1:], mapping, plain=plain)
    return result


REPEATED = "gjentar overskriftsraden (to eksporter satt sammen?); raden er hoppet over"


def _repeated_header(keys: list[str], raw: pd.DataFrame) -> np.ndarray:
    """The rows that are the header again, as where two exports were put one after the other.

    Compared as headers are (any case, æøå or not); `keys` are the header's cells so read.
    """
    columns = [(index, key) for index, key in enumerate(keys) if key]
    none = np.zeros(len(raw), dtype=bool)
    if not columns or raw.empty:
        return none
    # Only distinct values are compared, and the column with the fewest decides first: most
    # files have no value there that reads as its header, and are done with at once.
    distinct = {index: pd.unique(raw[index].to_numpy(dtype=object)) for index, _ in columns}
    repeated = ~none
    for index, key in sorted(columns, key=lambda column: len(distinct[column[0]])):
        same = [
            value
            for value in distinct[index]
            if isinstance(value, str) and normalize_header(value) == key
        ]
        repeated &= raw[index].isin(same).to_numpy()
        if not repeated.any():
            break
    return repeated


def recognise_table(
    result: ReadResult,
    file: str,
    header: list[str],
    raw: pd.DataFrame,
    lines: np.ndarray,
    mapping: ColumnMapping | None = None,
    sheet: str | None = None,
    optional: bool = False,
    plain: set[int] | None = None,
) -> RawTable | None:
    """Which table the headers name, and its columns; the table is added to `result`.

    `raw` holds the rows below the header as stripped strings, `lines` their line numbers.
    An `optional` source that is no table (a workbook's notes sheet) is skipped with a warning.
    `plain` are the columns (by position) known to hold only plain str (see RawTable.plain).
    """

    def problem(column: str | None, message: str) -> ImportProblem:
        return ImportProblem(file, None, column, None, message, sheet)

    keys = [normalize_header(cell) for cell in header]
    per_table = {spec.kind: mapping.keys(spec, keys) if mapping else keys for spec in SPECS}
    spec = recognise(per_table)
    if spec is None:
        shown = ", ".join(cell for cell in header if cell) or "ingen"
        found = (
            "kjenner ikke igjen tabellen ut fra overskriftene "
            f"(fant {shown}; forventet overskriftene for enheter, ansatte eller fravær)"
        )
        if optional:
            result.warnings.append(problem(None, f"blir ikke lest: {found}"))
        else:
            result.errors.append(problem(None, found))
        return None
    repeated = _repeated_header(keys, raw)
    if repeated.any():
        for line in lines[repeated]:
            result.warnings.append(ImportProblem(file, int(line), None, None, REPEATED, sheet))
        raw, lines = raw[~repeated].reset_index(drop=True), lines[~repeated]
    keys = per_table[spec.kind]

    headers: dict[str, str] = {}
    columns: dict[str, pd.Series] = {}
    positions: dict[str, int] = {}
    for index, (cell, key) in enumerate(zip(header, keys, strict=True)):
        column = spec.by_key.get(key)
        if column is None:
            if cell or raw[index].ne("").any():
                label = cell or f"kolonne {index + 1} uten overskrift"
                result.warnings.append(problem(label, "ukjent kolonne, blir ikke lest"))
            continue
        if column.name in headers:
            result.errors.append(
                problem(cell, f"kolonnen finnes to ganger (også som {headers[column.name]})")
            )
            continue
        headers[column.name] = cell
        columns[column.name] = raw[index]
        positions[column.name] = index

    for column in spec.columns:
        if column.required and column.name not in headers:
            result.errors.append(
                problem(
                    column.header,
                    f"kolonnen mangler (den må være med i {spec.kind}; "
                    f"heter {column.english} på engelsk)",
                )
            )
    if raw.empty:
        result.warnings.append(
            problem(None, "filen har ingen rader" if sheet is None else "arket har ingen rader")
        )
    known = {name for name, index in positions.items() if index in (plain or ())}
    if mapping is not None and spec is SPELLS and "absence_type" in columns:
        columns["absence_type"] = map_distinct(columns["absence_type"], mapping.type_code)
        known.discard("absence_type")

    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(raw)), dtype=object)
    table = RawTable(file, spec, headers, frame, sheet, positions, frozenset(known))
    frame.insert(0, LINE, lines)
    frame.insert(0, FILE, table.source)
    result.tables.append(table)
    return table
