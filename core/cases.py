"""Absence cases (fraværstilfeller) built from sick-leave spells, and their legal milestones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from math import prod
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from core.calendar import IntArray
from core.vocabulary import SICK_KINDS

# 16 non-sick calendar days in a row close a case; 15 or fewer keep it open.
MAX_GAP_DAYS: Final = 15
# A case with at most 16 sick days is short-term; 17 or more is long-term.
LONG_TERM_MIN_DAYS: Final = 17


class Milestone(NamedTuple):
    key: str
    label_nb: str
    offset_days: int
    explanation_nb: str
    # A task is marked done by the advisor and is overdue when its date has passed; the rest
    # (the end of the employer period) are dates to know, never done nor overdue.
    task: bool = True


# Due on S + offset_days; a milestone at week W falls due on S + 7·W − 1.
MILESTONES: Final[tuple[Milestone, ...]] = (
    Milestone(
        "employer_period_end",
        "Arbeidsgiverperioden slutt",
        15,
        "Arbeidsgiver betaler de første 16 dagene; NAV betaler sykepenger fra dag 17.",
        task=False,
    ),
    Milestone(
        "followup_plan",
        "Oppfølgingsplan",
        27,
        "Oppfølgingsplan skal være laget innen 4 uker (arbeidsmiljøloven § 4-6).",
    ),
    Milestone(
        "dialogue_meeting_1",
        "Dialogmøte 1",
        48,
        "Arbeidsgiver kaller inn til dialogmøte 1 innen 7 uker.",
    ),
    Milestone(
        "activity_requirement",
        "Aktivitetskrav",
        55,
        "Innen 8 uker skal den sykmeldte være i aktivitet, om mulig (folketrygdloven § 8-8).",
    ),
    Milestone(
        "dialogue_meeting_2",
        "Dialogmøte 2",
        181,
        "NAV kaller inn til dialogmøte 2 innen 26 uker.",
    ),
    Milestone(
        "week_39",
        "39 uker",
        272,
        "NAV sender brev om veien videre etter 39 uker.",
    ),
    Milestone(
        "max_date",
        "Maksdato",
        363,
        "Omtrentlig maksdato for sykepenger (52 uker); den eksakte datoen settes av NAV.",
    ),
)

TASKS: Final[frozenset[str]] = frozenset(m.key for m in MILESTONES if m.task)

STATUS_LABELS: Final[dict[str, str]] = {
    "done": "utført",
    "overdue": "forfalt",
    "coming": "kommer",
    "later": "senere",
    "passed": "passert",
}


class MilestoneStatus(NamedTuple):
    key: str
    label: str
    due: dt.date
    status: str
    done_on: dt.date | None = None  # the day it was marked done, where known

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_task(self) -> bool:
        return self.key in TASKS


# NAV's duration classes: (longest case in the class in sick days, label); the last is open.
DURATION_CLASSES: Final[tuple[tuple[int, str], ...]] = (
    (7, "1–7 dager"),
    (16, "8–16 dager"),
    (56, "17 dager–8 uker"),
    (140, "8–20 uker"),
    (273, "20–39 uker"),
)
LONGEST_CLASS: Final = "over 39 uker"
DURATION_CLASS_LABELS: Final[tuple[str, ...]] = (
    *(label for _, label in DURATION_CLASSES),
    LONGEST_CLASS,
)


def milestone_dates(start: dt.date) -> dict[str, dt.date]:
    """Due date of every milestone for a case starting on `start`, in legal order."""
    return {m.key: start + dt.timedelta(days=m.offset_days) for m in MILESTONES}


def next_milestone_due(start: dt.date, as_of: dt.date) -> dt.date | None:
    """The date of the case's next milestone on or after `as_of` (tasks and dates alike, done
    or not: what the case list shows ahead); None when all lie behind."""
    upcoming = [due for due in milestone_dates(start).values() if due >= as_of]
    return min(upcoming) if upcoming else None


def milestone_status(
    case_start: dt.date,
    end_or_none: dt.date | None,
    as_of: dt.date,
    done: Collection[str] | Mapping[str, dt.date] = frozenset(),
    coming_days: int = 14,
) -> list[MilestoneStatus]:
    """The case's relevant milestones with status as of a date.

    A case that has ended (its last sick day is before `as_of`) keeps only the milestones due on
    or before its last sick day: the rest never fell due. `end_or_none` None means open-ended.
    A date that is not a task (the end of the employer period) is "passed" once its day is
    over, never done or overdue. `done` given as a mapping also says the day each was done.
    """
    ended = end_or_none is not None and end_or_none < as_of
    horizon = as_of + dt.timedelta(days=coming_days)
    result = []
    for milestone in MILESTONES:
        due = case_start + dt.timedelta(days=milestone.offset_days)
        if ended and end_or_none is not None and due > end_or_none:
            continue
        if not milestone.task and due < as_of:
            status = "passed"
        elif milestone.task and milestone.key in done:
            status = "done"
        elif due < as_of:
            status = "overdue"
        elif due <= horizon:
            status = "coming"
        else:
            status = "later"
        done_on = done.get(milestone.key) if isinstance(done, Mapping) else None
        if status != "done":
            done_on = None
        result.append(MilestoneStatus(milestone.key, milestone.label_nb, due, status, done_on))
    return result


def next_task(milestones: Iterable[MilestoneStatus]) -> MilestoneStatus | None:
    """The case's first milestone still to be done: the one the advisor marks done next."""
    return next((m for m in milestones if m.is_task and m.status != "done"), None)


