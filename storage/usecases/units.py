"""The unit list and the unit overview: what the advisor sees of the units.

The unit list is what the app shows first, so this module loads neither pandas nor the ORM:
SQLAlchemy Core through storage.repos and arithmetic on a few thousand sums. The overview of
one unit (pandas: its months and quarters) loads them when it is opened.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine

from core.groups import GroupRules, target_group
from core.overview import UnitOverview
from core.percent import pct
from core.periods import Quarter, complete_quarters_before, same_season_after
from core.project import Membership, latest, member_on
from core.vocabulary import OPEN_STATUSES
from storage.repos import figures, project, units
from storage.repos.settings import load_settings
from storage.usecases import reading, writing

if TYPE_CHECKING:
    import pandas as pd

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


def unit_rows_with_activity(
    conn: Connection, today: dt.date, rules: GroupRules | None = None
) -> tuple[UnitRow, ...]:
    """The unit rows with open and overdue measures and the day of the last session."""
    counts = units.measure_counts(conn, today, OPEN_STATUSES)
    sessions = units.last_sessions(conn)
    rows = []
    for row in unit_rows(conn, today, rules):
        open_measures, overdue = counts.get(row.unit_id, (0, 0))
        rows.append(
            replace(
                row,
                open_measures=open_measures,
                overdue_measures=overdue,
                last_session=sessions.get(row.unit_id),
            )
        )
    return tuple(rows)


def unit_list(engine: Engine, today: dt.date) -> tuple[UnitRow, ...]:
    """The unit list: every unit with its figures and activity on `today`, by name."""
    with reading(engine) as conn:
        return unit_rows_with_activity(conn, today)


def unit_names(engine: Engine) -> tuple[tuple[int, str], ...]:
    """Every unit's id and name, by name (to find a unit by its name)."""
    with reading(engine) as conn:
        return tuple((unit.id, unit.name) for unit in units.unit_identities(conn))


def has_units(engine: Engine) -> bool:
    """Whether there is any unit (else the app welcomes the advisor to a first import)."""
    with reading(engine) as conn:
        return units.has_units(conn)


def figures_day(engine: Engine) -> dt.date | None:
    """The day the precomputed monthly figures were computed for (None before the first)."""
    with reading(engine) as conn:
        return figures.figures_as_of(conn)


def ensure_figures_current(engine: Engine, today: dt.date | None = None) -> bool:
    """Rebuild the monthly figures if they were computed before today. True if rebuilt. A
    replica of a server never rebuilds them: each sync brings the server's.

    The check reads only; the rebuild is one transaction, which checks again (another
    instance of the app may have rebuilt them meanwhile).
    """
    today = today or dt.date.today()
    if figures_day(engine) == today:
        return False
    from storage.figures import refresh_figures  # pandas and the ORM: only when rebuilding
    from storage.sync.state import is_replica

    with reading(engine) as conn:
        if is_replica(conn):  # it holds some units' people: the server's figures are the truth
            return False

    with writing(engine) as session:
        if figures.figures_as_of(session) == today:
            return False
        refresh_figures(session, today)
    return True


def unit_overview(conn: Connection, unit_id: int, today: dt.date) -> UnitOverview:
    """The overview of one unit, read with the caller's connection."""
    import pandas as pd

    from core.goal import unit_goal  # pandas (the sector's figures): not at the list's start
    from core.periods import add_months
    from core.sickleave import Figures, by_quarter, pct_series
    from storage.repos.staff import unit_masker

    settings = load_settings(conn)
    (row,) = unit_rows(conn, today, settings.group_rules(), unit_id)
    last = complete_quarters_before(today, 1)[0]
    eight = complete_quarters_before(today, 8)
    baseline = Quarter.parse(row.baseline_quarter) if row.baseline_quarter else None
    before = [baseline.shift(-i) for i in range(3, -1, -1)] if baseline else []
    first = min([eight[0].start, *(q.start for q in before)])
    monthly = _unit_months(conn, unit_id, first, last.end)
    quarters = by_quarter(monthly, eight + before).set_index("quarter")

    def sums(quarter: Quarter) -> tuple[float, float]:
        if str(quarter) not in quarters.index:
            return (0.0, 0.0)
        return float(quarters.at[str(quarter), "lost"]), float(
            quarters.at[str(quarter), "possible"]
        )

    def quarter_pct(chosen: list[Quarter]) -> float | None:
        part = quarters.reindex([str(q) for q in chosen]).dropna()
        return Figures.of(part).sick_leave_pct if len(part) else None

    last_24 = monthly[monthly["month"] >= pd.Timestamp(add_months(last.end, -23))]
    last_24 = last_24.sort_values("month").assign(
        pct=lambda f: pct_series(f["lost"], f["possible"])
    )
    shown = quarters.reindex([str(q) for q in eight]).fillna(0.0)
    shown = shown.assign(pct=pct_series(shown["lost"], shown["possible"])).reset_index()
    last_figures = Figures.of(quarters.loc[str(last)]) if str(last) in quarters.index else Figures()
    return UnitOverview(
        unit_id=unit_id,
        code=row.code,
        name=row.name,
        service_area=row.service_area,
        leader=row.leader,
        headcount=row.headcount,
        avg_2y_pct=row.avg_2y_pct,
        target_group=row.target_group,
        reason=row.reason,
        monthly=last_24.reset_index(drop=True),
        quarters=shown,
        last_quarter=str(last),
        last_quarter_figures=last_figures,
        baseline_quarter=row.baseline_quarter,
        baseline_pct=row.baseline_pct,
        compare_quarter=row.compare_quarter,
        compare_pct=row.compare_pct,
        last_four_pct=quarter_pct(complete_quarters_before(today, 4)) if baseline else None,
        before_four_pct=quarter_pct(before) if baseline else None,
        goal_pp=settings.goal_pp,
        membership=row.membership,
        settings=settings,
        names=unit_masker(conn, unit_id),
        goal=unit_goal(baseline, last, sums, settings.goal_pp, settings.cost_per_day),
    )


def open_unit(engine: Engine, unit_id: int, today: dt.date) -> UnitOverview:
    """Open a unit: its overview, from one snapshot of the database."""
    with reading(engine) as conn:
        return unit_overview(conn, unit_id, today)


def _unit_months(conn: Connection, unit_id: int, first: dt.date, last: dt.date) -> pd.DataFrame:
    """One unit's monthly figures from `first` to `last` (columns month and FIGURE_COLUMNS)."""
    from storage.figures import monthly_figures

    if not figures.figures_cover(conn, first):
        monthly = monthly_figures(conn, first, last)
        return monthly[monthly["unit_id"] == unit_id]
    return figures.load_unit_month_figures(conn, first, last, unit_id)
