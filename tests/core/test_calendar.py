"""The workday calendar's public holidays, worked out in core: the same days as the `holidays`
package's Norway calendar, which DOMAIN.md names, over every year the calendar covers."""

from __future__ import annotations

import datetime as dt

import holidays

from core.calendar import FIRST_YEAR, LAST_YEAR, default_calendar, easter_sunday, public_holidays

D = dt.date


def test_the_public_holidays_are_the_holidays_packages_norway() -> None:
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    ours = {day for year in years for day in public_holidays(year)}
    assert ours == set(holidays.Norway(years=years))


def test_easter_and_the_days_that_follow_it() -> None:
    assert [easter_sunday(year) for year in (2024, 2025, 2038, 2043)] == [
        D(2024, 3, 31),
        D(2025, 4, 20),
        D(2038, 4, 25),  # the latest Easter there can be
        D(2043, 3, 29),
    ]
    assert sorted(public_holidays(2025)) == [
        D(2025, 1, 1),
        D(2025, 4, 17),  # Maundy Thursday
        D(2025, 4, 18),
        D(2025, 4, 20),
        D(2025, 4, 21),
        D(2025, 5, 1),
        D(2025, 5, 17),
        D(2025, 5, 29),  # Ascension Day
        D(2025, 6, 8),
        D(2025, 6, 9),  # Whit Monday
        D(2025, 12, 25),
        D(2025, 12, 26),
    ]


def test_the_workdays_of_2025_as_domain_md_counts_them() -> None:
    calendar = default_calendar()
    assert calendar.count(D(2025, 1, 1), D(2025, 3, 31)) == 63
    assert calendar.count(D(2025, 4, 1), D(2025, 6, 30)) == 59
    assert calendar.is_workday(D(2025, 12, 24)) and calendar.is_workday(D(2025, 12, 31))
