"""Checks of the imported rows, cell by cell and against each other and the database, in bulk."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.text import has_control, imported_key, imported_text, is_clean
from storage.importing.columns import EMPLOYMENTS, KEY, SPECS, SPELLS, UNITS, TableSpec
from storage.importing.consistency import FROM_TEXT, outside_employment, overgraded
from storage.importing.problems import ImportProblem, row_word
from storage.importing.read import FILE, LINE, RawTable
from storage.importing.values import (
    MAX_TEXT,
    format_number,
    is_formula,
    is_too_long,
    map_distinct,
    parse_dates,
    parse_numbers,
    parse_types,
)
from storage.importing.write import Existing, Tables

Message = str | Callable[[pd.DataFrame], Iterable[str]]

CONTROL_IN_KEY = (
    "har kontrolltegn eller skjulte styretegn; rett nøkkelen i kildesystemet og eksporter på nytt"
)
ONLY_CONTROL = "består bare av kontrolltegn eller skjulte styretegn"
CONTROL_REMOVED = "hadde kontrolltegn eller skjulte styretegn, som er fjernet"
DATE_HINT = " (skriv dd.mm.åååå eller åååå-mm-dd)"
EMPTY = "(tom)"


@dataclass
class Validated:
    tables: Tables
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)


class Rows:
    """One table's rows from all of its files, and the problems found in them."""

    def __init__(self, spec: TableSpec, raws: list[RawTable], result: Validated) -> None:
        self.spec, self.result = spec, result
        frames = [raw.frame for raw in raws]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        names = [column.name for column in spec.columns]
        frame = frame.reindex(columns=[FILE, LINE, *names])
        # Fields every file has as plain text (RawTable.plain) need no checking of their cells.
        self.plain = frozenset.intersection(*(raw.plain for raw in raws)) if raws else frozenset()
        # Columns a file lacks read as empty cells; `present` tells them from empty values.
        for name in names:
            if name not in self.plain and not _all_text(frame[name]):
                frame[name] = frame[name].astype(object).fillna("")
        self.frame = frame
        self.headers = {raw.source: raw.headers for raw in raws}
        self.sheets = {raw.source: raw.sheet for raw in raws}
        self.present = {
            name: frame[FILE].isin([file for file, found in self.headers.items() if name in found])
            for name in names
        }
        self.bad = pd.Series(False, index=frame.index)  # rows with at least one error
        # Cells refused as a whole (a formula): one message each, not one more per check.
        self.refused = {name: pd.Series(False, index=frame.index) for name in names}
        self._given = {
            name: pd.Series(frame[name].to_numpy() != "", index=frame.index) for name in names
        }

    def has(self, name: str) -> bool:
        return bool(self.present[name].any())

    def header(self, file: str, name: str) -> str:
        return self.headers[file].get(name) or self.spec.column(name).header

    def given(self, name: str) -> pd.Series:
        return self._given[name]

    def report(
        self, mask: pd.Series, name: str, message: Message, *, warning: bool = False
    ) -> None:
        mask = mask.fillna(False).astype(bool) & ~self.refused[name]
        if not mask.any():
            return
        if not warning:
            self.bad |= mask
        rows = self.frame.loc[mask]
        texts = [message] * len(rows) if isinstance(message, str) else list(message(rows))
        target = self.result.warnings if warning else self.result.errors
        for file, line, value, text in zip(rows[FILE], rows[LINE], rows[name], texts, strict=True):
            column = self.header(file, name)
            target.append(ImportProblem(file, int(line), column, value or None, text))

    def required(self, name: str) -> None:
        self.report(self.present[name] & ~self.given(name), name, "mangler verdi")
        self.bad |= ~self.present[name]  # the missing column is reported once, for the file

    def dates(self, name: str) -> pd.Series:
        dates, shaped = parse_dates(self.frame[name])
        invalid = self.given(name) & dates.isna()
        self.report(invalid & shaped, name, "er ikke en gyldig dato")
        self.report(invalid & ~shaped, name, "er ikke en gyldig dato" + DATE_HINT)
        return dates

    def numbers(self, name: str) -> pd.Series:
        values = parse_numbers(self.frame[name])
        self.report(self.given(name) & values.isna(), name, "er ikke et tall")
        return values

    def share(self, name: str, values: pd.Series, mask: pd.Series) -> None:
        def message(rows: pd.DataFrame) -> Iterable[str]:
            for value in values[rows.index]:
                example = format_number(round(value * 100, 2))
                yield f"ser ut som en andel; skriv prosent, f.eks. {example}"

        self.report(mask, name, message)

    def not_before(
        self, name: str, dates: pd.Series, earlier: str, earlier_dates: pd.Series
    ) -> None:
        def message(rows: pd.DataFrame) -> Iterable[str]:
            for file, value in zip(rows[FILE], rows[earlier], strict=True):
                yield f"er før {self.header(file, earlier)} ({value})"

        self.report(dates.notna() & earlier_dates.notna() & (dates < earlier_dates), name, message)

    def unknown(self, name: str, known: set[str], message: str) -> None:
        self.report(self.given(name) & ~self.frame[name].isin(known), name, message)

    def duplicates(self, names: list[str], keys: pd.DataFrame) -> None:
        """Rows whose natural key an earlier row already has; compared after parsing.

        Rows with other errors take part as long as their key reads: all errors at once.
        """
        usable = keys.notna().all(axis=1)
        frame = keys.assign(_file=self.frame[FILE], _line=self.frame[LINE])[usable]
        repeated = frame.duplicated(subset=names, keep="first")
        if not repeated.any():
            return
        first = frame[~repeated].drop_duplicates(subset=names)
        later = frame[repeated].reset_index(names="_row")
        later = later.merge(first, on=names, how="left", suffixes=("", "_first"))
        columns = ["_file", "_line", "_row", "_file_first", "_line_first"]
        for file, line, row_index, first_file, first_line in later[columns].itertuples(index=False):
            where = f"{row_word(self.sheets[first_file])} {first_line}"
            if first_file != file:
                where = f"{first_file} {where}"
            column = "/".join(self.header(file, name) for name in names)
            value = "/".join(str(self.frame.at[row_index, name]) or EMPTY for name in names)
            self.result.errors.append(
                ImportProblem(file, int(line), column, value, f"finnes også på {where}")
            )
            self.bad.at[row_index] = True

    def texts(self) -> None:
        """Keys and texts as core.text reads them, the same way in every table.

        A key loses what cannot be seen (a BOM, a zero-width space, a soft hyphen) and is an
        error when it holds a control character. A text loses its control characters and
        escape sequences with a warning that names the line; one that is nothing else is an
        error.
        """
        for column in self.spec.columns:
            values = self.frame[column.name]
            if column.kind is None or _clean(values):
                continue
            self.plain -= {column.name}
            if column.kind == KEY:
                cleaned = map_distinct(values, imported_key)
                control = map_distinct(cleaned, has_control).astype(bool)
                self.report(control, column.name, CONTROL_IN_KEY)
            else:
                cleaned = map_distinct(values, imported_text)
                kept = map_distinct(values, lambda text: unicodedata.normalize("NFC", text))
                control = self._given[column.name] & cleaned.eq("")
                self.report(control, column.name, ONLY_CONTROL)

                def message(rows: pd.DataFrame, cleaned: pd.Series = cleaned) -> Iterable[str]:
                    for text in cleaned[rows.index]:
                        yield f"{CONTROL_REMOVED}; lagret som «{text}»"

                self.report(cleaned.ne(kept) & ~control, column.name, message, warning=True)
            self.refused[column.name] = control
            self.frame[column.name] = cleaned
            self._given[column.name] = cleaned.ne("")

    def cells(self) -> None:
        """Refuse what no column may hold: formulas saved as text, and overlong values.

        A formula (`=SUM(…)`, `=cmd|…`) stored as text is no value and could run when the data
        is opened in Excel again; a value over MAX_TEXT means a broken file (a missing quote
        swallowing lines).
        """
        for column in self.spec.columns:
            values = self.frame[column.name]
            if column.name in self.plain or _plain(values):
                continue  # nothing to refuse: `refused` stays all False
            formula = map_distinct(values, is_formula).astype(bool)
            self.report(
                formula,
                column.name,
                "ser ut som en formel; lagre resultatet, ikke formelen (eller fjern =)",
            )
            long = map_distinct(values, is_too_long).astype(bool)
            self.report(long & ~formula, column.name, f"er for lang (over {MAX_TEXT} tegn)")
            self.refused[column.name] |= formula | long

    def text(self, name: str) -> pd.Series:
        return self.frame[name].where(self.given(name), None).astype(object)

    def valid(self, columns: dict[str, pd.Series]) -> pd.DataFrame:
        """The rows without errors as a canonical frame, with file and line for warnings."""
        frame = pd.DataFrame({FILE: self.frame[FILE], LINE: self.frame[LINE], **columns})
        if not self.bad.any():
            return frame.reset_index(drop=True)  # the same as the filter below, without copying
        return frame[~self.bad].reset_index(drop=True)


