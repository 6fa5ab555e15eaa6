"""Bulk upsert of canonical tables by natural key, shared by the importer and the demo data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from storage.figures import refresh_figures
from storage.importing.values import as_dates, date_list, map_distinct
from storage.models import AbsenceSpell, Employee, Employment, Unit
from storage.repository import load_employees, load_employments, load_spells, load_units

Progress = Callable[[str, int, int], None]

CHUNK = 10_000
NO_UNIT = "\uffff"  # stands for a NULL unit in key matching (SQL UNIQUE lets NULLs repeat)
WRITE_LABEL = "lagrer i databasen"

UNIT_KEY = ["code"]
EMPLOYEE_KEY = ["number"]
EMPLOYMENT_KEY = ["employee_number", "unit_code", "start_date"]
SPELL_KEY = ["employee_number", "unit_code", "from_date", "absence_type"]
_DATE_COLUMNS = {"start_date", "end_date", "from_date", "to_date"}
_FLOAT_COLUMNS = {"position_pct", "grade_pct"}


@dataclass
class Tables:
    """Canonical, validated frames; any may be None or empty.

    units: code, name, service_area, leader
    employments: employee_number, name, unit_code, position_pct, start_date, end_date, title
    spells: employee_number, unit_code (None = all), from_date, to_date (None = open),
            absence_type, grade_pct
    Optional descriptive columns (service_area, leader, name, title) may be left out: stored
    values are then kept. An empty employee name never overwrites a stored one.
    """

    units: pd.DataFrame | None = None
    employments: pd.DataFrame | None = None
    spells: pd.DataFrame | None = None


@dataclass
class TableCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


@dataclass
class WriteCounts:
    units: TableCounts = field(default_factory=TableCounts)
    employees: TableCounts = field(default_factory=TableCounts)
    employments: TableCounts = field(default_factory=TableCounts)
    spells: TableCounts = field(default_factory=TableCounts)

    @property
    def changed(self) -> int:
        return sum(
            counts.inserted + counts.updated
            for counts in (self.units, self.employees, self.employments, self.spells)
        )


@dataclass
class Existing:
    """What the database holds, keyed by natural keys: one query per table."""

    units: pd.DataFrame  # id, code, name, service_area, leader
    employees: pd.DataFrame  # id, number, name
    employments: pd.DataFrame  # id, employee_number, unit_code, position_pct, start/end_date, title
    spells: pd.DataFrame  # id, employee_number, unit_code, from/to_date, absence_type, grade_pct


def load_existing(session: Session) -> Existing:
    """The stored rows by natural key, through the repository's one-query-per-table loaders."""
    conn = session.connection()
    units = load_units(conn).rename(columns={"unit_id": "id"})
    units = units[["id", "code", "name", "service_area", "leader"]].astype({"id": "int64"})
    employees = load_employees(conn).rename(columns={"employee_id": "id"}).astype({"id": "int64"})
    numbers = dict(zip(employees["id"], employees["number"], strict=True))
    codes = dict(zip(units["id"], units["code"], strict=True))

    stored = load_employments(conn)
    employments = pd.DataFrame(
        {
            "id": stored["employment_id"].astype("int64"),
            "employee_number": stored["employee_id"].map(numbers).astype(object),
            "unit_code": stored["unit_id"].map(codes).astype(object),
            "position_pct": stored["position_pct"].astype("float64"),
            "start_date": as_dates(stored["start"]),
            "end_date": as_dates(stored["end"]),
            "title": stored["title"].astype(object),
        }
    )
    stored = load_spells(conn)
    spells = pd.DataFrame(
        {
            "id": stored["spell_id"].astype("int64"),
            "employee_number": stored["employee_id"].map(numbers).astype(object),
            # unit_id is a float with NaN for "every employment"; 3.0 finds the key 3.
            "unit_code": stored["unit_id"].map(codes).astype(object),
            "from_date": as_dates(stored["start"]),
            "to_date": as_dates(stored["end"]),
            "absence_type": stored["kind"].astype(object),
            "grade_pct": stored["grade"].astype("float64"),
        }
    )
    spells["unit_code"] = spells["unit_code"].where(spells["unit_code"].notna(), None)
    return Existing(units, employees, employments, spells)


# --- canonical frames -------------------------------------------------------------------------


def _text(series: pd.Series) -> pd.Series:
    """Stripped strings as objects, None where missing or empty."""
    return map_distinct(series, lambda value: str(value).strip() or None)


