"""The Norwegian workday calendar, as day numbers for vectorised counting."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
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
        for holiday in holidays.Norway(years=range(first_year, last_year + 1)):
            index = day_number(holiday) - self.first
            if 0 <= index < len(workday):
                workday[index] = False
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
