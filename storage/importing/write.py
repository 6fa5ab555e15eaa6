"""Bulk upsert of canonical tables by natural key, shared by the importer and the demo data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table
from sqlalchemy.orm import Session

from core.cases import sort_order
from core.sickleave import SICK_KINDS
from storage.dialects import bulk_insert, bulk_load, bulk_update, lock_for_write, reserve_ids
from storage.figures import compute_unit_months, figures_start, store_unit_months
from storage.importing.values import DATE_DTYPE, as_dates, map_distinct
from storage.models import AbsenceSpell, Base, Employee, Employment, Unit
from storage.repos.staff import load_employees, load_employments, load_spells, load_units

Progress = Callable[[str, int, int], None]

CHUNK = 10_000
# Rows whose values are made Python objects at a time (some 100 MB): a million rows' at once
# are several hundred MB more at the import's peak. Each slice costs a little time of its own,
# so a large municipality's 300,000 absence spells go in one.
FLAT_ROWS = 300_000
# A table whose rows are at least this share new after a write is loaded with its keys and
# indexes set aside and rebuilt once (storage.dialects.bulk_load). On a server, rebuilding them
# costs some 3 µs a row of the table, checking and indexing a new row one by one some 16 µs
# (municipality scale): the same time at a sixth new; below it, the table stays open to readers.
BULK_SHARE = 0.2
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
    # The same employments and spells by id, in the columns the figures use (see `Written`).
    stored_employments: pd.DataFrame
    stored_spells: pd.DataFrame


def load_existing(session: Session) -> Existing:
    """The stored rows by natural key, through the repository's one-query-per-table loaders."""
    conn = session.connection()
    units = load_units(conn).rename(columns={"unit_id": "id"})
    units = units[["id", "code", "name", "service_area", "leader"]].astype({"id": "int64"})
    employees = load_employees(conn).rename(columns={"employee_id": "id"}).astype({"id": "int64"})
    numbers = dict(zip(employees["id"], employees["number"], strict=True))
    codes = dict(zip(units["id"], units["code"], strict=True))

    stored = load_employments(conn)
    stored_employments = pd.DataFrame(
        {
            "employment_id": stored["employment_id"].to_numpy(dtype="int64"),
            "employee_id": stored["employee_id"].to_numpy(dtype="int64"),
            "unit_id": stored["unit_id"].to_numpy(dtype="int64"),
            "position_pct": stored["position_pct"].to_numpy(dtype="float64"),
            "start": as_dates(stored["start"]).to_numpy(),
            "end": as_dates(stored["end"]).to_numpy(),
        }
    )
    employments = pd.DataFrame(
        {
            "id": stored_employments["employment_id"],
            "employee_number": stored["employee_id"].map(numbers).astype(object),
            "unit_code": stored["unit_id"].map(codes).astype(object),
            "position_pct": stored_employments["position_pct"],
            "start_date": stored_employments["start"],
            "end_date": stored_employments["end"],
            "title": stored["title"].astype(object),
        }
    )
    stored = load_spells(conn)
    stored_spells = pd.DataFrame(
        {
            "spell_id": stored["spell_id"].to_numpy(dtype="int64"),
            "employee_id": stored["employee_id"].to_numpy(dtype="int64"),
            # NaN for "every employment".
            "unit_id": stored["unit_id"].to_numpy(dtype="float64"),
            "start": as_dates(stored["start"]).to_numpy(),
            "end": as_dates(stored["end"]).to_numpy(),
            "kind": stored["kind"].to_numpy(dtype=object),
            "grade": stored["grade"].to_numpy(dtype="float64"),
        }
    )
    spells = pd.DataFrame(
        {
            "id": stored_spells["spell_id"],
            "employee_number": stored["employee_id"].map(numbers).astype(object),
            # unit_id is a float with NaN for "every employment"; 3.0 finds the key 3.
            "unit_code": stored["unit_id"].map(codes).astype(object),
            "from_date": stored_spells["start"],
            "to_date": stored_spells["end"],
            "absence_type": stored_spells["kind"],
            "grade_pct": stored_spells["grade"],
        }
    )
    spells["unit_code"] = spells["unit_code"].where(spells["unit_code"].notna(), None)
    return Existing(units, employees, employments, spells, stored_employments, stored_spells)


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


