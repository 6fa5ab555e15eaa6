"""The unit's share of the goal and the traffic light against the sector, by hand (DOMAIN.md)."""

from __future__ import annotations

import pytest

from core.goal import Light, against_sector, goal_share, light
from core.periods import Quarter

Q = Quarter.parse
NB = "\u00a0"


def share(last: str, pcts: dict[str, float | None], possible: float = 6000.0, goal_pp=1.0):
    return goal_share(
        Q("2024Q3"), 12.0, Q(last), possible, {Q(k): v for k, v in pcts.items()}, goal_pp, 4200.0
    )


def test_goal_achieved_and_still_to_go_in_days_and_kroner() -> None:
    # P = 6 000 possible workdays; goal 1,0 p.p. → 60 days a quarter, 252 000 kr.
    # 2025Q3 at 11,4 %: achieved 0,6 p.p. → 36 days (151 200 kr); 24 days (100 800 kr) to go.
    result = share("2025Q3", {"2025Q3": 11.4})
    assert result.goal_pct == pytest.approx(11.0)
    assert result.compare_quarter == "2025Q3"
    assert result.goal_days == pytest.approx(60.0)
    assert result.goal_kroner == pytest.approx(252_000.0)
    assert result.achieved_pp == pytest.approx(0.6)
    assert result.achieved_days == pytest.approx(36.0)
    assert result.achieved_kroner == pytest.approx(151_200.0)
    assert result.to_go_days == pytest.approx(24.0)
    assert result.to_go_kroner == pytest.approx(100_800.0)


def test_compares_with_the_latest_quarter_of_the_baselines_season() -> None:
    result = share("2026Q1", {"2025Q3": 11.4, "2026Q1": 14.0})
    assert result.compare_quarter == "2025Q3"
    assert result.achieved_days == pytest.approx(36.0)


def test_before_a_year_has_passed_only_the_goal_is_known() -> None:
    result = share("2025Q2", {"2025Q2": 9.0})
    assert result.compare_quarter is None
    assert result.goal_days == pytest.approx(60.0)
    assert result.achieved_days is None and result.to_go_days is None
    assert result.to_go_kroner is None


def test_beyond_the_goal_nothing_is_left_and_a_rise_is_negative() -> None:
    # 10,5 %: 1,5 p.p. down, 90 days achieved, nothing to go (never below 0).
    beyond = share("2025Q3", {"2025Q3": 10.5})
    assert beyond.achieved_days == pytest.approx(90.0)
    assert beyond.to_go_days == 0.0
    # 12,5 %: 0,5 p.p. up, −30 days achieved, 90 days to go.
    rise = share("2025Q3", {"2025Q3": 12.5})
    assert rise.achieved_days == pytest.approx(-30.0)
    assert rise.to_go_days == pytest.approx(90.0)


def test_goal_from_the_settings_and_no_possible_workdays() -> None:
    assert share("2025Q3", {"2025Q3": 11.4}, goal_pp=0.5).goal_days == pytest.approx(30.0)
    empty = share("2025Q3", {"2025Q3": None}, possible=0.0)
    assert empty.goal_days is None and empty.achieved_days is None and empty.goal_kroner is None


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        (11.01, Light.RED),
        (11.0, Light.YELLOW),  # exactly 10 % above
        (10.0, Light.YELLOW),
        (9.0, Light.YELLOW),  # exactly 10 % below
        (8.99, Light.GREEN),
    ],
)
def test_light_by_navs_rule(unit: float, expected: Light) -> None:
    assert light(unit, 10.0) is expected


def test_no_light_without_both_figures() -> None:
    assert light(None, 10.0) is None
    assert light(9.0, None) is None


def test_against_the_sectors_estimated_total() -> None:
    # 2023Q3: 6,3 % doctor-certified + 2,0 p.p. self-certified = 8,3 %; 9,13 % is 10 % above.
    exact = against_sector(Q("2023Q3"), 9.13)
    assert exact.sector_pct == pytest.approx(8.3)
    assert exact.light is Light.YELLOW
    above = against_sector(Q("2023Q3"), 9.2)
    assert above.light is Light.RED
    assert above.text == f"rødt (9,2{NB}% mot sektorens 8,3{NB}%, 3. kv. 2023)"
    # Not yet published: the latest published same quarter (2023Q3) stands in.
    later = against_sector(Q("2025Q3"), 7.4)
    assert later.sector_pct == pytest.approx(8.3)
    assert later.light is Light.GREEN
    assert "samme kvartal i siste publiserte år" in later.source


def test_no_sector_figure() -> None:
    result = against_sector(Q("2019Q1"), 9.0)
    assert result.sector_pct is None and result.light is None
    assert result.text == "ingen sektortall for 1. kv. 2019"
    assert against_sector(Q("2023Q3"), None).text == (
        "ingen sykefraværsprosent for enheten i 3. kv. 2023"
    )
