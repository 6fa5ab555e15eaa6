"""Statusoversikt: the project units by target group, progress toward the goal, Σ totals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Header, Input, Static

from core import fmt
from core.errors import InvalidInput
from core.goal import LIGHT_LABELS, Light
from core.status import HIDDEN, HIDDEN_NOTE, SECTOR_SHORT
from core.text import name_order
from tui.navigation import OpenEffect, OpenSavings, OpenUnit
from tui.screens.base import AppState, NaervaerScreen
from tui.widgets.charts import Chart, ChartData
from tui.widgets.choice import Choice
from tui.widgets.keybar import KeyBar
from tui.widgets.row_table import RowTable, TableColumn
from tui.widgets.sorting import ALL, Sorting, number

if TYPE_CHECKING:
    from storage.usecases.status import ProjectChart, StatusReport

GROUP_CHOICES = [
    ("Alle målgrupper", ALL),
    ("Målgruppe 1", "1"),
    ("Målgruppe 2", "2"),
    ("Målgruppe 3", "3"),
]
BAR_WIDTH = 10
EIGHTHS = " ▏▎▍▌▋▊▉"
NAME_WIDTH = 18


def progress_bar(share: float | None, width: int = BAR_WIDTH) -> Text:
    """The share of the goal reached as a bar: full at the goal, empty when sick leave rose."""
    if share is None:
        return Text(fmt.MISSING, justify="center")
    eighths = round(min(max(share, 0.0), 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    filled = "█" * full + (EIGHTHS[part] if part else "")
    style = "green" if share >= 1.0 else "yellow" if share > 0 else "red"
    track = "░" * (width - len(filled))
    return Text.assemble((filled, style), (track, "red" if share <= 0 else "dim"))


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _measures(row: dict[str, Any]) -> str:
    return f"{int(row['open_measures'])}/{int(row['overdue_measures'])}"


def _days(row: dict[str, Any]) -> str:
    if not row["unit"]:
        return ""
    days = number(row["days_since_session"])
    return fmt.MISSING if days is None else f"{int(days)} d"


# Red first when sorted: the units furthest above the sector.
LIGHT_ORDER: Final = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2}
# The light in one cell: its colour, and a shape that says it without colour (above the
# sector, about level, below); the detail below the table says it in words.
LIGHT_MARKS: Final = {
    Light.RED: ("▲", "bold red"),
    Light.YELLOW: ("●", "yellow"),
    Light.GREEN: ("▼", "green"),
}


def _light(row: dict[str, Any]) -> str | Text:
    """The unit's light against the sector (core.goal); nothing for a total."""
    light = row.get("light")
    return "" if light is None else Text(*LIGHT_MARKS[light])


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    show: Callable[[dict[str, Any]], str | Text]
    sort: Callable[[dict[str, Any]], Any] | None = None  # default: the row's value, None last


def _pct_column(key: str, header: str, width: int = 6) -> Column:
    return Column(key, header, width, lambda r: fmt.percent(number(r[key])))


COLUMNS = [
    Column(
        "name",
        "Enhet",
        NAME_WIDTH,
        lambda r: _shorten(r["label"], NAME_WIDTH),
        lambda r: name_order(r["label"]),
    ),
    Column("joined_group", "Mgr", 3, lambda r: str(int(r["joined_group"])) if r["unit"] else ""),
    _pct_column("baseline_pct", "Nullp."),
    _pct_column("compare_pct", "Nå"),
    Column("change_pp", "Endring", 10, lambda r: fmt.points(number(r["change_pp"]))),
    Column("goal_share", "Mot mål", BAR_WIDTH, lambda r: progress_bar(number(r["goal_share"]))),
    _pct_column("last_four_pct", "Siste 4", 7),
    _pct_column("before_four_pct", "4 før"),
    _pct_column("forecast_pct", "Progn."),
    _pct_column("forecast_known_pct", "Kjent"),
    Column(
        "open_measures",
        "Tiltak",
        6,
        _measures,
        lambda r: (r["overdue_measures"], r["open_measures"]),
    ),
    Column("days_since_session", "Møte", 5, _days),
    Column(
        "light",
        "Lys",
        3,
        _light,
        lambda r: None if r.get("light") is None else LIGHT_ORDER[r["light"]],
    ),
]


