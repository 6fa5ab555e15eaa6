"""Joining the project: the default baseline, membership on a date, and what may change."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import InvalidInput
from core.project import (
    Membership,
    check_join,
    check_leave,
    default_baseline,
    imported_join,
    latest,
    member_on,
    parse_baseline,
)

D = dt.date
START, PROJECT_BASELINE = D(2024, 10, 1), "2024Q3"


@pytest.mark.parametrize(
    ("joined", "baseline"),
    [
        (D(2025, 3, 15), "2024Q4"),  # the complete quarter before 15.03.2025
        (D(2025, 1, 1), "2024Q4"),  # the first day of a quarter: the one that just ended
        (D(2025, 12, 31), "2025Q3"),
        (D(2024, 10, 1), "2024Q3"),  # at the start: the project's own baseline
        (D(2024, 9, 15), "2024Q3"),  # before the start, too (not the unfinished 2024Q3)
        (D(2024, 10, 2), "2024Q3"),  # a day after the start: 2024Q3 is the quarter before
    ],
)
def test_default_baseline(joined: dt.date, baseline: str):
    assert default_baseline(joined, START, PROJECT_BASELINE) == baseline


def test_the_projects_own_baseline_is_a_setting():
    assert default_baseline(D(2025, 2, 1), D(2025, 3, 1), "2024Q2") == "2024Q2"


def test_a_unit_is_in_the_project_from_the_day_it_joined_until_the_day_before_it_left():
    period = Membership(D(2025, 3, 15), "2024Q4", left_on=D(2025, 6, 1))
    assert not period.covers(D(2025, 3, 14))
    assert period.covers(D(2025, 3, 15)) and period.covers(D(2025, 5, 31))
    assert not period.covers(D(2025, 6, 1))
    again = Membership(D(2025, 9, 1), "2025Q2")
    assert member_on([period, again], D(2025, 7, 1)) is None
    assert member_on([period, again], D(2030, 1, 1)) == again
    assert latest([again, period]) == again and latest([]) is None


def test_joining_and_leaving_are_checked_against_the_last_period():
    check_join("E1", None, D(2025, 1, 1))
    with pytest.raises(InvalidInput, match=r"E1 er allerede med i prosjektet \(fra 15\.03\.2025\)"):
        check_join("E1", Membership(D(2025, 3, 15), "2024Q4"), D(2025, 9, 1))
    left = Membership(D(2025, 3, 15), "2024Q4", left_on=D(2025, 6, 1))
    check_join("E1", left, D(2025, 6, 1))  # back the day it left
    with pytest.raises(InvalidInput, match=r"til 01\.06\.2025.*ikke 31\.05\.2025"):
        check_join("E1", left, D(2025, 5, 31))
    with pytest.raises(InvalidInput, match="E1 er ikke med i prosjektet"):
        check_leave("E1", left, D(2025, 9, 1))
    with pytest.raises(InvalidInput, match=r"14\.03\.2025 er før enheten ble med.*15\.03\.2025"):
        check_leave("E1", Membership(D(2025, 3, 15), "2024Q4"), D(2025, 3, 14))


def test_an_imported_date_keeps_what_the_advisor_set_unless_it_says_otherwise():
    ongoing = Membership(D(2025, 3, 15), "2024Q2")  # a baseline the advisor chose
    left = Membership(D(2025, 3, 15), "2024Q4", left_on=D(2025, 6, 1))
    assert imported_join(None, D(2025, 3, 15)) == "join"
    assert imported_join(ongoing, D(2025, 3, 15)) == "keep"
    assert imported_join(left, D(2025, 3, 15)) == "keep"  # taken out in the app: stays out
    assert imported_join(ongoing, D(2025, 4, 1)) == "move"
    assert imported_join(left, D(2025, 9, 1)) == "join"


@pytest.mark.parametrize(
    ("text", "quarter"),
    [
        ("4. kv. 2024", "2024Q4"),
        ("4.kv.2024", "2024Q4"),
        ("2024q4", "2024Q4"),
        ("2024K3", "2024Q3"),
    ],
)
def test_a_baseline_as_the_app_shows_it_or_as_the_command_line_takes_it(text: str, quarter: str):
    assert parse_baseline(text) == quarter


@pytest.mark.parametrize("text", ["2024Q5", "5. kv. 2024", "", "høst 2024"])
def test_a_bad_baseline_is_explained(text: str):
    with pytest.raises(InvalidInput, match=r"Nullpunkt: .* er ikke et kvartal"):
        parse_baseline(text)
