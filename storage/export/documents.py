"""What each exported document holds, gathered from storage; the renderers only lay it out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

import pandas as pd
from sqlalchemy import Connection, Engine, select

from core import fmt
from core.masking import NO_NAMES, employee_placeholder, shown_leader
from core.periods import Quarter, add_months, complete_quarters_before
from core.sickleave import Figures, pct
from core.summary import SessionSummary
from core.text import clean_text
from core.vocabulary import MEASURE_LEVELS, MEASURE_STATUSES
from storage import sessions
from storage.figures import monthly_figures
from storage.models import Unit
from storage.reports import UnitOverview, UnknownUnit, quarter_sums, unit_list
from storage.reports import unit_overview as load_overview
from storage.repository import headcount_between, unit_masker

# NAV's threshold: a figure about fewer persons than this never leaves the app for several units.
MIN_PERSONS: Final = 5
HIDDEN: Final = "***"
Hidden: TypeAlias = Literal["***"]
# A figure in the status report: a value, undefined (None, shown as "–"), or hidden.
Shown: TypeAlias = float | Hidden | None


def unit_id_of(engine: Engine, code: str) -> int:
    """The id of the unit with this code (enhet_id); UnknownUnit if there is none."""
    with engine.connect() as conn:
        unit_id = conn.execute(select(Unit.id).where(Unit.code == code)).scalar()
    if unit_id is None:
        raise UnknownUnit(code)
    return int(unit_id)


# --- the unit's figures, shared by the summary and the unit report ------------------------------


@dataclass(frozen=True)
class KeyFigure:
    """One key figure: a Norwegian label, a value of a known kind, and where it belongs."""

    label: str
    value: float | int | str | None
    kind: Literal["pct", "pp", "count", "text"]
    # now and its breakdown side by side with progress; a note is a sentence of its own.
    part: Literal["now", "breakdown", "progress", "note"] = "now"

    def display(self) -> str:
        if self.kind == "text" or isinstance(self.value, str):
            return str(self.value) if self.value is not None else fmt.MISSING
        if self.kind == "pct":
            return fmt.percent(self.value)
        if self.kind == "pp":
            return fmt.points(self.value)
        return fmt.MISSING if self.value is None else str(self.value)


def key_figures(overview: UnitOverview) -> list[KeyFigure]:
    """The figures the leader sees first: now, the breakdowns, and progress from the baseline."""
    f = overview.last_quarter_figures
    last = fmt.quarter_label(overview.last_quarter)
    figures = [
        KeyFigure("Ansatte", overview.headcount, "count"),
        KeyFigure("Snitt siste to år", overview.avg_2y_pct, "pct"),
        KeyFigure(f"Sykefravær {last}", f.sick_leave_pct, "pct"),
        KeyFigure("Egenmeldt", f.self_certified_pct, "pct", "breakdown"),
        KeyFigure("Legemeldt", f.doctor_certified_pct, "pct", "breakdown"),
        KeyFigure("Korttid (til og med 16 dager)", f.short_term_pct, "pct", "breakdown"),
        KeyFigure("Langtid (17 dager eller mer)", f.long_term_pct, "pct", "breakdown"),
        KeyFigure("Gradert andel av fraværet", f.graded_share_pct, "pct", "breakdown"),
        KeyFigure("Målgruppe", overview.reason, "text", "note"),
    ]
    if overview.baseline_quarter is None:
        return [
            *figures,
            KeyFigure("Prosjekt", "Enheten er ikke med i prosjektet.", "text", "note"),
        ]
    baseline = fmt.quarter_label(overview.baseline_quarter)
    figures += [
        KeyFigure(f"Nullpunkt {baseline}", overview.baseline_pct, "pct", "progress"),
        KeyFigure(
            f"Mål (nullpunkt {fmt.points(-overview.goal_pp)})", overview.goal_pct, "pct", "progress"
        ),
    ]
    if overview.compare_quarter is not None:
        compare = fmt.quarter_label(overview.compare_quarter)
        # The last quarter is shown already when it is the one compared.
        if overview.compare_quarter != overview.last_quarter:
            figures.append(
                KeyFigure(f"Sykefravær {compare}", overview.compare_pct, "pct", "progress")
            )
        figures.append(KeyFigure(f"Endring til {compare}", overview.change_pp, "pp", "progress"))
    return [
        *figures,
        KeyFigure("Siste fire kvartaler", overview.last_four_pct, "pct", "progress"),
        KeyFigure("Fire kvartaler før oppstart", overview.before_four_pct, "pct", "progress"),
    ]


def monthly_series(overview: UnitOverview) -> list[tuple[dt.date, float | None]]:
    """All 24 months up to the last complete quarter, None where nothing was possible.

    Every month is there even without figures, so that a chart's ticks stay evenly spaced.
    """
    last = Quarter.parse(overview.last_quarter).end
    months = [add_months(last, -i) for i in range(23, -1, -1)]
    known = {
        row.month.date(): None if pd.isna(row.pct) else float(row.pct)
        for row in overview.monthly.itertuples()
    }
    return [(month, known.get(month)) for month in months]


@dataclass(frozen=True)
class QuarterFigures:
    quarter: str  # '2026Q3'
    figures: Figures


def quarter_figures(overview: UnitOverview) -> list[QuarterFigures]:
    return [
        QuarterFigures(str(row["quarter"]), Figures.of(row))
        for _, row in overview.quarters.iterrows()
    ]


# --- names ---------------------------------------------------------------------------------------


def person(number: str | None, name: str | None, masked: bool) -> str:
    """How an employee is named in a document: `ansatt 100234` when masked."""
    if number is None:
        return ""
    if masked or not (name and name.strip()):
        return employee_placeholder(clean_text(number))
    return f"{one_line(name)} ({clean_text(number)})"


def one_line(text: str) -> str:
    return " ".join(clean_text(text).split())


# --- the session summary -------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryDocument:
    summary: SessionSummary
    overview: UnitOverview  # as of the day the session was held
    masked: bool


def summary_document(engine: Engine, session_id: int, *, masked: bool) -> SummaryDocument:
    info = sessions.session_info(engine, session_id)
    summary = sessions.session_summary(engine, session_id)
    with engine.connect() as conn:
        overview = load_overview(conn, info.unit_id, info.held_on)
    return SummaryDocument(summary, overview, masked)


# --- the unit report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureEntry:
    level: str
    person: str  # "" for measures that are not about one employee
    text: str
    owner: str
    due_date: dt.date | None
    status: str


@dataclass(frozen=True)
class UnitReport:
    overview: UnitOverview
    leader: str | None  # HIDDEN_LEADER when masked
    measures: tuple[MeasureEntry, ...]
    as_of: dt.date
    masked: bool


def unit_report(engine: Engine, unit_id: int, as_of: dt.date, *, masked: bool) -> UnitReport:
    with engine.connect() as conn:
        overview = load_overview(conn, unit_id, as_of)
        names = unit_masker(conn, unit_id) if masked else NO_NAMES
    rows = sessions.measures_for_unit(engine, unit_id)
    measures = tuple(
        MeasureEntry(
            level=MEASURE_LEVELS.get(m.level, m.level),
            person=person(m.employee_number, m.employee_name, masked),
            text=names.text(one_line(m.text)),
            owner=names.text(one_line(m.owner)),
            due_date=m.due_date,
            status=MEASURE_STATUSES.get(m.status, m.status),
        )
        for m in rows
    )
    leader = shown_leader(overview.leader, masked)
    return UnitReport(overview, leader and one_line(leader), measures, as_of, masked)


# --- the status report for several units ---------------------------------------------------------


STATUS_EXPLAINED: Final = (
    "Bare tall per enhet, ingen personopplysninger. *** = tall om færre enn 5 personer; de er "
    "heller ikke med i summene. Nullpunktet er kvartalet før enheten ble med i prosjektet; det "
    "sammenlignes med samme kvartal senere (sykefravær varierer med årstiden)."
)


@dataclass(frozen=True)
class StatusRow:
    """One unit, unit-level figures only; a figure about fewer than 5 persons is HIDDEN."""

    code: str
    name: str
    service_area: str | None
    headcount: int | Hidden
    target_group: int | Hidden
    avg_2y_pct: Shown
    last_pct: Shown
    baseline_quarter: str | None
    baseline_pct: Shown
    compare_quarter: str | None
    compare_pct: Shown
    change_pp: Shown


@dataclass(frozen=True)
class StatusTotal:
    """A target group (or all units) summed over the figures that are shown, never hidden ones."""

    label: str
    units: int
    headcount: int
    avg_2y_pct: float | None
    last_pct: float | None
    baseline_pct: float | None
    compare_pct: float | None

    @property
    def change_pp(self) -> float | None:
        if self.baseline_pct is None or self.compare_pct is None:
            return None
        return self.compare_pct - self.baseline_pct


@dataclass(frozen=True)
class StatusReport:
    as_of: dt.date
    last_quarter: str
    rows: tuple[StatusRow, ...]
    totals: tuple[StatusTotal, ...]

    def totals_headings(self) -> list[str]:
        """The target-group totals' column headings, the same in every format."""
        return [
            "Målgruppe",
            "Enheter",
            "Ansatte",
            "Snitt 2 år",
            fmt.quarter_label(self.last_quarter),
            "Nullpunkt",
            "Sammenlignet",
            "Endring",
        ]


