"""The employee-by-employee review of a session: everything it shows, read in one go.

The screen gets one `EmployeeDetail` per employee, ready to show, so that moving to the next
employee draws without touching the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from core.calendar import default_calendar
from core.cases import MilestoneStatus, build_cases, milestone_status
from core.flags import RAISED_FLAGS, employee_flags, flag_explanations
from core.masking import Masker
from core.periods import add_months
from core.sickleave import Period, long_term_marked, workday_figures
from storage.repos import measures, reviews, sessions
from storage.repos.measures import MeasureRow
from storage.repos.sessions import SessionInfo
from storage.repos.settings import load_settings
from storage.repos.staff import load_employees, load_employments, load_spells, unit_masker
from storage.usecases import reading

MONTHS_SHOWN = 24


class SpellLine(NamedTuple):
    """One spell as the review lists it. A named tuple: a review makes one for each of the
    unit's spells (thousands), at a third of a frozen dataclass's cost."""

    start: dt.date
    end: dt.date | None
    kind: str
    grade: float


@dataclass(frozen=True, slots=True)
class CaseView:
    start: dt.date
    end: dt.date | None  # None while open-ended
    sick_days: int  # with the days of a sick note still ahead
    sick_days_to_date: int
    long_term: bool
    milestones: tuple[MilestoneStatus, ...]

    @property
    def overdue(self) -> int:
        return sum(1 for m in self.milestones if m.status == "overdue")


@dataclass(frozen=True, slots=True)
class EmployeeDetail:
    employee_id: int
    number: str
    name: str | None
    title: str | None
    position_pct: float
    lost_12m: float
    months: tuple[dt.date, ...]
    lost_self: tuple[float, ...]
    lost_doctor: tuple[float, ...]
    spells: tuple[SpellLine, ...]
    case: CaseView | None
    flags: tuple[str, ...] = ()  # one line each, Bradford last
    raised_flags: int = 0  # the flags that are raised (Bradford is a number, never a flag)

    @property
    def priority(self) -> tuple[int, int, int, float]:
        """Ongoing cases, overdue milestones and flags first, then by lost workdays."""
        overdue = self.case.overdue if self.case else 0
        return (
            0 if self.case else 1,
            -overdue,
            -self.raised_flags,
            -self.lost_12m,
        )


def employees_in_unit(employments: pd.DataFrame, unit_id: int, day: dt.date) -> pd.DataFrame:
    """Employment rows of the unit active on `day`."""
    stamp = pd.Timestamp(day)
    active = (
        (employments["unit_id"] == unit_id)
        & (employments["start"] <= stamp)
        & (employments["end"].isna() | (employments["end"] >= stamp))
    )
    return employments[active]


def _details(conn: Connection, unit_id: int, today: dt.date) -> list[EmployeeDetail]:
    """One detail per employee employed in the unit today, in review order."""
    # Only the unit's rows, in the order of the table (as a full load would give them).
    employments = load_employments(conn, [unit_id]).sort_values("employment_id")
    active = employees_in_unit(employments, unit_id, today)
    employee_ids = sorted(active["employee_id"].unique().tolist())
    if not employee_ids:
        return []
    people = load_employees(conn, employee_ids)
    spells = load_spells(conn, employee_ids)
    unit_employments = employments[employments["employee_id"].isin(employee_ids)]
    calendar = default_calendar()
    cases, case_of_spell = build_cases(spells, today)
    marked = long_term_marked(spells, cases, case_of_spell)
    last_month = today.replace(day=1)
    first_month = add_months(last_month, -(MONTHS_SHOWN - 1))
    monthly = workday_figures(
        unit_employments, marked, Period(first_month, today, today), by_month=True
    )
    monthly = monthly.groupby(["employee_id", "month"])[["lost", "lost_self", "lost_doctor"]].sum()
    year = (
        workday_figures(
            unit_employments, marked, Period(today - dt.timedelta(days=364), today, today)
        )
        .groupby("employee_id")["lost"]
        .sum()
    )

    rules = load_settings(conn).flag_rules()  # e.g. the national self-certification rule
    flags = employee_flags(cases, spells, today, calendar, rules)
    done = reviews.milestones_done(conn, employee_ids)
    months = tuple(add_months(first_month, i) for i in range(MONTHS_SHOWN))
    month_index = pd.DatetimeIndex([pd.Timestamp(m) for m in months])
    # Everything per employee is cut out of whole-unit frames in one pass each, not filtered
    # out of them once per employee.
    grid = pd.MultiIndex.from_product([employee_ids, month_index], names=monthly.index.names)
    per_month = monthly.reindex(grid).fillna(0.0)
    lost_self = per_month["lost_self"].to_numpy().reshape(len(employee_ids), MONTHS_SHOWN)
    lost_doctor = per_month["lost_doctor"].to_numpy().reshape(len(employee_ids), MONTHS_SHOWN)
    lost_12m = year.to_dict()
    numbers = dict(zip(people["employee_id"], people["number"], strict=True))
    names = dict(zip(people["employee_id"], people["name"], strict=True))
    own_spells = spell_lines(spells)
    ongoing = cases[
        (cases["start"] <= pd.Timestamp(today))
        & (cases["open_ended"] | (cases["end"] >= pd.Timestamp(today)))
    ]
    # Cases are ordered by start within each employee: the last ongoing one is the current one.
    current = {int(c.employee_id): c for c in ongoing.groupby("employee_id").tail(1).itertuples()}
    flag_rows = {int(row["employee_id"]): row for row in flags.to_dict("records")}
    positions: dict[int, float] = {}
    titles: dict[int, str] = {}
    for employee_id, pct, title in zip(
        active["employee_id"].tolist(),
        active["position_pct"].tolist(),
        active["title"].tolist(),
        strict=True,
    ):
        positions[employee_id] = positions.get(employee_id, 0.0) + pct
        if isinstance(title, str):
            titles.setdefault(employee_id, title)

    details = []
    for row, employee_id in enumerate(employee_ids):
        case = current.get(employee_id)
        case_view = None
        if case is not None:
            start = case.start.date()
            end = None if case.open_ended else case.end.date()
            case_view = CaseView(
                start=start,
                end=end,
                sick_days=int(case.sick_days),
                sick_days_to_date=int(case.sick_days_to_date),
                long_term=bool(case.long_term),
                milestones=tuple(
                    milestone_status(start, end, today, done.get((employee_id, start), {}))
                ),
            )
        flag_row = flag_rows.get(employee_id)
        details.append(
            EmployeeDetail(
                employee_id=employee_id,
                number=str(numbers[employee_id]),
                name=names[employee_id],
                title=titles.get(employee_id),
                position_pct=positions[employee_id],
                lost_12m=float(lost_12m.get(employee_id, 0.0)),
                months=months,
                lost_self=tuple(lost_self[row].tolist()),
                lost_doctor=tuple(lost_doctor[row].tolist()),
                spells=tuple(own_spells.get(employee_id, ())),
                case=case_view,
                flags=tuple(flag_explanations(flag_row, rules)) if flag_row is not None else (),
                raised_flags=(
                    sum(bool(flag_row[k]) for k in RAISED_FLAGS) if flag_row is not None else 0
                ),
            )
        )
    details.sort(key=lambda d: d.priority)
    return details


def spell_lines(spells: pd.DataFrame) -> dict[int, list[SpellLine]]:
    """Every employee's spells, newest first (ties in the order loaded)."""
    # Plain columns, days as dates (an open end as None): no pandas object per row.
    start = spells["start"].to_numpy().astype("datetime64[D]")
    order = np.lexsort((-start.astype(np.int64), spells["employee_id"]))
    lines: dict[int, list[SpellLine]] = {}
    for employee_id, first, last, kind, grade in zip(
        spells["employee_id"].to_numpy()[order].tolist(),
        start[order].tolist(),
        spells["end"].to_numpy().astype("datetime64[D]")[order].tolist(),
        spells["kind"].to_numpy()[order].tolist(),
        spells["grade"].to_numpy()[order].tolist(),
        strict=True,
    ):
        lines.setdefault(employee_id, []).append(SpellLine(first, last, kind, grade))
    return lines


