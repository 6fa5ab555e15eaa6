"""Possible and lost workdays per employment (and month): the sick-leave percentage engine.

The definition is the official one (NAV / Statistics Norway): for each workday inside an
employment, possible += position % / 100 and lost += position % / 100 × grade / 100, where grade
is the sum of the grades of the sick spells covering the day, capped at 100. Everything here works
on whole intervals of days with a workday prefix sum, never day by day, so that the municipality's
quarter of a million spells are counted in well under a second.

Where overlapping spells push the summed grade over 100, every spell's share on those days is
scaled by 100 / sum, so that the breakdowns (self/doctor, short/long, graded) still add up to the
total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from core.calendar import WorkdayCalendar, day_number, default_calendar
from core.cases import build_cases
from core.percent import ROUNDING, pct
from core.periods import Quarter
from core.vocabulary import SELF_CERTIFIED, SICK_KINDS

LOST_PARTS = ("lost_self", "lost_doctor", "lost_short", "lost_long", "lost_graded")
FIGURE_COLUMNS = ("possible", "lost", *LOST_PARTS)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
_NEVER = np.iinfo(np.int64).max // 4


def to_days(values: pd.Series | pd.Index, missing: int = _NEVER) -> IntArray:
    """Dates (datetime64 or date objects) as day numbers; NaT becomes `missing`."""
    as_dt = pd.to_datetime(pd.Series(values), errors="raise")
    days = as_dt.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    days[as_dt.isna().to_numpy()] = missing
    return days


# numpy converts between days and months slowly, element by element; for the usual span of a
# few years a table of every day (or month) in the span, looked up, gives the same numbers.
_TABLE_SPAN = 1 << 20


def _month_index(days: IntArray) -> IntArray:
    if len(days) and int(days.max()) - int(days.min()) < _TABLE_SPAN:
        low = int(days.min())
        table = np.arange(low, int(days.max()) + 1, dtype=np.int64)
        return _month_index_of(table)[days - low]
    return _month_index_of(days)


def _month_index_of(days: IntArray) -> IntArray:
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _month_first_day(months: IntArray) -> IntArray:
    if len(months) and int(months.max()) - int(months.min()) < _TABLE_SPAN:
        low = int(months.min())
        table = np.arange(low, int(months.max()) + 1, dtype=np.int64)
        return _month_first_day_of(table)[months - low]
    return _month_first_day_of(months)


def _month_first_day_of(months: IntArray) -> IntArray:
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def split_by_month(
    starts: IntArray, ends: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Cut inclusive day intervals at month boundaries.

    Returns (row, start, end, month) with one entry per piece: `row` indexes the input interval,
    `month` is numpy's month number (months since 1970-01).
    """
    first = _month_index(starts)
    last = _month_index(ends)
    count = np.maximum(last - first + 1, 0)
    row = np.repeat(np.arange(len(starts)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    month = first[row] + offset
    piece_start = np.maximum(starts[row], _month_first_day(month))
    piece_end = np.minimum(ends[row], _month_first_day(month + 1) - 1)
    return row, piece_start, piece_end, month


@dataclass(frozen=True)
class Period:
    """An inclusive period of days, and the day the data is known to (open spells end there)."""

    start: dt.date
    end: dt.date
    as_of: dt.date


def _employment_frame(employments: pd.DataFrame, lo: int, hi: int) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "employment_id": employments["employment_id"].to_numpy(),
            "employee_id": employments["employee_id"].to_numpy(),
            "unit_id": employments["unit_id"].to_numpy(),
            "factor": employments["position_pct"].to_numpy(dtype=float) / 100.0,
            "e_start": np.maximum(to_days(employments["start"], -_NEVER), lo),
            "e_end": np.minimum(to_days(employments["end"]), hi),
        }
    )
    return frame[frame["e_start"] <= frame["e_end"]]


