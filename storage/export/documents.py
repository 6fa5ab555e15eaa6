"""What each exported document holds, gathered from storage; the renderers only lay it out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal, Protocol, TypeAlias

import pandas as pd
from sqlalchemy import Connection

from core import fmt
from core.goal import LIGHT_LABELS
from core.masking import NO_NAMES, shown_leader
from core.masking import person as named
from core.overview import UnitOverview
from core.periods import Quarter, add_months
from core.savings import FteInUse, Savings
from core.settings import Settings
from core.sickleave import Figures
from core.status import HIDDEN, HIDDEN_NOTE, savings_of
from core.summary import SessionSummary
from core.text import by_name, clean_text
from core.vocabulary import MEASURE_LEVELS, MEASURE_STATUSES
from storage.repos.measures import MeasureRow
from storage.repos.staff import unit_masker

Hidden: TypeAlias = Literal["***"]


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
    return named(clean_text(number), name and one_line(name), masked)


def one_line(text: str) -> str:
    return " ".join(clean_text(text).split())


# --- the session summary -------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryDocument:
    summary: SessionSummary
    overview: UnitOverview  # as of the day the session was held
    masked: bool


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


def unit_report(
    conn: Connection,
    overview: UnitOverview,
    as_of: dt.date,
    rows: Sequence[MeasureRow],
    *,
    masked: bool,
) -> UnitReport:
    """The unit's figures as of `as_of` (`overview`) and its measures (`rows`), names hidden
    when masked."""
    names = unit_masker(conn, overview.unit_id) if masked else NO_NAMES
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
    f"Bare tall per enhet, ingen personopplysninger. {HIDDEN_NOTE}. Enhetene står under "
    "målgruppen de hadde da de ble med i prosjektet. Hver enhet måles fra sitt nullpunkt, "
    "kvartalet før den ble med, mot samme kvartal senere (sykefravær varierer med årstiden); "
    "en sum er summen av tapte / summen av mulige dagsverk over enhetene som har begge. "
    "Besparelse = reduksjon / 100 × mulige dagsverk siste fire kvartaler × kostnad per dag; for "
    "kommunen som i overskriften: reduksjon / 100 × årsverk × kostnad per årsverk i fravær."
)

Kind: TypeAlias = Literal["count", "pct", "pp", "share", "kr", "light"]


@dataclass(frozen=True)
class StatusColumn:
    key: str
    heading: str
    kind: Kind
    personal: bool = True  # a figure about the unit's persons: hidden for fewer than 5

    def show(self, value: Cell) -> str:
        """The cell as the screen writes it: `11,2 %`, `−0,8 p.p.`, `***`, `–`."""
        if value == HIDDEN:
            return HIDDEN
        if isinstance(value, str):  # the light against the sector, as a word
            return value
        number = None if value is None else float(value)
        if number is None and self.kind in ("count", "kr"):
            return fmt.MISSING if self.kind == "kr" else ""
        if self.kind == "pct":
            return fmt.percent(number)
        if self.kind == "pp":
            return fmt.points(number)
        if self.kind == "share":
            return fmt.percent(None if number is None else number * 100)
        if self.kind == "kr":
            return fmt.kroner(number)
        return str(round(number or 0))


# The status screen's columns, and the savings of the savings panel.
STATUS_COLUMNS: Final = (
    StatusColumn("joined_group", "Mgr", "count", personal=False),
    StatusColumn("headcount", "Ansatte", "count"),
    StatusColumn("baseline_pct", "Nullpunkt", "pct"),
    StatusColumn("compare_pct", "Nå", "pct"),
    StatusColumn("change_pp", "Endring", "pp"),
    StatusColumn("goal_share", "Mot mål", "share"),
    StatusColumn("last_four_pct", "Siste 4 kv.", "pct"),
    StatusColumn("before_four_pct", "4 kv. før", "pct"),
    StatusColumn("forecast_pct", "Prognose", "pct"),
    StatusColumn("forecast_known_pct", "Kjent", "pct"),
    StatusColumn("open_measures", "Tiltak åpne", "count", personal=False),
    StatusColumn("overdue_measures", "Forfalt", "count", personal=False),
    StatusColumn("goal_days", "Mål dv/kv.", "count"),
    StatusColumn("to_go_days", "Igjen dv/kv.", "count"),
    StatusColumn("light", "Mot sektor", "light"),
    StatusColumn("savings", "Besparelse", "kr"),
)
# A value, undefined (None: "–", an empty cell), hidden, or the light against the sector's word.
Cell: TypeAlias = float | Hidden | str | None


@dataclass(frozen=True)
class StatusLine:
    """A project unit or a total, its cells in the order of STATUS_COLUMNS."""

    label: str
    total: bool
    cells: tuple[Cell, ...]


class StatusModel(Protocol):
    """What the status report is made from: the status screen's model, which the use case that
    exports the report passes in (storage.usecases.status.StatusReport)."""

    @property
    def as_of(self) -> dt.date: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def last_quarter(self) -> str: ...
    @property
    def compare_quarter(self) -> str | None: ...
    @property
    def forecast_quarter(self) -> str: ...
    @property
    def totals(self) -> pd.DataFrame: ...
    @property
    def fte(self) -> FteInUse: ...
    def project_units(self) -> pd.DataFrame: ...
    def municipality_savings(self) -> Savings | None: ...


@dataclass(frozen=True)
class StatusReport:
    """The status screen's model as lines for a document."""

    as_of: dt.date
    last_quarter: str
    forecast_quarter: str
    lines: tuple[StatusLine, ...]
    headline: tuple[tuple[str, str], ...]  # the project's summary, as the screen's


