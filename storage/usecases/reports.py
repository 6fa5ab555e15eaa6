"""Figures for the command line: stats, target groups, ongoing absence cases.

Each use case reads one snapshot and leaves the arithmetic to core; the `..._of` functions
are the same reads with the caller's connection, for use cases that need them inside theirs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine

from core.calendar import default_calendar
from core.cases import MILESTONES, build_cases, case_units, cases_ongoing, milestone_dates
from core.groups import GroupRules
from core.periods import add_months
from core.sickleave import FIGURE_COLUMNS, Figures, Period, with_long_term, workday_figures
from storage.repos.figures import figures_as_of, figures_cover, load_unit_month_figures
from storage.repos.unit_lookup import unit_by_code
from storage.repos.units import UNIT_IDENTITY, employees_between, headcount_between, unit_identities
from storage.usecases import reading
from storage.usecases.unit_rows import UnitRow, unit_rows


def _unit_ids_for(conn: Connection, code: str | None) -> list[int] | None:
    """All units (None), or the one with this code; UnknownUnit if none has it."""
    return None if code is None else [unit_by_code(conn, code)[0]]


@dataclass(frozen=True, slots=True)
class StatsRow:
    """One unit's figures for the period, or the total's (`code` and `name` None)."""

    code: str | None
    name: str | None
    headcount: int
    fte: float | None  # Σ possible workdays / the period's workdays; None for an empty period
    figures: Figures


@dataclass(frozen=True, slots=True)
class Stats:
    """`stats`: the figures of every unit, by name, and of all of them, from `start` to `end`."""

    start: dt.date
    end: dt.date
    units: tuple[StatsRow, ...]
    total: StatsRow


def _stats_row(
    code: str | None, name: str | None, headcount: int, figures: Figures, workdays: int
) -> StatsRow:
    return StatsRow(
        code, name, headcount, figures.possible / workdays if workdays else None, figures
    )


def stats_of(
    conn: Connection,
    start: dt.date,
    end: dt.date,
    unit_code: str | None = None,
    today: dt.date | None = None,
) -> Stats:
    """Sick-leave figures per unit and in total for any period (exact to the day).

    The data is taken as known today: open-ended spells count up to today, and a spell is
    short- or long-term by the whole absence case it belongs to.
    """
    today = today or dt.date.today()
    unit_ids = _unit_ids_for(conn, unit_code)
    identities = unit_identities(conn, None if unit_ids is None else unit_ids[0])
    per_unit = _stored_sums(conn, start, end, today, unit_ids)
    if per_unit is None:
        # The ORM's loaders only here: whole months up to today need neither them nor the ORM.
        from storage.repos.staff import load_employments, load_spells

        employments = load_employments(conn, unit_ids)
        employee_ids = None if unit_ids is None else employments["employee_id"].unique().tolist()
        spells = with_long_term(load_spells(conn, employee_ids), today)
        per_employment = workday_figures(employments, spells, Period(start, end, today))
        per_unit = per_employment.groupby("unit_id")[list(FIGURE_COLUMNS)].sum()
    headcount = headcount_between(conn, start, end)
    workdays = default_calendar().count(start, end)

    # Each unit's sums as plain floats at once: a pandas row per unit cost more than the sums.
    figures = {
        int(unit_id): Figures(**dict(zip(FIGURE_COLUMNS, sums, strict=True)))
        for unit_id, sums in zip(
            per_unit.index,
            per_unit[list(FIGURE_COLUMNS)].to_numpy(dtype=float).tolist(),
            strict=True,
        )
    }
    rows = tuple(
        _stats_row(
            unit.code,
            unit.name,
            headcount.get(unit.id, 0),
            figures.get(unit.id, Figures()),
            workdays,
        )
        for unit in identities
    )
    people = employees_between(conn, start, end, unit_ids)
    total = _stats_row(None, None, people, Figures.of(per_unit), workdays)
    return Stats(start, end, rows, total)


def _stored_sums(
    conn: Connection, start: dt.date, end: dt.date, today: dt.date, unit_ids: list[int] | None
) -> pd.DataFrame | None:
    """Each unit's sums for the period from the stored monthly figures, where they give exactly
    what the spells would; None where they cannot.

    They can for whole months up to today when they were computed for today: a month's figures
    are its days' sums (possible workdays by the day, lost ones by the spells covering each
    day, open ones up to the day they are computed for), and short or long term is decided by
    the whole case as known that day, as here. A headcount is distinct people over the period,
    which months cannot add up to: it is counted in SQL (headcount_between).
    """
    whole_months = start.day == 1 and add_months(end, 1) - dt.timedelta(days=1) == end
    if not whole_months or end > today or figures_as_of(conn) != today:
        return None
    if not figures_cover(conn, start):
        return None
    unit_id = None if unit_ids is None else unit_ids[0]
    monthly = load_unit_month_figures(conn, start, end, unit_id)
    return monthly.groupby("unit_id")[list(FIGURE_COLUMNS)].sum()


def stats_json(stats: Stats) -> dict[str, Any]:
    """`stats --json` (FORMATS.md): full precision, None where a figure is undefined."""

    def row(row: StatsRow) -> dict[str, Any]:
        figures = row.figures
        return {
            "unit_id": row.code,
            "name": row.name,
            "headcount": row.headcount,
            "fte": row.fte,
            "possible_workdays": figures.possible,
            "lost_workdays": figures.lost,
            "sick_leave_pct": figures.sick_leave_pct,
            "self_certified_pct": figures.self_certified_pct,
            "doctor_certified_pct": figures.doctor_certified_pct,
            "short_term_pct": figures.short_term_pct,
            "long_term_pct": figures.long_term_pct,
            "graded_share_pct": figures.graded_share_pct,
        }

    return {
        "from": stats.start.isoformat(),
        "to": stats.end.isoformat(),
        "units": [row(unit) for unit in stats.units],
        "total": row(stats.total),
    }


UNIT_COLUMNS = [
    *UNIT_IDENTITY,
    "project_joined_on",  # the unit's period in the project on the day asked about
    "baseline_quarter",
    "headcount",
    "avg_2y_pct",
    "target_group",
    "reason",
]
LIST_COLUMNS = [
    *UNIT_COLUMNS,
    "last_quarter",
    "last_quarter_pct",
    "baseline_pct",
    "compare_quarter",
    "compare_pct",
    "change_pp",
]
_PCT_COLUMNS = ["avg_2y_pct", "last_quarter_pct", "baseline_pct", "compare_pct", "change_pp"]


def rows_frame(rows: Sequence[UnitRow], columns: Sequence[str]) -> pd.DataFrame:
    """The rows' `columns` as a DataFrame: read by name, since pandas would copy every row
    whole, deeply (dataclasses.asdict), to take a few of its fields."""
    return pd.DataFrame(
        [[getattr(row, column) for column in columns] for row in rows], columns=list(columns)
    )


def unit_frame(conn: Connection, as_of: dt.date, rules: GroupRules | None = None) -> pd.DataFrame:
    """The unit list's rows (storage.usecases.units) as a DataFrame (NaN where a percentage is
    undefined)."""
    frame = rows_frame(unit_rows(conn, as_of, rules), LIST_COLUMNS)
    frame[_PCT_COLUMNS] = frame[_PCT_COLUMNS].astype(float)
    return frame.astype({"unit_id": "int64", "headcount": "int64", "target_group": "int64"})


def groups_of(conn: Connection, as_of: dt.date, rules: GroupRules | None = None) -> pd.DataFrame:
    """Every unit's headcount on `as_of`, 2-year average and target group (with the reason).

    The limits are the stored settings' unless `rules` are given. The 8 quarters lie wholly
    before `as_of`, so the sums do not depend on the day the figures were computed for, as long
    as that is later.
    """
    return unit_frame(conn, as_of, rules)[UNIT_COLUMNS]


def groups_json(rows: Sequence[UnitRow], as_of: dt.date) -> dict[str, Any]:
    """`groups --json` (FORMATS.md): the units by name."""
    return {
        "as_of": as_of.isoformat(),
        "units": [
            {
                "unit_id": row.code,
                "name": row.name,
                "headcount": row.headcount,
                "avg_2y_pct": row.avg_2y_pct,
                "target_group": row.target_group,
            }
            for row in rows
        ],
    }


@dataclass(frozen=True, slots=True)
class OngoingCase:
    """An absence case ongoing on the day asked about (`cases`)."""

    employee_number: str
    unit_code: str | None  # None: the case belongs to no unit (DOMAIN.md, core.cases)
    start: dt.date
    end: dt.date | None  # None: open-ended, no end recorded yet
    sick_days: int
    long_term: bool


def ongoing_cases_of(
    conn: Connection, as_of: dt.date, unit_code: str | None = None
) -> tuple[OngoingCase, ...]:
    """Absence cases ongoing on `as_of` with the employee number and unit code, by unit, start
    and employee number."""
    from storage.repos.staff import (
        load_employees,
        load_employments,
        load_spells,
        load_units,
        staff_of,
    )

    unit_ids = _unit_ids_for(conn, unit_code)
    employee_ids = None if unit_ids is None else staff_of(conn, unit_ids)
    spells = load_spells(conn, employee_ids)
    cases, _ = build_cases(spells, as_of)
    ongoing = cases_ongoing(cases, as_of).copy()
    if ongoing["unit_id"].isna().any():
        ongoing["unit_id"] = case_units(ongoing, load_employments(conn))
    if unit_ids is not None:
        ongoing = ongoing[ongoing["unit_id"].isin(unit_ids)]
    people = load_employees(conn, ongoing["employee_id"].unique().tolist()).set_index("employee_id")
    codes = load_units(conn).set_index("unit_id")["code"]
    ongoing["employee_number"] = people["number"].reindex(ongoing["employee_id"]).to_numpy()
    ongoing["unit_code"] = codes.reindex(ongoing["unit_id"]).to_numpy()
    ongoing = ongoing.sort_values(["unit_code", "start", "employee_number"])
    return tuple(
        OngoingCase(
            row.employee_number,
            None if pd.isna(row.unit_code) else row.unit_code,
            row.start.date(),
            None if row.open_ended else row.end.date(),
            int(row.sick_days),
            bool(row.long_term),
        )
        for row in ongoing.itertuples()
    )


def cases_json(cases: Sequence[OngoingCase], as_of: dt.date) -> dict[str, Any]:
    """`cases --json` (FORMATS.md): each case with its milestones' dates."""
    rows = []
    for case in cases:
        dates = milestone_dates(case.start)
        rows.append(
            {
                "employee_id": case.employee_number,
                "unit_id": case.unit_code,
                "start": case.start.isoformat(),
                "end": None if case.end is None else case.end.isoformat(),
                "sick_days": case.sick_days,
                "ongoing": True,
                "long_term": case.long_term,
                "milestones": {m.key: dates[m.key].isoformat() for m in MILESTONES},
            }
        )
    return {"as_of": as_of.isoformat(), "cases": rows}


def stats(
    engine: Engine,
    start: dt.date,
    end: dt.date,
    unit_code: str | None = None,
    today: dt.date | None = None,
) -> Stats:
    """`stats`: sick-leave figures per unit and in total from `start` to `end` (see stats_of)."""
    with reading(engine) as conn:
        return stats_of(conn, start, end, unit_code, today)


def groups(engine: Engine, as_of: dt.date) -> tuple[UnitRow, ...]:
    """`groups`: every unit's headcount, 2-year average and target group on `as_of` (with the
    reason), by name, with the stored settings' limits."""
    with reading(engine) as conn:
        return unit_rows(conn, as_of)


def ongoing_cases(
    engine: Engine, as_of: dt.date, unit_code: str | None = None
) -> tuple[OngoingCase, ...]:
    """`cases`: the absence cases ongoing on `as_of` (see ongoing_cases_of)."""
    with reading(engine) as conn:
        return ongoing_cases_of(conn, as_of, unit_code)