# --- execution: the driver's bulk statements in chunks -----------------------------------------
#
# Rows go to the DB-API connection of the session's own connection (storage.dialects: SQLite's
# multi-row INSERTs, PostgreSQL's COPY), as plain values, so they are part of the session's
# transaction but skip SQLAlchemy's per-row parameter handling (several times the cost of the
# database's own work at this size). The values are what SQLAlchemy's types would bind on
# SQLite: dates as ISO text (its Date type), floats, integers, None for NULL; COPY reads the
# same. Inserted rows get their ids here (a run the database reserves: after the largest stored
# id on SQLite, from the table's sequence on PostgreSQL), so that the stored state can be known
# without reading it back.


def _iso_dates(series: pd.Series) -> np.ndarray:
    """ISO date text as SQLAlchemy's SQLite Date type stores it ('2025-01-06'); None for NaT."""
    days = series.to_numpy().astype("datetime64[D]")
    codes, distinct = pd.factorize(days.view("int64"))
    texts = [
        None if np.isnat(day) else day.item().isoformat() for day in distinct.view("datetime64[D]")
    ]
    return np.array([*texts, None], dtype=object)[codes]


def _column_values(series: pd.Series) -> np.ndarray:
    """One column as numpy values that become plain Python values in an object array.

    Integers and floats become int and float there; dates ISO text; missing values None.
    Object columns hold Python values already (str, int, None).
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return _iso_dates(series)
    if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy()
    array = series.to_numpy(dtype=object)
    missing = pd.isna(array)
    if missing.any():
        array = array.copy()
        array[missing] = None
    return array


def _flat(frame: pd.DataFrame) -> list[Any]:
    """The values row after row in one list: row i is flat[i * width : (i + 1) * width]."""
    cells = np.empty((len(frame), len(frame.columns)), dtype=object)
    for position, name in enumerate(frame.columns):
        cells[:, position] = _column_values(frame[name])
    values: list[Any] = cells.ravel().tolist()
    return values


def _rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    width = len(frame.columns)
    flat = _flat(frame)
    return [tuple(flat[start : start + width]) for start in range(0, len(flat), width)]


class _Writer:
    def __init__(self, session: Session, total: int, progress: Progress | None) -> None:
        self.connection = session.connection()
        self.total, self.progress, self.done = total, progress, 0

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress(WRITE_LABEL, self.done, self.total)

    def insert(self, table: Table, frame: pd.DataFrame, ids: pd.Series) -> None:
        """Insert the rows in order, with the ids reserved for them."""
        if frame.empty:
            return
        columns = ["id", *map(str, frame.columns)]
        width = len(columns)
        ordered = frame.assign(_id=ids)[["_id", *frame.columns]]
        for begin in range(0, len(frame), FLAT_ROWS):
            flat = _flat(ordered.iloc[begin : begin + FLAT_ROWS])
            size = len(flat) // width
            for start in range(0, size, CHUNK):
                stop = min(start + CHUNK, size)
                bulk_insert(self.connection, table, columns, flat[start * width : stop * width])
                self.advance(stop - start)

    def update(self, table: Table, updates: pd.DataFrame, columns: dict[str, str]) -> None:
        """Update by primary key; `columns` maps frame columns to table columns."""
        if updates.empty:
            return
        frame = updates[[*columns, "id"]]
        for begin in range(0, len(frame), FLAT_ROWS):
            rows = _rows(frame.iloc[begin : begin + FLAT_ROWS])
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                bulk_update(self.connection, table, list(columns.values()), chunk)
                self.advance(len(chunk))


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _new_ids(session: Session, model: type[Base], frame: pd.DataFrame) -> pd.Series:
    """The ids of these rows inserted in order: a run the database reserves for them."""
    ids = pd.Series(np.arange(len(frame), dtype="int64"), index=frame.index, name="id")
    if len(frame):
        ids += reserve_ids(session.connection(), _table(model), len(frame))
    return ids


@dataclass
class Written:
    """The employments and spells as stored after a write, in the columns the figures use.

    Built from what was loaded before the write and what the write changes, in the order a
    table scan returns them (by id), as storage.repos.staff would load them.
    """

    employments: pd.DataFrame  # employment_id, employee_id, unit_id, position_pct, start, end
    spells: pd.DataFrame  # spell_id, employee_id, unit_id (NaN = all), start, end, kind, grade


def _datetimes(series: pd.Series) -> np.ndarray:
    return series.to_numpy().astype(DATE_DTYPE)


def _stored(
    stored: pd.DataFrame,
    id_column: str,
    updates: pd.DataFrame,
    renames: dict[str, str],
    inserted: pd.DataFrame,
) -> pd.DataFrame:
    """`stored` with `updates` applied by id and `inserted` (already in its columns) appended."""
    frame = stored.reset_index(drop=True)
    if not updates.empty:
        frame = frame.copy()
        rows = pd.Index(frame[id_column]).get_indexer(updates["id"])
        assert (rows >= 0).all()
        for name, target in renames.items():
            if name in updates:
                column = frame[target].to_numpy().copy()
                new = updates[name]
                column[rows] = _datetimes(new) if target in ("start", "end") else new.to_numpy()
                frame[target] = column
    if inserted.empty:
        return frame
    if frame.empty:
        return inserted.reset_index(drop=True)
    return pd.concat([frame, inserted], ignore_index=True)


@dataclass
class _Prepared:
    """A plan with everything the statements need: the ids of new rows, in insert order."""

    plan: Plan
    unit_ids: pd.Series
    employee_ids: pd.Series
    employments: pd.DataFrame  # table columns, in insert order (by employee and start)
    employment_ids: pd.Series
    spells: pd.DataFrame  # table columns, in insert order (by employee and from date)
    spell_ids: pd.Series
    bulk: list[Table]  # the tables loaded with their keys set aside (see BULK_SHARE)

    def changes(self) -> _Changes:
        """The employments and spells it adds and changes, for working out `Written`."""
        employments, spells = self.employments, self.spells
        return _Changes(
            {
                "employment_id": self.employment_ids.to_numpy(),
                "employee_id": employments["employee_id"].to_numpy(dtype="int64"),
                "unit_id": employments["unit_id"].to_numpy(dtype="int64"),
                "position_pct": employments["position_pct"].to_numpy(dtype="float64"),
                "start": _datetimes(employments["start_date"]),
                "end": _datetimes(employments["end_date"]),
            },
            {
                "spell_id": self.spell_ids.to_numpy(),
                "employee_id": spells["employee_id"].to_numpy(dtype="int64"),
                "unit_id": spells["unit_id"].to_numpy(dtype="float64", na_value=np.nan),
                "start": _datetimes(spells["from_date"]),
                "end": _datetimes(spells["to_date"]),
                "kind": spells["absence_type"].to_numpy(dtype=object),
                "grade": spells["grade_pct"].to_numpy(dtype="float64"),
            },
            self.plan.employments.updates.copy(),
            self.plan.spells.updates.copy(),
        )


@dataclass(frozen=True)
class _Changes:
    """New employments and spells as arrays (in the columns of `Written`), and the updates.

    Nothing here is shared with the frames the statements are made from, so `written` may run
    in another thread while they are written.
    """

    employments: dict[str, np.ndarray]
    spells: dict[str, np.ndarray]
    employment_updates: pd.DataFrame
    spell_updates: pd.DataFrame

    def written(self, existing: Existing) -> Written:
        """The employments and spells as stored once the plan is executed."""
        return Written(
            _stored(
                existing.stored_employments,
                "employment_id",
                self.employment_updates,
                {"position_pct": "position_pct", "end_date": "end"},
                pd.DataFrame(self.employments),
            ),
            _stored(
                existing.stored_spells,
                "spell_id",
                self.spell_updates,
                {"to_date": "end", "grade_pct": "grade"},
                pd.DataFrame(self.spells),
            ),
        )


def _sorted(frame: pd.DataFrame, number: str, day: str) -> pd.DataFrame:
    """frame.sort_values([number, day]) (stable), by one sort of integers when no day is NaT."""
    days = frame[day].to_numpy().astype("datetime64[D]")
    if np.isnat(days).any():
        return frame.sort_values([number, day])
    return frame.take(sort_order(frame[number].to_numpy(dtype=np.int64), days.view(np.int64)))


def _prepare(session: Session, existing: Existing, plan: Plan) -> _Prepared:
    session.flush()  # objects the caller added go first, as with any statement of the session
    # No other writer may take the new ids, nor change the rows planned against.
    lock_for_write(session.connection())
    unit_ids = _new_ids(session, Unit, plan.units.inserts)
    employee_ids = _new_ids(session, Employee, plan.employees.inserts)
    by_code = dict(zip(existing.units["code"], existing.units["id"].tolist(), strict=True))
    by_code.update(zip(plan.units.inserts["code"], unit_ids.tolist(), strict=True))
    by_number = dict(
        zip(existing.employees["number"], existing.employees["id"].tolist(), strict=True)
    )
    by_number.update(zip(plan.employees.inserts["number"], employee_ids.tolist(), strict=True))

    def with_ids(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.drop(columns=["employee_number", "unit_code"])
        # Looked up once per distinct number and code; a missing unit (code -1) stays None.
        codes, numbers = pd.factorize(frame["employee_number"].to_numpy(dtype=object))
        ids = np.array([by_number[number] for number in numbers], dtype="int64")
        out["employee_id"] = ids[codes]
        codes, units = pd.factorize(frame["unit_code"].to_numpy(dtype=object))
        found = np.array([*(by_code[code] for code in units), None], dtype=object)
        out["unit_id"] = pd.Series(found[codes], index=frame.index, dtype=object)
        return out

    # Rows in index order: SQLite's B-trees then fill page by page, about twice as fast.
    employments = _sorted(with_ids(plan.employments.inserts), "employee_id", "start_date")
    spells = _sorted(with_ids(plan.spells.inserts), "employee_id", "from_date")
    sizes = {
        Employment: (len(employments), len(existing.stored_employments)),
        AbsenceSpell: (len(spells), len(existing.stored_spells)),
    }
    bulk = [
        _table(model)
        for model, (new, old) in sizes.items()
        if new and new >= BULK_SHARE * (new + old)
    ]
    return _Prepared(
        plan,
        unit_ids,
        employee_ids,
        employments,
        _new_ids(session, Employment, employments),
        spells,
        _new_ids(session, AbsenceSpell, spells),
        bulk,
    )


def _execute(session: Session, prepared: _Prepared, progress: Progress | None) -> None:
    plan = prepared.plan
    changes = (plan.units, plan.employees, plan.employments, plan.spells)
    total = sum(len(change.inserts) + len(change.updates) for change in changes)
    writer = _Writer(session, total, progress)
    units, employees = _table(Unit), _table(Employee)
    employments, spells = _table(Employment), _table(AbsenceSpell)
    writer.insert(units, plan.units.inserts, prepared.unit_ids)
    unit_columns = [str(c) for c in plan.units.updates if c != "id"]
    writer.update(units, plan.units.updates, {c: c for c in unit_columns})
    writer.insert(employees, plan.employees.inserts, prepared.employee_ids)
    writer.update(employees, plan.employees.updates, {"name": "name"})
    with bulk_load(writer.connection, prepared.bulk):
        writer.insert(employments, prepared.employments, prepared.employment_ids)
        employment_columns = [str(c) for c in plan.employments.updates if c != "id"]
        writer.update(employments, plan.employments.updates, {c: c for c in employment_columns})
        writer.insert(spells, prepared.spells, prepared.spell_ids)
        spell_columns = {"to_date": "to_date", "grade_pct": "grade_pct"}
        writer.update(spells, plan.spells.updates, spell_columns)


def execute_plan(
    session: Session, existing: Existing, plan: Plan, progress: Progress | None = None
) -> Written:
    """Write the plan; the employments and spells as now stored (see `Written`)."""
    prepared = _prepare(session, existing, plan)
    _execute(session, prepared, progress)
    return prepared.changes().written(existing)


def write_plan(
    session: Session, existing: Existing, tables: Tables, progress: Progress | None = None
) -> WriteCounts:
    """Plan against `existing` (loaded in this session), write, and rebuild the figures.

    The figures are computed from what is being written, in a second thread while the
    database writes it (its driver lets go of Python's lock while it works), instead of read
    back after: once, under the writers' lock `_prepare` takes.
    """
    plan = plan_writes(existing, tables)
    if not plan.counts.changed:
        # Unchanged data leaves the figures as they were; their age is checked where they are read.
        return plan.counts
    prepared = _prepare(session, existing, plan)
    changes = prepared.changes()
    as_of = dt.date.today()
    start = figures_start(session, as_of)

    def figures() -> pd.DataFrame:
        written = changes.written(existing)
        sick = written.spells[written.spells["kind"].isin(SICK_KINDS)].reset_index(drop=True)
        return compute_unit_months(written.employments, sick, start, as_of, as_of)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="naervaer-figures") as pool:
        sums = pool.submit(figures)
        _execute(session, prepared, progress)
        store_unit_months(session, sums.result(), as_of)
    return plan.counts


def write_tables(
    session: Session, tables: Tables, *, progress: Progress | None = None
) -> WriteCounts:
    """Insert new rows and update changed ones by natural key; unchanged rows are not touched.

    Units by code, employees by number, employments by (employee, unit, start date), spells by
    (employee, unit or none, from date, type). The caller owns the transaction.
    """
    return write_plan(session, load_existing(session), tables, progress)