Sums = tuple[float, float]  # (lost, possible) workdays


class _Sums:
    """Lost and possible workdays per unit and period, and who was employed then."""

    def __init__(self, conn: Connection, quarters: pd.DataFrame) -> None:
        self.conn = conn
        self.quarters = quarters.set_index(["unit_id", "quarter"])[["lost", "possible"]]
        self._headcounts: dict[tuple[dt.date, dt.date], pd.Series] = {}

    def persons(self, unit_id: int, start: dt.date, end: dt.date) -> int:
        if (start, end) not in self._headcounts:
            self._headcounts[start, end] = headcount_between(self.conn, start, end)
        return int(self._headcounts[start, end].get(unit_id, 0))

    def of(self, unit_id: int, quarters: list[Quarter]) -> Sums | None:
        """(lost, possible) over the quarters, or None if the unit had fewer than 5 persons."""
        if self.persons(unit_id, quarters[0].start, quarters[-1].end) < MIN_PERSONS:
            return None
        part = self.quarters.reindex([(unit_id, str(q)) for q in quarters]).fillna(0.0)
        return float(part["lost"].sum()), float(part["possible"].sum())


@dataclass(frozen=True)
class _Shown:
    """What of one unit may enter the totals: only what its row shows."""

    group: int | None
    headcount: int | None
    two_years: Sums | None
    last: Sums | None
    baseline: Sums | None
    compare: Sums | None