def _sick_frame(spells: pd.DataFrame, as_of: int, lo: int, hi: int) -> pd.DataFrame:
    kind = spells["kind"].to_numpy()
    start = to_days(spells["start"])
    end = np.minimum(to_days(spells["end"], as_of), hi)
    keep = np.isin(kind, SICK_KINDS) & (start <= as_of) & (start <= hi) & (end >= lo)
    grade = np.where(kind == SELF_CERTIFIED, 100.0, spells["grade"].to_numpy(dtype=float))
    long_term = (
        spells["long_term"].to_numpy(dtype=bool)
        if "long_term" in spells
        else np.zeros(len(spells), dtype=bool)
    )
    unit = pd.to_numeric(spells["unit_id"], errors="coerce").to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "employee_id": spells["employee_id"].to_numpy(),
            "s_unit": unit,
            "s_start": np.maximum(start, lo),
            "s_end": end,
            "grade": grade,
            "self": kind == SELF_CERTIFIED,
            "long": long_term,
        }
    )
    return frame[keep]


def _pieces(emp: pd.DataFrame, sick: pd.DataFrame) -> pd.DataFrame:
    """Each sick spell cut to each employment it applies to (its unit's, or all if none)."""
    joined = sick.merge(emp, on="employee_id", how="inner")
    applies = joined["s_unit"].isna() | (joined["s_unit"] == joined["unit_id"])
    joined = joined[applies]
    start = np.maximum(joined["s_start"].to_numpy(), joined["e_start"].to_numpy())
    end = np.minimum(joined["s_end"].to_numpy(), joined["e_end"].to_numpy())
    joined = joined.assign(p_start=start, p_end=end)
    return joined[start <= end].reset_index(drop=True)


def _sorted_unique(values: IntArray) -> IntArray:
    """np.unique of integers by sorting.

    numpy 2's np.unique hashes integers, and keys that differ only above bit 32 (as in
    `_cap_scale`) collide so often that it takes seconds where sorting takes milliseconds.
    """
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _cap_scale(pieces: pd.DataFrame) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
    """Cut pieces where overlapping spells of the same employment begin or end.

    Returns (piece row, start, end, scale): within each elementary segment the summed grade is
    constant, and `scale` = min(1, 100 / summed grade) brings it down to the cap.
    """
    employment = pieces["employment_id"].to_numpy(dtype=np.int64)
    start = pieces["p_start"].to_numpy(dtype=np.int64)
    end = pieces["p_end"].to_numpy(dtype=np.int64)
    grade = pieces["grade"].to_numpy(dtype=float)
    # Boundaries keyed by (employment, day) so one sorted array serves every employment.
    _, code = np.unique(employment, return_inverse=True)
    code = code.astype(np.int64)
    span = np.int64(1 << 32)
    keys = _sorted_unique(np.concatenate((code * span + start, code * span + end + 1)))
    lo = np.searchsorted(keys, code * span + start)
    hi = np.searchsorted(keys, code * span + end + 1)
    count = hi - lo
    row = np.repeat(np.arange(len(pieces)), count)
    segment = np.repeat(lo, count) + (
        np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    )
    seg_start = keys[segment] % span
    seg_end = keys[segment + 1] % span - 1
    summed = np.bincount(segment, weights=grade[row], minlength=len(keys))
    scale = np.minimum(1.0, 100.0 / np.maximum(summed[segment], 1e-9))
    return row, seg_start, seg_end, scale


