"""Status before the status meeting: progress toward the goal per unit, and Σ totals of groups.

Every figure is Σ lost / Σ possible over the units and quarters it covers, never an average of
percentages. A total compares like with like: baseline and now are summed over the units that
have both (likewise the last four quarters and the four before joining), so that a unit that has
no comparable quarter yet neither lifts nor lowers the change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from core import fmt
from core.periods import Quarter
from core.reference import SECTOR_QUARTERLY, SELF_CERTIFIED_ALLOWANCE_PP, sector_yardstick
from core.savings import unit_savings
from core.sickleave import pct_array

# Pairs of (lost, possible) workday sums a status row is computed from.
PAIRS = {
    "baseline": ("baseline_lost", "baseline_possible"),
    "compare": ("compare_lost", "compare_possible"),
    "last_four": ("last_four_lost", "last_four_possible"),
    "before_four": ("before_four_lost", "before_four_possible"),
    "forecast": ("forecast_lost", "forecast_possible"),
}
# NAV's threshold (DOMAIN.md "Privacy"): figures about fewer persons than this never leave the
# app for several units; the status shows them as HIDDEN, on the screen as in every export.
MIN_PERSONS: Final = 5
HIDDEN: Final = "***"
HIDDEN_NOTE = f"{HIDDEN} = færre enn {MIN_PERSONS} ansatte"


def too_few(persons: float) -> bool:
    """Whether figures about this many persons must be hidden (none: nothing to hide)."""
    return 0 < persons < MIN_PERSONS


SUM_COLUMNS = (
    *(name for pair in PAIRS.values() for name in pair),
    "forecast_known_lost",
    "year_possible",  # possible workdays over the last four quarters: the base of the savings
    "open_measures",
    "overdue_measures",
)


def with_figures(sums: pd.DataFrame, goal_pp: float) -> pd.DataFrame:
    """A copy of the rows of sums with their percentages, changes and share of the goal reached.

    `goal_share` is the reduction as a share of the goal: 1.0 = goal reached, negative = sick
    leave went up.
    """
    # Arrays, added to the copy at once: a column set at a time costs more than the figures.
    out = {
        f"{name}_pct": pct_array(sums[lost], sums[possible])
        for name, (lost, possible) in PAIRS.items()
    }
    out["forecast_known_pct"] = pct_array(sums["forecast_known_lost"], sums["forecast_possible"])
    out["forecast_expected_pct"] = out["forecast_pct"] - out["forecast_known_pct"]
    out["change_pp"] = out["compare_pct"] - out["baseline_pct"]
    out["four_change_pp"] = out["last_four_pct"] - out["before_four_pct"]
    out["goal_share"] = -out["change_pp"] / goal_pp
    return sums.assign(**out)


def _defined(columns: dict[str, np.ndarray], *names: str) -> np.ndarray:
    mask = np.ones(len(next(iter(columns.values()))), dtype=bool)
    for name in names:
        lost, possible = PAIRS[name]
        mask &= (columns[possible] > 0) & np.isfinite(columns[lost])
    return mask


def total(sums: Mapping[str, npt.ArrayLike] | pd.DataFrame) -> dict[str, float]:
    """One row of sums for a set of units (their SUM_COLUMNS), comparing like with like."""
    # Plain arrays, a column read once: five totals of a few hundred units each, every opening.
    columns = {name: np.asarray(sums[name], dtype=float) for name in SUM_COLUMNS}

    def summed(column: str, rows: np.ndarray | None = None) -> float:
        values = columns[column] if rows is None else columns[column][rows]
        return float(np.nansum(values))  # as pandas sums: a missing value counts as none

    row: dict[str, float] = {"units": float(len(columns[SUM_COLUMNS[0]]))}
    for first, second in (("baseline", "compare"), ("before_four", "last_four")):
        both = _defined(columns, first, second)
        # Without any unit that has both, the first alone is still worth showing.
        first_rows = both if both.any() else _defined(columns, first)
        for name, rows in ((first, first_rows), (second, both)):
            for column in PAIRS[name]:
                row[column] = summed(column, rows)
        if first == "baseline":
            row["comparable_units"] = float(both.sum())
            row["year_possible"] = summed("year_possible", both)
    forecast = _defined(columns, "forecast")
    for column in ("forecast_lost", "forecast_known_lost", "forecast_possible"):
        row[column] = summed(column, forecast)
    for column in ("open_measures", "overdue_measures"):
        row[column] = summed(column)
    return row


def savings_of(change_pp: float | None, possible_workdays: float, cost_per_day: float) -> float:
    """Kroner saved by a change (a fall is positive): DOMAIN.md's one-unit formula."""
    if change_pp is None or not np.isfinite(change_pp):
        return float("nan")
    return unit_savings(-change_pp, possible_workdays, cost_per_day)[1]


# Where the sector line comes from, in a few words for a chart's border.
SECTOR_SHORT = (
    f"Sektor: SSB via KS, legemeldt + {fmt.number(SELF_CERTIFIED_ALLOWANCE_PP)} p.p. (anslag)"
)


@dataclass(frozen=True)
class SectorLine:
    """The sector's % per quarter for a chart, with its legend and source."""

    values: list[float | None]
    label: str
    source: str


def sector_line(quarters: Sequence[Quarter | str]) -> SectorLine:
    """The published sector % (with self-certified absence added, like the app's own %).

    Quarters after the last published one get the same quarter of the latest published year,
    so that the yardstick reaches today's figures; the source says so.
    """
    last = max(Quarter.parse(key) for key in SECTOR_QUARTERLY)
    asked = [Quarter.parse(str(q)) for q in quarters]
    used = [q if q <= last else last.shift(-((last.q - q.q) % 4)) for q in asked]
    yardstick = sector_yardstick(used, with_self_certified=True)
    source = yardstick.source
    if any(q > last for q in asked):
        source += (
            f" Etter {fmt.quarter_label(str(last))} vises samme kvartal i siste publiserte år."
        )
    return SectorLine(list(yardstick.values), yardstick.label, source)
