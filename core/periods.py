"""Quarters and months: the periods the figures are reported in."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[QqKk]\s*([1-4])\s*$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """'2024Q3' (also '2024-Q3', '2024K3')."""
        match = _QUARTER.match(text)
        if not match:
            raise ValueError(f"{text!r} er ikke et kvartal (skriv f.eks. 2024Q3)")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> dt.date:
        return self.shift(1).start - dt.timedelta(days=1)

    def shift(self, quarters: int) -> Quarter:
        index = self.year * 4 + (self.q - 1) + quarters
        return Quarter(index // 4, index % 4 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def label(self) -> str:
        """Norwegian label: '3. kv. 2024'."""
        return f"{self.q}. kv. {self.year}"


def complete_quarters_before(day: dt.date, count: int) -> list[Quarter]:
    """The `count` last quarters that ended before `day`, oldest first."""
    last = Quarter.of(day).shift(-1)
    return [last.shift(-i) for i in range(count - 1, -1, -1)]


def same_season_after(baseline: Quarter, last_complete: Quarter) -> Quarter | None:
    """The latest quarter of the baseline's season that is complete and after the baseline.

    Sick leave is seasonal, so progress compares like with like (2024Q3 with 2025Q3, …).
    """
    candidate = last_complete.shift(-((last_complete.q - baseline.q) % 4))
    return candidate if candidate > baseline else None


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def parse_date(text: str) -> dt.date:
    """A date typed by a person: `dd.mm.yyyy`, `d.m.yyyy` or ISO `yyyy-mm-dd`."""
    cleaned = text.strip()
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} er ikke en gyldig dato (skriv dd.mm.åååå)")
