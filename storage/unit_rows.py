"""The unit list's figures in a few SQL queries over the precomputed monthly figures.

This is what the app shows first, so it loads neither pandas nor the ORM: plain SQL through
SQLAlchemy Core and arithmetic on a few thousand sums. storage.reports builds its DataFrames
for the command line from the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, text

from core.groups import GroupRules, target_group
from core.periods import Quarter, complete_quarters_before, same_season_after
from core.project import latest, member_on
from core.vocabulary import OPEN_STATUSES
from storage.project import memberships
from storage.repos.settings import load_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

FIGURES_AS_OF_KEY = "figures_as_of"
GROUP_QUARTERS = 8  # the two years the target groups average over

Sums = dict[tuple[int, str], tuple[float, float]]  # (unit id, quarter) -> (lost, possible)


def figures_as_of(conn: Connection | Session) -> dt.date | None:
    """The day the precomputed monthly figures were computed for (None before the first)."""
    value = conn.execute(
        text("SELECT value FROM settings WHERE key = :key"), {"key": FIGURES_AS_OF_KEY}
    ).scalar()
    return dt.date.fromisoformat(json.loads(value)) if value else None


def ensure_figures_current(engine: Engine, today: dt.date | None = None) -> bool:
    """Rebuild the monthly figures if they were computed before today. True if rebuilt."""
    today = today or dt.date.today()
    with engine.connect() as conn:
        if figures_as_of(conn) == today:
            return False
    from storage.db import transaction
    from storage.figures import refresh_figures  # pandas and the ORM: only when rebuilding

    with transaction(engine) as session:
        refresh_figures(session, today)
    return True


def has_units(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM units LIMIT 1")).first() is not None


def figures_cover(conn: Connection, first_month: dt.date) -> bool:
    """Whether the precomputed monthly figures reach back to `first_month`."""
    covered_from = conn.execute(text("SELECT min(month) FROM unit_month_figures")).scalar()
    return covered_from is not None and dt.date.fromisoformat(covered_from) <= first_month


def quarter_sums(
    conn: Connection, first: Quarter, last: Quarter, unit_id: int | None = None
) -> Sums:
    """Lost and possible workdays per unit (or of one unit) and quarter from `first` to `last`.

    Summed in SQL from the monthly figures when they reach back far enough (the usual case),
    else computed from the spells (an old as-of date: slower, the same figures).
    """
    if not figures_cover(conn, first.start):
        return _computed_sums(conn, first, last, unit_id)
    rows = conn.execute(
        text(
            "SELECT unit_id, CAST(substr(month, 1, 4) AS INTEGER), "
            "(CAST(substr(month, 6, 2) AS INTEGER) + 2) / 3, sum(lost), sum(possible) "
            "FROM unit_month_figures WHERE month BETWEEN :first AND :last "
            "AND (:unit IS NULL OR unit_id = :unit) GROUP BY 1, 2, 3"
        ),
        {"first": first.start.isoformat(), "last": last.end.isoformat(), "unit": unit_id},
    )
    return {(unit, f"{year}Q{q}"): (lost, possible) for unit, year, q, lost, possible in rows}


def _computed_sums(conn: Connection, first: Quarter, last: Quarter, unit_id: int | None) -> Sums:
    from storage.figures import monthly_figures  # pandas: only for dates before the table

    monthly = monthly_figures(conn, first.start, last.end)
    if unit_id is not None:
        monthly = monthly[monthly["unit_id"] == unit_id]
    sums: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for unit, month, lost, possible in zip(
        monthly["unit_id"], monthly["month"], monthly["lost"], monthly["possible"], strict=True
    ):
        total = sums[(int(unit), str(Quarter.of(month.date())))]
        total[0] += float(lost)
        total[1] += float(possible)
    return {key: (lost, possible) for key, (lost, possible) in sums.items()}


def _pct(sums: Sums, unit_id: int, quarters: list[Quarter]) -> float | None:
    """Σ lost / Σ possible over the quarters, None when no workday was possible."""
    lost = possible = 0.0
    for quarter in quarters:
        part = sums.get((unit_id, str(quarter)))
        if part is not None:
            lost += part[0]
            possible += part[1]
    return lost / possible * 100 if possible else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def unit_rows(
    conn: Connection,
    as_of: dt.date,
    rules: GroupRules | None = None,
    unit_id: int | None = None,
) -> list[dict[str, Any]]:
    """One row per unit (or the one with `unit_id`): identity, headcount on `as_of`, 2-year
    average, target group and why, the last complete quarter, and the baseline against the
    latest quarter of its season.

    `project_joined_on` and `baseline_quarter` are those of the unit's period in the project on
    `as_of` (None when it is not in the project that day); `membership` is its latest period.

    `change_pp` is that quarter minus the baseline quarter; percentages are None where no
    workday was possible. The limits are the stored settings' unless `rules` are given.
    """
    one = {"unit": unit_id}
    if rules is None:
        rules = load_settings(conn).group_rules()
    units = conn.execute(
        text(
            "SELECT id, code, name, service_area, leader "
            "FROM units WHERE :unit IS NULL OR id = :unit ORDER BY name"
        ),
        one,
    ).all()
    headcount: dict[int, int] = dict(
        conn.execute(
            text(
                "SELECT unit_id, count(DISTINCT employee_id) FROM employments "
                "WHERE start_date <= :day AND (end_date IS NULL OR end_date >= :day) "
                "AND (:unit IS NULL OR unit_id = :unit) GROUP BY unit_id"
            ),
            {"day": as_of.isoformat(), **one},
        ).all()
    )
    two_years = complete_quarters_before(as_of, GROUP_QUARTERS)
    last = two_years[-1]
    periods = memberships(conn, unit_id)
    current = {unit: member_on(held, as_of) for unit, held in periods.items()}
    member = {unit: period for unit, period in current.items() if period is not None}
    baselines = {unit: Quarter.parse(period.baseline_quarter) for unit, period in member.items()}
    first = min([two_years[0], *baselines.values()])
    sums = quarter_sums(conn, first, last, unit_id)
    rows = []
    for unit in units:
        average = _pct(sums, unit.id, two_years)
        group, reason = target_group(headcount.get(unit.id, 0), average, rules)
        baseline = baselines.get(unit.id)
        compare = same_season_after(baseline, last) if baseline is not None else None
        baseline_pct = _pct(sums, unit.id, [baseline]) if baseline is not None else None
        compare_pct = _pct(sums, unit.id, [compare]) if compare is not None else None
        change = None if baseline_pct is None or compare_pct is None else compare_pct - baseline_pct
        rows.append(
            {
                "unit_id": unit.id,
                "code": unit.code,
                "name": unit.name,
                "service_area": unit.service_area,
                "leader": unit.leader,
                "project_joined_on": member[unit.id].joined_on if unit.id in member else None,
                "baseline_quarter": member[unit.id].baseline_quarter if unit.id in member else None,
                "target_group_at_joining": member[unit.id].target_group
                if unit.id in member
                else None,
                "membership": latest(periods.get(unit.id, [])),
                "headcount": headcount.get(unit.id, 0),
                "avg_2y_pct": average,
                "target_group": group,
                "reason": reason,
                "last_quarter": str(last),
                "last_quarter_pct": _pct(sums, unit.id, [last]),
                "baseline_pct": baseline_pct,
                "compare_quarter": None if compare is None else str(compare),
                "compare_pct": compare_pct,
                "change_pp": change,
            }
        )
    return rows


def unit_rows_with_activity(
    conn: Connection, today: dt.date, rules: GroupRules | None = None
) -> list[dict[str, Any]]:
    """The unit rows with open and overdue measures and the date of the last session."""
    statuses = {f"s{i}": status for i, status in enumerate(sorted(OPEN_STATUSES))}
    marks = ", ".join(f":{name}" for name in statuses)
    counts = {
        unit: (count, overdue)
        for unit, count, overdue in conn.execute(
            text(
                "SELECT unit_id, count(*), coalesce(sum(due_date < :today), 0) FROM measures "
                f"WHERE status IN ({marks}) GROUP BY unit_id"
            ),
            {"today": today.isoformat(), **statuses},
        )
    }
    sessions: dict[int, str] = dict(
        conn.execute(text("SELECT unit_id, max(held_on) FROM sessions GROUP BY unit_id")).all()
    )
    rows = unit_rows(conn, today, rules)
    for row in rows:
        row["open_measures"], row["overdue_measures"] = counts.get(row["unit_id"], (0, 0))
        row["last_session"] = _date(sessions.get(row["unit_id"]))
    return rows
