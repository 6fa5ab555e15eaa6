"""The precomputed unit × month figures: rebuilt after every change of absence data."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, delete, func, select
from sqlalchemy.orm import Session

from core.periods import Quarter, add_months
from core.sickleave import (
    FIGURE_COLUMNS,
    SICK_KINDS,
    Period,
    with_long_term,
    workday_figures,
)
from storage.dialects import insert_rows
from storage.models import ProjectMembership, Setting, UnitMonthFigure
from storage.repos.figures import (
    FIGURES_AS_OF_KEY,
    figures_as_of,
    figures_cover,
    load_unit_month_figures,
)
from storage.repos.staff import load_employments, load_spells

# Enough for the last three years' quarters (two-year averages, last year's same quarter); the
# baseline quarters, the eight before them (groups at joining) are added when they are older.
HISTORY_YEARS = 3
# Employment × month rows worked out in one go (some 200 bytes each while they are): a large
# municipality's 25,000 employments over four years are 1.2 million. Beyond that the employees
# are taken a group at a time, CHUNK_ROWS rows each: 1,000,000 of them take 10 GB at once.
ONE_GO_ROWS = 2_000_000
CHUNK_ROWS = 250_000


def first_month(as_of: dt.date, baseline_quarters: list[str]) -> dt.date:
    """Where the monthly figures start: HISTORY_YEARS back, or earlier for old baselines."""
    starts = [dt.date(as_of.year - HISTORY_YEARS, 1, 1)]
    # The four quarters before joining, and the eight that set each unit's group at joining.
    starts += [Quarter.parse(q).shift(-7).start for q in baseline_quarters]
    return min(starts)


def compute_unit_months(
    employments: pd.DataFrame, spells: pd.DataFrame, start: dt.date, end: dt.date, as_of: dt.date
) -> pd.DataFrame:
    """Unit × month sums from `start` to `end`, with the data as known on `as_of`."""
    period = Period(start, end, as_of)
    marked = with_long_term(spells, as_of)
    columns, keys = list(FIGURE_COLUMNS), ["unit_id", "month"]
    # A group of employees at a time: each one's employments and spells are worked out together,
    # and each group's sums are added to the running ones (kept apart, they would add up too).
    months = max((end.year - start.year) * 12 + end.month - start.month + 1, 1)
    people = employments["employee_id"].to_numpy()
    ids = np.unique(people)
    sick_people = marked["employee_id"].to_numpy()
    step = len(ids) if len(employments) * months <= ONE_GO_ROWS else CHUNK_ROWS // months
    step = max(step, 1)
    sums: pd.DataFrame | None = None
    for first in range(0, max(len(ids), 1), step):
        chosen = employments, marked
        if len(ids) > step:
            low, high = ids[first], ids[min(first + step, len(ids)) - 1]
            chosen = (
                employments[(people >= low) & (people <= high)],
                marked[(sick_people >= low) & (sick_people <= high)],
            )
        monthly = workday_figures(*chosen, period, by_month=True)
        if sums is not None:
            monthly = pd.concat([sums, monthly[[*keys, *columns]]], ignore_index=True)
        sums = monthly.groupby(keys, as_index=False)[columns].sum()
    assert sums is not None
    return sums


def refresh_figures(session: Session, as_of: dt.date | None = None) -> None:
    """Recompute every unit's monthly figures as known on `as_of` (today by default)."""
    as_of = as_of or dt.date.today()
    conn = session.connection()
    start = figures_start(session, as_of)
    sums = compute_unit_months(load_employments(conn), sick_spells(conn), start, as_of, as_of)
    store_unit_months(session, sums, as_of)


def figures_start(session: Session, as_of: dt.date) -> dt.date:
    """The first month refresh_figures computes, for the units' baselines as stored."""
    baselines = session.execute(select(ProjectMembership.baseline_quarter).distinct()).scalars()
    return first_month(as_of, list(baselines))


def cover_baselines(session: Session) -> None:
    """Reach the stored figures back as far as the project's baselines now need.

    A unit joining the project (the demo's, an advisor's) may need quarters older than the
    figures hold: the eight before its baseline set its group at joining. Without them every
    status overview would compute them from the spells, seconds each time.
    """
    as_of = figures_as_of(session)
    if as_of is not None and not figures_cover(session.connection(), figures_start(session, as_of)):
        refresh_figures(session, as_of)


def store_unit_months(session: Session, sums: pd.DataFrame, as_of: dt.date) -> None:
    """Replace the stored monthly figures with `sums` (from compute_unit_months) as of `as_of`.

    The rows go to the driver as plain tuples (the Date type's ISO text, floats, integer ids):
    SQLAlchemy's per-row parameter handling would cost more than the computing.
    """
    session.execute(delete(UnitMonthFigure))
    if len(sums):
        table = UnitMonthFigure.__table__
        assert isinstance(table, Table)
        names = [column.name for column in table.columns]
        months = sums["month"].to_numpy().astype("datetime64[D]")
        values = {
            "unit_id": sums["unit_id"].to_numpy().astype("int64").tolist(),
            "month": [month.item().isoformat() for month in months],
            **{name: sums[name].to_numpy(dtype="float64").tolist() for name in FIGURE_COLUMNS},
        }
        rows = list(zip(*(values[name] for name in names), strict=True))
        insert_rows(session.connection(), table, names, rows)
    stored = session.get(Setting, FIGURES_AS_OF_KEY)
    if stored is None:
        session.add(Setting(key=FIGURES_AS_OF_KEY, value=json.dumps(as_of.isoformat())))
    else:
        stored.value = json.dumps(as_of.isoformat())
    session.flush()


def monthly_figures(conn: Connection, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Unit × month sums for the months from `first` to `last`.

    Read from the precomputed table when it covers them (the usual case), else computed from
    the spells, so that an old as-of date gives the same figures, only slower.
    """
    as_of = figures_as_of(conn) or dt.date.today()
    covered_from = conn.execute(select(func.min(UnitMonthFigure.month))).scalar()
    if covered_from is not None and covered_from <= first:
        return load_unit_month_figures(conn, first, last)
    end = min(as_of, add_months(last, 1) - dt.timedelta(days=1))
    if end < first:
        return load_unit_month_figures(conn, first, last)  # nothing known yet: empty
    return compute_unit_months(load_employments(conn), sick_spells(conn), first, end, as_of)


def sick_spells(conn: Connection) -> pd.DataFrame:
    """The spells the figures count: other absence is neither lost workdays nor in a case."""
    return load_spells(conn, kinds=SICK_KINDS)
