"""Project membership: units join and leave, with their history; one transaction per change.

Plain SQL through SQLAlchemy Core, so that the unit list (storage.unit_rows) can read the
memberships at start without pandas or the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from core.errors import InvalidInput
from core.project import (
    Membership,
    check_join,
    check_leave,
    default_baseline,
    imported_join,
    latest,
    parse_baseline,
)
from storage.repos.settings import load_settings


def memberships(conn: Connection, unit_id: int | None = None) -> dict[int, list[Membership]]:
    """Every unit's periods in the project (or one unit's), oldest first, by unit id."""
    rows = conn.execute(
        text(
            "SELECT unit_id, joined_on, left_on, baseline_quarter, target_group "
            "FROM project_memberships WHERE :unit IS NULL OR unit_id = :unit "
            "ORDER BY unit_id, joined_on"
        ),
        {"unit": unit_id},
    )
    found: dict[int, list[Membership]] = {}
    for unit, joined_on, left_on, baseline, group in rows:
        found.setdefault(unit, []).append(
            Membership(
                joined_on=_day(joined_on),
                left_on=None if left_on is None else _day(left_on),
                baseline_quarter=baseline,
                target_group=group,
            )
        )
    return found


def _day(value: str | dt.date) -> dt.date:
    # SQLite hands text through plain SQL; PostgreSQL a date.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


@dataclass(frozen=True)
class UnitPeriods:
    code: str
    name: str
    periods: list[Membership]


def unit_ids(conn: Connection) -> dict[str, int]:
    """Every unit's id by its code."""
    return dict(conn.execute(text("SELECT code, id FROM units")).all())


def _units_by_code(conn: Connection, codes: Sequence[str]) -> dict[str, int]:
    """The ids of the units with these codes; InvalidInput naming any code not found."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        raise InvalidInput("Ingen enheter er valgt.")
    found = unit_ids(conn)
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise InvalidInput(f"Fant ingen enhet med enhet_id {', '.join(unknown)}.")
    return {code: found[code] for code in wanted}


def _groups_on(conn: Connection, day: dt.date, unit_ids: list[int]) -> dict[int, int]:
    """The units' target groups on `day`, as the unit list computes them."""
    from storage.unit_rows import unit_rows  # it reads the memberships from here

    rows = unit_rows(conn, day)
    return {row["unit_id"]: row["target_group"] for row in rows if row["unit_id"] in unit_ids}


def join(
    conn: Connection, unit_ids: Mapping[str, int], joined_on: dt.date, baseline: str | None
) -> list[Membership]:
    """The units join on `joined_on`, measured from `baseline` (default: see core.project).

    The caller owns the transaction; InvalidInput (nothing written by this call) when one of
    them is in the project already, or left it after `joined_on`.
    """
    settings = load_settings(conn)
    quarter = (
        parse_baseline(baseline)
        if baseline is not None
        else default_baseline(joined_on, settings.project_start, settings.baseline_quarter)
    )
    held = memberships(conn)
    for code, unit_id in unit_ids.items():
        check_join(code, latest(held.get(unit_id, [])), joined_on)
    groups = _groups_on(conn, joined_on, list(unit_ids.values()))
    added = [
        Membership(joined_on, quarter, None, groups.get(unit_id)) for unit_id in unit_ids.values()
    ]
    conn.execute(
        text(
            "INSERT INTO project_memberships (unit_id, joined_on, baseline_quarter, target_group) "
            "VALUES (:unit, :joined, :baseline, :group)"
        ),
        [
            {
                "unit": unit_id,
                "joined": joined_on.isoformat(),
                "baseline": quarter,
                "group": member.target_group,
            }
            for unit_id, member in zip(unit_ids.values(), added, strict=True)
        ],
    )
    return added


def add_units(
    engine: Engine, codes: Sequence[str], joined_on: dt.date, baseline: str | None = None
) -> list[Membership]:
    """The units with these codes join the project together, all or none."""
    with engine.begin() as conn:
        return join(conn, _units_by_code(conn, codes), joined_on, baseline)


def remove_units(engine: Engine, codes: Sequence[str], left_on: dt.date) -> None:
    """The units leave the project from `left_on` (their first day out); history is kept.

    A period that would end the day it began held no day at all: it is removed instead.

    All or none: InvalidInput when one of them is not in the project, or joined after `left_on`.
    """
    with engine.begin() as conn:
        unit_ids = _units_by_code(conn, codes)
        held = memberships(conn)
        for code, unit_id in unit_ids.items():
            check_leave(code, latest(held.get(unit_id, [])), left_on)
        ongoing = "WHERE unit_id = :unit AND left_on IS NULL"
        rows = [{"left": left_on.isoformat(), "unit": unit_id} for unit_id in unit_ids.values()]
        # Out the day it joined: the period held no day, and goes (a mistake put right).
        conn.execute(text(f"DELETE FROM project_memberships {ongoing} AND joined_on = :left"), rows)
        conn.execute(text(f"UPDATE project_memberships SET left_on = :left {ongoing}"), rows)


def list_units(engine: Engine) -> list[UnitPeriods]:
    """Every unit that has been in the project, with its periods, by name."""
    with engine.connect() as conn:
        held = memberships(conn)
        units = conn.execute(text("SELECT id, code, name FROM units ORDER BY name")).all()
    return [
        UnitPeriods(code, name, held[unit_id]) for unit_id, code, name in units if unit_id in held
    ]


def list_json(units: list[UnitPeriods]) -> dict[str, object]:
    """`project list --json`: English keys, ISO dates (README documents the shape)."""
    return {
        "units": [
            {
                "unit_id": unit.code,
                "name": unit.name,
                "periods": [
                    {
                        "joined_on": period.joined_on.isoformat(),
                        "left_on": None if period.left_on is None else period.left_on.isoformat(),
                        "baseline_quarter": period.baseline_quarter,
                        "target_group_at_joining": period.target_group,
                    }
                    for period in unit.periods
                ],
            }
            for unit in units
        ]
    }


def join_from_import(conn: Connection, project_from: Mapping[str, dt.date]) -> list[str]:
    """Apply an imported `prosjekt_fra` column (unit code → date; empty cells left out).

    What the advisor set in the app is kept unless the file says otherwise (core.project's
    imported_join). The caller owns the transaction. Returns the codes whose membership
    changed; InvalidInput when a date falls inside a period the unit has left.
    """
    if not project_from:
        return []
    unit_ids = _units_by_code(conn, list(project_from))
    held = memberships(conn)
    changed: dict[dt.date, dict[str, int]] = {}
    for code, day in project_from.items():
        unit_id = unit_ids[code]
        action = imported_join(latest(held.get(unit_id, [])), day)
        if action == "move":
            conn.execute(
                text("DELETE FROM project_memberships WHERE unit_id = :unit AND left_on IS NULL"),
                {"unit": unit_id},
            )
        if action != "keep":
            changed.setdefault(day, {})[code] = unit_id
    for day, units in sorted(changed.items()):
        join(conn, units, day, None)
    return [code for units in changed.values() for code in units]
