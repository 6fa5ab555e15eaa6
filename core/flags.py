"""Flags on an employee as of a date: frequent, recurring and self-certified absence, Bradford."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from core import fmt
from core.calendar import IntArray, WorkdayCalendar, day_number
from core.cases import (
    build_cases,
    cases_ongoing,
    known_sick_spells,
    milestone_dates,
    to_day_numbers,
    union_blocks,
)
from core.vocabulary import SELF_CERTIFIED

SelfCertRule = Literal["utvidet", "nasjonal"]

FLAG_COLUMNS = (
    "employee_id",
    "short_cases_12m",
    "frequent_short",
    "recurring_cases",
    "recurring_days",
    "recurring",
    "self_cert_days_12m",
    "self_cert_periods_12m",
    "self_cert_longest_days",
    "self_cert_quota",
    "bradford_cases",
    "bradford_days",
    "bradford",
)


@dataclass(frozen=True)
class FlagRules:
    """Thresholds for the flags; the defaults are the ones in the domain brief."""

    window_days: int = 365
    short_case_max_days: int = 16
    frequent_short_cases: int = 4
    recurring_window_years: int = 3
    recurring_min_case_days: int = 16
    recurring_many_cases: int = 5
    recurring_many_days: int = 100
    recurring_few_cases: int = 2
    recurring_few_days: int = 300
    self_cert_rule: SelfCertRule = "utvidet"
    # Extended rule (many municipalities): days in 12 months, and days in one period.
    self_cert_max_days_12m: int = 24
    self_cert_max_spell_days: int = 8
    # National rule: days at a time, and times in 12 months.
    national_max_spell_days: int = 3
    national_max_times_12m: int = 4
    # Flags on a case: graded sick leave worth a look after this many calendar days at 100 %,
    # and week 39 approaching within this many days.
    graded_after_days: int = 56
    week_39_within_days: int = 42


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _sum_by(keys: IntArray, values: npt.ArrayLike, index: pd.Index) -> pd.Series:
    """Sum `values` per employee, as a Series over `index` (0 where an employee has none).

    Every key is in `index`."""
    weights = np.asarray(values, dtype="float64")
    sums = np.bincount(index.get_indexer(keys), weights=weights, minlength=len(index))
    return pd.Series(sums, index=index)


def employee_flags(
    cases: pd.DataFrame,
    spells: pd.DataFrame,
    as_of: dt.date,
    calendar: WorkdayCalendar,
    rules: FlagRules = FlagRules(),
) -> pd.DataFrame:
    """One row per employee in `spells` or `cases` with the flags as of `as_of`.

    `cases` must come from `build_cases(spells, as_of)`. The last 12 months are the days in
    (as_of − 365 days, as_of]; the last 36 months are (as_of − 3 years, as_of].
    Columns: see FLAG_COLUMNS. Counts used by the explanations are kept next to each flag.
    """
    as_of_day = day_number(as_of)
    window_first = as_of_day - rules.window_days + 1
    employees = pd.Index(
        np.union1d(
            spells["employee_id"].to_numpy(dtype=np.int64),
            cases["employee_id"].to_numpy(dtype=np.int64),
        ),
        name="employee_id",
    )
    case_emp = cases["employee_id"].to_numpy(dtype=np.int64)
    case_first = to_day_numbers(cases["start"])
    case_last = to_day_numbers(cases["end"])
    sick_days = cases["sick_days"].to_numpy(dtype=np.int64)

    # Frequent short-term absence: short cases that started in the window.
    started_in_window = (case_first >= window_first) & (case_first <= as_of_day)
    short = started_in_window & (sick_days <= rules.short_case_max_days)
    short_cases = _sum_by(case_emp, short, employees)

    # NAV's recurring rule: only cases that have ended; an open-ended case or a known sick note
    # running past as_of has not ended yet.
    recurring_first = day_number(_years_before(as_of, rules.recurring_window_years)) + 1
    ended = ~cases["open_ended"].to_numpy(dtype=bool) & (case_last <= as_of_day)
    counted = ended & (case_last >= recurring_first) & (sick_days >= rules.recurring_min_case_days)
    recurring_cases = _sum_by(case_emp, counted, employees)
    recurring_days = _sum_by(case_emp, np.where(counted, sick_days, 0), employees)
    recurring = (
        (recurring_cases >= rules.recurring_many_cases)
        & (recurring_days >= rules.recurring_many_days)
    ) | (
        (recurring_cases >= rules.recurring_few_cases)
        & (recurring_days >= rules.recurring_few_days)
    )

    known = known_sick_spells(spells, as_of)
    emp = known["employee_id"].to_numpy(dtype=np.int64)
    first = known["first_day"].to_numpy(dtype=np.int64)
    last = known["last_day"].to_numpy(dtype=np.int64)

    # Self-certification: contiguous self-certified days form one period (one "time"), so an
    # egenmelding split over several rows is not counted twice.
    self_cert = (known["kind"] == SELF_CERTIFIED).to_numpy()
    sc_emp, sc_first, sc_last = union_blocks(emp[self_cert], first[self_cert], last[self_cert])
    in_window = (sc_last >= window_first) & (sc_first <= as_of_day)
    clipped = np.minimum(sc_last, as_of_day) - np.maximum(sc_first, window_first) + 1
    self_cert_days = _sum_by(sc_emp, np.where(in_window, clipped, 0), employees)
    self_cert_periods = _sum_by(sc_emp, in_window, employees)
    longest_days = np.zeros(len(employees), dtype=np.int64)
    np.maximum.at(
        longest_days, employees.get_indexer(sc_emp), np.where(in_window, sc_last - sc_first + 1, 0)
    )
    longest = pd.Series(longest_days, index=employees)
    if rules.self_cert_rule == "nasjonal":
        quota = (longest > rules.national_max_spell_days) | (
            self_cert_periods > rules.national_max_times_12m
        )
    else:
        quota = (self_cert_days > rules.self_cert_max_days_12m) | (
            longest > rules.self_cert_max_spell_days
        )

    # Bradford: S = cases with a sick day in the window. A known case that reaches the window
    # always has one: gaps are at most 15 days and known spells start on or before as_of.
    s_cases = _sum_by(case_emp, (case_last >= window_first) & (case_first <= as_of_day), employees)
    # D = workdays in the union of all sick spells, clipped to the window.
    b_emp, b_first, b_last = union_blocks(emp, first, last)
    workdays = calendar.count_days(np.maximum(b_first, window_first), np.minimum(b_last, as_of_day))
    d_days = _sum_by(b_emp, workdays, employees)

    result = pd.DataFrame(
        {
            "short_cases_12m": short_cases.astype(np.int64),
            "frequent_short": short_cases >= rules.frequent_short_cases,
            "recurring_cases": recurring_cases.astype(np.int64),
            "recurring_days": recurring_days.astype(np.int64),
            "recurring": recurring,
            "self_cert_days_12m": self_cert_days.astype(np.int64),
            "self_cert_periods_12m": self_cert_periods.astype(np.int64),
            "self_cert_longest_days": longest.astype(np.int64),
            "self_cert_quota": quota,
            "bradford_cases": s_cases.astype(np.int64),
            "bradford_days": d_days.astype(np.int64),
            "bradford": (s_cases**2 * d_days).astype(np.int64),
        },
        index=employees,
    )
    return result.reset_index()[list(FLAG_COLUMNS)]


def _count(n: int, one: str, many: str) -> str:
    return f"{_number(n)} {one if n == 1 else many}"


def _number(n: int) -> str:
    # Norwegian digit grouping uses a (non-breaking) space.
    return f"{n:,}".replace(",", "\u00a0")


def flag_explanations(
    row: Mapping[str, Any] | pd.Series,
    rules: FlagRules = FlagRules(),
) -> list[str]:
    """One Norwegian line per raised flag of an `employee_flags` row, then the Bradford factor.

    Pass the same `rules` that computed the row, so the thresholds quoted are the ones used.
    """
    return [line for _, line in flag_lines(row, rules)]


# The raised flags of an `employee_flags` row; Bradford is a number to talk about, never a flag.
RAISED_FLAGS: Final = ("frequent_short", "recurring", "self_cert_quota")
BRADFORD: Final = "bradford"


def flag_lines(
    row: Mapping[str, Any] | pd.Series,
    rules: FlagRules = FlagRules(),
) -> list[tuple[str, str]]:
    """(flag, Norwegian line) per raised flag (RAISED_FLAGS), then (BRADFORD, its line)."""
    lines = []
    if row["frequent_short"]:
        lines.append(
            (
                "frequent_short",
                "Hyppig korttidsfravær: "
                + _count(int(row["short_cases_12m"]), "korttidstilfelle", "korttidstilfeller")
                + " siste 12 måneder",
            )
        )
    if row["recurring"]:
        lines.append(
            (
                "recurring",
                "Tilbakevendende fravær (NAVs regel): "
                + _count(int(row["recurring_cases"]), "tilfelle", "tilfeller")
                + f" på {rules.recurring_min_case_days} dager eller mer med til sammen "
                + _count(int(row["recurring_days"]), "sykedag", "sykedager")
                + f" siste {12 * rules.recurring_window_years} måneder",
            )
        )
    if row["self_cert_quota"]:
        lines.append(("self_cert_quota", _self_cert_line(row, rules)))
    if int(row["bradford_cases"]) > 0:
        lines.append(
            (
                BRADFORD,
                f"Bradford-faktor {_number(int(row['bradford']))} (S² × D: "
                + _count(int(row["bradford_cases"]), "tilfelle", "tilfeller")
                + ", "
                + _count(int(row["bradford_days"]), "dag", "dager")
                + ") – et tall til samtalen, ikke en vurdering",
            )
        )
    return lines


def _self_cert_line(row: Mapping[str, Any] | pd.Series, rules: FlagRules) -> str:
    days = int(row["self_cert_days_12m"])
    periods = int(row["self_cert_periods_12m"])
    longest = int(row["self_cert_longest_days"])
    reasons = []
    if rules.self_cert_rule == "nasjonal":
        title = "Egenmeldingskvote (nasjonal regel)"
        if periods > rules.national_max_times_12m:
            reasons.append(
                _count(periods, "egenmeldingsperiode", "egenmeldingsperioder")
                + f" siste 12 måneder (mer enn {rules.national_max_times_12m})"
            )
        if longest > rules.national_max_spell_days:
            reasons.append(
                f"egenmelding på {_count(longest, 'dag', 'dager')} i strekk "
                f"(mer enn {rules.national_max_spell_days})"
            )
    else:
        title = "Egenmeldingskvote (utvidet regel)"
        if days > rules.self_cert_max_days_12m:
            reasons.append(
                _count(days, "egenmeldt dag", "egenmeldte dager")
                + f" siste 12 måneder (mer enn {rules.self_cert_max_days_12m})"
            )
        if longest > rules.self_cert_max_spell_days:
            reasons.append(
                f"egenmelding på {_count(longest, 'dag', 'dager')} i strekk "
                f"(mer enn {rules.self_cert_max_spell_days})"
            )
    return f"{title}: " + " og ".join(reasons)


GRADED_REVIEW: Final = "graded_review"
NEAR_WEEK_39: Final = "near_week_39"
CASE_FLAG_TITLES: Final[dict[str, str]] = {
    GRADED_REVIEW: "Vurder gradert sykmelding",
    NEAR_WEEK_39: "Nærmer seg 39 uker",
}


@dataclass(frozen=True, slots=True)
class CaseFlag:
    """A flag on one ongoing absence case as of a date, with what the flags list says of it."""

    key: str  # GRADED_REVIEW or NEAR_WEEK_39
    employee_id: int
    case_start: dt.date
    as_of: dt.date
    week_39: dt.date  # the case's 39-week milestone

    @property
    def title(self) -> str:
        return CASE_FLAG_TITLES[self.key]

    @property
    def run_days(self) -> int:
        """Calendar days from the case's first day up to and including the as-of date."""
        return (self.as_of - self.case_start).days + 1

    @property
    def explanation(self) -> str:
        """One Norwegian line for the flags list."""
        if self.key == GRADED_REVIEW:
            return (
                f"{self.title}: {fmt.percent(100, 0)} sykmeldt i "
                f"{fmt.count(self.run_days, 'dag', 'dager')} "
                f"(fra {fmt.date(self.case_start)}), over 8 uker uten gradering"
            )
        days = (self.week_39 - self.as_of).days
        return (
            f"{self.title}: NAVs 39-ukersbrev {fmt.date(self.week_39)}, "
            f"om {fmt.count(days, 'dag', 'dager')}"
        )


