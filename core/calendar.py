"""The Norwegian workday calendar, as day numbers for vectorised counting."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import numpy.typing as npt

# Day numbers are days since 1970-01-01 (numpy's datetime64[D] epoch).
EPOCH = dt.date(1970, 1, 1)
FIRST_YEAR = 1990
LAST_YEAR = 2060

IntArray = npt.NDArray[np.int64]


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def from_day_number(number: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(number))


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday of the Gregorian calendar (the anonymous algorithm of 1876)."""
    golden = year % 19
    century, rest = divmod(year, 100)
    leap_centuries, century_rest = divmod(century, 4)
    moon_fix = (century - (century + 8) // 25 + 1) // 3
    epact = (19 * golden + century - leap_centuries - moon_fix + 15) % 30
    weekday = (32 + 2 * century_rest + 2 * (rest // 4) - epact - rest % 4) % 7
    shift = (golden + 11 * epact + 22 * weekday) // 451
    month, day = divmod(epact + weekday - 7 * shift + 114, 31)
    return dt.date(year, month, day + 1)


def public_holidays(year: int) -> list[dt.date]:
    """Norway's public holidays (helligdager and 1 and 17 May), as DOMAIN.md lists them.

    Worked out here rather than by the `holidays` package, which loads every country's
    calendar to give one: a tenth of a second at every command's start.
    """
    easter = easter_sunday(year)
    after_easter = (-3, -2, 0, 1, 39, 49, 50)  # Maundy Thursday … Whit Monday
    return [
        dt.date(year, 1, 1),
        *(easter + dt.timedelta(days=days) for days in after_easter),
        dt.date(year, 5, 1),
        dt.date(year, 5, 17),
        dt.date(year, 12, 25),
        dt.date(year, 12, 26),
    ]


class WorkdayCalendar:
    """Monday–Friday that is not a Norwegian public holiday; 24 and 31 December are workdays.

    Counting uses a prefix sum, so the workdays of any number of intervals cost O(1) each.
    """

    def __init__(self, first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> None:
        self.first = day_number(dt.date(first_year, 1, 1))
        self.last = day_number(dt.date(last_year, 12, 31))
        days = np.arange(self.first, self.last + 1, dtype=np.int64)
        # 1970-01-01 was a Thursday: weekday 0 = Monday.
        weekday = (days + 3) % 7
        workday = weekday < 5
        for year in range(first_year, last_year + 1):
            for holiday in public_holidays(year):
                workday[day_number(holiday) - self.first] = False
        self._workday = workday
        # _prefix[i] = workdays among days first .. first+i-1
        self._prefix = np.concatenate(([0], np.cumsum(workday, dtype=np.int64)))

    def is_workday(self, day: dt.date) -> bool:
        return bool(self._workday[day_number(day) - self.first])

    def count(self, start: dt.date, end: dt.date) -> int:
        """Workdays from start to end, both included (0 if end is before start)."""
        return int(self.count_days(np.array([day_number(start)]), np.array([day_number(end)]))[0])

    def count_days(self, starts: IntArray, ends: IntArray) -> IntArray:
        """Workdays in each inclusive interval of day numbers; empty intervals give 0."""
        lo = np.clip(np.asarray(starts, dtype=np.int64) - self.first, 0, len(self._workday))
        hi = np.clip(np.asarray(ends, dtype=np.int64) + 1 - self.first, 0, len(self._workday))
        return np.maximum(self._prefix[np.maximum(hi, lo)] - self._prefix[lo], 0)


@lru_cache(maxsize=1)
def default_calendar() -> WorkdayCalendar:
    return WorkdayCalendar()
