"""The project: units join and leave it, with their history; one transaction per change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

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
from storage.repos import project, units
from storage.repos.settings import load_settings
from storage.sync.state import refuse_servers_work
from storage.usecases import reading, writing
from storage.usecases.unit_rows import unit_rows

CHANGE = "Endringer i prosjektets enheter"  # what a replica leaves to the server


@dataclass(frozen=True, slots=True)
class UnitPeriods:
    code: str
    name: str
    periods: tuple[Membership, ...]


@dataclass(frozen=True, slots=True)
class JoinDefaults:
    """What a unit joining the project is measured from unless the advisor says otherwise."""

    project_start: dt.date
    baseline_quarter: str

    def baseline(self, joined_on: dt.date) -> str:
        """The baseline quarter of a unit that joins on `joined_on` (see core.project)."""
        return default_baseline(joined_on, self.project_start, self.baseline_quarter)


def join_defaults(engine: Engine) -> JoinDefaults:
    """The project's start and baseline as set, for the form where units join."""
    with reading(engine) as conn:
        settings = load_settings(conn)
    return JoinDefaults(settings.project_start, settings.baseline_quarter)


def _units_by_code(conn: Connection, codes: Sequence[str]) -> dict[str, int]:
    """The ids of the units with these codes; InvalidInput naming any code not found."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        raise InvalidInput("Ingen enheter er valgt.")
    found = units.unit_ids(conn)
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise InvalidInput(f"Fant ingen enhet med enhet_id {', '.join(unknown)}.")
    return {code: found[code] for code in wanted}


def join(
    conn: Connection, unit_ids: Mapping[str, int], joined_on: dt.date, baseline: str | None
) -> tuple[Membership, ...]:
    """The units join on `joined_on`, measured from `baseline` (default: see core.project),
    with their target groups that day as the unit list computes them.

    The caller owns the transaction; InvalidInput (nothing written by this call) when one of
    them is in the project already, or left it after `joined_on`.
    """
    settings = load_settings(conn)
    quarter = (
        parse_baseline(baseline)
        if baseline is not None
        else default_baseline(joined_on, settings.project_start, settings.baseline_quarter)
    )
    held = project.memberships(conn)
    for code, unit_id in unit_ids.items():
        check_join(code, latest(held.get(unit_id, [])), joined_on)
    groups = {row.unit_id: row.target_group for row in unit_rows(conn, joined_on)}
    added = tuple(
        Membership(joined_on, quarter, None, groups.get(unit_id)) for unit_id in unit_ids.values()
    )
    project.add(conn, zip(unit_ids.values(), added, strict=True))
    return added


def join_project(
    engine: Engine, codes: Sequence[str], joined_on: dt.date, baseline: str | None = None
) -> tuple[Membership, ...]:
    """The units with these codes join the project together, all or none."""
    from storage.figures import cover_baselines  # pandas: only when a unit joins
    from storage.usecases.status import store_status

    with writing(engine) as session:
        conn = session.connection()
        refuse_servers_work(conn, CHANGE)
        added = join(conn, _units_by_code(conn, codes), joined_on, baseline)
        cover_baselines(session)
        store_status(conn)
        return added


def leave_project(engine: Engine, codes: Sequence[str], left_on: dt.date) -> None:
    """The units leave the project from `left_on` (their first day out); history is kept.

    A period that would end the day it began held no day at all: it is removed instead.

    All or none: InvalidInput when one of them is not in the project, or joined after `left_on`.
    """
    from storage.usecases.status import store_status  # pandas: only when a unit leaves

    with writing(engine) as session:
        conn = session.connection()
        refuse_servers_work(conn, CHANGE)
        unit_ids = _units_by_code(conn, codes)
        held = project.memberships(conn)
        for code, unit_id in unit_ids.items():
            check_leave(code, latest(held.get(unit_id, [])), left_on)
        project.end(conn, unit_ids.values(), left_on)
        store_status(conn)


def project_units(engine: Engine) -> tuple[UnitPeriods, ...]:
    """Every unit that has been in the project, with its periods, by name."""
    with reading(engine) as conn:
        held = project.memberships(conn)
        identities = units.unit_identities(conn)
    return tuple(
        UnitPeriods(unit.code, unit.name, tuple(held[unit.id]))
        for unit in identities
        if unit.id in held
    )


def list_json(periods: Sequence[UnitPeriods]) -> dict[str, object]:
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
            for unit in periods
        ]
    }


def join_from_import(conn: Connection, project_from: Mapping[str, dt.date]) -> None:
    """Apply an imported `prosjekt_fra` column (unit code → date; empty cells left out).

    What the advisor set in the app is kept unless the file says otherwise (core.project's
    imported_join). The caller (the import) owns the transaction. InvalidInput when a date
    falls inside a period the unit has left.
    """
    if not project_from:
        return
    unit_ids = _units_by_code(conn, list(project_from))
    held = project.memberships(conn)
    changed: dict[dt.date, dict[str, int]] = {}
    for code, day in project_from.items():
        unit_id = unit_ids[code]
        action = imported_join(latest(held.get(unit_id, [])), day)
        if action == "move":
            project.drop_ongoing(conn, unit_id)
        if action != "keep":
            changed.setdefault(day, {})[code] = unit_id
    for day, chosen in sorted(changed.items()):
        join(conn, chosen, day, None)
