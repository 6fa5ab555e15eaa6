"""Target groups (målgrupper): which units get individual advice, with the reason why."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class GroupRules:
    """Thresholds for the target groups; comparisons are strict and on unrounded values."""

    large_unit_headcount: int = 100
    avg_threshold_pct: float = 11.0
    any_size_threshold_pct: float = 16.0


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number_nb(value: float, decimals: int) -> str:
    # Half-up, not Python's round-half-even, as the app displays figures everywhere.
    quantum = Decimal(1).scaleb(-decimals)
    return str(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)).replace(".", ",")


def _threshold_nb(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _pct_nb(value: float, threshold: float) -> str:
    """One decimal, or more when one decimal would show the value equal to the threshold."""
    for decimals in (1, 2, 3, 4):
        text = _number_nb(value, decimals)
        if value == threshold or Decimal(text.replace(",", ".")) != Decimal(str(threshold)):
            return f"{text} %"
    return f"{_number_nb(value, 4)} %"


def _headcount_nb(headcount: int) -> str:
    return f"{headcount} {'ansatt' if headcount == 1 else 'ansatte'}"


def target_group(
    headcount: int,
    avg_2y_pct: float | None,
    rules: GroupRules = GroupRules(),
) -> tuple[int, str]:
    """The unit's target group (1, 2 or 3) and the Norwegian reason for it."""
    if _is_missing(avg_2y_pct):
        return 3, "Målgruppe 3: ingen fraværstall for de siste to årene"
    assert avg_2y_pct is not None
    limit = rules.large_unit_headcount
    people = _headcount_nb(headcount)
    avg_text = f"snitt siste to år {_pct_nb(avg_2y_pct, rules.avg_threshold_pct)}"
    avg_limit = _threshold_nb(rules.avg_threshold_pct)
    if avg_2y_pct <= rules.avg_threshold_pct:
        return 3, f"Målgruppe 3: {avg_text} (ikke over {avg_limit} %)"
    if headcount > limit:
        return 1, f"Målgruppe 1: {people} (over {limit}) og {avg_text} (over {avg_limit} %)"
    if avg_2y_pct > rules.any_size_threshold_pct:
        any_text = f"snitt siste to år {_pct_nb(avg_2y_pct, rules.any_size_threshold_pct)}"
        any_limit = _threshold_nb(rules.any_size_threshold_pct)
        return 1, f"Målgruppe 1: {any_text} (over {any_limit} % uansett størrelse)"
    return 2, f"Målgruppe 2: {people} ({limit} eller færre) og {avg_text} (over {avg_limit} %)"


def target_groups(units: pd.DataFrame, rules: GroupRules = GroupRules()) -> pd.DataFrame:
    """Copy of `units` (columns headcount, avg_2y_pct) with `target_group` and `reason` added."""
    # Text per unit (tens to hundreds of them): one call each, with no pandas needed here, so
    # that the rules load quickly at start.
    groups = [
        target_group(int(headcount), None if _is_missing(avg) else float(avg), rules)
        # astype(float): NaN for None and for pandas' NA alike.
        for headcount, avg in zip(
            units["headcount"], units["avg_2y_pct"].astype(float), strict=True
        )
    ]
    result = units.copy()
    result["target_group"] = [group for group, _ in groups]
    result["target_group"] = result["target_group"].astype("int64")
    result["reason"] = [reason for _, reason in groups]
    return result
