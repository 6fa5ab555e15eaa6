"""Figures the command line and the screens share: stats, target groups, cases, unit list.

Each function loads what it needs in one or two queries and leaves the arithmetic to core.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select, text

from core.calendar import default_calendar
from core.cases import MILESTONES, build_cases, case_units, cases_ongoing, milestone_dates
from core.groups import GroupRules
from core.periods import Quarter, add_months, complete_quarters_before
from core.project import Membership
from core.sickleave import (
    FIGURE_COLUMNS,
    Figures,
    Period,
    pct_series,
    with_long_term,
    workday_figures,
)
from storage.figures import monthly_figures
from storage.models import Employment, Unit
from storage.repos.settings import load_settings
from storage.repository import (
    UNIT_IDENTITY,
    headcount_between,
    load_employees,
    load_employments,
    load_spells,
    load_units,
)
from storage.unit_rows import figures_cover, unit_rows


class UnknownUnit(LookupError):
    """No unit with the code the user gave."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Fant ingen enhet med enhet_id {code!r}.")


def _unit_ids_for(conn: Connection, code: str | None) -> list[int] | None:
    if code is None:
        return None
    unit_id = conn.execute(select(Unit.id).where(Unit.code == code)).scalar()
    if unit_id is None:
        raise UnknownUnit(code)
    return [unit_id]


def figure_row(figures: Figures, workdays: int) -> dict[str, Any]:
    """The figures of a `stats --json` ROW (FORMATS.md), full precision, None = undefined."""
    return {
        "fte": figures.possible / workdays if workdays else None,
        "possible_workdays": figures.possible,
        "lost_workdays": figures.lost,
        "sick_leave_pct": figures.sick_leave_pct,
        "self_certified_pct": figures.self_certified_pct,
        "doctor_certified_pct": figures.doctor_certified_pct,
        "short_term_pct": figures.short_term_pct,
        "long_term_pct": figures.long_term_pct,
        "graded_share_pct": figures.graded_share_pct,
    }


