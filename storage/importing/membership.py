"""The units table's optional `prosjekt_fra` column: units join the project by import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TypeAlias

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

COLUMN = "project_from"

# The project's rule for units that join by import (storage.usecases.project.join_from_import),
# passed in by the import's use case: the import pipeline sits below the use cases.
JoinFromImport: TypeAlias = Callable[[Connection, Mapping[str, dt.date]], object]


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


def apply(conn: Connection, units: pd.DataFrame | None, join: JoinFromImport) -> None:
    """Join the units the column names (by `join`), after the units are written."""
    rows = _dates(units)
    join(conn, {code: _day(value) for code, value in zip(rows["code"], rows[COLUMN], strict=True)})
