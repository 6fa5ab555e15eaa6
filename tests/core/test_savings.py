"""Tests for the savings estimate."""

from __future__ import annotations

import dataclasses

import pytest

from core.savings import (
    COST_PER_DAY_SOURCES,
    DEFAULT_COST_PER_DAY,
    DEFAULT_WORKDAYS,
    FteInUse,
    Savings,
    cost_source_label,
    fte_in_use,
    savings_estimate,
    unit_savings,
)


def test_domain_example() -> None:
    result = savings_estimate(0.8, 15_000)
    assert result == Savings(
        reduction_pp=0.8,
        fte=15_000,
        cost_per_day=4200,
        workdays=230,
        saved_fte=120.0,
        cost_per_fte=966_000.0,
        savings_nok=115_920_000.0,
    )


def test_savings_is_frozen() -> None:
    result = savings_estimate(1.0, 100)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.savings_nok = 0  # type: ignore[misc]


def test_other_cost_per_day_and_workdays() -> None:
    result = savings_estimate(1.0, 1500, cost_per_day=2600, workdays=225)
    assert result.saved_fte == pytest.approx(15.0)
    assert result.cost_per_fte == 585_000
    assert result.savings_nok == pytest.approx(8_775_000)


def test_increase_gives_negative_savings() -> None:
    assert savings_estimate(-0.5, 1000).savings_nok == pytest.approx(-4_830_000)


@pytest.mark.parametrize(
    "kwargs", [{"fte": -1}, {"fte": 1, "cost_per_day": -1}, {"fte": 1, "workdays": -1}]
)
def test_negative_inputs_are_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="kan ikke være negativ"):
        savings_estimate(1.0, **kwargs)


def test_unit_savings() -> None:
    # A unit with 25,000 possible workdays that fell 1.2 points saves 300 days.
    saved_days, nok = unit_savings(1.2, 25_000, 4200)
    assert saved_days == pytest.approx(300.0)
    assert nok == pytest.approx(1_260_000.0)
    assert unit_savings(1.0, 0) == (0.0, 0.0)


def test_cost_sources() -> None:
    assert [s.cost_per_day for s in COST_PER_DAY_SOURCES] == [4200, 2600, 3400]
    assert COST_PER_DAY_SOURCES[0].cost_per_day == DEFAULT_COST_PER_DAY
    assert DEFAULT_WORKDAYS == 230
    assert cost_source_label(4200) == "SINTEF/NAV/Falck"
    assert cost_source_label(2600) == "NAVs kalkulator (SINTEF 2011)"
    assert cost_source_label(3400) == "NHO 2020"
    assert cost_source_label(3900) == "egendefinert"


def test_the_årsverk_in_use_is_the_settings_or_the_datas() -> None:
    # 2 000 possible workdays over a period of 250 workdays: 8 årsverk from the data.
    assert fte_in_use(None, 2000.0, 250) == FteInUse(8.0, from_settings=False)
    assert fte_in_use(None, 2000.0, 250).source_nb == "årsverk fra dataene"
    assert fte_in_use(120.0, 2000.0, 250) == FteInUse(120.0, from_settings=True)
    assert fte_in_use(120.0, 2000.0, 250).source_nb == "årsverk fra innstillingene"
    assert fte_in_use(None, 0.0, 250).value is None
