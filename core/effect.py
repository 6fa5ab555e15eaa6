"""Before and after a completed measure: the unit's sick-leave % side by side, never a cause.

DOMAIN.md "Baseline, goal and progress": for a measure at unit or leader level completed on day
C, the unit's % over the 3 and the 6 months after C, against the 3 months before it and against
the same months a year earlier, each with its headcount (the persons with an employment in the
unit in that period). Fewer than 5 persons (core.status.too_few), or less than the months asked
for after C, and the comparison says "for få ansatte / for kort tid til å si noe".

The periods, in whole days: the 3 months before are (C − 3 months, C], the n months after are
(C, C + n months], and a year earlier is the same days 12 months back. A month later is the same
day of the month (core.periods.shift_months).

There is no catalogue of measure kinds: a kind is the measure's level and its text, with case
and spacing aside, so that the same agreed measure in several units is one kind.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd

from core.periods import shift_months
from core.sickleave import Period, pct, workday_figures
from core.status import too_few

# The levels whose effect is read off the unit's figure (a case's measure is one person's).
EFFECT_LEVELS: Final = ("enhet", "lederrolle")
COMPLETED: Final = "fullfort"
MONTHS_BEFORE: Final = 3
MONTHS_AFTER: Final = (3, 6)
MEDIAN_MONTHS: Final = 6
TOO_SHORT: Final = "for kort tid til å si noe"
TOO_FEW: Final = "for få ansatte til å si noe"
CAUTION: Final = (
    "Tallene viser sykefraværet før og etter tiltaket, side om side. De sier ikke at en endring "
    "skyldes tiltaket: mye annet skjer i en enhet på et halvt år."
)


@dataclass(frozen=True, slots=True)
class Span:
    """An inclusive period of days."""

    start: dt.date
    end: dt.date


def before_span(completed_on: dt.date) -> Span:
    """The 3 months before the measure, up to and including the day it was completed."""
    return Span(shift_months(completed_on, -MONTHS_BEFORE) + dt.timedelta(days=1), completed_on)


def after_span(completed_on: dt.date, months: int, years_back: int = 0) -> Span:
    """The `months` after the day the measure was completed, `years_back` years earlier."""
    back = -12 * years_back
    return Span(
        shift_months(completed_on, back) + dt.timedelta(days=1),
        shift_months(completed_on, months + back),
    )


@dataclass(frozen=True, slots=True)
class Figure:
    """The unit's % in a period and the persons behind it; `pct` None when too few to show."""

    span: Span
    pct: float | None
    persons: int


def unit_figure(
    employments: pd.DataFrame, spells: pd.DataFrame, span: Span, as_of: dt.date
) -> Figure:
    """Σ lost / Σ possible of the unit's employments in the span, and its headcount.

    `employments` are the unit's (core.sickleave's shape) and `spells` those of its people.
    """
    rows = workday_figures(employments, spells, Period(span.start, span.end, as_of))
    rows = rows[rows["possible"] > 0]
    persons = int(rows["employee_id"].nunique())
    value = pct(float(rows["lost"].sum()), float(rows["possible"].sum()))
    return Figure(span, None if too_few(persons) else value, persons)


@dataclass(frozen=True, slots=True)
class Comparison:
    """The months after the measure against the same months a year earlier and the months
    before; the changes (after − other, percentage points) only where every figure is shown."""

    months: int
    after: Figure | None  # None while the months after have not passed
    year_before: Figure | None
    verdict: str | None  # TOO_SHORT, TOO_FEW or None when the figures can be compared
    change_vs_year_pp: float | None
    change_vs_before_pp: float | None


def compare(
    months: int, before: Figure, after: Figure | None, year_before: Figure | None
) -> Comparison:
    if after is None or year_before is None:
        return Comparison(months, None, None, TOO_SHORT, None, None)
    shown = (before, after, year_before)
    if any(figure.pct is None for figure in shown):
        return Comparison(months, after, year_before, TOO_FEW, None, None)
    assert after.pct is not None and year_before.pct is not None and before.pct is not None
    return Comparison(
        months, after, year_before, None, after.pct - year_before.pct, after.pct - before.pct
    )


@dataclass(frozen=True, slots=True)
class CompletedMeasure:
    """A measure at unit or leader level, and the day it was completed."""

    measure_id: int
    unit_id: int
    level: str
    text: str
    completed_on: dt.date

    @property
    def kind(self) -> str:
        return measure_kind(self.level, self.text)


@dataclass(frozen=True, slots=True)
class MeasureEffect:
    measure: CompletedMeasure
    before: Figure
    comparisons: tuple[Comparison, ...]  # 3 months, then 6

    def after(self, months: int) -> Comparison:
        return next(c for c in self.comparisons if c.months == months)


def measure_effect(
    measure: CompletedMeasure,
    employments: pd.DataFrame,
    spells: pd.DataFrame,
    as_of: dt.date,
) -> MeasureEffect:
    """The measure's before and after, from its unit's employments and their spells."""
    day = measure.completed_on
    before = unit_figure(employments, spells, before_span(day), as_of)
    comparisons = []
    for months in MONTHS_AFTER:
        span = after_span(day, months)
        if span.end > as_of:
            comparisons.append(compare(months, before, None, None))
            continue
        after = unit_figure(employments, spells, span, as_of)
        earlier = unit_figure(employments, spells, after_span(day, months, years_back=1), as_of)
        comparisons.append(compare(months, before, after, earlier))
    return MeasureEffect(measure, before, tuple(comparisons))


def measure_kind(level: str, text: str) -> str:
    """The kind a measure is counted under: its level and text, case and spacing aside."""
    return f"{level}:{' '.join(text.split()).casefold()}"


def completed_on(history: Sequence[tuple[dt.date, str]], as_of: dt.date) -> dt.date | None:
    """The day a measure was completed, as known on `as_of`, from its history.

    `history` holds (session day, status recorded) oldest first. The measure is completed when
    the last record up to `as_of` says so, on the day of the first record of that run of
    completed records; None when it was not completed by then (or only outside any session).
    """
    known = [(day, status) for day, status in history if day <= as_of]
    if not known or known[-1][1] != COMPLETED:
        return None
    day = known[-1][0]
    for earlier, status in reversed(known):
        if status != COMPLETED:
            break
        day = earlier
    return day


@dataclass(frozen=True, slots=True)
class KindSummary:
    """One kind of measure across units: how many used it, and the median change after 6
    months against the same months a year earlier over the measures that can be compared."""

    level: str
    text: str  # as first written
    units: int
    measures: int
    compared: int  # measures behind the median
    median_change_pp: float | None


def kind_summaries(effects: Iterable[MeasureEffect]) -> tuple[KindSummary, ...]:
    """Per kind, the most used first (then by level and text)."""
    groups: dict[str, list[MeasureEffect]] = {}
    for effect in effects:
        groups.setdefault(effect.measure.kind, []).append(effect)
    summaries = []
    for members in groups.values():
        changes = [
            change
            for effect in members
            if (change := effect.after(MEDIAN_MONTHS).change_vs_year_pp) is not None
        ]
        first = members[0].measure
        summaries.append(
            KindSummary(
                level=first.level,
                text=" ".join(first.text.split()),
                units=len({effect.measure.unit_id for effect in members}),
                measures=len(members),
                compared=len(changes),
                median_change_pp=statistics.median(changes) if changes else None,
            )
        )
    summaries.sort(key=lambda s: (-s.units, -s.measures, s.level, s.text.casefold()))
    return tuple(summaries)