def _pct(sums: Sums | None) -> Shown:
    return HIDDEN if sums is None else pct(*sums)


def _change(baseline: Sums | None, compare: Sums | None) -> Shown:
    if baseline is None or compare is None:
        return HIDDEN
    before, after = pct(*baseline), pct(*compare)
    return None if before is None or after is None else after - before


def _total(values: Iterable[Sums | None]) -> float | None:
    shown = [v for v in values if v is not None]
    return pct(sum(v[0] for v in shown), sum(v[1] for v in shown)) if shown else None


def _status_total(label: str, units: list[_Shown]) -> StatusTotal:
    return StatusTotal(
        label=label,
        units=len(units),
        headcount=sum(u.headcount or 0 for u in units),
        avg_2y_pct=_total(u.two_years for u in units),
        last_pct=_total(u.last for u in units),
        baseline_pct=_total(u.baseline for u in units),
        compare_pct=_total(u.compare for u in units),
    )


def status_report(engine: Engine, as_of: dt.date) -> StatusReport:
    """Every unit's figures with small groups hidden, and totals per target group.

    Hidden figures are left out of the totals too, so that no total minus the figures shown
    gives one away.
    """
    eight = complete_quarters_before(as_of, 8)
    last = eight[-1]
    with engine.connect() as conn:
        units = unit_list(conn, as_of).sort_values(["target_group", "name"])
        baselines = {Quarter.parse(q) for q in units["baseline_quarter"].dropna()}
        compares = {Quarter.parse(q) for q in units["compare_quarter"].dropna()}
        first = min([eight[0], *baselines]).start
        monthly = monthly_figures(conn, first, last.end)
        sums = _Sums(conn, quarter_sums(monthly, [*eight, *baselines, *compares]))
        rows: list[StatusRow] = []
        shown: list[_Shown] = []
        for unit in units.itertuples():
            unit_id = int(unit.unit_id)
            headcount = sums.persons(unit_id, as_of, as_of)
            two_years, last_sums = sums.of(unit_id, eight), sums.of(unit_id, [last])
            base_q = Quarter.parse(unit.baseline_quarter) if _text(unit.baseline_quarter) else None
            comp_q = Quarter.parse(unit.compare_quarter) if _text(unit.compare_quarter) else None
            base = sums.of(unit_id, [base_q]) if base_q else None
            comp = sums.of(unit_id, [comp_q]) if comp_q else None
            small = headcount < MIN_PERSONS
            # The target group tells whether the 2-year average is over 11 or 16 %.
            group = None if small or two_years is None else int(unit.target_group)
            rows.append(
                StatusRow(
                    code=unit.code,
                    name=unit.name,
                    service_area=unit.service_area if _text(unit.service_area) else None,
                    headcount=HIDDEN if small else headcount,
                    target_group=HIDDEN if group is None else group,
                    avg_2y_pct=_pct(two_years),
                    last_pct=_pct(last_sums),
                    baseline_quarter=str(base_q) if base_q else None,
                    baseline_pct=_pct(base) if base_q else None,
                    compare_quarter=str(comp_q) if comp_q else None,
                    compare_pct=_pct(comp) if comp_q else None,
                    change_pp=_change(base, comp) if base_q and comp_q else None,
                )
            )
            # Progress compares like with like: a unit counts only with both ends shown.
            pair = base is not None and comp is not None
            shown.append(
                _Shown(
                    group=group,
                    headcount=None if small else headcount,
                    two_years=two_years,
                    last=last_sums,
                    baseline=base if pair else None,
                    compare=comp if pair else None,
                )
            )
    groups = sorted({u.group for u in shown if u.group is not None})
    totals = [_status_total(f"Målgruppe {g}", [u for u in shown if u.group == g]) for g in groups]
    totals.append(_status_total("Alle enheter", shown))
    return StatusReport(as_of, str(last), tuple(rows), tuple(totals))


def _text(value: object) -> bool:
    """A text column's value is there (pandas gives None or NaN for a missing one)."""
    return isinstance(value, str) and bool(value)