def duration_class(sick_days: int) -> str:
    """NAV's duration class of a case with this many sick calendar days."""
    if sick_days < 1:
        raise ValueError(f"Et fraværstilfelle har minst én sykedag (fikk {sick_days})")
    for longest, label in DURATION_CLASSES:
        if sick_days <= longest:
            return label
    return LONGEST_CLASS


def duration_classes(sick_days: pd.Series) -> pd.Series:
    """Vectorised `duration_class`: an ordered categorical with the same labels."""
    bins = [0, *(longest for longest, _ in DURATION_CLASSES), np.iinfo(np.int64).max]
    return pd.cut(sick_days, bins=bins, labels=list(DURATION_CLASS_LABELS), right=True)


# --- vectorised interval helpers (day numbers = days since 1970-01-01) -------------------------


def to_day_numbers(values: pd.Series) -> IntArray:
    """Day numbers of a datetime Series (any resolution); NaT must be filled first."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    days = pd.to_datetime(values).to_numpy().astype("datetime64[D]")
    return days.astype(np.int64)


def from_day_numbers(days: npt.ArrayLike) -> pd.Series:
    """datetime64 Series (midnight) for an array of day numbers."""
    return pd.Series(np.asarray(days, dtype=np.int64).astype("datetime64[D]")).astype(
        "datetime64[ns]"
    )


def sort_order(*keys: IntArray) -> IntArray:
    """The stable order by the first key, then the second, …: np.lexsort(keys[::-1]).

    The keys are folded into one integer when their ranges allow it, and sorted once: many
    times faster than np.lexsort, and nearly free for rows that come sorted already.
    """
    arrays = [np.asarray(key, dtype=np.int64) for key in keys]
    if not len(arrays[0]):
        return np.zeros(0, dtype=np.int64)
    lows = [int(array.min()) for array in arrays]
    spans = [int(array.max()) - low + 1 for array, low in zip(arrays, lows, strict=True)]
    if prod(spans) >= 1 << 62:
        return np.lexsort(arrays[::-1])
    folded = arrays[0] - lows[0]
    for array, low, span in zip(arrays[1:], lows[1:], spans[1:], strict=True):
        folded = folded * span + (array - low)
    return np.argsort(folded, kind="stable")


def grouped_running_max(keys: IntArray, values: IntArray) -> IntArray:
    """Running maximum of `values` restarting at each new key; `keys` must be sorted.

    Adds a per-key offset larger than the value range so a single np.maximum.accumulate never
    carries a maximum over from the previous key.
    """
    if len(values) == 0:
        return np.asarray(values, dtype=np.int64)
    rank = np.zeros(len(keys), dtype=np.int64)
    rank[1:] = np.cumsum(keys[1:] != keys[:-1])
    low = int(values.min())
    span = int(values.max()) - low + 1
    shifted = (values - low) + rank * span
    return np.maximum.accumulate(shifted) - rank * span + low


def interval_runs(keys: IntArray, starts: IntArray, ends: IntArray, max_gap: int) -> IntArray:
    """Run number (0, 1, …) of each interval, for input sorted by (key, start).

    Intervals of one key stay in one run while the uncovered days between the run so far and the
    next interval are at most `max_gap` (overlaps and touching intervals always join).
    """
    n = len(starts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    run_max = grouped_running_max(keys, ends)
    new_run = np.ones(n, dtype=bool)
    # Uncovered days between day run_max[i-1] and starts[i] = starts[i] - run_max[i-1] - 1.
    new_run[1:] = (keys[1:] != keys[:-1]) | (starts[1:] - run_max[:-1] - 1 > max_gap)
    return np.cumsum(new_run) - 1


def union_blocks(
    keys: IntArray, starts: IntArray, ends: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Merge overlapping or touching intervals per key into disjoint blocks (key, start, end).

    Input in any order; output sorted by (key, start).
    """
    if len(starts) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    order = sort_order(keys, starts)
    keys, starts, ends = keys[order], starts[order], ends[order]
    runs = interval_runs(keys, starts, ends, max_gap=0)
    first = np.flatnonzero(np.diff(runs, prepend=-1))
    return keys[first], starts[first], np.maximum.reduceat(ends, first)