def stats(
    conn: Connection,
    start: dt.date,
    end: dt.date,
    unit_code: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Sick-leave figures per unit and in total for any period (exact to the day).

    The data is taken as known today: open-ended spells count up to today, and a spell is
    short- or long-term by the whole absence case it belongs to.
    """
    today = today or dt.date.today()
    unit_ids = _unit_ids_for(conn, unit_code)
    units = load_units(conn)
    if unit_ids is not None:
        units = units[units["unit_id"].isin(unit_ids)]
    employments = load_employments(conn, unit_ids)
    employee_ids = None if unit_ids is None else employments["employee_id"].unique().tolist()
    spells = with_long_term(load_spells(conn, employee_ids), today)
    per_employment = workday_figures(employments, spells, Period(start, end, today))
    per_unit = per_employment.groupby("unit_id")[list(FIGURE_COLUMNS)].sum()
    headcount = headcount_between(conn, start, end)
    workdays = default_calendar().count(start, end)

    rows = []
    for unit in units.itertuples():
        figures = (
            Figures.of(per_unit.loc[unit.unit_id]) if unit.unit_id in per_unit.index else Figures()
        )
        rows.append(
            {
                "unit_id": unit.code,
                "name": unit.name,
                "headcount": int(headcount.get(unit.unit_id, 0)),
                **figure_row(figures, workdays),
            }
        )
    active = employments[
        (employments["start"] <= pd.Timestamp(end))
        & (employments["end"].isna() | (employments["end"] >= pd.Timestamp(start)))
    ]
    total = {
        "unit_id": None,
        "name": None,
        "headcount": int(active["employee_id"].nunique()),
        **figure_row(Figures.of(per_unit), workdays),
    }
    return {"from": start.isoformat(), "to": end.isoformat(), "units": rows, "total": total}


def quarter_sums(monthly: pd.DataFrame, quarters: list[Quarter]) -> pd.DataFrame:
    """Unit × month sums folded into the given quarters: one row per (unit_id, quarter)."""
    if monthly.empty:
        return pd.DataFrame(columns=["unit_id", "quarter", *FIGURE_COLUMNS])
    month = monthly["month"]
    label = month.dt.year.astype(str) + "Q" + ((month.dt.month - 1) // 3 + 1).astype(str)
    wanted = label.isin([str(q) for q in quarters])
    folded = monthly[wanted].assign(quarter=label[wanted])
    return folded.groupby(["unit_id", "quarter"], as_index=False)[list(FIGURE_COLUMNS)].sum()


UNIT_COLUMNS = [
    *UNIT_IDENTITY,
    "project_joined_on",  # the unit's period in the project on the day asked about
    "baseline_quarter",
    "headcount",
    "avg_2y_pct",
    "target_group",
    "reason",
]
LIST_COLUMNS = [
    *UNIT_COLUMNS,
    "last_quarter",
    "last_quarter_pct",
    "baseline_pct",
    "compare_quarter",
    "compare_pct",
    "change_pp",
]
_PCT_COLUMNS = ["avg_2y_pct", "last_quarter_pct", "baseline_pct", "compare_pct", "change_pp"]


def unit_list(conn: Connection, as_of: dt.date, rules: GroupRules | None = None) -> pd.DataFrame:
    """storage.unit_rows' unit list as a DataFrame (NaN where a percentage is undefined)."""
    frame = pd.DataFrame(unit_rows(conn, as_of, rules), columns=LIST_COLUMNS)
    frame[_PCT_COLUMNS] = frame[_PCT_COLUMNS].astype(float)
    return frame.astype({"unit_id": "int64", "headcount": "int64", "target_group": "int64"})


def groups(conn: Connection, as_of: dt.date, rules: GroupRules | None = None) -> pd.DataFrame:
    """Every unit's headcount on `as_of`, 2-year average and target group (with the reason).

    The limits are the stored settings' unless `rules` are given. The 8 quarters lie wholly
    before `as_of`, so the sums do not depend on the day the figures were computed for, as long
    as that is later.
    """
    return unit_list(conn, as_of, rules)[UNIT_COLUMNS]


def groups_json(frame: pd.DataFrame, as_of: dt.date) -> dict[str, Any]:
    return {
        "as_of": as_of.isoformat(),
        "units": [
            {
                "unit_id": row.code,
                "name": row.name,
                "headcount": int(row.headcount),
                "avg_2y_pct": None if pd.isna(row.avg_2y_pct) else float(row.avg_2y_pct),
                "target_group": int(row.target_group),
            }
            for row in frame.itertuples()
        ],
    }


def _unit_of_cases(conn: Connection, cases: pd.DataFrame) -> pd.Series:
    """The case's unit (core.cases.case_units); employments are read only when needed."""
    if not cases["unit_id"].isna().any():
        return cases["unit_id"].copy()
    return case_units(cases, load_employments(conn))


def ongoing_cases(conn: Connection, as_of: dt.date, unit_code: str | None = None) -> pd.DataFrame:
    """Absence cases ongoing on `as_of` with the employee number and unit code."""
    unit_ids = _unit_ids_for(conn, unit_code)
    employee_ids = None
    if unit_ids is not None:
        employee_ids = list(
            conn.execute(
                select(Employment.employee_id).where(Employment.unit_id.in_(unit_ids)).distinct()
            ).scalars()
        )
    spells = load_spells(conn, employee_ids)
    cases, _ = build_cases(spells, as_of)
    ongoing = cases_ongoing(cases, as_of).copy()
    ongoing["unit_id"] = _unit_of_cases(conn, ongoing)
    if unit_ids is not None:
        ongoing = ongoing[ongoing["unit_id"].isin(unit_ids)]
    people = load_employees(conn, ongoing["employee_id"].unique().tolist()).set_index("employee_id")
    codes = load_units(conn).set_index("unit_id")["code"]
    ongoing["employee_number"] = people["number"].reindex(ongoing["employee_id"]).to_numpy()
    ongoing["unit_code"] = codes.reindex(ongoing["unit_id"]).to_numpy()
    return ongoing.sort_values(["unit_code", "start", "employee_number"])


def cases_json(cases: pd.DataFrame, as_of: dt.date) -> dict[str, Any]:
    rows = []
    for row in cases.itertuples():
        start = row.start.date()
        dates = milestone_dates(start)
        rows.append(
            {
                "employee_id": row.employee_number,
                "unit_id": None if pd.isna(row.unit_code) else row.unit_code,
                "start": start.isoformat(),
                "end": None if row.open_ended else row.end.date().isoformat(),
                "sick_days": int(row.sick_days),
                "ongoing": True,
                "long_term": bool(row.long_term),
                "milestones": {m.key: dates[m.key].isoformat() for m in MILESTONES},
            }
        )
    return {"as_of": as_of.isoformat(), "cases": rows}


@dataclass(frozen=True)
class UnitOverview:
    """Everything the unit overview shows, computed from the monthly figures."""

    unit_id: int
    code: str
    name: str
    service_area: str | None
    leader: str | None
    headcount: int
    avg_2y_pct: float | None
    target_group: int
    reason: str
    monthly: pd.DataFrame  # month, FIGURE_COLUMNS, pct: the last 24 complete months
    quarters: pd.DataFrame  # quarter, FIGURE_COLUMNS, pct: the last 8 complete quarters
    last_quarter: str
    last_quarter_figures: Figures
    baseline_quarter: str | None
    baseline_pct: float | None
    compare_quarter: str | None
    compare_pct: float | None
    last_four_pct: float | None
    before_four_pct: float | None
    goal_pp: float  # the project's goal, a reduction in percentage points (a setting)
    membership: Membership | None  # the unit's latest period in the project (it may have ended)

    @property
    def change_pp(self) -> float | None:
        if self.baseline_pct is None or self.compare_pct is None:
            return None
        return self.compare_pct - self.baseline_pct

    @property
    def goal_pct(self) -> float | None:
        return None if self.baseline_pct is None else self.baseline_pct - self.goal_pp


def _none(value: Any) -> Any:
    return None if value is None or pd.isna(value) else value


def _unit_months(conn: Connection, unit_id: int, first: dt.date, last: dt.date) -> pd.DataFrame:
    """One unit's monthly figures from `first` to `last` (columns month and FIGURE_COLUMNS)."""
    if not figures_cover(conn, first):
        monthly = monthly_figures(conn, first, last)
        return monthly[monthly["unit_id"] == unit_id]
    columns = ["month", *FIGURE_COLUMNS]
    rows = conn.execute(
        text(
            f"SELECT {', '.join(columns)} FROM unit_month_figures "
            "WHERE unit_id = :unit AND month BETWEEN :first AND :last"
        ),
        {"unit": unit_id, "first": first.isoformat(), "last": last.isoformat()},
    ).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=columns)
    frame["month"] = pd.to_datetime(frame["month"], format="%Y-%m-%d")
    return frame.astype(dict.fromkeys(FIGURE_COLUMNS, float)).assign(unit_id=unit_id)


