"""The precomputed figures: unit × month sums and every unit's prognosis, rebuilt together,
for the same day, after every change of absence data.

The prognosis pools every unit (the carry-over and the seasonal pattern), so it is computed for
all of them at once; the status overview and `forecast` read it while its day is the one asked
about, and compute it the same way for any other.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, Table, delete, func, select
from sqlalchemy.orm import Session

from core.forecast import (
    YEAR,
    FloatArray,
    ForecastParts,
    QuarterlyHistory,
    forecast_quarters,
    last_complete_quarter,
    model_pct,
    split_forecast,
)
from core.periods import Quarter, add_months
from core.sickleave import (
    FIGURE_COLUMNS,
    SICK_KINDS,
    Period,
    by_quarter,
    with_long_term,
    workday_figures,
)
from storage.dialects import insert_rows
from storage.models import (
    ProjectMembership,
    Setting,
    Unit,
    UnitMonthFigure,
    UnitPrognosisFigure,
)
from storage.repos import unit_status
from storage.repos.figures import (
    FIGURES_AS_OF_KEY,
    figures_as_of,
    figures_cover,
    load_unit_month_figures,
)
from storage.repos.recorded import Recorded, load_recorded
from storage.repos.staff import load_employments, load_spells, load_units

# Enough for the last three years' quarters (two-year averages, last year's same quarter); the
# baseline quarters, the eight before them (groups at joining) are added when they are older.
HISTORY_YEARS = 3
# Employment × month rows worked out in one go (some 200 bytes each while they are): a large
# municipality's 25,000 employments over four years are 1.2 million. Beyond that the employees
# are taken a group at a time, CHUNK_ROWS rows each: 1,000,000 of them take 10 GB at once.
ONE_GO_ROWS = 2_000_000
CHUNK_ROWS = 250_000
DAY = dt.timedelta(days=1)
IntArray = npt.NDArray[np.int64]
# The prognosis's quarters stored: the status overview's and `forecast`'s default.
PROGNOSIS_QUARTERS = 4
PROGNOSIS_COLUMNS = [
    "unit_id",
    "quarter",
    "known_pct",
    "expected_pct",
    "pct",
    "known_lost",
    "lost",
    "possible",
]
PROGNOSIS_NUMBERS = PROGNOSIS_COLUMNS[2:]
NO_SPELLS = pd.DataFrame(columns=["employee_id", "unit_id", "start", "end", "kind", "grade"])


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
    store_prognoses(session.connection(), as_of)


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


def _sums(
    recorded: Recorded, start: dt.date, end: dt.date, as_of: dt.date, unit_ids: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Lost and possible workdays per unit from `start` to `end`, with what was known on `as_of`."""
    if start > end:
        zeros = np.zeros(len(unit_ids))
        return zeros, zeros.copy()
    known = recorded.known_on(as_of)
    figures = workday_figures(known.employments, known.spells, Period(start, end, as_of))
    sums = figures.groupby("unit_id")[["lost", "possible"]].sum().reindex(unit_ids, fill_value=0.0)
    return sums["lost"].to_numpy(dtype=float), sums["possible"].to_numpy(dtype=float)


def quarterly_history(
    conn: Connection, unit_ids: IntArray, first: Quarter, last: Quarter, as_of: dt.date
) -> QuarterlyHistory:
    """Each unit's lost and possible workdays in the complete quarters from `first` to `last`."""
    quarters = [first.shift(i) for i in range((last.year - first.year) * 4 + last.q - first.q + 1)]
    stored = figures_as_of(conn)
    if stored is not None and stored >= last.end:
        # Whole quarters before as_of do not depend on the day the figures were computed for.
        monthly = monthly_figures(conn, first.start, last.end)
    else:
        recorded = load_recorded(conn, first.start, as_of)
        monthly = workday_figures(
            recorded.employments,
            recorded.spells,
            Period(first.start, last.end, as_of),
            by_month=True,
        )
    sums = by_quarter(monthly, quarters)
    if sums.empty:
        zeros = np.zeros((len(unit_ids), len(quarters)))
        return QuarterlyHistory(zeros, zeros.copy(), last)

    def table(name: str) -> FloatArray:
        wide = sums.pivot_table(index="unit_id", columns="quarter", values=name, aggfunc="sum")
        columns = [str(q) for q in quarters]
        return wide.reindex(index=unit_ids, columns=columns).fillna(0.0).to_numpy(dtype=float)

    return QuarterlyHistory(table("lost"), table("possible"), last)