def known_sick_spells(spells: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Sick-leave spells known at `as_of`, with day numbers `first_day` and `last_day`.

    Keeps egenmelding and sykmelding that started on or before `as_of`. An open-ended spell runs
    to `as_of` (`open_ended` True); a recorded end after `as_of` is a known sick note and kept.
    """
    starts = pd.to_datetime(spells["start"])
    mask = spells["kind"].isin(SICK_KINDS).to_numpy() & (starts <= pd.Timestamp(as_of)).to_numpy()
    known = spells.loc[mask].copy()
    ends = pd.to_datetime(known["end"])
    known["open_ended"] = ends.isna().to_numpy()
    known["first_day"] = to_day_numbers(known["start"])
    known["last_day"] = to_day_numbers(ends.fillna(pd.Timestamp(as_of)))
    # A recorded end before the start would be an import error; treat it as a one-day spell.
    known["last_day"] = np.maximum(known["last_day"].to_numpy(), known["first_day"].to_numpy())
    return known


def _empty_cases() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": pd.Series(dtype="int64"),
            "employee_id": pd.Series(dtype="int64"),
            "unit_id": pd.Series(dtype="float64"),
            "start": pd.Series(dtype="datetime64[ns]"),
            "end": pd.Series(dtype="datetime64[ns]"),
            "open_ended": pd.Series(dtype="bool"),
            "sick_days": pd.Series(dtype="int64"),
            "sick_days_to_date": pd.Series(dtype="int64"),
            "long_term": pd.Series(dtype="bool"),
            "n_spells": pd.Series(dtype="int64"),
        }
    )


def build_cases(spells: pd.DataFrame, as_of: dt.date) -> tuple[pd.DataFrame, pd.Series]:
    """Merge each employee's sick-leave spells (across units and both types) into cases.

    Returns (cases, case_of_spell):
    - cases: one row per case, ordered by (employee_id, start), with `case_id` 0, 1, …;
      `start` = first sick day, `end` = last sick day (an open-ended spell runs to `as_of`;
      output that must show "ongoing" uses `open_ended`, True when an open-ended spell reaches
      the case's last day); `sick_days` = calendar days covered by the spells (union, gaps
      excluded), a sick note's days after `as_of` included; `sick_days_to_date` = those up to
      and including `as_of`; `long_term` = sick_days >= 17; `n_spells`; `unit_id` = unit of
      the latest spell that names one (NaN if none does).
    - case_of_spell: `case_id` of every known sick spell, indexed like those rows of `spells`
      (spells of other kinds, or starting after `as_of`, are left out).
    """
    known = known_sick_spells(spells, as_of)
    if known.empty:
        return _empty_cases(), pd.Series(dtype="int64", name="case_id", index=known.index)

    employees = known["employee_id"].to_numpy(dtype=np.int64)
    firsts = known["first_day"].to_numpy(dtype=np.int64)
    lasts = known["last_day"].to_numpy(dtype=np.int64)
    order = sort_order(employees, firsts, lasts)
    emp_s, first_s, last_s = employees[order], firsts[order], lasts[order]

    case_s = interval_runs(emp_s, first_s, last_s, max_gap=MAX_GAP_DAYS)
    # Sorted by start, the days before the running max of earlier ends in the same case are all
    # covered already, so each spell adds only the part after that running max: the union.
    run_max = grouped_running_max(case_s, last_s)
    new_case = np.ones(len(case_s), dtype=bool)
    new_case[1:] = case_s[1:] != case_s[:-1]
    covered_before = np.where(new_case, np.iinfo(np.int64).min // 2, np.roll(run_max, 1))
    added_from = np.maximum(first_s, covered_before + 1)
    added = np.maximum(last_s - added_from + 1, 0)
    # The same union cut at `as_of`: a sick note's days still ahead have not happened yet.
    as_of_day = int(np.datetime64(as_of, "D").astype(np.int64))
    added_to_date = np.maximum(np.minimum(last_s, as_of_day) - added_from + 1, 0)

    first_idx = np.flatnonzero(new_case)
    n_cases = len(first_idx)
    case_last = np.maximum.reduceat(last_s, first_idx)
    sick_days = np.add.reduceat(added, first_idx)
    sick_days_to_date = np.add.reduceat(added_to_date, first_idx)
    n_spells = np.diff(np.append(first_idx, len(case_s)))

    open_s = known["open_ended"].to_numpy(dtype=bool)[order]
    open_at_end = open_s & (last_s == case_last[case_s])
    open_ended = np.bincount(case_s, weights=open_at_end, minlength=n_cases) > 0

    if "unit_id" in known.columns:
        units = pd.Series(
            pd.to_numeric(known["unit_id"]).to_numpy(dtype="float64", na_value=np.nan)[order]
        )
        # groupby().last() skips NaN: the unit of the latest spell that names one.
        unit_id = units.groupby(case_s).last().to_numpy(dtype="float64")
    else:
        unit_id = np.full(n_cases, np.nan)

    cases = pd.DataFrame(
        {
            "case_id": np.arange(n_cases, dtype=np.int64),
            "employee_id": emp_s[first_idx],
            "unit_id": unit_id,
            "start": from_day_numbers(first_s[first_idx]),
            "end": from_day_numbers(case_last),
            "open_ended": open_ended,
            "sick_days": sick_days.astype(np.int64),
            "sick_days_to_date": sick_days_to_date.astype(np.int64),
            "long_term": sick_days >= LONG_TERM_MIN_DAYS,
            "n_spells": n_spells.astype(np.int64),
        }
    )
    case_of_spell = np.empty(len(order), dtype=np.int64)
    case_of_spell[order] = case_s
    return cases, pd.Series(case_of_spell, index=known.index, name="case_id")


def cases_ongoing(cases: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Cases ongoing on `as_of`: start <= as_of <= end; an open-ended case always counts."""
    day = pd.Timestamp(as_of)
    mask = (cases["start"] <= day) & (cases["open_ended"] | (cases["end"] >= day))
    return cases.loc[mask]


def case_units(cases: pd.DataFrame, employments: pd.DataFrame) -> pd.Series:
    """The unit each case belongs to (DOMAIN.md): the unit its latest spell names, or else the
    employment active on its first day (else the person's latest employment); NaN without any.

    `employments`: employee_id, unit_id, start, end (core.sickleave's shape).
    """
    unit = cases["unit_id"].copy()
    missing = unit.isna()
    if missing.any():
        candidates = cases.loc[missing, ["case_id", "employee_id", "start"]].merge(
            employments[["employee_id", "unit_id", "start", "end"]],
            on="employee_id",
            suffixes=("", "_e"),
        )
        active = (candidates["start_e"] <= candidates["start"]) & (
            candidates["end"].isna() | (candidates["end"] >= candidates["start"])
        )
        # Prefer an employment active at the case's start, else the person's latest one.
        candidates = candidates.assign(active=active).sort_values(["active", "start_e"])
        chosen = candidates.groupby("case_id")["unit_id"].last()
        unit.loc[missing] = cases.loc[missing, "case_id"].map(chosen).to_numpy()
    return unit