# Figures about the unit's persons; the group, measures and meetings are not.
PERSONAL = frozenset(c.key for c in COLUMNS) - {
    "name",
    "joined_group",
    "open_measures",
    "days_since_session",
}


def _cell(column: Column, row: dict[str, Any]) -> str | Text:
    """The cell as the table draws it: plain text unless styled (a bar, a light, a total)."""
    value = HIDDEN if row["hidden"] and column.key in PERSONAL else column.show(row)
    if row["unit"]:
        return value
    text = value if isinstance(value, Text) else Text(value)
    text.stylize("bold")
    return text


def _records(frame: Any) -> list[dict[str, Any]]:
    """The frame's rows as dicts of plain values, None for a missing one (NaN, NaT, None): a
    column at a time, which is many times faster than pandas' own for a frame this wide."""
    columns = {
        name: [None if value is None or value != value else value for value in values]
        for name, values in ((name, frame[name].tolist()) for name in frame.columns)
    }
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _chart_label(quarter: str) -> str:
    """`3.kv 24`: short enough for the chart's ticks."""
    return f"{quarter[-1]}.kv {quarter[2:4]}"


def chart_data(chart: ProjectChart) -> ChartData:
    # The municipality's line is left to the summary: a fourth line and its legend entry
    # would cover the goal's label on a chart this small.
    lines = {} if chart.goal_pct is None else {"mål": chart.goal_pct}
    labels = [_chart_label(q) for q in chart.quarters]
    # No label on the last point: it would stick out of the plot, and plotext then shifts its
    # neighbours differently from run to run.
    labels[-1] = ""
    return ChartData(
        title="Prosjektet per kvartal (%)",
        labels=labels,
        series={
            "Prosjektet": list(chart.project),
            "Prognose": list(chart.forecast),
            "Sektor (anslag)": list(chart.sector),
        },
        lines=lines,
    )


def summary_text(report: StatusReport) -> Text:
    """The headline like the seed's results slide: baseline, change, groups, prognosis, savings."""
    totals = {row["key"]: row for row in _records(report.totals)}
    settings = report.settings
    project = totals["project"]
    project_units = report.units[report.units["project"]]
    baselines = sorted(set(project_units["baseline_quarter"].dropna()))
    compares = sorted(set(project_units["compare_quarter"].dropna()))
    text = Text()

    def line(head: str, rest: str) -> None:
        text.append(head, style="bold")
        text.append(f" {rest}\n")

    line(
        f"Nullpunkt {', '.join(fmt.quarter_label(q) for q in baselines) or '–'}:",
        f"{fmt.percent(number(project['baseline_pct']))} · mål {fmt.points(-settings.goal_pp)}",
    )
    share = number(project["goal_share"])
    reached = "" if share is None or share <= 0 else f" · {fmt.number(share * 100, 0)} % av målet"
    now = ", ".join(fmt.quarter_label(q) for q in compares) or "ingen sammenlignbar periode"
    line(
        f"{now}:",
        f"{fmt.percent(number(project['compare_pct']))} · "
        f"{fmt.points(number(project['change_pp']))}{reached}",
    )
    groups = [
        f"{'mgr. ' + key[-1] if key.startswith('group') else 'øvrige'} "
        f"{fmt.points(number(row['change_pp']))}"
        for key, row in totals.items()
        if key.startswith("group") or key == "others"
    ]
    text.append(" · ".join(groups) + "\n")
    municipality = number(totals["municipality"]["change_pp"])
    compare = fmt.quarter_label(report.compare_quarter) if report.compare_quarter else "–"
    line(
        "Kommunen",
        f"{fmt.quarter_label(settings.baseline_quarter)} → {compare}: {fmt.points(municipality)}",
    )
    line(
        f"Prognose {fmt.quarter_label(report.forecast_quarter)}:",
        f"{fmt.percent(number(project['forecast_pct']))} (kjent "
        f"{fmt.number(number(project['forecast_known_pct']))} + forv. "
        f"{fmt.number(number(project['forecast_expected_pct']))})",
    )
    saved = report.municipality_savings()
    if saved is not None:
        line("Besparelse, kommunen:", f"{fmt.kroner(saved.savings_nok)} (b: detaljer)")
        text.append(f"  av {fmt.number(saved.fte, 0)} {report.fte.source_nb}\n")
    text.append(f"\n{report.chart.sector_label}. {report.chart.sector_source}", style="italic dim")
    return text


