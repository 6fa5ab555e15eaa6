"""The savings estimate: what a reduction in sick leave is worth in årsverk and kroner."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_COST_PER_DAY = 4200.0
DEFAULT_WORKDAYS = 230.0


@dataclass(frozen=True)
class CostPerDaySource:
    cost_per_day: float
    label_nb: str


# The cost per absence day is an assumption the user can change; show which figure is in use.
COST_PER_DAY_SOURCES: tuple[CostPerDaySource, ...] = (
    # The project's figure; the default of NAV's calculator of sick-leave costs (SINTEF 2011);
    # NHO's updated estimate of 2020.
    CostPerDaySource(4200.0, "SINTEF/NAV/Falck"),
    CostPerDaySource(2600.0, "NAVs kalkulator (SINTEF 2011)"),
    CostPerDaySource(3400.0, "NHO 2020"),
)


def cost_source_label(cost_per_day: float) -> str:
    """The source of a cost per day, or 'egendefinert' for a figure the user typed."""
    for source in COST_PER_DAY_SOURCES:
        if source.cost_per_day == cost_per_day:
            return source.label_nb
    return "egendefinert"


@dataclass(frozen=True)
class Savings:
    reduction_pp: float
    fte: float
    cost_per_day: float
    workdays: float
    saved_fte: float
    cost_per_fte: float
    savings_nok: float


def _check_not_negative(value: float, name_nb: str) -> None:
    if value < 0:
        raise ValueError(f"{name_nb} kan ikke være negativ (fikk {value})")


def savings_estimate(
    reduction_pp: float,
    fte: float,
    cost_per_day: float = DEFAULT_COST_PER_DAY,
    workdays: float = DEFAULT_WORKDAYS,
) -> Savings:
    """Saved årsverk = reduction / 100 × årsverk; savings = saved × cost per day × workdays.

    A negative reduction (sick leave went up) gives a negative saving, which is the honest figure.
    """
    _check_not_negative(fte, "Antall årsverk")
    _check_not_negative(cost_per_day, "Kostnad per dag")
    _check_not_negative(workdays, "Arbeidsdager per år")
    # Multiply before dividing: 0.8 × 15000 / 100 is exactly 120, 0.8 / 100 × 15000 is not.
    saved_fte = reduction_pp * fte / 100
    cost_per_fte = cost_per_day * workdays
    return Savings(
        reduction_pp=reduction_pp,
        fte=fte,
        cost_per_day=cost_per_day,
        workdays=workdays,
        saved_fte=saved_fte,
        cost_per_fte=cost_per_fte,
        savings_nok=saved_fte * cost_per_fte,
    )


def unit_savings(
    reduction_pp: float,
    possible_workdays: float,
    cost_per_day: float = DEFAULT_COST_PER_DAY,
) -> tuple[float, float]:
    """(saved days, savings in kroner) for one unit: reduction / 100 × its possible workdays."""
    _check_not_negative(possible_workdays, "Mulige dagsverk")
    _check_not_negative(cost_per_day, "Kostnad per dag")
    saved_days = reduction_pp * possible_workdays / 100
    return saved_days, saved_days * cost_per_day


FTE_FROM_DATA = "årsverk fra dataene"
FTE_FROM_SETTINGS = "årsverk fra innstillingene"


@dataclass(frozen=True)
class FteInUse:
    """The årsverk the municipality's savings use, and where the figure comes from."""

    value: float | None  # None: no figure set and no workdays in the data
    from_settings: bool

    @property
    def source_nb(self) -> str:
        return FTE_FROM_SETTINGS if self.from_settings else FTE_FROM_DATA


def fte_in_use(set_fte: float | None, possible_workdays: float, period_workdays: int) -> FteInUse:
    """The årsverk set in the settings, or else the data's own (DOMAIN.md "Savings estimate").

    The data's: Σ possible workdays / workdays in the period, both over the latest complete
    four quarters; an employee at 50 % for the whole period counts as half an årsverk.
    """
    if set_fte is not None:
        return FteInUse(set_fte, from_settings=True)
    if period_workdays <= 0 or possible_workdays <= 0:
        return FteInUse(None, from_settings=False)
    return FteInUse(possible_workdays / period_workdays, from_settings=False)