def _clean(values: pd.Series) -> bool:
    """True when surely no text is changed by core.text's import rules (False: look closer)."""
    try:
        return is_clean("|".join(values.to_numpy()))
    except TypeError:
        return False


def _all_text(values: pd.Series) -> bool:
    """Whether every value is a str (no missing ones): str.join refuses anything else, fast."""
    if values.dtype != object:
        return False
    try:
        "".join(values.to_numpy())
    except TypeError:
        return False
    return True


def _plain(values: pd.Series) -> bool:
    """True when surely no text starts with "=" nor is over MAX_TEXT long (False: look closer).

    The texts are joined by NUL and searched at C speed, their lengths read off the NUL
    positions; a NUL inside a value, or any value not a str, sends the column to the exact check.
    """
    texts = values.to_numpy()
    if not len(texts):
        return True
    try:
        joined = "\0".join(texts)
        code_points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    except (TypeError, UnicodeEncodeError):
        return False
    if is_formula(joined) or "\0=" in joined:
        return False
    ends = np.flatnonzero(code_points == 0)
    if len(ends) != len(texts) - 1:
        return False
    lengths = np.diff(ends, prepend=-1, append=len(code_points)) - 1
    return int(lengths.max()) <= MAX_TEXT


def _units(rows: Rows) -> None:
    rows.required("code")
    rows.required("name")
    rows.duplicates(["code"], pd.DataFrame({"code": rows.frame["code"].where(rows.given("code"))}))


