"""Project membership: when a unit is in the project, and the quarter it is measured from."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from core import fmt
from core.errors import InvalidInput
from core.periods import Quarter


@dataclass(frozen=True)
class Membership:
    """One period in the project: from `joined_on` up to the day before `left_on`."""

    joined_on: dt.date
    baseline_quarter: str  # "2024Q3"
    left_on: dt.date | None = None  # the first day out of the project; None while in
    target_group: int | None = None  # the unit's target group on the day it joined

    def covers(self, day: dt.date) -> bool:
        """Whether the unit is in the project on `day`."""
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)

    def describe(self) -> str:
        """One Norwegian line: since when, from which baseline, and out from when."""
        text = (
            f"med i prosjektet fra {fmt.date(self.joined_on)}, "
            f"nullpunkt {fmt.quarter_label(self.baseline_quarter)}"
        )
        if self.left_on is not None:
            text += f"; ute av prosjektet fra {fmt.date(self.left_on)}"
        return text


def default_baseline(joined_on: dt.date, project_start: dt.date, project_baseline: str) -> str:
    """The baseline quarter of a unit joining on `joined_on`, unless the advisor chose another.

    A unit that joined by the project's start is measured from the project's baseline quarter;
    one that joined later from the complete quarter before the day it joined (15.03.2025 →
    2024Q4), so that its own start is compared like with like.
    """
    if joined_on <= project_start:
        return str(Quarter.parse(project_baseline))
    return str(Quarter.of(joined_on).shift(-1))


_LABEL = re.compile(r"^\s*([1-4])\s*\.?\s*kv\.?\s*(\d{4})\s*$", re.IGNORECASE)


def parse_baseline(text: str) -> str:
    """A baseline quarter typed by a person, or InvalidInput.

    As the app shows quarters ('4. kv. 2024') or as the command line takes them ('2024Q4',
    '2024-q4', '2024K4').
    """
    label = _LABEL.match(text)
    if label:
        return f"{label.group(2)}Q{label.group(1)}"
    try:
        return str(Quarter.parse(text))
    except ValueError:
        raise InvalidInput(
            f"Nullpunkt: «{text.strip()}» er ikke et kvartal "
            "(skriv f.eks. 3. kv. 2024 eller 2024Q3)."
        ) from None


def member_on(periods: Iterable[Membership], day: dt.date) -> Membership | None:
    """The period that covers `day`, if any."""
    return next((period for period in periods if period.covers(day)), None)


def latest(periods: Iterable[Membership]) -> Membership | None:
    """The unit's last period in the project (it may have ended)."""
    return max(periods, key=lambda period: period.joined_on, default=None)


def check_join(code: str, last: Membership | None, joined_on: dt.date) -> None:
    """InvalidInput unless a unit whose last period is `last` can join on `joined_on`."""
    if last is None:
        return
    if last.left_on is None:
        raise InvalidInput(f"{code} er allerede med i prosjektet (fra {fmt.date(last.joined_on)}).")
    if joined_on < last.left_on:
        raise InvalidInput(
            f"{code} var med i prosjektet til {fmt.date(last.left_on)}; "
            f"den kan bli med igjen fra den dagen, ikke {fmt.date(joined_on)}."
        )


def check_leave(code: str, last: Membership | None, left_on: dt.date) -> None:
    """InvalidInput unless a unit whose last period is `last` can leave on `left_on`."""
    if last is None or last.left_on is not None:
        raise InvalidInput(f"{code} er ikke med i prosjektet.")
    if left_on < last.joined_on:
        raise InvalidInput(
            f"{code}: utmeldingsdatoen {fmt.date(left_on)} er før enheten ble med i "
            f"prosjektet ({fmt.date(last.joined_on)})."
        )


def imported_join(last: Membership | None, project_from: dt.date) -> str:
    """What an imported `prosjekt_fra` date does to a unit whose last period is `last`.

    "keep": the file says what is stored (a unit the advisor took out stays out, and a
    baseline the advisor chose stays); "join": a new period; "move": the ongoing period
    starts on the file's date instead. A date inside an ended period is refused by
    check_join, like the same date given on the command line.
    """
    if last is not None and last.joined_on == project_from:
        return "keep"
    if last is not None and last.left_on is None:
        return "move"
    return "join"
