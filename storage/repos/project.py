"""Project membership: each unit's periods in the project, oldest first.

Plain SQLAlchemy Core without the ORM: the unit list reads the memberships at the app's start.
A change clears the stored status (storage.repos.unit_status), which is computed from them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, delete, insert, select, update

from core.project import Membership
from storage.repos import unit_status
from storage.repos.tables import PROJECT_MEMBERSHIPS

_M = PROJECT_MEMBERSHIPS.c


def memberships(conn: Connection, unit_id: int | None = None) -> dict[int, list[Membership]]:
    """Every unit's periods in the project (or one unit's), oldest first, by unit id."""
    query = select(
        _M.unit_id, _M.joined_on, _M.left_on, _M.baseline_quarter, _M.target_group
    ).order_by(_M.unit_id, _M.joined_on)
    if unit_id is not None:
        query = query.where(_M.unit_id == unit_id)
    found: dict[int, list[Membership]] = {}
    for unit, joined_on, left_on, baseline, group in conn.execute(query):
        found.setdefault(unit, []).append(
            Membership(
                joined_on=joined_on, left_on=left_on, baseline_quarter=baseline, target_group=group
            )
        )
    return found


def add(conn: Connection, periods: Iterable[tuple[int, Membership]]) -> None:
    """A new period for each (unit id, membership)."""
    rows = [
        {
            "unit_id": unit_id,
            "joined_on": period.joined_on,
            "baseline_quarter": period.baseline_quarter,
            "target_group": period.target_group,
        }
        for unit_id, period in periods
    ]
    if rows:
        conn.execute(insert(PROJECT_MEMBERSHIPS), rows)
        unit_status.clear(conn)


def end(conn: Connection, unit_ids: Iterable[int], left_on: dt.date) -> None:
    """The units' ongoing periods end: out from `left_on`. A period that began that day held
    no day at all, and is removed instead (a mistake put right)."""
    ids = list(unit_ids)
    ongoing = _M.unit_id.in_(ids) & _M.left_on.is_(None)
    conn.execute(delete(PROJECT_MEMBERSHIPS).where(ongoing & (_M.joined_on == left_on)))
    conn.execute(update(PROJECT_MEMBERSHIPS).where(ongoing).values(left_on=left_on))
    unit_status.clear(conn)


def drop_ongoing(conn: Connection, unit_id: int) -> None:
    """The unit's ongoing period goes (an import moves it to another day)."""
    conn.execute(delete(PROJECT_MEMBERSHIPS).where(_M.unit_id == unit_id, _M.left_on.is_(None)))
    unit_status.clear(conn)
