"""Queries that hand the rest of the app plain DataFrames: one query per need, no ORM per row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, String, cast, func, select

from core.masking import Masker
from storage.models import AbsenceSpell, Employee, Employment, Unit, UnitMonthFigure


def _dates(values: pd.Series) -> pd.Series:
    """ISO date text (as cast in the query, which is portable) to datetime64; NULL to NaT."""
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")


def _frame(conn: Connection, query: Any, columns: list[str]) -> pd.DataFrame:
    """Rows of a query as a DataFrame; plain tuples, since pandas is slow on Row objects.

    When no column's type converts what the driver returns (integers, floats, text: all the
    large queries here), the tuples come from the driver's cursor as they are, without a Row
    object per row: the same values, in a fraction of the time.
    """
    result = conn.execute(query)
    if _as_returned(conn, query):
        rows = result.cursor.fetchall()
        result.close()
        return pd.DataFrame(rows, columns=columns)
    return pd.DataFrame([tuple(row) for row in result], columns=columns)


def _as_returned(conn: Connection, query: Any) -> bool:
    """Whether SQLAlchemy would hand on every column's values as the driver returns them."""
    dialect = conn.dialect
    return all(
        column.type.dialect_impl(dialect).result_processor(dialect, None) is None
        for column in query.selected_columns
    )


def _iso(column: Any) -> Any:
    # Casting dates to text in SQL and parsing them in bulk is far faster than a date object
    # per row, and CAST(date AS VARCHAR) is ISO text on SQLite and PostgreSQL alike.
    return cast(column, String)


# A unit's own columns, as load_units names them.
UNIT_IDENTITY = [
    "unit_id",
    "code",
    "name",
    "service_area",
    "leader",
]


def load_units(conn: Connection) -> pd.DataFrame:
    query = select(
        Unit.id,
        Unit.code,
        Unit.name,
        Unit.service_area,
        Unit.leader,
    ).order_by(Unit.name)
    return _frame(conn, query, UNIT_IDENTITY)


def load_employments(
    conn: Connection,
    unit_ids: Sequence[int] | None = None,
    employee_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Employment rows (of the units, of the employees) in core.sickleave's shape (start/end as
    datetime64)."""
    query = select(
        Employment.id,
        Employment.employee_id,
        Employment.unit_id,
        Employment.position_pct,
        _iso(Employment.start_date),
        _iso(Employment.end_date),
        Employment.title,
    )
    if unit_ids is not None:
        query = query.where(Employment.unit_id.in_(list(unit_ids)))
    if employee_ids is not None:
        query = query.where(Employment.employee_id.in_(list(employee_ids)))
    frame = _frame(
        conn,
        query,
        [
            "employment_id",
            "employee_id",
            "unit_id",
            "position_pct",
            "start",
            "end",
            "title",
        ],
    )
    frame["start"] = _dates(frame["start"])
    frame["end"] = _dates(frame["end"])
    frame["position_pct"] = frame["position_pct"].astype(float)
    return frame


def load_spells(
    conn: Connection,
    employee_ids: Sequence[int] | None = None,
    kinds: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Absence spells (all types, or `kinds`) in the shape core expects.

    unit_id NaN = every employment.
    """
    query = select(
        AbsenceSpell.id,
        AbsenceSpell.employee_id,
        AbsenceSpell.unit_id,
        _iso(AbsenceSpell.from_date),
        _iso(AbsenceSpell.to_date),
        AbsenceSpell.absence_type,
        AbsenceSpell.grade_pct,
    )
    if employee_ids is not None:
        query = query.where(AbsenceSpell.employee_id.in_(list(employee_ids)))
    if kinds is not None:
        query = query.where(AbsenceSpell.absence_type.in_(list(kinds)))
    frame = _frame(
        conn,
        query,
        ["spell_id", "employee_id", "unit_id", "start", "end", "kind", "grade"],
    )
    frame["unit_id"] = pd.to_numeric(frame["unit_id"], errors="coerce").astype(float)
    frame["start"] = _dates(frame["start"])
    frame["end"] = _dates(frame["end"])
    frame["grade"] = frame["grade"].astype(float)
    return frame


def load_employees(conn: Connection, employee_ids: Sequence[int] | None = None) -> pd.DataFrame:
    query = select(Employee.id.label("employee_id"), Employee.number, Employee.name)
    if employee_ids is not None:
        query = query.where(Employee.id.in_(list(employee_ids)))
    return _frame(conn, query, ["employee_id", "number", "name"])


def load_unit_month_figures(
    conn: Connection, first_month: dt.date | None = None, last_month: dt.date | None = None
) -> pd.DataFrame:
    """The precomputed unit × month sums (storage.figures keeps them current)."""
    table = UnitMonthFigure.__table__
    query = select(*[c for c in table.columns if c.name != "month"], _iso(UnitMonthFigure.month))
    if first_month is not None:
        query = query.where(UnitMonthFigure.month >= first_month)
    if last_month is not None:
        query = query.where(UnitMonthFigure.month <= last_month)
    columns = [c.name for c in table.columns if c.name != "month"] + ["month"]
    frame = _frame(conn, query, columns)
    frame["month"] = _dates(frame["month"])
    return frame


def headcount_on(conn: Connection, day: dt.date) -> pd.Series:
    """Distinct employees per unit with an employment that day (units with none are absent)."""
    return headcount_between(conn, day, day)


def headcount_between(conn: Connection, start: dt.date, end: dt.date) -> pd.Series:
    """Distinct employees per unit with an employment on any day from start to end."""
    query = (
        select(Employment.unit_id, func.count(func.distinct(Employment.employee_id)))
        .where(Employment.start_date <= end)
        .where((Employment.end_date.is_(None)) | (Employment.end_date >= start))
        .group_by(Employment.unit_id)
    )
    rows = conn.execute(query).all()
    return pd.Series({unit: count for unit, count in rows}, dtype="int64", name="headcount")


def known_people(
    conn: Connection, unit_id: int
) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]]]:
    """Whose names a unit's free text may hold: (number, name) of everyone who ever worked in
    the unit, and (unit code, leader) of every unit's leader, for core.masking.Masker."""
    staff = select(Employment.employee_id).where(Employment.unit_id == unit_id)
    employees = conn.execute(
        select(Employee.number, Employee.name)
        .where(Employee.id.in_(staff), Employee.name.is_not(None))
        .order_by(Employee.number)
    ).all()
    leaders = conn.execute(
        select(Unit.code, Unit.leader).where(Unit.leader.is_not(None)).order_by(Unit.code)
    ).all()
    return [(n, name) for n, name in employees], [(code, name) for code, name in leaders]


def unit_masker(conn: Connection, unit_id: int) -> Masker:
    """The masker for what is written about one unit (built once per screen or document)."""
    return Masker(*known_people(conn, unit_id))