def case_flags(
    spells: pd.DataFrame,
    as_of: dt.date,
    rules: FlagRules = FlagRules(),
    built: tuple[pd.DataFrame, pd.Series] | None = None,
) -> tuple[CaseFlag, ...]:
    """The flags on cases ongoing on `as_of`, by employee and case start (DOMAIN.md "Flags").

    - graded sick leave worth a look: the case has run more than `graded_after_days` calendar
      days (its first day to `as_of`, both counted) and every known spell in it was at grade
      100 (a self-certified spell always is);
    - approaching week 39: its 39-week milestone falls within the `week_39_within_days` days
      after `as_of` (the agenda's "next 6 weeks").

    `built`: `build_cases(spells, as_of)` where the caller has it already.
    """
    cases, case_of_spell = build_cases(spells, as_of) if built is None else built
    if cases.empty:
        return ()
    known = spells.loc[case_of_spell.index]
    graded = (known["kind"].to_numpy() != SELF_CERTIFIED) & (
        known["grade"].to_numpy(dtype=float) < 100.0
    )
    ever_graded = set(case_of_spell.to_numpy()[graded].tolist())
    flags = []
    for case in cases_ongoing(cases, as_of).itertuples():
        start = case.start.date()
        week_39 = milestone_dates(start)["week_39"]
        employee_id = int(case.employee_id)
        run = (as_of - start).days + 1
        if run > rules.graded_after_days and int(case.case_id) not in ever_graded:
            flags.append(CaseFlag(GRADED_REVIEW, employee_id, start, as_of, week_39))
        if 0 < (week_39 - as_of).days <= rules.week_39_within_days:
            flags.append(CaseFlag(NEAR_WEEK_39, employee_id, start, as_of, week_39))
    return tuple(flags)