def _canonical(
    frame: pd.DataFrame | None, required: Sequence[str], optional: Sequence[str]
) -> pd.DataFrame:
    """Only the known columns, in one dtype per kind; absent optional columns stay absent."""
    columns = [*required, *(name for name in optional if frame is not None and name in frame)]
    size = 0 if frame is None else len(frame)
    out = pd.DataFrame(index=pd.RangeIndex(size))
    for name in columns:
        source = (
            pd.Series(dtype=object) if frame is None or size == 0 else frame[name]
        ).reset_index(drop=True)
        if name in _DATE_COLUMNS:
            out[name] = as_dates(source)
        elif name in _FLOAT_COLUMNS:
            out[name] = pd.to_numeric(source).astype("float64")
        else:
            out[name] = _text(source)
    return out


def _key_frame(frame: pd.DataFrame) -> pd.DataFrame:
    if "unit_code" in frame:
        unit = frame["unit_code"]
        frame = frame.assign(unit_code=unit.where(unit.notna(), NO_UNIT))
    return frame


# --- planning: what to insert and update, by natural key ----------------------------------------


@dataclass
class Change:
    inserts: pd.DataFrame
    updates: pd.DataFrame  # id and the compared columns
    counts: TableCounts


def _differs(new: pd.Series, old: pd.Series) -> pd.Series:
    if not (
        pd.api.types.is_datetime64_any_dtype(new.dtype) or pd.api.types.is_float_dtype(new.dtype)
    ):
        new, old = new.astype(object), old.astype(object)
    both_missing = new.isna().to_numpy() & old.isna().to_numpy()
    return pd.Series(new.ne(old).to_numpy() & ~both_missing, index=new.index)


def _diff(new: pd.DataFrame, old: pd.DataFrame, key: list[str], compare: list[str]) -> Change:
    new = _key_frame(new.drop_duplicates(key, keep="last"))
    old = _key_frame(old).drop_duplicates(key, keep="first")
    merged = new.merge(old[["id", *key, *compare]], on=key, how="left", suffixes=("", "_old"))
    found = merged["id"].notna()
    changed = pd.Series(False, index=merged.index)
    for column in compare:
        changed |= _differs(merged[column], merged[f"{column}_old"])
    changed &= found
    if "unit_code" in merged:
        merged["unit_code"] = merged["unit_code"].where(merged["unit_code"] != NO_UNIT, None)
    updates = merged.loc[changed, ["id", *compare]].astype({"id": "int64"})
    counts = TableCounts(int((~found).sum()), int(changed.sum()), int((found & ~changed).sum()))
    return Change(merged.loc[~found, list(new.columns)], updates, counts)


@dataclass
class Plan:
    units: Change
    employees: Change
    employments: Change
    spells: Change

    @property
    def counts(self) -> WriteCounts:
        return WriteCounts(
            self.units.counts, self.employees.counts, self.employments.counts, self.spells.counts
        )


def _employees(employments: pd.DataFrame, spells: pd.DataFrame) -> pd.DataFrame:
    """Every employee number mentioned, with the last name given for it (if any)."""
    parts = [employments[["employee_number", *(["name"] if "name" in employments else [])]]]
    parts.append(spells[["employee_number"]])
    people = pd.concat(parts, ignore_index=True).rename(columns={"employee_number": "number"})
    if "name" not in people:
        return people.drop_duplicates("number").reset_index(drop=True)
    named = people.dropna(subset=["name"]).drop_duplicates("number", keep="last")
    numbers = people[["number"]].drop_duplicates()
    return numbers.merge(named, on="number", how="left").astype({"name": object})


def plan_writes(existing: Existing, tables: Tables) -> Plan:
    units = _canonical(tables.units, ["code", "name"], ["service_area", "leader"])
    employments = _canonical(
        tables.employments,
        ["employee_number", "unit_code", "position_pct", "start_date", "end_date"],
        ["name", "title"],
    )
    spells = _canonical(
        tables.spells,
        ["employee_number", "unit_code", "from_date", "to_date", "absence_type", "grade_pct"],
        [],
    )
    known_units = set(existing.units["code"]) | set(units["code"])
    used = set(employments["unit_code"]) | set(spells["unit_code"].dropna())
    if unknown := used - known_units:
        raise ValueError(f"units not in the tables nor the database: {sorted(unknown)[:10]}")

    people = _employees(employments, spells)
    employee_change = _diff(people, existing.employees, EMPLOYEE_KEY, [])
    if "name" in people:
        # A name is updated only where one is given: an empty cell keeps the stored name.
        named = people.dropna(subset=["name"])
        renamed = _diff(named, existing.employees, EMPLOYEE_KEY, ["name"])
        employee_change.updates = renamed.updates
        employee_change.counts.updated = renamed.counts.updated
        employee_change.counts.unchanged -= renamed.counts.updated

    return Plan(
        units=_diff(units, existing.units, UNIT_KEY, [str(c) for c in units if c not in UNIT_KEY]),
        employees=employee_change,
        employments=_diff(
            employments.drop(columns=["name"], errors="ignore"),
            existing.employments,
            EMPLOYMENT_KEY,
            [c for c in ("position_pct", "end_date", "title") if c in employments],
        ),
        spells=_diff(spells, existing.spells, SPELL_KEY, ["to_date", "grade_pct"]),
    )


