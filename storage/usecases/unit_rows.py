"""The unit rows: each unit's identity, headcount, target group and figures on a day, read
with the caller's connection (the unit list, the groups, the status overview and the project's
joining build on them).

SQLAlchemy Core through storage.repos and arithmetic on a few thousand sums: the unit list is
what the app shows first, so this module loads neither pandas nor the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from core.groups import GroupRules, target_group
from core.percent import pct
from core.periods import Quarter, complete_quarters_before, same_season_after
from core.project import Membership, latest, member_on
from storage.repos import figures, project, units
from storage.repos.settings import load_settings

GROUP_QUARTERS = 8  # the two years the target groups average over


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One unit in the unit list: identity, headcount, 2-year average, target group and why,
    the last complete quarter, and the baseline against the latest quarter of its season.

    `project_joined_on`, `baseline_quarter` and `target_group_at_joining` are those of the
    unit's period in the project on the day asked about (None when it is not in it that day);
    `membership` is its latest period. Percentages are None where no workday was possible.
    The open and overdue measures and the last session are filled in for the unit list only.
    """

    unit_id: int
    code: str
    name: str
    service_area: str | None
    leader: str | None
    project_joined_on: dt.date | None
    baseline_quarter: str | None
    target_group_at_joining: int | None
    membership: Membership | None
    headcount: int
    avg_2y_pct: float | None
    target_group: int
    reason: str
    last_quarter: str
    last_quarter_pct: float | None
    baseline_pct: float | None
    compare_quarter: str | None
    compare_pct: float | None
    change_pp: float | None
    open_measures: int = 0
    overdue_measures: int = 0
    last_session: dt.date | None = None

    @property
    def project(self) -> bool:
        """Whether the unit is in the project on the day asked about."""
        return self.project_joined_on is not None

    def __getitem__(self, key: str) -> Any:
        # The tables (tui.widgets.sorting) read a row's columns by their keys.
        return getattr(self, key)


def _sum_pct(sums: figures.Sums, unit_id: int, quarters: list[Quarter]) -> float | None:
    """Σ lost / Σ possible over the quarters, None when no workday was possible."""
    lost = possible = 0.0
    for quarter in quarters:
        part = sums.get((unit_id, str(quarter)))
        if part is not None:
            lost += part[0]
            possible += part[1]
    return pct(lost, possible)


def _quarter_sums(
    conn: Connection, first: Quarter, last: Quarter, unit_id: int | None
) -> figures.Sums:
    """Summed in SQL from the monthly figures when they reach back far enough (the usual case),
    else computed from the spells (an old as-of date: slower, the same figures)."""
    if figures.figures_cover(conn, first.start):
        return figures.quarter_sums(conn, first, last, unit_id)
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


def unit_rows(
    conn: Connection,
    as_of: dt.date,
    rules: GroupRules | None = None,
    unit_id: int | None = None,
) -> tuple[UnitRow, ...]:
    """One row per unit (or the one with `unit_id`) on `as_of`, by name, read with the
    caller's connection. The limits are the stored settings' unless `rules` are given."""
    if rules is None:
        rules = load_settings(conn).group_rules()
    identities = units.unit_identities(conn, unit_id)
    headcount = units.headcount_on(conn, as_of, unit_id)
    two_years = complete_quarters_before(as_of, GROUP_QUARTERS)
    last = two_years[-1]
    periods = project.memberships(conn, unit_id)
    current = {unit: member_on(held, as_of) for unit, held in periods.items()}
    member = {unit: period for unit, period in current.items() if period is not None}
    baselines = {unit: Quarter.parse(period.baseline_quarter) for unit, period in member.items()}
    sums = _quarter_sums(conn, min([two_years[0], *baselines.values()]), last, unit_id)
    rows = []
    for unit in identities:
        average = _sum_pct(sums, unit.id, two_years)
        group, reason = target_group(headcount.get(unit.id, 0), average, rules)
        baseline = baselines.get(unit.id)
        compare = same_season_after(baseline, last) if baseline is not None else None
        baseline_pct = _sum_pct(sums, unit.id, [baseline]) if baseline is not None else None
        compare_pct = _sum_pct(sums, unit.id, [compare]) if compare is not None else None
        period = member.get(unit.id)
        rows.append(
            UnitRow(
                unit_id=unit.id,
                code=unit.code,
                name=unit.name,
                service_area=unit.service_area,
                leader=unit.leader,
                project_joined_on=None if period is None else period.joined_on,
                baseline_quarter=None if period is None else period.baseline_quarter,
                target_group_at_joining=None if period is None else period.target_group,
                membership=latest(periods.get(unit.id, [])),
                headcount=headcount.get(unit.id, 0),
                avg_2y_pct=average,
                target_group=group,
                reason=reason,
                last_quarter=str(last),
                last_quarter_pct=_sum_pct(sums, unit.id, [last]),
                baseline_pct=baseline_pct,
                compare_quarter=None if compare is None else str(compare),
                compare_pct=compare_pct,
                change_pp=None
                if baseline_pct is None or compare_pct is None
                else compare_pct - baseline_pct,
            )
        )
    return tuple(rows)
