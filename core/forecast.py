"""Prognosis of each unit's sick-leave % for the coming quarters: known part and expected part.

Method (DOMAIN.md, "Prognosis"). The forecast quarters start with the first one not complete on
`as_of`. Each quarter's lost workdays are split into two parts that add up, both over the
possible workdays of the employments known on `as_of` (open-ended ones go on, ended ones stop,
hires after `as_of` are not known):

- known: the lost workdays fixed on `as_of`: every sick day up to `as_of`, and the later days
  covered by a spell that started by `as_of` and has a recorded end (a sick note). An open-ended
  spell counts only up to `as_of`: how long it goes on is not known, so it is left to the
  expected part.
- expected, for the workdays after `as_of` only: (1 − c) × model % × their possible workdays, at
  most what the known part leaves of those days.

The model % uses only the unit's complete quarters: level × seasonal factor.
- level: the unit's % over the last four complete quarters (Σ lost / Σ possible).
- seasonal factor: the same quarter last year and the year before, each divided by the unit's
  level at its time, read off the line through the levels of those two years (the trend),
  averaged, and weighted z : 1 − z with the factor of all units together, z = P / (P + 50 000)
  for a unit with P possible workdays in the last year (about 200 FTE get half their own
  pattern: in a small unit one long absence looks like a season).
So this is the same quarter last year, carried along the trend to the level of the last four
quarters; with one year of history and z = 1 it is exactly the seasonal naive forecast. The trend
is damped there: extrapolating it further ahead made the back-tests worse (sick leave reverts).

c, the carry-over, keeps sick notes from being counted twice, as the model % already includes
the long absences whose notes are known: c = Σ known lost workdays after `as_of` / Σ the model's
lost workdays after `as_of`, over all units (at most 1). So the units' total after `as_of` is the
model's (unless capped), and the notes decide which units carry it. Left to the model alone, a
unit with no one on sick leave today would be forecast with its usual share of long absences.

The model % is undefined without four complete quarters with possible workdays; so are the
expected part and the whole forecast, unless no workdays are left after `as_of`. `backtest`
checks the model against the seasonal naive forecast on the last complete quarters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.periods import Quarter
from core.sickleave import FloatArray, pct_array

# Possible workdays over a year (about 200 FTE) that earn a unit half of its own seasonal pattern.
CREDIBILITY_WORKDAYS = 50_000.0
YEAR = 4  # quarters


def _index(quarter: Quarter) -> int:
    return quarter.year * 4 + quarter.q - 1


def last_complete_quarter(as_of: dt.date) -> Quarter:
    """The last quarter that has ended on `as_of` (a quarter ending that very day counts)."""
    return Quarter.of(as_of + dt.timedelta(days=1)).shift(-1)


def forecast_quarters(as_of: dt.date, count: int) -> list[Quarter]:
    """The `count` quarters after the last complete one, from the one `as_of` lies in (if open)."""
    first = last_complete_quarter(as_of).shift(1)
    return [first.shift(i) for i in range(count)]


@dataclass(frozen=True)
class QuarterlyHistory:
    """Lost and possible workdays per row (a unit) and complete quarter, oldest first.

    The last column is the quarter `last`; the columns are consecutive quarters.
    """

    lost: FloatArray  # rows × quarters
    possible: FloatArray  # rows × quarters
    last: Quarter

    @classmethod
    def of_pct(cls, pcts: Mapping[str, float]) -> QuarterlyHistory:
        """One row from a plain series of quarterly percentages, every quarter weighing the same."""
        quarters = sorted(Quarter.parse(key) for key in pcts)
        expected = [quarters[0].shift(i) for i in range(len(quarters))]
        if quarters != expected:
            raise ValueError("kvartalene må følge etter hverandre uten hull")
        values = np.array([[pcts[str(q)] for q in quarters]], dtype=np.float64)
        return cls(values, np.full_like(values, 100.0), quarters[-1])

    @property
    def quarters(self) -> list[Quarter]:
        count = self.lost.shape[1]
        return [self.last.shift(i - count + 1) for i in range(count)]

    def column(self, quarter: Quarter) -> int | None:
        """The column of `quarter`, None if it is not in the history."""
        column = self.lost.shape[1] - 1 - (_index(self.last) - _index(quarter))
        return column if 0 <= column < self.lost.shape[1] else None

    def until(self, quarter: Quarter) -> QuarterlyHistory:
        """The history up to and including `quarter` (what was known when it had just ended)."""
        column = self.column(quarter)
        end = 0 if column is None else column + 1
        return QuarterlyHistory(self.lost[:, :end], self.possible[:, :end], quarter)

    def pct(self, quarter: Quarter) -> FloatArray:
        """Each row's % in `quarter` (NaN where undefined or outside the history)."""
        column = self.column(quarter)
        if column is None:
            return np.full(self.lost.shape[0], np.nan)
        return pct_array(self.lost[:, column], self.possible[:, column])


