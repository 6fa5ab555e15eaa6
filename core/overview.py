"""The overview of one unit: what the advisor sees of it, and what its documents show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from core.goal import UnitGoal
    from core.masking import Masker
    from core.project import Membership
    from core.settings import Settings
    from core.sickleave import Figures


@dataclass(frozen=True, slots=True)
class UnitOverview:
    """Everything the unit overview shows, computed from the monthly figures."""

    unit_id: int
    code: str
    name: str
    service_area: str | None
    leader: str | None
    headcount: int
    avg_2y_pct: float | None
    target_group: int
    reason: str
    monthly: pd.DataFrame  # month, FIGURE_COLUMNS, pct: the last 24 complete months
    quarters: pd.DataFrame  # quarter, FIGURE_COLUMNS, pct: the last 8 complete quarters
    last_quarter: str
    last_quarter_figures: Figures
    baseline_quarter: str | None
    baseline_pct: float | None
    compare_quarter: str | None
    compare_pct: float | None
    last_four_pct: float | None
    before_four_pct: float | None
    goal_pp: float  # the project's goal, a reduction in percentage points (a setting)
    membership: Membership | None  # the unit's latest period in the project (it may have ended)
    settings: Settings  # as stored when the overview was read (a unit joins with their defaults)
    names: Masker  # whose names what is written about the unit may hold
    goal: UnitGoal  # its share of the goal in workdays and kroner, its light against the sector

    @property
    def change_pp(self) -> float | None:
        if self.baseline_pct is None or self.compare_pct is None:
            return None
        return self.compare_pct - self.baseline_pct

    @property
    def goal_pct(self) -> float | None:
        """The unit's goal in % (core.goal's share of it); None outside the project."""
        return None if self.goal.share is None else self.goal.share.goal_pct
