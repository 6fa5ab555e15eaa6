"""The prognosis per unit for the coming quarters (`forecast --json`) and its back-test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine

from core.errors import UnknownUnit
from core.forecast import (
    YEAR,
    last_complete_quarter,
    mean_absolute_errors,
    model_pct,
    naive_pct,
)
from storage.figures import PROGNOSIS_COLUMNS, forecast_parts, prognoses, quarterly_history
from storage.repos.recorded import load_recorded
from storage.repos.staff import load_units
from storage.usecases import reading

DAY = dt.timedelta(days=1)


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
    rows = prognoses(conn, as_of, quarters)
    by_unit: dict[int, list[QuarterPrognosis]] = {}
    for unit_id, quarter, known, expected, whole, known_lost, lost, possible in zip(
        *(rows[name].tolist() for name in PROGNOSIS_COLUMNS), strict=True
    ):
        by_unit.setdefault(unit_id, []).append(
            QuarterPrognosis(
                quarter,
                _number(known),
                _number(expected),
                _number(whole),
                _number(known_lost),
                _number(lost),
                float(possible),
            )
        )
    return Prognosis(
        as_of,
        tuple(
            UnitPrognosis(
                unit.code, unit.name, tuple(sorted(by_unit[unit.unit_id], key=lambda q: q.quarter))
            )
            for unit in units.itertuples(index=False)
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
        history = quarterly_history(conn, unit_ids, targets[0].shift(-2 * YEAR), last, as_of)
        recorded = load_recorded(conn, targets[0].start, as_of)
    actual, method, model, naive = [], [], [], []
    for target in targets:
        before = history.until(target.shift(-1))
        day_before = target.start - DAY
        actual.append(history.pct(target))
        method.append(forecast_parts(recorded, before, [target], day_before, unit_ids)[0].pct)
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
