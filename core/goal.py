"""The unit's share of the project's goal, and the traffic light against the sector.

DOMAIN.md "Baseline, goal and progress": with P = the unit's possible workdays in the latest
complete quarter, the goal is (baseline % − goal %) / 100 × P lost workdays per quarter, what is
achieved (baseline % − the % of the same quarter a year later, or the latest such quarter) / 100
× P, and what is still to go the goal − achieved, never below 0; kroner are days × the cost per
day. The goal % is the baseline % − the goal in percentage points (settings: 1,0 by default).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from core import fmt
from core.percent import pct
from core.periods import Quarter, same_season_after
from core.savings import unit_savings
from core.status import sector_line

# NAV's rule: more than 10 % above the sector's figure is red, more than 10 % below green.
SECTOR_MARGIN: Final = 0.10
# Relative differences computed in floating point: 11,0 against 10,0 is exactly 10 % above.
_ROUNDING: Final = 1e-9


class Light(enum.StrEnum):
    RED = "rod"
    YELLOW = "gul"
    GREEN = "gronn"


LIGHT_LABELS: Final[dict[Light, str]] = {
    Light.RED: "rødt",
    Light.YELLOW: "gult",
    Light.GREEN: "grønt",
}


def light(unit_pct: float | None, sector_pct: float | None) -> Light | None:
    """Red when the unit's % is more than 10 % above the sector's, green when more than 10 %
    below, yellow between (exactly 10 % either way is yellow); None without both figures."""
    if unit_pct is None or sector_pct is None or sector_pct <= 0:
        return None
    relative = (unit_pct - sector_pct) / sector_pct
    if relative > SECTOR_MARGIN + _ROUNDING:
        return Light.RED
    if relative < -SECTOR_MARGIN - _ROUNDING:
        return Light.GREEN
    return Light.YELLOW


@dataclass(frozen=True, slots=True)
class SectorComparison:
    """The unit's % of a quarter beside the sector's estimated total for it, and the light."""

    quarter: str  # "2025Q3"
    unit_pct: float | None
    sector_pct: float | None  # None: no sector figure for that season
    light: Light | None
    source: str

    @property
    def text(self) -> str:
        """In Norwegian: `gult (9,8 % mot sektorens 9,3 %, 3. kv. 2025)`."""
        label = fmt.quarter_label(self.quarter)
        if self.sector_pct is None:
            return f"ingen sektortall for {label}"
        if self.light is None:
            return f"ingen sykefraværsprosent for enheten i {label}"
        return (
            f"{LIGHT_LABELS[self.light]} ({fmt.percent(self.unit_pct)} mot sektorens "
            f"{fmt.percent(self.sector_pct)}, {label})"
        )


def against_sector(quarter: Quarter, unit_pct: float | None) -> SectorComparison:
    """The light for the unit's % of `quarter` against the sector's figure as the app shows it:
    the estimated total (doctor-certified + the self-certified allowance), from the latest
    published same quarter where that quarter is not yet published."""
    line = sector_line([quarter])
    sector = line.values[0]
    return SectorComparison(str(quarter), unit_pct, sector, light(unit_pct, sector), line.source)


@dataclass(frozen=True, slots=True)
class GoalShare:
    """The unit's part of the goal in lost workdays per quarter and kroner, and what it has done.

    Days and kroner are None where the figure cannot be had: no possible workdays in the latest
    complete quarter, no baseline %, or (achieved, still to go) no comparable quarter yet.
    """

    baseline_quarter: str
    baseline_pct: float | None
    goal_pp: float
    last_quarter: str
    possible: float  # P: possible workdays in the latest complete quarter
    compare_quarter: str | None  # the baseline's season, latest complete after it
    compare_pct: float | None
    cost_per_day: float
    goal_days: float | None
    achieved_days: float | None
    to_go_days: float | None

    @property
    def goal_pct(self) -> float | None:
        return None if self.baseline_pct is None else self.baseline_pct - self.goal_pp

    @property
    def achieved_pp(self) -> float | None:
        """The reduction so far in percentage points (negative: sick leave went up)."""
        if self.baseline_pct is None or self.compare_pct is None:
            return None
        return self.baseline_pct - self.compare_pct

    def kroner(self, days: float | None) -> float | None:
        return None if days is None else days * self.cost_per_day

    @property
    def goal_kroner(self) -> float | None:
        return self.kroner(self.goal_days)

    @property
    def achieved_kroner(self) -> float | None:
        return self.kroner(self.achieved_days)

    @property
    def to_go_kroner(self) -> float | None:
        return self.kroner(self.to_go_days)

    @property
    def lines(self) -> tuple[str, str]:
        """In Norwegian, short enough for the unit overview's box: the goal per quarter, then
        what is achieved and still to go (days and kroner)."""

        def days(value: float | None) -> str:
            return f"{fmt.number(value)} ({fmt.kroner(self.kroner(value))})"

        goal = (
            f"Del av målet: {fmt.number(self.goal_days)} dagsverk/kv. "
            f"({fmt.kroner(self.goal_kroner)})"
        )
        if self.achieved_days is None:
            return goal, "Oppnådd: ingen sammenlignbar periode ennå"
        return goal, f"Oppnådd {days(self.achieved_days)} · igjen {days(self.to_go_days)}"


def goal_share(
    baseline_quarter: Quarter,
    baseline_pct: float | None,
    last_quarter: Quarter,
    possible: float,
    compare_pct_of: dict[Quarter, float | None],
    goal_pp: float,
    cost_per_day: float,
) -> GoalShare:
    """The unit's share of the goal (see the module's doc).

    `compare_pct_of` holds the unit's % of quarters; the one compared is the baseline's season
    in the latest complete quarter after the baseline (core.periods.same_season_after).
    """
    compare = same_season_after(baseline_quarter, last_quarter)
    compare_pct = compare_pct_of.get(compare) if compare is not None else None
    goal_days = achieved = to_go = None
    if baseline_pct is not None and possible > 0:
        goal_days = unit_savings(goal_pp, possible)[0]
        if compare_pct is not None:
            # A rise is a negative achievement: kept, since it is the honest figure.
            achieved = unit_savings(baseline_pct - compare_pct, possible)[0]
            to_go = max(goal_days - achieved, 0.0)
    return GoalShare(
        baseline_quarter=str(baseline_quarter),
        baseline_pct=baseline_pct,
        goal_pp=goal_pp,
        last_quarter=str(last_quarter),
        possible=possible,
        compare_quarter=None if compare is None else str(compare),
        compare_pct=compare_pct,
        cost_per_day=cost_per_day,
        goal_days=goal_days,
        achieved_days=achieved,
        to_go_days=to_go,
    )


@dataclass(frozen=True, slots=True)
class UnitGoal:
    """The unit's share of the goal (None outside the project) and its light against the sector."""

    share: GoalShare | None
    sector: SectorComparison


def unit_goal(
    baseline_quarter: Quarter | None,
    last_quarter: Quarter,
    sums: Callable[[Quarter], tuple[float, float]],
    goal_pp: float,
    cost_per_day: float,
) -> UnitGoal:
    """The one computation the agenda, the unit overview and the status report show.

    `sums` gives the unit's (lost, possible) workdays of a quarter ((0, 0) when it has none);
    `baseline_quarter` is None for a unit never in the project (no share, only the light).
    """

    def unit_pct(quarter: Quarter) -> float | None:
        return pct(*sums(quarter))

    share = None
    if baseline_quarter is not None:
        compare = same_season_after(baseline_quarter, last_quarter)
        share = goal_share(
            baseline_quarter,
            unit_pct(baseline_quarter),
            last_quarter,
            sums(last_quarter)[1],
            {} if compare is None else {compare: unit_pct(compare)},
            goal_pp,
            cost_per_day,
        )
    return UnitGoal(share, against_sector(last_quarter, unit_pct(last_quarter)))
