"""The prognosis per unit for the coming quarters (`forecast --json`) and its back-test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, String, cast, select

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
from core.sickleave import SICK_KINDS, Period, by_quarter, workday_figures
from storage.figures import monthly_figures
from storage.models import AbsenceSpell, Employment
from storage.repos.figures import figures_as_of
from storage.repos.staff import load_units
from storage.usecases.reports import UnknownUnit

DAY = dt.timedelta(days=1)
IntArray = npt.NDArray[np.int64]


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")


@dataclass(frozen=True)
class _Recorded:
    """Employments and sick spells as recorded on a day, from the first day that matters on."""

    employments: pd.DataFrame
    spells: pd.DataFrame

    def known_on(self, day: dt.date) -> _Recorded:
        """What had begun by `day`: later hires and later sick notes were not known yet."""
        stamp = pd.Timestamp(day)
        return _Recorded(
            self.employments[self.employments["start"] <= stamp],
            self.spells[self.spells["start"] <= stamp],
        )


def _load_recorded(conn: Connection, first: dt.date, as_of: dt.date) -> _Recorded:
    """Employments and sick spells begun by `as_of` that reach `first` or later.

    Only this window is read (dates cast to ISO text in SQL and parsed in bulk, as the repository
    does): at municipality scale that is a small part of a quarter of a million spells.
    """
    employments = pd.DataFrame(
        conn.execute(
            select(
                Employment.id,
                Employment.employee_id,
                Employment.unit_id,
                Employment.position_pct,
                cast(Employment.start_date, String),
                cast(Employment.end_date, String),
            )
            .where(Employment.start_date <= as_of)
            .where(Employment.end_date.is_(None) | (Employment.end_date >= first))
        ).all(),
        columns=["employment_id", "employee_id", "unit_id", "position_pct", "start", "end"],
    )
    employments["position_pct"] = employments["position_pct"].astype(float)
    spells = pd.DataFrame(
        conn.execute(
            select(
                AbsenceSpell.employee_id,
                AbsenceSpell.unit_id,
                cast(AbsenceSpell.from_date, String),
                cast(AbsenceSpell.to_date, String),
                AbsenceSpell.absence_type,
                AbsenceSpell.grade_pct,
            )
            .where(AbsenceSpell.absence_type.in_(SICK_KINDS))
            .where(AbsenceSpell.from_date <= as_of)
            .where(AbsenceSpell.to_date.is_(None) | (AbsenceSpell.to_date >= first))
        ).all(),
        columns=["employee_id", "unit_id", "start", "end", "kind", "grade"],
    )
    spells["unit_id"] = pd.to_numeric(spells["unit_id"], errors="coerce").astype(float)
    spells["grade"] = spells["grade"].astype(float)
    for frame in (employments, spells):
        frame["start"] = _dates(frame["start"])
        frame["end"] = _dates(frame["end"])
    return _Recorded(employments, spells)


def _sums(
    recorded: _Recorded, start: dt.date, end: dt.date, as_of: dt.date, unit_ids: IntArray
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
        recorded = _load_recorded(conn, first.start, as_of)
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
    recorded: _Recorded,
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


def forecast(
    conn: Connection, as_of: dt.date, unit_code: str | None = None, quarters: int = 4
) -> dict[str, Any]:
    """The prognosis per unit for `quarters` quarters from the first not complete on `as_of`.

    The result is FORMATS.md's `forecast --json`: full precision, None where undefined.

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
    recorded = _load_recorded(conn, targets[0].start, as_of)
    parts = _parts(recorded, history, targets, as_of, unit_ids)
    rows = []
    for i, unit in enumerate(units.itertuples(index=False)):
        if unit_code is not None and unit.code != unit_code:
            continue
        rows.append(
            {
                "unit_id": unit.code,
                "name": unit.name,
                "quarters": [
                    {
                        "quarter": str(target),
                        "known_pct": _number(part.known_pct[i]),
                        "expected_pct": _number(part.expected_pct[i]),
                        "pct": _number(part.pct[i]),
                    }
                    for target, part in zip(targets, parts, strict=True)
                ],
            }
        )
    return {"as_of": as_of.isoformat(), "units": rows}


def backtest_demo(conn: Connection, as_of: dt.date, quarters: int = 4) -> dict[str, Any]:
    """The forecast's errors on each of the last complete quarters, forecast the day before it.

    Mean absolute errors in percentage points over all units × quarters: the whole forecast
    (`method`, with the sick notes known that day), the history-only model and the seasonal
    naive forecast (the same quarter last year), all on the same unit-quarters.
    """
    units = load_units(conn)
    unit_ids = units["unit_id"].to_numpy(dtype=np.int64)
    last = last_complete_quarter(as_of)
    targets = [last.shift(i - quarters + 1) for i in range(quarters)]
    history = _history(conn, unit_ids, targets[0].shift(-2 * YEAR), last, as_of)
    recorded = _load_recorded(conn, targets[0].start, as_of)
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
    return {
        "as_of": as_of.isoformat(),
        "quarters": [str(q) for q in targets],
        "unit_quarters": count,
        "method_mae_pp": maes["method"],
        "model_mae_pp": maes["model"],
        "naive_mae_pp": maes["naive"],
    }