def _share_text(share: float | None) -> str:
    return "" if share is None or share <= 0 else f" ({fmt.number(share * 100, 0)} % av målet)"


def goal_line(row: dict[str, Any]) -> str:
    """The unit's share of the goal in workdays and kroner, and its light against the sector."""
    days = number(row["goal_days"])
    light = row["light"]
    sector = "ingen sektortall" if light is None else LIGHT_LABELS[light]
    if days is None:
        return f"Mot sektoren: {sector}"
    achieved = number(row["achieved_days"])
    done = (
        "oppnådd: ingen sammenlignbar periode ennå"
        if achieved is None
        else f"oppnådd {fmt.number(achieved)} · igjen {fmt.number(number(row['to_go_days']))}"
        f" ({fmt.kroner(number(row['to_go_nok']))})"
    )
    return (
        f"Del av målet {fmt.number(days)} dagsverk/kv. ({fmt.kroner(number(row['goal_nok']))}) · "
        f"{done} · mot sektoren: {sector}"
    )


def detail_text(row: dict[str, Any], report: StatusReport) -> Text:
    """Three lines on the highlighted row: what its figures compare, and why it is where it is."""
    if row["hidden"]:
        return Text(f"{row['label']}: tallene vises ikke ({HIDDEN_NOTE}).")
    four = (
        f"siste fire kv. {fmt.percent(number(row['last_four_pct']))} mot "
        f"{fmt.percent(number(row['before_four_pct']))} de fire før oppstart "
        f"({fmt.points(number(row['four_change_pp']))})"
    )
    if not row["unit"]:
        count, comparable = int(row["units"]), int(row["comparable_units"])
        extra = "" if comparable == count else f", {comparable} med sammenlignbar periode"
        units = "enhet" if count == 1 else "enheter"
        share = _share_text(number(row["goal_share"]))
        return Text(
            f"{row['title']}: {count} {units}{extra}; summert som Σ tapte / Σ mulige dagsverk, "
            f"aldri som snitt av prosenter.\n"
            f"Endring {fmt.points(number(row['change_pp']))}{share} · {four}."
        )
    session = row["last_session"]
    held = fmt.date(session) if isinstance(session, dt.date) else "ingen"

    lines = [
        f"{row['name']} · {row['service_area'] or 'uten tjenesteområde'} · prognose "
        f"{fmt.quarter_label(report.forecast_quarter)} {fmt.percent(number(row['forecast_pct']))}"
        f" (kjent {fmt.number(number(row['forecast_known_pct']))} + forv. "
        f"{fmt.number(number(row['forecast_expected_pct']))}) · siste møte {held}"
    ]
    if row["compare_quarter"]:
        lines.append(
            f"Nullpunkt {fmt.quarter_label(row['baseline_quarter'])} "
            f"{fmt.percent(number(row['baseline_pct']))} → "
            f"{fmt.quarter_label(row['compare_quarter'])} "
            f"{fmt.percent(number(row['compare_pct']))}: {fmt.points(number(row['change_pp']))}"
            f"{_share_text(number(row['goal_share']))} · {four}"
        )
    else:
        lines.append(f"Ingen sammenlignbar periode ennå · {four}")
    today = (
        ""
        if row["target_group"] == row["joined_group"]
        else f" · i dag målgruppe {int(row['target_group'])}"
    )
    lines.append(f"Ved oppstart: {row['joined_reason'] or '–'}{today}")
    lines.append(goal_line(row))
    return Text("\n".join(lines))


