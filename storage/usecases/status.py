"""Statusoversikt: every unit's progress, prognosis and activity, with Σ totals, in few queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from core.calendar import default_calendar
from core.errors import InvalidInput
from core.goal import unit_goal
from core.periods import Quarter, complete_quarters_before, same_season_after
from core.savings import FteInUse, Savings, fte_in_use, savings_estimate
from core.settings import Settings
from core.sickleave import by_quarter, pct
from core.status import SUM_COLUMNS, sector_line, too_few, total, with_figures
from core.text import by_name
from core.vocabulary import OPEN_STATUSES
from storage.figures import monthly_figures, prognoses
from storage.repos import project as project_repo
from storage.repos import unit_status as unit_status_rows
from storage.repos import units as unit_repo
from storage.repos.figures import figures_as_of, figures_cover, total_quarter_sums
from storage.repos.settings import is_stored, load_settings
from storage.usecases import reading
from storage.usecases.reports import UNIT_COLUMNS, groups_of, rows_frame
from storage.usecases.unit_rows import unit_rows

FORECAST_QUARTERS = 4


@dataclass(frozen=True, slots=True)
class ProjectChart:
    """The project's % per quarter, the prognosis beyond, the sector, the baseline and goal."""

    quarters: tuple[str, ...]  # complete quarters, then the forecast quarters
    project: tuple[float | None, ...]
    forecast: tuple[float | None, ...]  # from the last complete quarter, so that the lines meet
    sector: tuple[float | None, ...]
    sector_label: str
    sector_source: str
    baseline_pct: float | None
    goal_pct: float | None


@dataclass(frozen=True, slots=True)
class StatusReport:
    """Everything the status screen and the savings panel show."""

    as_of: dt.date
    settings: Settings
    last_quarter: str
    compare_quarter: str | None  # the municipality's: the baseline's season, latest complete
    forecast_quarter: str
    # One row per unit (project units and the others), figures as in core.status.with_figures,
    # plus identity, the target group at joining and today, and the last session.
    units: pd.DataFrame
    # Rows keyed by `key`: group1, group2, group3 (project units by group at joining, those that
    # occur), project, others (units outside the project) and municipality (every unit).
    # Units and totals carry `hidden`: fewer than 5 persons (core.status.too_few).
    totals: pd.DataFrame
    chart: ProjectChart
    # The årsverk of the municipality's savings: the settings' if the user set it, else the data's.
    fte: FteInUse
    data_fte: FteInUse  # the data's own, what `fte` falls back to when the setting is removed

    def project_units(self) -> pd.DataFrame:
        return self.units[self.units["project"]]

    def municipality_savings(
        self, settings: Settings | None = None, fte: FteInUse | None = None
    ) -> Savings | None:
        """The municipality's savings from its change (DOMAIN.md); None while it has none."""
        settings = settings or self.settings
        fte = fte or self.fte
        change = _optional(self.totals.set_index("key").at["municipality", "change_pp"])
        if change is None or fte.value is None:
            return None
        return savings_estimate(
            -change, fte.value, settings.cost_per_day, settings.workdays_per_year
        )


def _quarter_or_none(value: Any) -> Quarter | None:
    return Quarter.parse(value) if isinstance(value, str) and value else None


def _span(first: Quarter, last: Quarter) -> list[Quarter]:
    count = (last.year - first.year) * 4 + last.q - first.q + 1
    return [first.shift(i) for i in range(max(count, 0))]


def _before_four(baseline: Quarter | None) -> list[Quarter]:
    """The four quarters up to and including the baseline: the year before joining."""
    return [baseline.shift(-i) for i in range(3, -1, -1)] if baseline else []