def _cell(row: pd.Series, column: StatusColumn, cost_per_day: float) -> Cell:
    if column.personal and bool(row["hidden"]):
        return HIDDEN
    if column.key == "savings":
        saved = savings_of(_number(row["change_pp"]), float(row["year_possible"]), cost_per_day)
        return None if pd.isna(saved) else saved
    value = row.get(column.key)  # a total has no share of the goal, nor a light
    if column.kind == "light":
        return None if value is None or pd.isna(value) else LIGHT_LABELS[value]
    return None if value is None or pd.isna(value) else float(value)


def _line(label: str, row: pd.Series, total: bool, cost_per_day: float) -> StatusLine:
    # A total belongs to no one target group.
    columns = STATUS_COLUMNS[1:] if total else STATUS_COLUMNS
    cells = tuple(_cell(row, c, cost_per_day) for c in columns)
    return StatusLine(label, total, (None, *cells) if total else cells)


def _headline(model: StatusModel) -> tuple[tuple[str, str], ...]:
    totals = model.totals.set_index("key")
    project, municipality = totals.loc["project"], totals.loc["municipality"]
    compare = fmt.quarter_label(model.compare_quarter) if model.compare_quarter else fmt.MISSING
    lines = [
        (
            "Prosjektet",
            f"nullpunkt {fmt.percent(_number(project['baseline_pct']))}, nå "
            f"{fmt.percent(_number(project['compare_pct']))}: "
            f"{fmt.points(_number(project['change_pp']))} (mål "
            f"{fmt.points(-model.settings.goal_pp)})",
        ),
        (
            "Kommunen",
            f"{fmt.quarter_label(model.settings.baseline_quarter)} til {compare}: "
            f"{fmt.points(_number(municipality['change_pp']))}",
        ),
        (
            f"Prognose {fmt.quarter_label(model.forecast_quarter)}",
            f"{fmt.percent(_number(project['forecast_pct']))} (kjent "
            f"{fmt.percent(_number(project['forecast_known_pct']))})",
        ),
    ]
    # A project or a municipality of fewer than 5 persons: its sums are its persons' figures.
    if project["hidden"]:
        lines = [(label, HIDDEN) for label, _ in lines]
    elif municipality["hidden"]:
        lines[1] = (lines[1][0], HIDDEN)
    saved = model.municipality_savings()
    if saved is not None and not municipality["hidden"]:
        lines.append(
            (
                "Besparelse, kommunen",
                f"{fmt.kroner(saved.savings_nok)} av {fmt.number(saved.fte, 0)} "
                f"{model.fte.source_nb}, {fmt.kroner(saved.cost_per_day)} per dag "
                f"({model.settings.cost_source})",
            )
        )
    return tuple(lines)


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def status_report(model: StatusModel) -> StatusReport:
    """The status screen's model as lines: each target group at joining with its units, then the
    project, the units outside it and the municipality; fewer than 5 persons HIDDEN."""
    cost = model.settings.cost_per_day
    totals = model.totals.set_index("key", drop=False)
    units = by_name(model.project_units())
    lines: list[StatusLine] = []
    for key, row in totals.iterrows():
        if str(key).startswith("group"):
            lines.append(_line(f"{row['label']} ({int(row['units'])})", row, True, cost))
            members = units[units["joined_group"] == int(str(key)[-1])]
            lines += [_line(str(u["name"]), u, False, cost) for _, u in members.iterrows()]
    for key in ("project", "others", "municipality"):
        row = totals.loc[key]
        lines.append(_line(f"{row['label']} ({int(row['units'])})", row, True, cost))
    # The municipality's savings are the headline's, from its årsverk (the savings panel's).
    saved = model.municipality_savings()
    last = lines[-1]
    if last.cells[-1] != HIDDEN:
        value = None if saved is None else saved.savings_nok
        lines[-1] = StatusLine(last.label, last.total, (*last.cells[:-1], value))
    return StatusReport(
        as_of=model.as_of,
        last_quarter=model.last_quarter,
        forecast_quarter=model.forecast_quarter,
        lines=tuple(lines),
        headline=_headline(model),
    )