@dataclass(frozen=True, slots=True)
class StatusView:
    """A status report as the screen draws it, worked out in the worker's thread: the project
    units' rows and the totals' (plain values), the service areas, the summary and the chart."""

    report: StatusReport
    rows: list[dict[str, Any]]
    totals: list[dict[str, Any]]
    areas: list[str]
    summary: Text
    chart: ChartData


def status_view(report: StatusReport) -> StatusView:
    units = report.units[report.units["project"]].assign(unit=True)
    units["label"] = units["name"]
    rows = _records(units)
    totals = report.totals.assign(unit=False, title=report.totals["label"])
    totals["label"] = [
        f"{label} ({int(count)})"
        for label, count in zip(totals["label"], totals["units"], strict=True)
    ]
    return StatusView(
        report=report,
        rows=rows,
        totals=_records(totals),
        areas=sorted({r["service_area"] for r in rows if r["service_area"]}),
        summary=summary_text(report),
        chart=chart_data(report.chart),
    )


@dataclass(frozen=True, slots=True)
class StatusRead:
    """The status as read and worked out for the screen (None, with the Norwegian reason, when
    there are no units), and the app's count of writes before it was read."""

    read_at: int
    view: StatusView | None
    reason: str = ""


def load_status(state: AppState) -> StatusRead:
    """What the status screen shows, read in a worker's thread: before the screen opens, so
    that it is laid out and drawn once, with its figures; and again after writes."""
    from storage.usecases.status import status_report

    assert state.engine is not None
    read_at = state.writes  # before reading: what is read is at least as new as this count
    try:
        return StatusRead(read_at, status_view(status_report(state.engine, state.today)))
    except InvalidInput as error:
        return StatusRead(read_at, None, str(error))


def _area_options(areas: list[str]) -> list[tuple[str, str]]:
    return [("Alle tjenesteområder", ALL), *[(a, a) for a in areas]]