def forecast_parts(
    recorded: Recorded,
    history: QuarterlyHistory,
    targets: Sequence[Quarter],
    as_of: dt.date,
    unit_ids: IntArray,
) -> list[ForecastParts]:
    """Known and expected part of every unit's forecast for each target quarter."""
    model = model_pct(history, targets)
    parts = []
    for j, target in enumerate(targets):
        lost, possible = _sums(recorded, target.start, target.end, as_of, unit_ids)
        after = max(target.start, as_of + DAY)
        if after > target.start:
            lost_after, possible_after = _sums(recorded, after, target.end, as_of, unit_ids)
        else:
            lost_after, possible_after = lost, possible
        parts.append(
            split_forecast(
                known=lost,
                known_after=lost_after,
                possible=possible,
                possible_after=possible_after,
                model=model[:, j],
            )
        )
    return parts


def _unit_ids(conn: Connection) -> IntArray:
    """Every unit's id, by name: the order the prognosis pools them in (sums in another order
    could differ in a double's last bit)."""
    return load_units(conn)["unit_id"].to_numpy(dtype=np.int64)


def compute_prognoses(conn: Connection, as_of: dt.date, quarters: int) -> pd.DataFrame:
    """Every unit's prognosis for `quarters` quarters from the first not complete on `as_of`.

    One row per unit and quarter (PROGNOSIS_COLUMNS), by unit id and quarter: the percentages
    NaN where undefined, with the workdays they are of (core.forecast.ForecastParts): the known
    and the whole prognosis's lost workdays and the possible ones, so that a group's prognosis
    is Σ lost / Σ possible as every other total.
    """
    unit_ids = _unit_ids(conn)
    if not len(unit_ids):
        return pd.DataFrame(columns=PROGNOSIS_COLUMNS)
    targets = forecast_quarters(as_of, quarters)
    last = last_complete_quarter(as_of)
    history = quarterly_history(conn, unit_ids, last.shift(1 - 2 * YEAR), last, as_of)
    recorded = load_recorded(conn, targets[0].start, as_of)
    parts = forecast_parts(recorded, history, targets, as_of, unit_ids)
    rows = pd.DataFrame(
        {
            "unit_id": np.repeat(unit_ids, len(targets)),
            "quarter": [str(target) for _ in unit_ids for target in targets],
            **{
                name: np.column_stack([getattr(part, name) for part in parts]).ravel()
                for name in PROGNOSIS_NUMBERS
            },
        }
    )
    for name in PROGNOSIS_NUMBERS:
        rows[name] = rows[name].astype(float).where(np.isfinite(rows[name].astype(float)))
    return rows[PROGNOSIS_COLUMNS]


def store_prognoses(conn: Connection, as_of: dt.date) -> None:
    """Replace the stored prognosis with every unit's as computed for `as_of`."""
    rows = compute_prognoses(conn, as_of, PROGNOSIS_QUARTERS)
    conn.execute(delete(UnitPrognosisFigure))
    unit_status.clear(conn)  # of the figures before: the use case stores them anew
    if len(rows):
        table = UnitPrognosisFigure.__table__
        assert isinstance(table, Table)
        values = [
            rows["unit_id"].astype("int64").tolist(),
            rows["quarter"].tolist(),
            *(
                [None if np.isnan(v) else v for v in rows[name].to_numpy(dtype=float).tolist()]
                for name in PROGNOSIS_NUMBERS
            ),
        ]
        insert_rows(conn, table, PROGNOSIS_COLUMNS, list(zip(*values, strict=True)))


def prognoses(conn: Connection, as_of: dt.date, quarters: int) -> pd.DataFrame:
    """compute_prognoses's rows, read from the stored copy where it is the one asked for.

    It is when it was computed for `as_of` (the day of the monthly figures) and holds every
    unit's `quarters`; else (another day, more quarters, a database from before the copy) the
    prognosis is computed, the same, only slower.
    """
    if quarters <= PROGNOSIS_QUARTERS and figures_as_of(conn) == as_of:
        wanted = [str(q) for q in forecast_quarters(as_of, quarters)]
        figure = UnitPrognosisFigure
        stored = conn.execute(
            select(*(getattr(figure, name) for name in PROGNOSIS_COLUMNS))
            .where(figure.quarter.in_(wanted))
            .order_by(figure.unit_id, figure.quarter)
        ).all()
        units = conn.execute(select(func.count()).select_from(Unit)).scalar_one()
        if len(stored) == units * quarters:
            # A column at a time, the figures as float arrays (NaN where NULL): not a frame of
            # objects converted after.
            ids, quarter, *numbers = zip(*stored, strict=True) or [()] * len(PROGNOSIS_COLUMNS)
            return pd.DataFrame(
                {
                    "unit_id": np.array(ids, dtype=np.int64),
                    # Text; without rows the empty column of objects pandas makes of none.
                    "quarter": pd.Series(quarter, dtype=None if quarter else object),
                    **{
                        name: np.array(values, dtype=float)
                        for name, values in zip(PROGNOSIS_NUMBERS, numbers, strict=True)
                    },
                }
            )
    return compute_prognoses(conn, as_of, quarters)