def unit_overview(conn: Connection, unit_id: int, today: dt.date) -> UnitOverview:
    settings = load_settings(conn)
    (row,) = unit_rows(conn, today, settings.group_rules(), unit_id)
    last = complete_quarters_before(today, 1)[0]
    eight = complete_quarters_before(today, 8)
    baseline_code = _none(row["baseline_quarter"])
    baseline = Quarter.parse(baseline_code) if baseline_code else None
    before = [baseline.shift(-i) for i in range(3, -1, -1)] if baseline else []
    first = min([eight[0].start, *(q.start for q in before)])
    monthly = _unit_months(conn, unit_id, first, last.end)
    quarters = quarter_sums(monthly, eight + before).set_index("quarter")

    def quarter_pct(chosen: list[Quarter]) -> float | None:
        part = quarters.reindex([str(q) for q in chosen]).dropna()
        return Figures.of(part).sick_leave_pct if len(part) else None

    last_24 = monthly[monthly["month"] >= pd.Timestamp(add_months(last.end, -23))]
    last_24 = last_24.sort_values("month").assign(
        pct=lambda f: pct_series(f["lost"], f["possible"])
    )
    shown = quarters.reindex([str(q) for q in eight]).fillna(0.0)
    shown = shown.assign(pct=pct_series(shown["lost"], shown["possible"])).reset_index()
    last_figures = Figures.of(quarters.loc[str(last)]) if str(last) in quarters.index else Figures()
    return UnitOverview(
        unit_id=unit_id,
        code=row["code"],
        name=row["name"],
        service_area=_none(row["service_area"]),
        leader=_none(row["leader"]),
        headcount=int(row["headcount"]),
        avg_2y_pct=_none(row["avg_2y_pct"]),
        target_group=int(row["target_group"]),
        reason=row["reason"],
        monthly=last_24.reset_index(drop=True),
        quarters=shown,
        last_quarter=str(last),
        last_quarter_figures=last_figures,
        baseline_quarter=_none(row["baseline_quarter"]),
        baseline_pct=_none(row["baseline_pct"]),
        compare_quarter=_none(row["compare_quarter"]),
        compare_pct=_none(row["compare_pct"]),
        last_four_pct=quarter_pct(complete_quarters_before(today, 4)) if baseline else None,
        before_four_pct=quarter_pct(before) if baseline else None,
        goal_pp=settings.goal_pp,
        membership=row["membership"],
    )