# --- execution: Core executemany in chunks --------------------------------------------------------


def _records(frame: pd.DataFrame, renames: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (no numpy scalars, None for missing)."""
    columns: dict[str, list[Any]] = {}
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            values: list[Any] = date_list(series)
        else:
            values = series.astype(object).where(series.notna(), None).tolist()
        columns[(renames or {}).get(name, name)] = values
    keys = list(columns)
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns.values(), strict=True)]


class _Writer:
    def __init__(self, session: Session, total: int, progress: Progress | None) -> None:
        self.session, self.total, self.progress, self.done = session, total, progress, 0

    def run(self, statement: Any, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            self.session.execute(statement, chunk)
            self.done += len(chunk)
            if self.progress is not None:
                self.progress(WRITE_LABEL, self.done, self.total)

    def insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        self.run(insert(table), rows)

    def update(self, table: Table, updates: pd.DataFrame, columns: dict[str, str]) -> None:
        """Update by primary key; `columns` maps frame columns to table columns."""
        if updates.empty:
            return
        # Bind names must differ from column names in an UPDATE's SET clause.
        renames = {"id": "b_id", **{name: f"b_{name}" for name in columns}}
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({target: bindparam(f"b_{name}") for name, target in columns.items()})
        )
        self.run(statement, _records(updates[["id", *columns]], renames))


def _ids(session: Session, key: Any, column_id: Any) -> dict[str, int]:
    return {value: id_ for value, id_ in session.execute(select(key, column_id)).all()}


def execute_plan(session: Session, plan: Plan, progress: Progress | None = None) -> None:
    changes = (plan.units, plan.employees, plan.employments, plan.spells)
    total = sum(len(change.inserts) + len(change.updates) for change in changes)
    if total == 0:
        return
    writer = _Writer(session, total, progress)
    units, employees = Unit.__table__, Employee.__table__
    employments, spells = Employment.__table__, AbsenceSpell.__table__
    assert isinstance(units, Table) and isinstance(employees, Table)
    assert isinstance(employments, Table) and isinstance(spells, Table)

    writer.insert(units, _records(plan.units.inserts))
    unit_columns = [str(c) for c in plan.units.updates if c != "id"]
    writer.update(units, plan.units.updates, {c: c for c in unit_columns})
    writer.insert(employees, _records(plan.employees.inserts))
    writer.update(employees, plan.employees.updates, {"name": "name"})

    unit_ids = _ids(session, Unit.code, Unit.id)
    employee_ids = _ids(session, Employee.number, Employee.id)

    def with_ids(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.drop(columns=["employee_number", "unit_code"])
        out["employee_id"] = frame["employee_number"].map(employee_ids).astype("int64")
        # A Python loop, not Series.map: NaN would turn the integer ids into floats.
        out["unit_id"] = pd.Series(
            [None if code is None else unit_ids[code] for code in frame["unit_code"]],
            index=frame.index,
            dtype=object,
        )
        return out

    # Rows in index order: SQLite's B-trees then fill page by page, about twice as fast.
    new_employments = with_ids(plan.employments.inserts).sort_values(["employee_id", "start_date"])
    writer.insert(employments, _records(new_employments))
    employment_columns = [str(c) for c in plan.employments.updates if c != "id"]
    writer.update(employments, plan.employments.updates, {c: c for c in employment_columns})
    writer.insert(
        spells, _records(with_ids(plan.spells.inserts).sort_values(["employee_id", "from_date"]))
    )
    writer.update(spells, plan.spells.updates, {"to_date": "to_date", "grade_pct": "grade_pct"})


def write_plan(
    session: Session, existing: Existing, tables: Tables, progress: Progress | None = None
) -> WriteCounts:
    """Plan against `existing` (loaded in this session), write, and rebuild the figures."""
    plan = plan_writes(existing, tables)
    execute_plan(session, plan, progress)
    if plan.counts.changed:
        # Unchanged data leaves the figures as they were; their age is checked where they are read.
        refresh_figures(session)
    return plan.counts


def write_tables(
    session: Session, tables: Tables, *, progress: Progress | None = None
) -> WriteCounts:
    """Insert new rows and update changed ones by natural key; unchanged rows are not touched.

    Units by code, employees by number, employments by (employee, unit, start date), spells by
    (employee, unit or none, from date, type). The caller owns the transaction.
    """
    return write_plan(session, load_existing(session), tables, progress)