def _units_frame(rows: Rows) -> pd.DataFrame:
    columns = {"code": rows.frame["code"], "name": rows.frame["name"]}
    for name in ("service_area", "leader"):
        if rows.has(name):
            columns[name] = rows.text(name)
    if rows.has("project_from"):
        columns["project_from"] = rows.dates("project_from")
    return rows.valid(columns)


def _employments(rows: Rows) -> dict[str, pd.Series]:
    for name in ("employee_number", "unit_code", "position_pct", "start_date"):
        rows.required(name)
    position = rows.numbers("position_pct")
    share = (position > 0) & (position <= 1)
    rows.share("position_pct", position, share)
    rows.report(
        ((position <= 0) | (position > 100)) & ~share,
        "position_pct",
        "er utenfor 0–100 (må være over 0 og høyst 100)",
    )
    start, end = rows.dates("start_date"), rows.dates("end_date")
    rows.not_before("end_date", end, "start_date", start)
    keys = pd.DataFrame(
        {
            "employee_number": rows.frame["employee_number"].where(rows.given("employee_number")),
            "unit_code": rows.frame["unit_code"].where(rows.given("unit_code")),
            "start_date": start,
        }
    )
    rows.duplicates(["employee_number", "unit_code", "start_date"], keys)
    columns = {
        "employee_number": rows.frame["employee_number"],
        "unit_code": rows.frame["unit_code"],
        "position_pct": position,
        "start_date": start,
        "end_date": end,
    }
    for name in ("name", "title"):
        if rows.has(name):
            columns[name] = rows.text(name)
    return columns


