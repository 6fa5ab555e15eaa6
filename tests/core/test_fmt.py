"""Figures as bokmål shows them (STYLE.md): `11,2 %`, `115 920 000 kr`, `dd.mm.yyyy`."""

from __future__ import annotations

import datetime as dt

import pytest

from core import fmt

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (11.25, 1, "11,3"),  # half up, not to even
        (11.35, 1, "11,4"),
        (0.05, 1, "0,1"),
        (999.95, 1, f"1{NBSP}000,0"),
        (999.95, 2, "999,95"),
        (1234567.891, 2, f"1{NBSP}234{NBSP}567,89"),
        (115_920_000, 0, f"115{NBSP}920{NBSP}000"),
        (-1234.5, 0, f"-1{NBSP}235"),
        (-1.25, 1, "-1,3"),
        (-0.04, 1, "0,0"),  # rounds to zero: no minus in front of it
        (0, 2, "0,00"),
        (None, 1, "–"),
    ],
)
def test_numbers(value: float | None, decimals: int, shown: str) -> None:
    assert fmt.number(value, decimals) == shown


def test_percent_points_kroner_and_dates() -> None:
    assert fmt.percent(11.2) == f"11,2{NBSP}%"
    assert fmt.percent(None) == "–"
    assert fmt.points(-1.0) == f"−1,0{NBSP}p.p."
    assert fmt.points(0.04) == f"±0,0{NBSP}p.p."
    assert fmt.points(0.35) == f"+0,4{NBSP}p.p."
    assert fmt.kroner(115_920_000) == f"115{NBSP}920{NBSP}000{NBSP}kr"
    assert fmt.date(dt.date(2025, 1, 6)) == "06.01.2025"
    assert fmt.quarter_label("2024Q3") == "3. kv. 2024"


def test_a_count_takes_its_noun_in_the_right_number() -> None:
    assert fmt.count(1, "rad", "rader") == "1 rad"
    assert fmt.count(0, "rad", "rader") == "0 rader"
    assert fmt.count(20563, "enhet", "enheter") == "20\u00a0563 enheter"


def test_an_axis_label_has_the_decimals_of_its_step() -> None:
    assert [fmt.tick(v, 2.5) for v in (0, 2.5, 7.5)] == ["0,0", "2,5", "7,5"]
    assert [fmt.tick(v, 2) for v in (0, 4)] == ["0", "4"]
