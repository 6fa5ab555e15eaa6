"""The team: advisors by their login, and the units assigned to each (plain Core, no ORM)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Boolean, Column, Connection, Integer, MetaData, String, Table, delete, select

from storage.dialects import upsert
from storage.repos.tables import UNITS

_METADATA = MetaData()
ADVISORS = Table(
    "advisors",
    _METADATA,
    Column("login", String, primary_key=True),
    Column("name", String),
    Column("lead", Boolean),
)
ADVISOR_UNITS = Table(
    "advisor_units",
    _METADATA,
    Column("login", String, primary_key=True),
    Column("unit_id", Integer, primary_key=True),
)
_A = ADVISORS.c
_AU = ADVISOR_UNITS.c


def members(conn: Connection) -> list[tuple[str, str, bool, list[str]]]:
    """Every advisor (login, name, lead) with the codes of their units, by login."""
    assigned: dict[str, list[str]] = {}
    query = (
        select(_AU.login, UNITS.c.code)
        .join(UNITS, UNITS.c.id == _AU.unit_id)
        .order_by(_AU.login, UNITS.c.code)
    )
    for login, code in conn.execute(query):
        assigned.setdefault(login, []).append(code)
    rows = conn.execute(select(_A.login, _A.name, _A.lead).order_by(_A.login))
    return [(login, name, bool(lead), assigned.get(login, [])) for login, name, lead in rows]


def member(conn: Connection, login: str) -> tuple[str, bool] | None:
    """The advisor's name and whether they lead; None for a login not on the team."""
    row = conn.execute(select(_A.name, _A.lead).where(_A.login == login)).first()
    return None if row is None else (row.name, bool(row.lead))


def put(conn: Connection, login: str, name: str, lead: bool) -> None:
    """Add the advisor, or change their name and lead."""
    upsert(conn, ADVISORS, {"login": login, "name": name, "lead": lead}, ["login"])


def assign(conn: Connection, login: str, unit_ids: Iterable[int]) -> None:
    for unit_id in unit_ids:
        upsert(conn, ADVISOR_UNITS, {"login": login, "unit_id": unit_id}, ["login", "unit_id"])


def unassign(conn: Connection, login: str, unit_ids: Iterable[int]) -> None:
    conn.execute(delete(ADVISOR_UNITS).where(_AU.login == login, _AU.unit_id.in_(list(unit_ids))))
