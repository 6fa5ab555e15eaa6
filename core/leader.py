"""The leader's own page: a unit's open cases and their overdue milestones, as of a date.

A case is open while it is ongoing on the day (core.cases.cases_ongoing) and belongs to the unit
by core.cases.case_units; its overdue milestones are those core.cases.milestone_status calls
overdue, the milestones marked done by that day aside.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from core.cases import MilestoneStatus, build_cases, case_units, cases_ongoing, milestone_status


@dataclass(frozen=True, slots=True)
class OpenCase:
    employee_id: int
    start: dt.date
    sick_days: int
    overdue: tuple[MilestoneStatus, ...]


def open_cases(
    unit_id: int,
    as_of: dt.date,
    employments: pd.DataFrame,
    spells: pd.DataFrame,
    done: Mapping[tuple[int, dt.date], Mapping[str, dt.date]],
) -> tuple[OpenCase, ...]:
    """The unit's cases ongoing on `as_of`, oldest first, each with its overdue milestones.

    `employments`: every employment of the unit's people (to tell which unit a case belongs
    to); `spells`: their spells; `done`: (employee, case start) → {milestone: day marked done}.
    """
    cases, _ = build_cases(spells, as_of)
    cases = cases[(case_units(cases, employments) == unit_id).to_numpy()]
    result = []
    for case in cases_ongoing(cases, as_of).itertuples():
        employee_id = int(case.employee_id)
        start = case.start.date()
        end = None if case.open_ended else case.end.date()
        marked = {k: d for k, d in done.get((employee_id, start), {}).items() if d <= as_of}
        overdue = tuple(
            m for m in milestone_status(start, end, as_of, marked) if m.status == "overdue"
        )
        result.append(OpenCase(employee_id, start, int(case.sick_days_to_date), overdue))
    result.sort(key=lambda c: (c.start, c.employee_id))
    return tuple(result)
