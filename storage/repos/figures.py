"""The precomputed unit × month figures, read (storage.figures rebuilds them).

Plain SQLAlchemy Core: the unit list sums them at the app's start, before pandas is loaded.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, case, func, select

from core.periods import Quarter
from storage.repos.settings import SETTINGS
from storage.repos.tables import UNIT_MONTH_FIGURES

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.orm import Session

FIGURES_AS_OF_KEY = "figures_as_of"

Sums = dict[tuple[int, str], tuple[float, float]]  # (unit id, quarter) -> (lost, possible)


def figures_as_of(conn: Connection | Session) -> dt.date | None:
    """The day the precomputed monthly figures were computed for (None before the first)."""
    value = conn.execute(
        select(SETTINGS.c.value).where(SETTINGS.c.key == FIGURES_AS_OF_KEY)
    ).scalar()
    return dt.date.fromisoformat(json.loads(value)) if value else None


def figures_cover(conn: Connection, first_month: dt.date) -> bool:
    """Whether the precomputed monthly figures reach back to `first_month`: whether a month
    that early is stored (found among the first rows read where it is; their first month was
    found by reading them all, a millisecond and a half at municipality scale)."""
    month = UNIT_MONTH_FIGURES.c.month
    return conn.execute(select(month).where(month <= first_month).limit(1)).first() is not None


def quarter_sums(
    conn: Connection, first: Quarter, last: Quarter, unit_id: int | None = None
) -> Sums:
    """Lost and possible workdays per unit (or of one unit) and quarter from `first` to `last`,
    summed from the stored monthly figures (the caller checks that they reach back far enough).
    """
    figures = UNIT_MONTH_FIGURES.c
    label = _quarter_label(first, last)
    query = (
        select(figures.unit_id, label, func.sum(figures.lost), func.sum(figures.possible))
        .where(figures.month.between(first.start, last.end))
        .group_by(figures.unit_id, label)
    )
    if unit_id is not None:
        query = query.where(figures.unit_id == unit_id)
    rows = conn.execute(query).all()
    return {(unit, quarter): (lost, possible) for unit, quarter, lost, possible in rows}


def total_quarter_sums(
    conn: Connection, unit_ids: list[int], first: Quarter, last: Quarter
) -> dict[str, tuple[float, float]]:
    """Lost and possible workdays of the units together per quarter from `first` to `last`
    (quarters without a month of theirs are absent), as quarter_sums reads them."""
    figures = UNIT_MONTH_FIGURES.c
    label = _quarter_label(first, last)
    query = (
        select(label, func.sum(figures.lost), func.sum(figures.possible))
        .where(figures.month.between(first.start, last.end), figures.unit_id.in_(unit_ids))
        .group_by(label)
    )
    return {quarter: (lost, possible) for quarter, lost, possible in conn.execute(query).all()}


def _quarter_label(first: Quarter, last: Quarter) -> Any:
    """Each month's quarter (`2025Q3`) from `first` to `last`, by date bounds worked out here:
    no date functions in SQL."""
    figures = UNIT_MONTH_FIGURES.c
    quarters = [first]
    while quarters[-1] < last:
        quarters.append(quarters[-1].shift(1))
    return case(*[(figures.month.between(q.start, q.end), str(q)) for q in quarters])


def load_unit_month_figures(
    conn: Connection,
    first_month: dt.date | None = None,
    last_month: dt.date | None = None,
    unit_id: int | None = None,
) -> pd.DataFrame:
    """The precomputed unit × month sums, by unit and month (every figure column)."""
    from storage.repos.frames import dates, frame, iso

    figures = UNIT_MONTH_FIGURES.c
    others = [c for c in UNIT_MONTH_FIGURES.columns if c.name != "month"]
    query = select(*others, iso(figures.month)).order_by(figures.unit_id, figures.month)
    if first_month is not None:
        query = query.where(figures.month >= first_month)
    if last_month is not None:
        query = query.where(figures.month <= last_month)
    if unit_id is not None:
        query = query.where(figures.unit_id == unit_id)
    columns = [c.name for c in others] + ["month"]
    loaded = frame(conn, query, columns)
    loaded["month"] = dates(loaded["month"])
    return loaded
