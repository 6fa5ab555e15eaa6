"""The people and their absence as DataFrames in the shape core expects: one query per need,
no ORM object per row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Select, select
from sqlalchemy.orm import InstrumentedAttribute

from core.masking import Masker, masker_of
from core.text import by_name
from storage.models import AbsenceSpell, Employee, Employment, Unit
from storage.repos.frames import dates, frame, iso
from storage.repos.units import UNIT_IDENTITY


def load_units(conn: Connection) -> pd.DataFrame:
    query = select(
        Unit.id,
        Unit.code,
        Unit.name,
        Unit.service_area,
        Unit.leader,
    ).order_by(Unit.id)
    return by_name(frame(conn, query, UNIT_IDENTITY)).reset_index(drop=True)


def _dated_frame(
    conn: Connection,
    query: Select[Any],
    columns: list[str],
    among: Sequence[tuple[InstrumentedAttribute[Any], Sequence[Any] | None]],
) -> pd.DataFrame:
    """The rows of `query` whose column is among the values given for it (None: any), as a
    frame of `columns` with start and end as datetime64."""
    for column, values in among:
        if values is not None:
            query = query.where(column.in_(list(values)))
    loaded = frame(conn, query, columns)
    loaded["start"] = dates(loaded["start"])
    loaded["end"] = dates(loaded["end"])
    return loaded


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
        iso(Employment.start_date),
        iso(Employment.end_date),
        Employment.title,
    ).order_by(Employment.id)
    loaded = _dated_frame(
        conn,
        query,
        ["employment_id", "employee_id", "unit_id", "position_pct", "start", "end", "title"],
        [(Employment.unit_id, unit_ids), (Employment.employee_id, employee_ids)],
    )
    loaded["position_pct"] = loaded["position_pct"].astype(float)
    return loaded


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
        iso(AbsenceSpell.from_date),
        iso(AbsenceSpell.to_date),
        AbsenceSpell.absence_type,
        AbsenceSpell.grade_pct,
    ).order_by(AbsenceSpell.id)
    loaded = _dated_frame(
        conn,
        query,
        ["spell_id", "employee_id", "unit_id", "start", "end", "kind", "grade"],
        [(AbsenceSpell.employee_id, employee_ids), (AbsenceSpell.absence_type, kinds)],
    )
    loaded["unit_id"] = pd.to_numeric(loaded["unit_id"], errors="coerce").astype(float)
    loaded["grade"] = loaded["grade"].astype(float)
    return loaded


def load_employees(conn: Connection, employee_ids: Sequence[int] | None = None) -> pd.DataFrame:
    query = select(Employee.id.label("employee_id"), Employee.number, Employee.name).order_by(
        Employee.id
    )
    if employee_ids is not None:
        query = query.where(Employee.id.in_(list(employee_ids)))
    return frame(conn, query, ["employee_id", "number", "name"])


def staff_of(conn: Connection, unit_ids: Sequence[int]) -> list[int]:
    """The ids of everyone who ever had an employment in one of the units, in order."""
    query = (
        select(Employment.employee_id)
        .where(Employment.unit_id.in_(list(unit_ids)))
        .distinct()
        .order_by(Employment.employee_id)
    )
    return list(conn.execute(query).scalars())


def known_people(
    conn: Connection, unit_id: int | None
) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]]]:
    """Whose names a unit's free text may hold: (number, name) of everyone who ever worked in
    the unit (None: in any unit the database holds), and (unit code, leader) of every unit's
    leader, for core.masking.Masker."""
    query = select(Employee.number, Employee.name).where(Employee.name.is_not(None))
    if unit_id is not None:
        staff = select(Employment.employee_id).where(Employment.unit_id == unit_id)
        query = query.where(Employee.id.in_(staff))
    employees = conn.execute(query.order_by(Employee.number)).all()
    leaders = conn.execute(
        select(Unit.code, Unit.leader).where(Unit.leader.is_not(None)).order_by(Unit.code)
    ).all()
    return [(n, name) for n, name in employees], [(code, name) for code, name in leaders]


def unit_masker(conn: Connection, unit_id: int) -> Masker:
    """The masker for what is written about one unit (made once while its people are the
    same: core.masking.masker_of)."""
    return masker_of(*known_people(conn, unit_id))