def workday_figures(
    employments: pd.DataFrame,
    spells: pd.DataFrame,
    period: Period,
    *,
    by_month: bool = False,
    calendar: WorkdayCalendar | None = None,
) -> pd.DataFrame:
    """Possible and lost workdays per employment (and month) in the period.

    `employments`: employment_id, employee_id, unit_id, position_pct, start, end (NaT = open).
    `spells`: employee_id, unit_id (NaN = every employment), start, end (NaT = open, counts to
    `as_of`), kind, grade, and optionally long_term (from the absence case the spell is in).
    Only spells that started on or before `as_of` are known. Returns one row per employment (and
    month, as a Timestamp column `month`) with employment_id, unit_id, employee_id and
    FIGURE_COLUMNS.
    """
    cal = calendar or default_calendar()
    lo, hi, as_of = day_number(period.start), day_number(period.end), day_number(period.as_of)
    emp = _employment_frame(employments, lo, hi)

    e_start = emp["e_start"].to_numpy(dtype=np.int64)
    e_end = emp["e_end"].to_numpy(dtype=np.int64)
    if by_month:
        e_row, e_start, e_end, e_month = split_by_month(e_start, e_end)
    else:
        e_row, e_month = np.arange(len(emp)), np.zeros(len(emp), dtype=np.int64)
    e_employment = emp["employment_id"].to_numpy(dtype=np.int64)[e_row]
    possible = emp["factor"].to_numpy()[e_row] * cal.count_days(e_start, e_end)

    pieces = _pieces(emp, _sick_frame(spells, as_of, lo, hi))
    row, s_start, s_end, scale = _cap_scale(pieces)
    if by_month:
        m_row, s_start, s_end, s_month = split_by_month(s_start, s_end)
        row, scale = row[m_row], scale[m_row]
    else:
        s_month = np.zeros(len(row), dtype=np.int64)
    factor = pieces["factor"].to_numpy()[row] * pieces["grade"].to_numpy()[row] / 100.0
    lost = factor * scale * cal.count_days(s_start, s_end)
    self_cert = pieces["self"].to_numpy(dtype=bool)[row]
    long_term = pieces["long"].to_numpy(dtype=bool)[row]
    graded = pieces["grade"].to_numpy()[row] < 100.0
    # One integer per (employment, month) to group on: pandas groups one key many times faster
    # than two. Every lost piece lies inside its employment's months, so possible has its key.
    first = min(e_month.min(initial=0), s_month.min(initial=0))
    span = max(e_month.max(initial=0), s_month.max(initial=0)) - first + 1
    s_employment = pieces["employment_id"].to_numpy(dtype=np.int64)[row]
    # The keys as the frame's index, grouped by level: grouped by an array, pandas first looks
    # it up among the columns and formats all of it into the error it then catches.
    lost_frame = pd.DataFrame(
        {
            "lost": lost,
            "lost_self": np.where(self_cert, lost, 0.0),
            "lost_doctor": np.where(self_cert, 0.0, lost),
            "lost_short": np.where(long_term, 0.0, lost),
            "lost_long": np.where(long_term, lost, 0.0),
            "lost_graded": np.where(graded, lost, 0.0),
        },
        index=pd.Index(s_employment * span + s_month - first),
    )
    possible_keys = e_employment * span + e_month - first
    if emp["employment_id"].is_unique:
        # One piece per employment and month: each sum is its piece, as pandas' sum gives a
        # single value (NaN counts as nothing, and 0.0 + -0.0 is 0.0).
        values = np.where(np.isnan(possible), 0.0, possible + 0.0)
        summed = pd.Series(values, index=pd.Index(possible_keys))
    else:
        summed = pd.Series(possible).groupby(possible_keys, sort=False).sum()
    lost_sums = lost_frame.groupby(level=0, sort=False).sum()
    lost_sums = lost_sums.reindex(summed.index, fill_value=0.0)
    key = summed.index.to_numpy(dtype=np.int64)
    result = pd.DataFrame(
        {
            "employment_id": key // span,
            "month": key % span + first,
            "possible": summed.to_numpy(),
            **{name: lost_sums[name].to_numpy() for name in lost_frame.columns},
        }
    )
    ids = emp.drop_duplicates("employment_id").set_index("employment_id")
    result["unit_id"] = ids["unit_id"].reindex(result["employment_id"]).to_numpy()
    result["employee_id"] = ids["employee_id"].reindex(result["employment_id"]).to_numpy()
    if by_month:
        result["month"] = (
            result["month"].to_numpy().astype("datetime64[M]").astype("datetime64[ns]")
        )
    else:
        result = result.drop(columns="month")
    return result