class _QuarterTable:
    """Lost and possible workdays per unit and quarter, from one read of the monthly figures."""

    def __init__(self, monthly: pd.DataFrame, quarters: list[Quarter]) -> None:
        sums = by_quarter(monthly, quarters).set_index(["unit_id", "quarter"])
        self.lost: dict[tuple[int, str], float] = sums["lost"].to_dict()
        self.possible: dict[tuple[int, str], float] = sums["possible"].to_dict()

    def sums(self, unit_id: int, quarters: list[Quarter]) -> tuple[float, float]:
        """(lost, possible) over the quarters; (0, 0) when there are none."""
        keys = [(unit_id, str(q)) for q in quarters]
        return (
            sum(self.lost.get(k, 0.0) for k in keys),
            sum(self.possible.get(k, 0.0) for k in keys),
        )

    def pct(self, unit_ids: list[int], quarter: Quarter) -> float | None:
        lost, possible = 0.0, 0.0
        for unit_id in unit_ids:
            lost += self.lost.get((unit_id, str(quarter)), 0.0)
            possible += self.possible.get((unit_id, str(quarter)), 0.0)
        return pct(lost, possible)


def _unit_sums(
    table: _QuarterTable,
    unit_id: int,
    baseline: Quarter | None,
    last: Quarter,
    last_four: list[Quarter],
) -> dict[str, float]:
    compare = same_season_after(baseline, last) if baseline else None
    row: dict[str, float] = {}
    for name, quarters in (
        ("baseline", [baseline] if baseline else []),
        ("compare", [compare] if compare else []),
        ("before_four", _before_four(baseline)),
        ("last_four", last_four),
    ):
        row[f"{name}_lost"], row[f"{name}_possible"] = table.sums(unit_id, quarters)
    row["year_possible"] = row["last_four_possible"]
    return row


def _forecasts(conn: Connection, today: dt.date, quarters: int) -> pd.DataFrame:
    """The prognosis per unit and quarter (storage.figures.prognoses), with its lost workdays.

    `lost`, `known_lost` and `possible` are the prognosis's own workdays (core.forecast), so a
    group's prognosis is Σ lost / Σ possible as every other total.
    """
    return prognoses(conn, today, quarters)


