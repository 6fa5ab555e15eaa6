"""Everything the employee-by-employee review shows, prepared in one go for a whole unit.

The screen gets one `EmployeeDetail` per employee, ready to show, so that moving to the next
employee draws without touching the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, select

from core.calendar import default_calendar
from core.cases import MilestoneStatus, build_cases, milestone_status
from core.flags import employee_flags, flag_explanations
from core.periods import add_months
from core.sickleave import Period, with_long_term, workday_figures
from storage.models import MilestoneDone
from storage.repository import load_employees, load_employments, load_spells

MONTHS_SHOWN = 24


@dataclass(frozen=True)
class SpellLine:
    start: dt.date
    end: dt.date | None
    kind: str
    grade: float
    workdays_lost: float | None = None


@dataclass(frozen=True)
class CaseView:
    start: dt.date
    end: dt.date | None  # None while open-ended
    sick_days: int
    long_term: bool
    milestones: list[MilestoneStatus]

    @property
    def overdue(self) -> int:
        return sum(1 for m in self.milestones if m.status == "overdue")


@dataclass(frozen=True)
class EmployeeDetail:
    employee_id: int
    number: str
    name: str | None
    title: str | None
    position_pct: float
    lost_12m: float
    months: list[dt.date]
    lost_self: list[float]
    lost_doctor: list[float]
    spells: list[SpellLine]
    case: CaseView | None
    flags: list[str] = field(default_factory=list)  # one line each, Bradford last
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


def load_done(conn: Connection, employee_ids: list[int]) -> dict[tuple[int, dt.date], set[str]]:
    rows = conn.execute(
        select(MilestoneDone.employee_id, MilestoneDone.case_start, MilestoneDone.milestone).where(
            MilestoneDone.employee_id.in_(employee_ids)
        )
    ).all()
    done: dict[tuple[int, dt.date], set[str]] = {}
    for employee_id, case_start, milestone in rows:
        done.setdefault((employee_id, case_start), set()).add(milestone)
    return done


def review_details(conn: Connection, unit_id: int, today: dt.date) -> list[EmployeeDetail]:
    """One detail per employee employed in the unit today, in review order."""
    all_employments = load_employments(conn)
    active = employees_in_unit(all_employments, unit_id, today)
    employee_ids = sorted(active["employee_id"].unique().tolist())
    if not employee_ids:
        return []
    people = load_employees(conn, employee_ids).set_index("employee_id")
    spells = load_spells(conn, employee_ids)
    unit_employments = all_employments[
        (all_employments["unit_id"] == unit_id) & all_employments["employee_id"].isin(employee_ids)
    ]
    calendar = default_calendar()
    marked = with_long_term(spells, today)
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

    cases, _ = build_cases(spells, today)
    flags = employee_flags(cases, spells, today, calendar).set_index("employee_id")
    done = load_done(conn, employee_ids)
    months = [add_months(first_month, i) for i in range(MONTHS_SHOWN)]
    month_index = pd.DatetimeIndex([pd.Timestamp(m) for m in months])

    details = []
    for employee_id in employee_ids:
        mine = monthly.loc[employee_id] if employee_id in monthly.index else None
        per_month = (
            mine.reindex(month_index).fillna(0.0)
            if mine is not None
            else pd.DataFrame(0.0, index=month_index, columns=["lost_self", "lost_doctor"])
        )
        own_spells = spells[spells["employee_id"] == employee_id].sort_values(
            "start", ascending=False
        )
        own_cases = cases[cases["employee_id"] == employee_id]
        ongoing = own_cases[
            (own_cases["start"] <= pd.Timestamp(today))
            & (own_cases["open_ended"] | (own_cases["end"] >= pd.Timestamp(today)))
        ]
        case_view = None
        if len(ongoing):
            case = ongoing.iloc[-1]
            start = case["start"].date()
            end = None if case["open_ended"] else case["end"].date()
            case_view = CaseView(
                start=start,
                end=end,
                sick_days=int(case["sick_days"]),
                long_term=bool(case["long_term"]),
                milestones=milestone_status(
                    start, end, today, done.get((employee_id, start), set())
                ),
            )
        flag_row = flags.loc[employee_id] if employee_id in flags.index else None
        flag_lines = flag_explanations(flag_row) if flag_row is not None else []
        raised = (
            sum(bool(flag_row[k]) for k in ("frequent_short", "recurring", "self_cert_quota"))
            if flag_row is not None
            else 0
        )
        rows = active[active["employee_id"] == employee_id]
        details.append(
            EmployeeDetail(
                employee_id=employee_id,
                number=str(people.at[employee_id, "number"]),
                name=people.at[employee_id, "name"],
                title=next((t for t in rows["title"] if isinstance(t, str)), None),
                position_pct=float(rows["position_pct"].sum()),
                lost_12m=float(year.get(employee_id, 0.0)),
                months=months,
                lost_self=per_month["lost_self"].tolist(),
                lost_doctor=per_month["lost_doctor"].tolist(),
                spells=[
                    SpellLine(
                        start=s.start.date(),
                        end=None if pd.isna(s.end) else s.end.date(),
                        kind=s.kind,
                        grade=float(s.grade),
                    )
                    for s in own_spells.itertuples()
                ],
                case=case_view,
                flags=flag_lines,
                raised_flags=raised,
            )
        )
    details.sort(key=lambda d: d.priority)
    return details
