"""The unit list and the unit overview: what the advisor sees of the units.

The unit list is what the app shows first, so this module loads neither pandas nor the ORM:
SQLAlchemy Core through storage.repos and arithmetic on a few thousand sums. The overview of
one unit (pandas: its months and quarters) loads them when it is opened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from core.groups import GroupRules
from core.periods import Quarter, complete_quarters_before
from core.vocabulary import OPEN_STATUSES
from storage.repos import figures, units
from storage.repos.settings import load_settings
from storage.usecases import reading, writing
from storage.usecases.unit_rows import UnitRow as UnitRow
from storage.usecases.unit_rows import unit_rows

if TYPE_CHECKING:
    import pandas as pd

    from core.overview import UnitOverview


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
    """Rebuild the monthly figures if they were computed before today. True if rebuilt; on a
    server only by the lead or the owner (as the app's start does). A replica of a server never
    rebuilds them: each sync brings the server's.

    The check reads only; the rebuild is one transaction, which checks again (another
    instance of the app may have rebuilt them meanwhile).
    """
    today = today or dt.date.today()
    if figures_day(engine) == today:
        return False
    if engine.dialect.name == "postgresql":
        from storage.usecases.team import me

        if not me(engine).sees_all:
            return False  # an advisor's would lack the other units: the lead's or owner's
    from storage.figures import refresh_figures  # pandas and the ORM: only when rebuilding
    from storage.sync.state import is_replica
    from storage.usecases.status import store_status

    with reading(engine) as conn:
        if is_replica(conn):  # it holds some units' people: the server's figures are the truth
            return False

    with writing(engine) as session:
        if figures.figures_as_of(session) == today:
            return False
        refresh_figures(session, today)
        store_status(session.connection())
    return True


def unit_overview(conn: Connection, unit_id: int, today: dt.date) -> UnitOverview:
    """The overview of one unit, read with the caller's connection."""
    import pandas as pd

    from core.goal import unit_goal  # pandas (the sector's figures): not at the list's start
    from core.overview import UnitOverview
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
