"""Tests for the target groups (målgrupper)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.groups import GroupRules, target_group, target_groups


@pytest.mark.parametrize(
    ("headcount", "avg", "group"),
    [
        (100, 12.0, 2),  # exactly 100 is not over 100
        (101, 12.0, 1),
        (134, 11.0, 3),  # exactly 11.0 % is not over 11 %
        (20, 11.0, 3),
        (20, 11.0001, 2),
        (20, 16.0, 2),  # exactly 16.0 % does not trigger the any-size rule
        (20, 16.01, 1),
        (500, 10.9, 3),
        (1, 25.0, 1),
        (0, 12.0, 2),
    ],
)
def test_target_group_thresholds(headcount: int, avg: float, group: int) -> None:
    assert target_group(headcount, avg)[0] == group


def test_reasons() -> None:
    assert target_group(134, 12.3) == (
        1,
        "Målgruppe 1: 134 ansatte (over 100) og snitt siste to år 12,3 % (over 11 %)",
    )
    assert target_group(20, 17.25) == (
        1,
        "Målgruppe 1: snitt siste to år 17,3 % (over 16 % uansett størrelse)",
    )
    assert target_group(45, 12.34) == (
        2,
        "Målgruppe 2: 45 ansatte (100 eller færre) og snitt siste to år 12,3 % (over 11 %)",
    )
    assert target_group(300, 9.95) == (3, "Målgruppe 3: snitt siste to år 10,0 % (ikke over 11 %)")
    assert target_group(1, 12.0)[1].startswith("Målgruppe 2: 1 ansatt (")


def test_reason_shows_more_decimals_when_one_would_look_like_the_threshold() -> None:
    assert "snitt siste to år 16,01 % (over 16 % uansett størrelse)" in target_group(20, 16.01)[1]
    assert "snitt siste to år 11,04 % (over 11 %)" in target_group(20, 11.04)[1]
    assert "snitt siste to år 10,96 % (ikke over 11 %)" in target_group(20, 10.96)[1]
    assert "snitt siste to år 11,0 % (ikke over 11 %)" in target_group(20, 11.0)[1]


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_no_figures_is_group_3(missing: float | None) -> None:
    group, reason = target_group(250, missing)
    assert group == 3
    assert "ingen fraværstall" in reason


def test_custom_rules() -> None:
    rules = GroupRules(large_unit_headcount=50, avg_threshold_pct=9.5, any_size_threshold_pct=14.0)
    assert target_group(51, 9.6, rules) == (
        1,
        "Målgruppe 1: 51 ansatte (over 50) og snitt siste to år 9,6 % (over 9,5 %)",
    )
    assert target_group(50, 9.6, rules)[0] == 2
    assert target_group(10, 14.5, rules)[0] == 1


def test_target_groups_vectorised_matches_scalar() -> None:
    units = pd.DataFrame(
        {
            "unit_id": [1, 2, 3, 4, 5, 6, 7],
            "headcount": [100, 101, 134, 20, 20, 250, 12],
            "avg_2y_pct": [12.0, 12.0, 11.0, 16.0, 16.01, np.nan, 8.0],
        }
    )
    result = target_groups(units)
    assert list(result["target_group"]) == [2, 1, 3, 2, 1, 3, 3]
    for row in result.itertuples():
        avg = None if np.isnan(row.avg_2y_pct) else row.avg_2y_pct
        assert (row.target_group, row.reason) == target_group(row.headcount, avg)
    assert "target_group" not in units.columns  # the input is not changed


def test_target_groups_accepts_nullable_columns() -> None:
    units = pd.DataFrame(
        {
            "headcount": pd.array([150, 10], dtype="Int64"),
            "avg_2y_pct": pd.array([13.5, None], dtype="Float64"),
        }
    )
    result = target_groups(units)
    assert list(result["target_group"]) == [1, 3]
    assert "ingen fraværstall" in result["reason"].iloc[1]