class StatusScreen(NaervaerScreen[None]):
    """Before the status meeting: every project unit, its progress and prognosis, and totals."""

    class Loaded(Message):
        """The status report, read and worked out in a worker."""

        def __init__(self, view: StatusView) -> None:
            super().__init__()
            self.view = view

    class Empty(Message):
        """No status to show (no units yet): the Norwegian reason."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    BINDINGS: ClassVar[list[BindingType]] = [
        # Not in the key bar, which has no room for it at 120 columns.
        Binding("enter", "open_unit", "Åpne enhet", id="status_open_unit", show=False),
        Binding("slash", "search", "Søk", key_display="/", id="status_search"),
        Binding("s", "next_sort", "Sorter", id="status_sort"),
        Binding("r", "reverse_sort", "Snu rekkefølge", id="status_reverse_sort"),
        Binding("g", "next_group", "Målgruppe", id="status_filter_group"),
        Binding("c", "toggle_chart", "Graf", id="status_chart"),
        Binding("b", "savings", "Besparelse", id="status_savings"),
        Binding("v", "effect", "Virkning av tiltak", id="status_effect", show=False),
        Binding("e", "export_status", "Eksporter", id="status_export"),
        Binding("escape", "back", "Tilbake", id="status_back"),
    ]
    # The table has the focus from the first frame: focused after it, the table and the summary
    # (focused first, as the first focusable widget) were styled and drawn again.
    AUTO_FOCUS = "#status-table"

    def __init__(self, read: StatusRead | None = None) -> None:
        super().__init__(id="status")
        self._read = read  # read before opening; None: the screen reads it itself
        self.report: StatusReport | None = None
        self.rows: list[dict[str, Any]] = []
        self.totals: list[dict[str, Any]] = []
        self.sorting = Sorting(COLUMNS, "change_pp", descending=True)
        self._row_keys: list[str] = []
        self._shown: list[dict[str, Any]] = []
        self.read_at = 0  # the app's count of writes when the report was read

    def compose(self) -> ComposeResult:
        # With what was read before it opened, if it was: composed with its text, not set after.
        read = self._read
        view = read.view if read else None
        summary = "Laster status …" if read is None else view.summary if view else read.reason
        yield Header()
        with Horizontal(id="status-top"):
            with VerticalScroll(id="status-summary-box"):
                yield Static(summary, id="status-summary")
            yield Chart(id="status-chart")
        with Horizontal(id="status-filters"):
            yield Input(placeholder="Søk på enhetsnavn …", id="status-search")
            yield Choice(GROUP_CHOICES, ALL, id="status-group")
            yield Choice(_area_options(view.areas if view else []), ALL, id="status-area")
        yield RowTable(fixed_columns=1, stripe_first=True, id="status-table")
        yield Static("", id="status-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Statusoversikt"
        table = self.query_one(RowTable)
        table.set_columns(
            # Headers to the left over figures to the right, as the overview always had them.
            [
                TableColumn(c.key, c.header, c.width, right=c.key != "name", header_right=False)
                for c in COLUMNS
            ]
        )
        self.query_one("#status-summary-box").border_title = "Prosjektet"
        self.query_one("#status-chart").border_title = "Graf (c: vis/skjul)"
        if self._read is None:
            self.load()
        else:
            self.read_at = self._read.read_at
            if self._read.view is not None:
                self.show_report(self._read.view, composed=True)

    def load(self) -> None:
        self.read_at = self.state.writes
        self.read()

    @work(thread=True, exclusive=True, exit_on_error=False, group="status")
    def read(self) -> None:
        read = load_status(self.state)
        if read.view is None:
            self.post_message(self.Empty(read.reason))
        else:
            self.post_message(self.Loaded(read.view))

    def on_status_screen_empty(self, message: Empty) -> None:
        self.show_reason(message.reason)

    def on_status_screen_loaded(self, message: Loaded) -> None:
        self.show_report(message.view)

    def show_reason(self, reason: str) -> None:
        self.query_one("#status-summary", Static).update(reason)

    def show_report(self, view: StatusView, composed: bool = False) -> None:
        """Show `view`; `composed`: its summary and areas are there since the screen was."""
        self.report = view.report
        self.rows = view.rows
        self.totals = view.totals
        if not composed:
            # The chosen area stays chosen if it is still there.
            self.query_one("#status-area", Choice).set_options(_area_options(view.areas))
            self.query_one("#status-summary", Static).update(view.summary)
        self.query_one(Chart).show(view.chart)
        self.query_one("#status-chart").border_subtitle = SECTOR_SHORT
        self.refresh_table()

    def on_screen_resume(self) -> None:
        """Back from a unit, the settings or the savings panel: read again what was written."""
        if self.read_at != self.state.writes:
            self.load()

    def visible_units(self) -> list[dict[str, Any]]:
        text = self.query_one("#status-search", Input).value.strip().casefold()
        group = self.query_one("#status-group", Choice).value
        area = self.query_one("#status-area", Choice).value
        rows = [
            r
            for r in self.rows
            if (not text or text in r["name"].casefold())
            and (group == ALL or str(int(r["joined_group"])) == group)
            and (area == ALL or r["service_area"] == area)
        ]
        return self.sorting.sorted(rows)

    def table_rows(self) -> list[dict[str, Any]]:
        """Each group's total, then its units (sorted); then the project, others, municipality."""
        units = self.visible_units()
        ordered: list[dict[str, Any]] = []
        for total in self.totals:
            key = total["key"]
            if key.startswith("group"):
                members = [r for r in units if int(r["joined_group"]) == int(key[-1])]
                if members:
                    ordered += [total, *members]
        return ordered + [t for t in self.totals if not t["key"].startswith("group")]

    def refresh_table(self) -> None:
        table = self.query_one(RowTable)
        selected = self.selected_key()
        rows = self.table_rows()
        self._row_keys = [f"unit-{r['unit_id']}" if r["unit"] else r["key"] for r in rows]
        self._shown = rows
        table.set_rows([[_cell(column, r) for column in COLUMNS] for r in rows], self._row_keys)
        table.move_cursor(self._row_keys.index(selected) if selected in self._row_keys else 0)
        shown = sum(1 for r in rows if r["unit"])
        group = self.query_one("#status-group", Choice).value
        filters = [label for label, value in GROUP_CHOICES if value != ALL and value == group]
        table.border_title = " · ".join(
            [
                f"{shown} av {len(self.rows)} prosjektenheter",
                *filters,
                self.sorting.describe(),
                "målgruppe ved oppstart",
                *([HIDDEN_NOTE] if any(r["hidden"] for r in rows) else []),
            ]
        )
        self.show_detail()

    def selected_key(self) -> str | None:
        table = self.query_one(RowTable)
        if not self._row_keys or table.cursor_row >= len(self._row_keys):
            return None
        return self._row_keys[table.cursor_row]

    def selected_row(self) -> dict[str, Any] | None:
        table = self.query_one(RowTable)
        if not self._shown or table.cursor_row >= len(self._shown):
            return None
        return self._shown[table.cursor_row]

    def show_detail(self) -> None:
        row = self.selected_row()
        detail = self.query_one("#status-detail", Static)
        if row is None or self.report is None:
            detail.update("Ingen prosjektenheter passer med filteret." if self.rows else "")
            return
        detail.update(detail_text(row, self.report))

    @on(RowTable.RowHighlighted)
    def highlighted(self) -> None:
        self.show_detail()

    @on(RowTable.HeaderSelected)
    def header_selected(self, event: RowTable.HeaderSelected) -> None:
        self.sorting.by(event.column_key)
        self.refresh_table()

    @on(Input.Changed, "#status-search")
    @on(Choice.Changed)
    def filters_changed(self) -> None:
        if self.rows:
            self.refresh_table()

    @on(Input.Submitted, "#status-search")
    def search_done(self) -> None:
        self.query_one(RowTable).focus()

    @on(RowTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open_unit()

    def action_open_unit(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if not row["unit"]:
            self.notify("Velg en enhet for å åpne den; dette er en sum.", timeout=3)
            return
        self.post_message(OpenUnit(int(row["unit_id"])))

    def action_search(self) -> None:
        self.query_one("#status-search", Input).focus()

    def action_back(self) -> None:
        search = self.query_one("#status-search", Input)
        if search.value:
            search.value = ""
            self.query_one(RowTable).focus()
        else:
            self.app.pop_screen()

    def action_next_sort(self) -> None:
        self.sorting.next_column()
        self.refresh_table()

    def action_reverse_sort(self) -> None:
        self.sorting.reverse()
        self.refresh_table()

    def action_next_group(self) -> None:
        self.query_one("#status-group", Choice).cycle()

    def action_toggle_chart(self) -> None:
        """The chart (beside the summary) where it is hidden, as on a small terminal; where it
        shows, the chart and the summary hidden, for the table's room."""
        showing = self.query_one("#status-top").display and self.query_one(Chart).display
        self.set_class(not showing, "-show-top")
        self.set_class(showing, "-hide-top")

    def action_export_status(self) -> None:
        from storage.usecases.export import FORMATS, documents_folder
        from tui.dialogs.export import ExportDialog

        dialog = ExportDialog(
            "Eksporter statusrapport", FORMATS["status"], documents_folder(), names=False
        )
        self.app.push_screen(dialog, self.export_chosen)

    def export_chosen(self, choice: Any) -> None:
        if choice is not None:
            self.export_status(choice.form, choice.folder)

    @work(thread=True, exit_on_error=False, group="export")
    def export_status(self, form: str, folder: Path) -> None:
        from storage.usecases.export import export_status_report

        path = export_status_report(self.engine, folder, form, as_of=self.state.today)
        self.app.call_from_thread(self.notify, f"Lagret {path}", timeout=8, markup=False)

    def action_effect(self) -> None:
        self.post_message(OpenEffect())

    def action_savings(self) -> None:
        if self.report is None:
            self.notify("Statusen lastes fortsatt.", timeout=3)
            return
        self.post_message(OpenSavings(self.report))
