"""The prognosis per unit for the coming quarters (`forecast --json`) and its back-test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine

from core.errors import UnknownUnit
from core.forecast import (
    YEAR,
    FloatArray,
    ForecastParts,
    QuarterlyHistory,
    forecast_quarters,
    last_complete_quarter,
    mean_absolute_errors,
    model_pct,
    naive_pct,
    split_forecast,
)
from core.periods import Quarter
from core.sickleave import Period, by_quarter, workday_figures
from storage.figures import monthly_figures
from storage.repos.figures import figures_as_of
from storage.repos.recorded import Recorded, load_recorded
from storage.repos.staff import load_units
from storage.usecases import reading

DAY = dt.timedelta(days=1)
IntArray = npt.NDArray[np.int64]


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


def _history(
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


def _parts(
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


def _number(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class QuarterPrognosis:
    """One unit's prognosis for one quarter: known + expected = the whole, None where undefined;
    the known and whole lost workdays of the possible ones those % are of."""

    quarter: str
    known_pct: float | None
    expected_pct: float | None
    pct: float | None
    known_lost: float | None
    lost: float | None
    possible: float


@dataclass(frozen=True, slots=True)
class UnitPrognosis:
    code: str
    name: str
    quarters: tuple[QuarterPrognosis, ...]

    def json(self) -> dict[str, Any]:
        return {
            "unit_id": self.code,
            "name": self.name,
            "quarters": [
                {
                    "quarter": q.quarter,
                    "known_pct": q.known_pct,
                    "expected_pct": q.expected_pct,
                    "pct": q.pct,
                }
                for q in self.quarters
            ],
        }


@dataclass(frozen=True, slots=True)
class Prognosis:
    """The prognosis of every unit asked for, from the first quarter not complete on `as_of`."""

    as_of: dt.date
    units: tuple[UnitPrognosis, ...]

    def of_unit(self, code: str) -> UnitPrognosis | None:
        return next((unit for unit in self.units if unit.code == code), None)

    def json(self) -> dict[str, Any]:
        """FORMATS.md's `forecast --json`: full precision, None where undefined."""
        return {"as_of": self.as_of.isoformat(), "units": [unit.json() for unit in self.units]}


def prognosis(
    engine: Engine, as_of: dt.date, unit_code: str | None = None, quarters: int = 4
) -> Prognosis:
    """The prognosis per unit for `quarters` quarters from the first not complete on `as_of`.

    UnknownUnit for a code no unit has; ValueError for fewer than one quarter.
    """
    with reading(engine) as conn:
        return prognosis_within(conn, as_of, unit_code, quarters)


def prognosis_within(
    conn: Connection, as_of: dt.date, unit_code: str | None = None, quarters: int = 4
) -> Prognosis:
    """The prognosis in a snapshot the caller holds (the status report reads it in its own).

    Every unit is computed even when one is asked for: the carry-over and the seasonal pattern
    are pooled over all units, and a unit's figures must not depend on how they were asked for.
    """
    if quarters < 1:
        raise ValueError("Antall kvartaler må være minst 1.")
    units = load_units(conn)
    if unit_code is not None and unit_code not in set(units["code"]):
        raise UnknownUnit(unit_code)
    unit_ids = units["unit_id"].to_numpy(dtype=np.int64)
    targets = forecast_quarters(as_of, quarters)
    last = last_complete_quarter(as_of)
    history = _history(conn, unit_ids, last.shift(1 - 2 * YEAR), last, as_of)
    recorded = load_recorded(conn, targets[0].start, as_of)
    parts = _parts(recorded, history, targets, as_of, unit_ids)
    return Prognosis(
        as_of,
        tuple(
            UnitPrognosis(
                unit.code,
                unit.name,
                tuple(
                    QuarterPrognosis(
                        str(target),
                        _number(part.known_pct[i]),
                        _number(part.expected_pct[i]),
                        _number(part.pct[i]),
                        _number(part.known_lost[i]),
                        _number(part.lost[i]),
                        float(part.possible[i]),
                    )
                    for target, part in zip(targets, parts, strict=True)
                ),
            )
            for i, unit in enumerate(units.itertuples(index=False))
            if unit_code is None or unit.code == unit_code
        ),
    )


@dataclass(frozen=True, slots=True)
class ForecastBacktest:
    """Mean absolute errors in percentage points over all units × quarters."""

    as_of: dt.date
    quarters: tuple[str, ...]
    unit_quarters: int
    method_mae_pp: float | None
    model_mae_pp: float | None
    naive_mae_pp: float | None

    def json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "quarters": list(self.quarters),
            "unit_quarters": self.unit_quarters,
            "method_mae_pp": self.method_mae_pp,
            "model_mae_pp": self.model_mae_pp,
            "naive_mae_pp": self.naive_mae_pp,
        }


def backtest(engine: Engine, as_of: dt.date, quarters: int = 4) -> ForecastBacktest:
    """The forecast's errors on each of the last complete quarters, forecast the day before it.

    The whole forecast (`method`, with the sick notes known that day), the history-only model and
    the seasonal naive forecast (the same quarter last year), all on the same unit-quarters.
    """
    with reading(engine) as conn:
        units = load_units(conn)
        unit_ids = units["unit_id"].to_numpy(dtype=np.int64)
        last = last_complete_quarter(as_of)
        targets = [last.shift(i - quarters + 1) for i in range(quarters)]
        history = _history(conn, unit_ids, targets[0].shift(-2 * YEAR), last, as_of)
        recorded = load_recorded(conn, targets[0].start, as_of)
    actual, method, model, naive = [], [], [], []
    for target in targets:
        before = history.until(target.shift(-1))
        day_before = target.start - DAY
        actual.append(history.pct(target))
        method.append(_parts(recorded, before, [target], day_before, unit_ids)[0].pct)
        model.append(model_pct(before, [target])[:, 0])
        naive.append(naive_pct(before, [target])[:, 0])
    maes, count = mean_absolute_errors(
        np.concatenate(actual),
        {
            "method": np.concatenate(method),
            "model": np.concatenate(model),
            "naive": np.concatenate(naive),
        },
    )
    return ForecastBacktest(
        as_of,
        tuple(str(q) for q in targets),
        count,
        maes["method"],
        maes["model"],
        maes["naive"],
    )