def _joined_groups(conn: Connection, units: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Each project unit's target group on the day it joined, with the reason.

    A unit that improved must stay in the group it joined from: counting it in a lower group
    today would make the groups' progress look worse than it is. The group recorded when the
    unit joined stands; the reason is computed for that day, and periods from before groups
    were recorded take the computed group.
    """
    rules = settings.group_rules()
    project = units[units["project"]]
    parts = []
    for joined in sorted(project["project_joined_on"].unique()):
        at_joining = groups_of(conn, pd.Timestamp(joined).date(), rules)
        wanted = project.loc[project["project_joined_on"] == joined, "unit_id"]
        parts.append(at_joining[at_joining["unit_id"].isin(wanted)])
    if not parts:
        return pd.DataFrame(columns=["unit_id", "joined_group", "joined_reason"])
    computed = pd.concat(parts)[["unit_id", "target_group", "reason"]]
    recorded = project.set_index("unit_id")["target_group_at_joining"]
    recorded = recorded.reindex(computed["unit_id"]).to_numpy()
    group = np.where(pd.isna(recorded), computed["target_group"], recorded).astype(int)
    same = group == computed["target_group"].to_numpy()
    reason = np.where(
        same, computed["reason"], [f"målgruppe {g} da enheten ble med i prosjektet" for g in group]
    )
    return pd.DataFrame(
        {"unit_id": computed["unit_id"].to_numpy(), "joined_group": group, "joined_reason": reason}
    )


def _chart(
    project: list[float | None],
    history: list[Quarter],
    units: pd.DataFrame,
    forecasts: pd.DataFrame,
    baseline_pct: float | None,
    goal_pp: float,
) -> ProjectChart:
    """The chart of the project's % in the `history` quarters (`project`) and its prognosis."""
    project_ids = units.loc[units["project"], "unit_id"].astype(int).tolist()
    ahead = forecasts[forecasts["unit_id"].isin(project_ids) & forecasts["lost"].notna()]
    summed = ahead.groupby("quarter")[["lost", "possible"]].sum()
    targets = sorted(forecasts["quarter"].unique())
    prognosis = [
        pct(summed.at[q, "lost"], summed.at[q, "possible"]) if q in summed.index else None
        for q in targets
    ]
    sector = sector_line([*history, *targets])
    padding: list[float | None] = [None] * len(targets)
    return ProjectChart(
        quarters=(*(str(q) for q in history), *targets),
        project=(*project, *padding),
        forecast=(*([None] * (len(history) - 1)), project[-1], *prognosis),
        sector=tuple(sector.values),
        sector_label=sector.label,
        sector_source=sector.source,
        baseline_pct=baseline_pct,
        goal_pct=None if baseline_pct is None else baseline_pct - goal_pp,
    )


def _total_rows(units: pd.DataFrame, municipal: pd.DataFrame, goal_pp: float) -> pd.DataFrame:
    # A unit hidden for its few people is in no total: it would show through the difference
    # between the total and the units shown beside it.
    shown = ~units["hidden"].to_numpy(dtype=bool)
    # Only what the totals are summed from, as arrays read once: each group is a mask of them.
    summed = [*SUM_COLUMNS, "headcount"]
    own = {name: units[name].to_numpy(dtype=float)[shown] for name in summed}
    whole = {name: municipal[name].to_numpy(dtype=float)[shown] for name in summed}
    project = units["project"].to_numpy(dtype=bool)
    groups = set(units.loc[project, "joined_group"])
    joined = units["joined_group"].to_numpy(dtype=float)[shown]
    project = project[shown]

    def row(
        key: str, label: str, columns: dict[str, np.ndarray], rows: np.ndarray
    ) -> dict[str, Any]:
        members = {name: values[rows] for name, values in columns.items()}
        headcount = int(members["headcount"].sum())
        return {"key": key, "label": label, "headcount": headcount, **total(members)}

    rows = []
    for group in (1, 2, 3):
        if group in groups:  # a group whose units are all hidden has an empty total
            rows.append(
                row(f"group{group}", f"Målgruppe {group}", own, project & (joined == group))
            )
    rows.append(row("project", "Prosjektet", own, project))
    rows.append(row("others", "Øvrige enheter", whole, ~project))
    rows.append(row("municipality", "Kommunen", whole, np.ones_like(project)))
    totals = with_figures(pd.DataFrame(rows), goal_pp)
    totals["hidden"] = [too_few(n) for n in totals["headcount"]]
    return totals


def _optional(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


# Each unit's share of the goal and its light against the sector (core.goal.unit_goal): the
# share for a project unit only, the light for every unit.
GOAL_COLUMNS = (
    "goal_days",
    "goal_nok",
    "achieved_days",
    "achieved_nok",
    "to_go_days",
    "to_go_nok",
    "sector_pct",
    "light",
)


def _one_quarter(table: _QuarterTable, unit_id: int, quarter: Quarter) -> tuple[float, float]:
    return table.sums(unit_id, [quarter])


def _goals(
    table: _QuarterTable,
    unit_ids: list[int],
    baselines: list[Quarter | None],
    last: Quarter,
    settings: Settings,
) -> pd.DataFrame:
    rows = []
    for unit_id, baseline in zip(unit_ids, baselines, strict=True):
        goal = unit_goal(
            baseline,
            last,
            partial(_one_quarter, table, unit_id),
            settings.goal_pp,
            settings.cost_per_day,
        )
        share = goal.share
        rows.append(
            (
                None if share is None else share.goal_days,
                None if share is None else share.goal_kroner,
                None if share is None else share.achieved_days,
                None if share is None else share.achieved_kroner,
                None if share is None else share.to_go_days,
                None if share is None else share.to_go_kroner,
                goal.sector.sector_pct,
                goal.sector.light,
            )
        )
    frame = pd.DataFrame(rows, columns=list(GOAL_COLUMNS))
    numbers = list(GOAL_COLUMNS[:-1])
    frame[numbers] = frame[numbers].astype(float)
    return frame


def status_report(engine: Engine, today: dt.date) -> StatusReport:
    """The status of every unit on `today`, with the totals and the project's chart.

    The one model the status screen, the savings panel, the PDF and XLSX report and
    `status --json` render. InvalidInput (in Norwegian) when there are no units at all.
    """
    with reading(engine) as conn:
        return status_within(conn, today)


# A unit's sums of lost and possible workdays, from its own baseline; those of them that the
# municipality's figures take from the settings' baseline instead.
OWN_SUMS = tuple(
    f"{name}_{part}"
    for name in ("baseline", "compare", "last_four", "before_four")
    for part in ("lost", "possible")
)
MUNICIPAL_SUMS = tuple(name for name in OWN_SUMS if not name.startswith("last_four"))


def unit_status(conn: Connection, today: dt.date, settings: Settings) -> pd.DataFrame:
    """Every unit's status on `today` but its activity and prognosis, by name: what
    storage.models.UnitStatus stores (the sums from the settings' baseline as `municipal_*`)
    with the unit's identity. Empty when there are no units.
    """
    last = complete_quarters_before(today, 1)[0]
    last_four = complete_quarters_before(today, 4)
    rows = unit_rows(conn, today, settings.group_rules())
    units = rows_frame(rows, [*UNIT_COLUMNS, "target_group_at_joining"])
    if units.empty:
        return units
    project = units["project_joined_on"].notna()
    baselines = [
        _quarter_or_none(q) if joined else None
        for q, joined in zip(units["baseline_quarter"], project, strict=True)
    ]
    first = _first_quarter(last, [*baselines, settings.baseline])
    table = _QuarterTable(monthly_figures(conn, first.start, last.end), _span(first, last))
    unit_ids = units["unit_id"].astype(int).tolist()
    own = pd.DataFrame(
        [
            _unit_sums(table, u, b, last, last_four)
            for u, b in zip(unit_ids, baselines, strict=True)
        ],
        index=units.index,
    )
    municipal = pd.DataFrame(
        [_unit_sums(table, u, settings.baseline, last, last_four) for u in unit_ids],
        index=units.index,
    )[list(MUNICIPAL_SUMS)].add_prefix("municipal_")
    goals = _goals(table, unit_ids, baselines, last, settings)
    goals.index = units.index
    # Floats also where no unit has a quarter to sum (a sum of nothing is the integer 0).
    sums = pd.concat([own[list(OWN_SUMS)], municipal], axis=1).astype(float)
    units = pd.concat([units, sums, goals], axis=1)
    units = units.merge(
        _joined_groups(conn, units.assign(project=project), settings), on="unit_id", how="left"
    )
    units["compare_quarter"] = [
        str(compare) if b and (compare := same_season_after(b, last)) else None for b in baselines
    ]
    return units


def store_status(conn: Connection) -> None:
    """Store every unit's status for the day of the monthly figures (none before the first),
    after a change of what it is computed from: the figures, the project's periods, the
    settings. Where the figures do not reach back as far as it needs, none is stored.
    """
    unit_status_rows.clear(conn)
    day = figures_as_of(conn)
    if day is None:
        return
    settings = load_settings(conn)
    held = project_repo.memberships(conn)
    baselines = [Quarter.parse(period.baseline_quarter) for p in held.values() for period in p]
    first = _first_quarter(complete_quarters_before(day, 1)[0], [*baselines, settings.baseline])
    if not figures_cover(conn, first.start):
        return
    rows = unit_status(conn, day, settings)
    if not rows.empty:
        unit_status_rows.replace(conn, rows)


def _stored_status(conn: Connection, today: dt.date) -> pd.DataFrame | None:
    """unit_status's frame as stored, when it is for `today` and every unit has its row."""
    if figures_as_of(conn) != today:
        return None
    # By name, as the units are computed (unit_identities): the sums then add up alike.
    return unit_status_rows.load(conn)


def _first_quarter(last: Quarter, baselines: list[Quarter | None]) -> Quarter:
    """The first quarter the status reads: two years back, and the year before each baseline."""
    return min([last.shift(-7), *(q.shift(-3) for q in baselines if q)])


def _project_history(
    conn: Connection, project_ids: list[int], history: list[Quarter]
) -> list[float | None]:
    """The project's % in each quarter of `history`: Σ lost / Σ possible of its units."""
    if figures_cover(conn, history[0].start):
        sums = total_quarter_sums(conn, project_ids, history[0], history[-1])
        return [pct(*sums.get(str(quarter), (0.0, 0.0))) for quarter in history]
    table = _QuarterTable(monthly_figures(conn, history[0].start, history[-1].end), history)
    return [table.pct(project_ids, q) for q in history]


def status_within(conn: Connection, today: dt.date) -> StatusReport:
    """The status report, read in the caller's snapshot.

    Project units are measured from their own baseline quarter; the units outside the project
    and the municipality as a whole from the settings' baseline quarter. InvalidInput (in
    Norwegian) when there are no units at all.
    """
    settings = load_settings(conn)
    last = complete_quarters_before(today, 1)[0]
    last_four = complete_quarters_before(today, 4)
    municipal_baseline = settings.baseline
    municipal_compare = same_season_after(municipal_baseline, last)

    units = _stored_status(conn, today)
    if units is None:
        units = unit_status(conn, today, settings)
    if units.empty:
        raise InvalidInput("Databasen har ingen enheter ennå: importer dem eller lag demodata.")
    unit_ids = units["unit_id"].astype(int).tolist()
    # The activity: open and overdue measures, the last session.
    counts = unit_repo.measure_counts(conn, today, OPEN_STATUSES)
    last_sessions = unit_repo.last_sessions(conn)
    held = [last_sessions.get(u) for u in unit_ids]
    # Columns added a frame at a time (assign), not one by one: each costs more than its values.
    units = units.assign(
        project=units["project_joined_on"].notna(),
        target_group_at_joining=units["target_group_at_joining"].astype(float),
        joined_group=units["joined_group"].astype(float),
        last_session=held,
    )

    forecasts = _forecasts(conn, today, FORECAST_QUARTERS)
    next_quarter = forecasts[forecasts["quarter"] == forecasts["quarter"].min()]
    ahead = next_quarter.set_index("unit_id").reindex(unit_ids)
    municipal = pd.DataFrame(
        {name: units[f"municipal_{name}" if name in MUNICIPAL_SUMS else name] for name in OWN_SUMS}
    )
    units = units.drop(columns=[f"municipal_{name}" for name in MUNICIPAL_SUMS])
    activity = {
        "forecast_lost": ahead["lost"].to_numpy(),
        "forecast_known_lost": ahead["known_lost"].to_numpy(),
        "forecast_possible": ahead["possible"].fillna(0.0).to_numpy(),
    }
    measures = {
        "open_measures": [counts.get(u, (0, 0))[0] for u in unit_ids],
        "overdue_measures": [counts.get(u, (0, 0))[1] for u in unit_ids],
    }
    units = units.assign(
        **activity,
        year_possible=units["last_four_possible"],
        **measures,
        days_since_session=[(today - h).days if isinstance(h, dt.date) else None for h in held],
    )
    units = with_figures(units, settings.goal_pp)
    units["hidden"] = [too_few(n) for n in units["headcount"]]
    municipal = municipal.assign(
        **activity,
        year_possible=municipal["last_four_possible"],
        **measures,
        project=units["project"].to_numpy(),
        headcount=units["headcount"].to_numpy(),
    )
    totals = _total_rows(units, municipal, settings.goal_pp)
    project_total = totals.set_index("key").loc["project"]
    baselines = [
        _quarter_or_none(q) if joined else None
        for q, joined in zip(units["baseline_quarter"], units["project"], strict=True)
    ]
    first = _first_quarter(last, [*baselines, municipal_baseline])
    history = _span(max(first, last.shift(-11)), last)
    project_ids = units.loc[units["project"], "unit_id"].astype(int).tolist()
    chart = _chart(
        _project_history(conn, project_ids, history),
        history,
        units,
        forecasts=forecasts,
        baseline_pct=_optional(project_total["baseline_pct"]),
        goal_pp=settings.goal_pp,
    )
    period_workdays = default_calendar().count(last_four[0].start, last_four[-1].end)
    data_fte = fte_in_use(None, float(units["last_four_possible"].sum()), period_workdays)
    fte = FteInUse(settings.fte, from_settings=True) if is_stored(conn, "fte") else data_fte
    return StatusReport(
        as_of=today,
        settings=settings,
        last_quarter=str(last),
        compare_quarter=str(municipal_compare) if municipal_compare else None,
        forecast_quarter=str(forecasts["quarter"].min()),
        units=units,
        totals=totals,
        chart=chart,
        fte=fte,
        data_fte=data_fte,
    )


_FIGURES = {
    "baseline_pct": "baseline_pct",
    "current_pct": "compare_pct",  # the baseline's season, the latest complete: "now"
    "change_pp": "change_pp",
    "goal_share": "goal_share",
    "last_four_pct": "last_four_pct",
    "before_four_pct": "before_four_pct",
    "four_change_pp": "four_change_pp",
    "forecast_pct": "forecast_pct",
    "forecast_known_pct": "forecast_known_pct",
}


def _figures(row: pd.Series) -> dict[str, Any]:
    """The figures of a unit or total; all null, with `hidden`, for fewer than 5 persons."""
    hidden = bool(row["hidden"])
    figures = {key: None if hidden else _optional(row[column]) for key, column in _FIGURES.items()}
    return {**figures, "hidden": hidden}


def _goal(row: pd.Series) -> dict[str, Any]:
    """The unit's share of the goal and its light against the sector; null for fewer than 5."""
    hidden = bool(row["hidden"])
    figures = {
        key: None if hidden else _optional(row[column])
        for key, column in (
            ("goal_workdays", "goal_days"),
            ("goal_nok", "goal_nok"),
            ("achieved_workdays", "achieved_days"),
            ("achieved_nok", "achieved_nok"),
            ("to_go_workdays", "to_go_days"),
            ("to_go_nok", "to_go_nok"),
        )
    }
    light = row["light"]
    return {
        **figures,
        "sector_pct": _optional(row["sector_pct"]),
        "light": None if hidden or light is None or pd.isna(light) else str(light),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


def status_json(report: StatusReport) -> dict[str, Any]:
    """`status --json`: the model the status screen shows, full precision, English keys.

    The project's units by their target group at joining; each group, the project, the units
    outside it and the municipality with their totals (README documents every key).
    """
    totals = report.totals.set_index("key")
    project = by_name(report.project_units())

    def unit(row: pd.Series) -> dict[str, Any]:
        return {
            "unit_id": row["code"],
            "name": row["name"],
            "joined_on": _iso(row["project_joined_on"]),
            "baseline_quarter": row["baseline_quarter"],
            "compare_quarter": row["compare_quarter"],
            "target_group_at_start": int(row["joined_group"]),
            "target_group": int(row["target_group"]),
            "headcount": None if row["hidden"] else int(row["headcount"]),
            **_figures(row),
            **_goal(row),
            "open_measures": int(row["open_measures"]),
            "overdue_measures": int(row["overdue_measures"]),
            "last_session": _iso(row["last_session"]),
        }

    def summed(key: str) -> dict[str, Any]:
        row = totals.loc[key]
        return {"units": int(row["units"]), **_figures(row)}

    groups = sorted(int(g) for g in project["joined_group"].unique())
    # Fewer than 5 persons in the whole municipality: its change is theirs, hidden too.
    saved = None if totals.at["municipality", "hidden"] else report.municipality_savings()
    return {
        "as_of": report.as_of.isoformat(),
        "baseline_quarter": report.settings.baseline_quarter,
        "current_quarter": report.compare_quarter,
        "last_quarter": report.last_quarter,
        "forecast_quarter": report.forecast_quarter,
        "project": summed("project"),
        "others": summed("others"),
        "municipality": summed("municipality"),
        "savings": {
            "fte": report.fte.value,
            "fte_source": "settings" if report.fte.from_settings else "data",
            "cost_per_day": report.settings.cost_per_day,
            "workdays_per_year": report.settings.workdays_per_year,
            "saved_fte": None if saved is None else saved.saved_fte,
            "savings_nok": None if saved is None else saved.savings_nok,
        },
        "groups": [
            {
                "target_group": group,
                "total": summed(f"group{group}"),
                "units": [
                    unit(row) for _, row in project.iterrows() if row["joined_group"] == group
                ],
            }
            for group in groups
        ],
    }
