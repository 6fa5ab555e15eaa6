"""Figures the command line and the screens share: stats, target groups, cases, unit list.

Each function loads what it needs in one or two queries and leaves the arithmetic to core.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, case, func, select

from core.calendar import default_calendar
from core.cases import MILESTONES, build_cases, cases_ongoing, milestone_dates
from core.groups import GroupRules, target_groups
from core.periods import Quarter, add_months, complete_quarters_before
from core.sickleave import (
    FIGURE_COLUMNS,
    Figures,
    Period,
    pct_series,
    with_long_term,
    workday_figures,
)
from core.vocabulary import OPEN_STATUSES
from storage.db import transaction
from storage.figures import figures_as_of, monthly_figures, refresh_figures
from storage.models import Employment, Measure, Unit
from storage.models import Session as MeetingSession
from storage.repository import (
    headcount_between,
    headcount_on,
    load_employees,
    load_employments,
    load_spells,
    load_units,
)
from storage.settings import load_settings


class UnknownUnit(LookupError):
    """No unit with the code the user gave."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Fant ingen enhet med enhet_id {code!r}.")


def ensure_figures_current(engine: Engine, today: dt.date | None = None) -> bool:
    """Rebuild the monthly figures if they were computed before today. True if rebuilt."""
    today = today or dt.date.today()
    with engine.connect() as conn:
        if figures_as_of(conn) == today:
            return False
    with transaction(engine) as session:
        refresh_figures(session, today)
    return True


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


def groups(conn: Connection, as_of: dt.date, rules: GroupRules | None = None) -> pd.DataFrame:
    """Every unit's headcount on `as_of`, 2-year average and target group (with the reason).

    The limits are the stored settings' unless `rules` are given. Uses the precomputed monthly
    figures: the 8 quarters lie wholly before `as_of`, so the sums do not depend on the day the
    figures were computed for, as long as that is later.
    """
    if rules is None:
        rules = load_settings(conn).group_rules()
    quarters = complete_quarters_before(as_of, 8)
    monthly = monthly_figures(conn, quarters[0].start, quarters[-1].end)
    sums = monthly.groupby("unit_id")[["lost", "possible"]].sum()
    units = load_units(conn).set_index("unit_id")
    units["headcount"] = headcount_on(conn, as_of).reindex(units.index).fillna(0).astype(int)
    units["avg_2y_pct"] = pct_series(
        sums["lost"].reindex(units.index), sums["possible"].reindex(units.index)
    )
    return target_groups(units.reset_index(), rules)


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
    """The case's unit: the unit its spells name, else the employment active at its start."""
    unit = cases["unit_id"].copy()
    missing = unit.isna()
    if missing.any():
        employments = load_employments(conn)
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


def same_season_after(baseline: Quarter, last_complete: Quarter) -> Quarter | None:
    """The latest quarter of the baseline's season that is complete and after the baseline.

    Sick leave is seasonal, so progress compares like with like (2024Q3 with 2025Q3, …).
    """
    candidate = last_complete.shift(-((last_complete.q - baseline.q) % 4))
    return candidate if candidate > baseline else None


def unit_list(conn: Connection, as_of: dt.date, rules: GroupRules | None = None) -> pd.DataFrame:
    """One row per unit for the unit list: headcount, 2-year average, last quarter, baseline.

    `change_pp` is the unit's latest same-season quarter minus its baseline quarter.
    """
    frame = groups(conn, as_of, rules).set_index("unit_id")
    last = complete_quarters_before(as_of, 1)[0]
    baseline = frame["baseline_quarter"].map(
        lambda q: Quarter.parse(q) if isinstance(q, str) else None
    )
    compare = baseline.map(lambda q: same_season_after(q, last) if q is not None else None)
    wanted = {last, *baseline.dropna(), *compare.dropna()}
    monthly = monthly_figures(conn, min(q.start for q in wanted), last.end)
    quarters = quarter_sums(monthly, sorted(wanted)).set_index(["unit_id", "quarter"])
    pct = pct_series(quarters["lost"], quarters["possible"])

    def lookup(unit_id: int, quarter: Quarter | None) -> float:
        key = (unit_id, str(quarter))
        return float(pct.loc[key]) if quarter is not None and key in pct.index else np.nan

    frame["last_quarter"] = str(last)
    frame["last_quarter_pct"] = [lookup(u, last) for u in frame.index]
    frame["baseline_pct"] = [lookup(u, q) for u, q in baseline.items()]
    frame["compare_quarter"] = compare.map(lambda q: str(q) if q is not None else None)
    frame["compare_pct"] = [lookup(u, q) for u, q in compare.items()]
    frame["change_pp"] = frame["compare_pct"] - frame["baseline_pct"]
    return frame.reset_index()


def has_units(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(Unit.id).limit(1)).first() is not None


def measure_counts(conn: Connection, today: dt.date) -> pd.DataFrame:
    """Open (åpen or pågår) and overdue measures per unit."""
    is_open = Measure.status.in_(OPEN_STATUSES)
    overdue = case((is_open & (Measure.due_date < today), 1), else_=0)
    rows = conn.execute(
        select(Measure.unit_id, func.count(), func.sum(overdue))
        .where(is_open)
        .group_by(Measure.unit_id)
    ).all()
    return pd.DataFrame(rows, columns=["unit_id", "open_measures", "overdue_measures"]).set_index(
        "unit_id"
    )


def last_sessions(conn: Connection) -> pd.Series:
    rows = conn.execute(
        select(MeetingSession.unit_id, func.max(MeetingSession.held_on)).group_by(
            MeetingSession.unit_id
        )
    ).all()
    return pd.Series({unit: held for unit, held in rows}, name="last_session", dtype=object)


def unit_list_with_activity(
    conn: Connection, today: dt.date, rules: GroupRules | None = None
) -> pd.DataFrame:
    """The unit list with open/overdue measures and the date of the last session."""
    frame = unit_list(conn, today, rules).set_index("unit_id")
    counts = measure_counts(conn, today).reindex(frame.index).fillna(0).astype(int)
    frame = frame.join(counts)
    frame["last_session"] = last_sessions(conn).reindex(frame.index)
    return frame.reset_index()


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


def unit_overview(conn: Connection, unit_id: int, today: dt.date) -> UnitOverview:
    settings = load_settings(conn)
    frame = unit_list(conn, today, settings.group_rules())
    row = next(r for r in frame.to_dict("records") if r["unit_id"] == unit_id)
    last = complete_quarters_before(today, 1)[0]
    eight = complete_quarters_before(today, 8)
    baseline_code = _none(row["baseline_quarter"])
    baseline = Quarter.parse(baseline_code) if baseline_code else None
    before = [baseline.shift(-i) for i in range(3, -1, -1)] if baseline else []
    first = min([eight[0].start, *(q.start for q in before)])
    monthly = monthly_figures(conn, first, last.end)
    monthly = monthly[monthly["unit_id"] == unit_id]
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
    )
