"""The stored status of every unit (storage.models.UnitStatus): replaced whole, read whole.

storage.usecases.status computes the rows; every change of what they are computed from (the
monthly figures, the project's periods, the settings) clears them here, and the use case that
made it stores them anew.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Float, Integer, Table, delete, select, table

from core.text import name_order
from storage.repos.tables import UNITS
from storage.repos.units import UNIT_IDENTITY

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.orm import Session

# Only the name: clearing the rows must not load the ORM (the settings are stored without it).
_UNIT_STATUS = table("unit_status")


def clear(conn: Connection | Session) -> None:
    """Remove every stored row: what they were computed from has changed."""
    conn.execute(delete(_UNIT_STATUS))


def _driver(value: Any, integer: bool) -> Any:
    """A frame's value as the driver takes it: ISO text for a date, None for NaN or NA, an int
    for an integer column (a frame holds a group beside NaN as a float)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if integer:
        return int(value)
    return value.item() if hasattr(value, "item") else value


def replace(conn: Connection, rows: pd.DataFrame) -> None:
    """Store `rows` (a column for each of UnitStatus's) in place of every stored row."""
    from storage.dialects import insert_rows
    from storage.models import UnitStatus

    stored = UnitStatus.__table__
    assert isinstance(stored, Table)
    names = [column.name for column in stored.columns]
    integers = [isinstance(column.type, Integer) for column in stored.columns]
    clear(conn)
    values = rows[names].astype(object).to_numpy().tolist()
    insert_rows(
        conn,
        stored,
        names,
        [tuple(_driver(v, i) for v, i in zip(row, integers, strict=True)) for row in values],
    )


def load(conn: Connection) -> pd.DataFrame | None:
    """Every unit's identity (UNIT_IDENTITY) and stored status, by name as the units are
    computed (core.text.name_order, ties by id); None unless every unit has its row."""
    import numpy as np
    import pandas as pd

    from storage.models import UnitStatus

    stored = UnitStatus.__table__
    query = (
        select(
            UNITS.c.id,
            UNITS.c.code,
            UNITS.c.name,
            UNITS.c.service_area,
            UNITS.c.leader,
            *(column for column in stored.columns if column.name != "unit_id"),
        )
        .join_from(UNITS, stored, stored.c.unit_id == UNITS.c.id, isouter=True)
        .order_by(UNITS.c.id)
    )
    names = [*UNIT_IDENTITY, *(c.name for c in stored.columns if c.name != "unit_id")]
    # Sorted here, on the plain rows: SQL's collation is not Norwegian order on every backend.
    name = names.index("name")
    read = sorted(map(tuple, conn.execute(query)), key=lambda row: name_order(row[name]))
    if not read:
        return None
    # A column at a time: the figures as float arrays (NaN where NULL, also in a column that
    # is NULL throughout), not a frame of objects converted after.
    floats = {c.name for c in stored.columns if isinstance(c.type, Float)}
    rows = pd.DataFrame(
        {
            column: np.array(values, dtype=float) if column in floats else values
            for column, values in zip(names, zip(*read, strict=True), strict=True)
        }
    )
    if rows["headcount"].isna().any():
        return None
    return rows