@dataclass(frozen=True)
class Figures:
    """Summed workdays for any set of employments and any period, and the percentages."""

    possible: float = 0.0
    lost: float = 0.0
    lost_self: float = 0.0
    lost_doctor: float = 0.0
    lost_short: float = 0.0
    lost_long: float = 0.0
    lost_graded: float = 0.0

    @classmethod
    def of(cls, frame: pd.DataFrame | pd.Series) -> Figures:
        """Sum of a frame's FIGURE_COLUMNS (or take a row that already holds sums)."""
        sums = frame[list(FIGURE_COLUMNS)]
        if isinstance(sums, pd.DataFrame):
            sums = sums.sum()
        return cls(**{name: float(sums[name]) for name in FIGURE_COLUMNS})

    @property
    def sick_leave_pct(self) -> float | None:
        return pct(self.lost, self.possible)

    @property
    def self_certified_pct(self) -> float | None:
        return pct(self.lost_self, self.possible)

    @property
    def doctor_certified_pct(self) -> float | None:
        return pct(self.lost_doctor, self.possible)

    @property
    def short_term_pct(self) -> float | None:
        return pct(self.lost_short, self.possible)

    @property
    def long_term_pct(self) -> float | None:
        return pct(self.lost_long, self.possible)

    @property
    def graded_share_pct(self) -> float | None:
        """Share of the lost workdays that come from graded spells (not of possible days)."""
        return pct(self.lost_graded, self.lost)


def with_long_term(spells: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """A copy of the spells with `long_term` set from the absence case each belongs to."""
    return long_term_marked(spells, *build_cases(spells, as_of))


def long_term_marked(
    spells: pd.DataFrame, cases: pd.DataFrame, case_of_spell: pd.Series
) -> pd.DataFrame:
    """`with_long_term` from the spells' cases as built already (`build_cases(spells, …)`)."""
    out = spells.copy()
    out["long_term"] = False
    if len(case_of_spell):
        long_term = cases["long_term"].to_numpy(dtype=bool)[case_of_spell.to_numpy()]
        out.loc[case_of_spell.index, "long_term"] = long_term
    return out


def pct_array(lost: npt.ArrayLike, possible: npt.ArrayLike) -> FloatArray:
    """Element-wise Σ lost / Σ possible × 100 (as `pct`), NaN where nothing was possible."""
    lost = np.asarray(lost, dtype=np.float64)
    possible = np.asarray(possible, dtype=np.float64)
    rounded_up = (lost > possible) & (lost <= possible * (1 + ROUNDING))
    lost = np.where(rounded_up, possible, lost)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(possible > 0, lost / possible * 100.0, np.nan)


def pct_series(lost: pd.Series, possible: pd.Series) -> pd.Series:
    """Element-wise Σ lost / Σ possible × 100, NaN where nothing was possible."""
    return pd.Series(pct_array(lost, possible), index=lost.index, dtype=float)


def by_quarter(monthly: pd.DataFrame, quarters: list[Quarter]) -> pd.DataFrame:
    """Unit × month sums folded into the given quarters: one row per (unit_id, quarter)."""
    if monthly.empty:
        return pd.DataFrame(columns=["unit_id", "quarter", *FIGURE_COLUMNS])
    month = monthly["month"]
    label = month.dt.year.astype(str) + "Q" + ((month.dt.month - 1) // 3 + 1).astype(str)
    wanted = label.isin([str(q) for q in quarters])
    folded = monthly[wanted].assign(quarter=label[wanted])
    return folded.groupby(["unit_id", "quarter"], as_index=False)[list(FIGURE_COLUMNS)].sum()