def _same_season_before(quarter: Quarter, last: Quarter) -> Quarter:
    """The latest quarter of `quarter`'s season that is not after `last`."""
    years = max(1, -(-(_index(quarter) - _index(last)) // YEAR))
    return quarter.shift(-YEAR * years)


def naive_pct(history: QuarterlyHistory, targets: Sequence[Quarter]) -> FloatArray:
    """The seasonal naive forecast, rows × targets: the same quarter in the latest year known."""
    return np.column_stack([history.pct(_same_season_before(q, history.last)) for q in targets])


def _mean_of_finite(arrays: list[FloatArray]) -> FloatArray:
    stacked = np.stack(arrays)
    count = np.isfinite(stacked).sum(axis=0)
    return np.where(count > 0, np.nansum(stacked, axis=0) / np.maximum(count, 1), np.nan)


def _level_and_factors(
    lost: FloatArray, possible: FloatArray, last: Quarter, seasons: set[int]
) -> tuple[FloatArray, dict[int, FloatArray]]:
    """Each row's level over the last year, and its seasonal factor for each season.

    A quarter's factor is its % over the row's level at that time, read off the line through
    the levels of the last two years (flat with only one year), averaged over the years.
    """
    count = lost.shape[1]
    windows = [range(count - YEAR * (k + 1), count - YEAR * k) for k in range(min(2, count // 4))]
    levels, usable = [], []
    for window in windows:
        columns = list(window)
        complete = (possible[:, columns] > 0).all(axis=1)
        year_lost = lost[:, columns].sum(axis=1)
        year_possible = possible[:, columns].sum(axis=1)
        levels.append(np.where(complete, pct_array(year_lost, year_possible), np.nan))
        usable.append(complete & (year_lost > 0))
    slope = np.zeros(lost.shape[0])
    if len(levels) == 2:
        slope = np.where(np.isfinite(levels[1]), (levels[0] - levels[1]) / YEAR, 0.0)
    middle = count - (YEAR + 1) / 2  # the middle of the last year, in columns
    factors = {}
    for season in seasons:
        per_year = []
        for window, ok in zip(windows, usable, strict=True):
            column = next(c for c in window if last.shift(c - count + 1).q == season)
            line = levels[0] + slope * (column - middle)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = pct_array(lost[:, column], possible[:, column]) / line
            per_year.append(np.where(ok & (line > 0), factor, np.nan))
        factors[season] = _mean_of_finite(per_year)
    return levels[0], factors


def model_pct(history: QuarterlyHistory, targets: Sequence[Quarter]) -> FloatArray:
    """The history-only model % (level × seasonal factor), rows × targets; NaN where undefined."""
    lost, possible = history.lost, history.possible
    out = np.full((lost.shape[0], len(targets)), np.nan)
    if lost.shape[1] < YEAR:
        return out
    seasons = {q.q for q in targets}
    level, own = _level_and_factors(lost, possible, history.last, seasons)
    _, pooled = _level_and_factors(
        lost.sum(axis=0, keepdims=True), possible.sum(axis=0, keepdims=True), history.last, seasons
    )
    weight = possible[:, -YEAR:].sum(axis=1)
    credibility = weight / (weight + CREDIBILITY_WORKDAYS)
    for j, target in enumerate(targets):
        # Without any absence in the pool the level is 0 and the factor does not matter.
        common = float(np.nan_to_num(pooled[target.q][0], nan=1.0))
        factor = own[target.q]
        mixed = credibility * factor + (1.0 - credibility) * common
        out[:, j] = level * np.where(np.isnan(factor), common, mixed)
    return out


@dataclass(frozen=True)
class ForecastParts:
    """Per row: known, expected and whole forecast %, NaN where undefined (they add up), and
    the workdays they are of: the known and the whole forecast's lost workdays (NaN where the
    forecast is undefined) and the possible ones."""

    known_pct: FloatArray
    expected_pct: FloatArray
    pct: FloatArray
    known_lost: FloatArray
    lost: FloatArray
    possible: FloatArray


def split_forecast(
    *,
    known: FloatArray,
    known_after: FloatArray,
    possible: FloatArray,
    possible_after: FloatArray,
    model: FloatArray,
) -> ForecastParts:
    """Combine each row's known lost workdays in a quarter with the model's for the rest.

    `known` is all known lost workdays in the quarter and `known_after` the part of them after
    `as_of`; `possible` and `possible_after` likewise; `model` is the model % per row. The
    carry-over is pooled over the rows, so give all units at once.
    """
    modelled = model / 100.0 * possible_after
    defined = np.isfinite(modelled) & (possible_after > 0)
    total = float(modelled[defined].sum())
    carry = min(1.0, float(known_after[defined].sum()) / total) if total > 0 else 0.0
    room = np.maximum(possible_after - known_after, 0.0)
    expected_lost = np.minimum((1.0 - carry) * modelled, room)
    # No workdays left after as_of: nothing to expect, whatever the model would say.
    expected_lost = np.where(possible_after > 0, expected_lost, 0.0)
    known_pct = pct_array(known, possible)
    expected_pct = pct_array(expected_lost, possible)
    pct = known_pct + expected_pct
    defined = np.isfinite(pct)
    return ForecastParts(
        known_pct,
        expected_pct,
        pct,
        known_lost=np.where(defined, known, np.nan),
        lost=np.where(defined, known + expected_lost, np.nan),
        possible=possible,
    )


def mean_absolute_errors(
    actual: FloatArray, forecasts: Mapping[str, FloatArray]
) -> tuple[dict[str, float | None], int]:
    """Each forecast's MAE in percentage points, all on the cells where every one is defined.

    Comparing on the same cells keeps a method from looking better by skipping hard cases.
    """
    ok = np.isfinite(actual)
    for values in forecasts.values():
        ok &= np.isfinite(values)
    count = int(ok.sum())
    maes = {
        name: float(np.abs(values[ok] - actual[ok]).mean()) if count else None
        for name, values in forecasts.items()
    }
    return maes, count


@dataclass(frozen=True)
class Backtest:
    """Mean absolute errors in percentage points, and how many rows × quarters they cover."""

    method_mae: float | None
    naive_mae: float | None
    count: int


def backtest(history: QuarterlyHistory, quarters: int = 4) -> Backtest:
    """Forecast each of the last `quarters` quarters from the ones before it, model and naive."""
    targets = history.quarters[-quarters:]
    actual, method, naive = [], [], []
    for target in targets:
        before = history.until(target.shift(-1))
        actual.append(history.pct(target))
        method.append(model_pct(before, [target])[:, 0])
        naive.append(naive_pct(before, [target])[:, 0])
    maes, count = mean_absolute_errors(
        np.concatenate(actual),
        {"method": np.concatenate(method), "naive": np.concatenate(naive)},
    )
    return Backtest(maes["method"], maes["naive"], count)