@dataclass(frozen=True, slots=True)
class CaseMeasure:
    """An open measure about one employee, as the review lists it."""

    text: str
    owner: str
    due_date: dt.date | None


@dataclass(frozen=True, slots=True)
class ReviewData:
    info: SessionInfo
    details: tuple[EmployeeDetail, ...]
    states: dict[int, tuple[bool, str]]  # employee_id -> (reviewed, note)
    versions: dict[int, int]  # employee_id -> the review's version (an edit's base; none: 0)
    # (employee_id, case start, milestone key) -> its version (an edit's base; none: 0)
    milestone_versions: dict[tuple[int, dt.date, str], int]
    measures: dict[int, tuple[CaseMeasure, ...]]  # employee_id -> the open measures about them
    names: Masker  # the unit's masker, for notes and measures


def _case_measure(row: MeasureRow) -> CaseMeasure:
    return CaseMeasure(row.text, row.owner, row.due_date)


def employee_details(engine: Engine, unit_id: int, today: dt.date) -> tuple[EmployeeDetail, ...]:
    """The review's longest read: one detail per employee employed in the unit today."""
    with reading(engine) as conn:
        return tuple(_details(conn, unit_id, today))


def review(
    engine: Engine,
    session_id: int,
    unit_id: int,
    today: dt.date,
    details: tuple[EmployeeDetail, ...] | None = None,
    names: Masker | None = None,
) -> ReviewData:
    """Everything the review shows: moving on then reads nothing. `details`: the employees'
    details when read ahead (`employee_details`); `names`: the unit's masker when the screen
    asking has it (`unit_masker`); each read here otherwise."""
    with reading(engine) as conn:
        info = sessions.require(conn, session_id)
        if details is None:
            details = tuple(_details(conn, unit_id, today))
        about: dict[int, list[CaseMeasure]] = {}
        for row in measures.for_unit(conn, unit_id, open_only=True):
            if row.employee_id is not None:
                about.setdefault(row.employee_id, []).append(_case_measure(row))
        return ReviewData(
            info,
            details,
            reviews.states(conn, session_id),
            reviews.versions(conn, session_id),
            reviews.milestone_versions(conn, [d.employee_id for d in details]),
            {employee_id: tuple(rows) for employee_id, rows in about.items()},
            unit_masker(conn, unit_id) if names is None else names,
        )
