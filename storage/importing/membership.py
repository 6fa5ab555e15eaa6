"""The units table's optional `prosjekt_fra` column: units join the project by import."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection

from core import fmt
from core.errors import InvalidInput
from core.project import check_join, imported_join, latest
from storage.importing.columns import UNITS
from storage.importing.problems import ImportProblem
from storage.importing.read import FILE, LINE
from storage.repos.project import memberships
from storage.repos.units import unit_ids
from storage.usecases.project import join_from_import

COLUMN = "project_from"


def _dates(units: pd.DataFrame | None) -> pd.DataFrame:
    """The rows whose `prosjekt_fra` is filled in: an empty cell leaves the membership alone."""
    if units is None or COLUMN not in units:
        return pd.DataFrame(columns=[FILE, LINE, "code", COLUMN])
    return units[units[COLUMN].notna()]


def _day(value: object) -> dt.date:
    return pd.Timestamp(value).date()


def problems(conn: Connection, units: pd.DataFrame | None) -> list[ImportProblem]:
    """Dates inside a period a unit has left, at their file and line, before anything is written."""
    rows = _dates(units)
    held = memberships(conn)
    ids = unit_ids(conn)
    found = []
    for file, line, code, value in zip(
        rows[FILE], rows[LINE], rows["code"], rows[COLUMN], strict=True
    ):
        day = _day(value)
        periods = held.get(ids[code], []) if code in ids else []
        last = latest(periods)
        action = imported_join(last, day)
        if action == "keep":
            continue
        # A moved start must not reach back into the period before the ongoing one.
        before = latest([p for p in periods if p is not last]) if action == "move" else last
        try:
            check_join(code, before, day)
        except InvalidInput as error:
            header = UNITS.column(COLUMN).header
            found.append(ImportProblem(file, int(line), header, fmt.date(day), str(error)))
    return found


def apply(conn: Connection, units: pd.DataFrame | None) -> list[str]:
    """Join the units the column names, after the units are written; the codes that changed."""
    rows = _dates(units)
    return join_from_import(
        conn, {code: _day(value) for code, value in zip(rows["code"], rows[COLUMN], strict=True)}
    )