def _spells(rows: Rows) -> dict[str, pd.Series]:
    for name in ("employee_number", "from_date", "absence_type"):
        rows.required(name)
    start, end = rows.dates("from_date"), rows.dates("to_date")
    rows.not_before("to_date", end, "from_date", start)
    kind = parse_types(rows.frame["absence_type"])
    rows.report(
        rows.given("absence_type") & kind.isna(),
        "absence_type",
        "er ikke en kjent fraværstype (bruk egenmelding, sykmelding, sykt barn eller annet)",
    )
    grade = rows.numbers("grade_pct")
    share = (grade > 0) & (grade < 1)
    rows.share("grade_pct", grade, share)
    rows.report(((grade < 1) | (grade > 100)) & ~share, "grade_pct", "er utenfor 1–100")
    grade = grade.where(rows.given("grade_pct"), 100.0)
    self_certified = (kind == "egenmelding") & grade.between(1, 100)
    rows.report(
        self_certified & (grade != 100),
        "grade_pct",
        "gjelder en egenmelding, som alltid har grad 100; 100 er brukt",
        warning=True,
    )
    grade = grade.mask(self_certified, 100.0)
    unit = rows.frame["unit_code"].where(rows.given("unit_code"))
    keys = pd.DataFrame(
        {
            "employee_number": rows.frame["employee_number"].where(rows.given("employee_number")),
            "unit_code": unit.fillna(""),  # no unit is a key value of its own
            "from_date": start,
            "absence_type": kind,
        }
    )
    rows.duplicates(["employee_number", "unit_code", "from_date", "absence_type"], keys)
    return {
        "employee_number": rows.frame["employee_number"],
        "unit_code": unit.astype(object).where(unit.notna(), None),
        FROM_TEXT: rows.frame["from_date"],
        "from_date": start,
        "to_date": end,
        "absence_type": kind,
        "grade_pct": grade,
    }


def validate(raws: list[RawTable], existing: Existing) -> Validated:
    """Every error and warning in the files, and the canonical tables from the valid rows."""
    result = Validated(Tables())
    by_kind = {spec.kind: [raw for raw in raws if raw.spec is spec] for spec in SPECS}
    units = Rows(UNITS, by_kind[UNITS.kind], result)
    employments = Rows(EMPLOYMENTS, by_kind[EMPLOYMENTS.kind], result)
    spells = Rows(SPELLS, by_kind[SPELLS.kind], result)

    for rows in (units, employments, spells):
        rows.texts()
        rows.cells()
    _units(units)
    employment_columns = _employments(employments)
    spell_columns = _spells(spells)

    known_units = set(units.frame["code"][units.given("code")]) | set(existing.units["code"])
    unknown_unit = "er ikke en kjent enhet (finnes verken i enhetsfilen eller i databasen)"
    employments.unknown("unit_code", known_units, unknown_unit)
    spells.unknown("unit_code", known_units, unknown_unit)
    known_people = set(employments.frame["employee_number"][employments.given("employee_number")])
    known_people |= set(existing.employees["number"])
    spells.unknown(
        "employee_number",
        known_people,
        "er ikke en kjent ansatt (finnes verken i ansattfilen eller i databasen)",
    )

    tables = Tables(
        units=_units_frame(units) if by_kind[UNITS.kind] else None,
        employments=employments.valid(employment_columns) if by_kind[EMPLOYMENTS.kind] else None,
        spells=spells.valid(spell_columns) if by_kind[SPELLS.kind] else None,
    )
    result.tables = tables
    if tables.spells is not None and len(tables.spells):
        result.warnings += outside_employment(tables, existing, spells.header)
        result.warnings += overgraded(tables, existing, spells.header)

    return result
