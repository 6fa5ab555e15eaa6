"""A unit found by the code the user gives (its code in the HR system)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from core.errors import UnknownUnit
from storage.repos.tables import UNITS


def unit_by_code(conn: Connection, code: str) -> tuple[int, str]:
    """(id, name) of the unit with `code`; UnknownUnit (Norwegian) if there is none."""
    row = conn.execute(select(UNITS.c.id, UNITS.c.name).where(UNITS.c.code == code)).first()
    if row is None:
        raise UnknownUnit(code)
    return int(row.id), str(row.name)
