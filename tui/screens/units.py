"""Enheter: every unit with its figures; filter, sort, and Enter opens the unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Header, Input, Static

from core import fmt
from core.errors import InvalidInput
from core.text import name_order
from tui.masking import one_line
from tui.messages import UnitsShown
from tui.navigation import OpenLeader, OpenUnit
from tui.screens.base import NaervaerScreen
from tui.widgets.choice import Choice
from tui.widgets.keybar import KeyBar
from tui.widgets.row_table import RowTable, TableColumn
from tui.widgets.sorting import ALL, Sorting, number

if TYPE_CHECKING:
    from storage.db import Engine
    from storage.usecases.units import UnitRow

GROUP_CHOICES = [
    ("Alle målgrupper", ALL),
    ("Målgruppe 1 og 2", "12"),
    ("Målgruppe 1", "1"),
    ("Målgruppe 2", "2"),
    ("Målgruppe 3", "3"),
]
MARK = "✓ "  # before the name of a unit marked to join the project
PROJECT_CHOICES = [("Alle enheter", ALL), ("Prosjektenheter", "ja"), ("Ikke i prosjektet", "nei")]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    show: Callable[[UnitRow], str]
    sort: Callable[[UnitRow], Any] | None = None  # default: the row's value, None last
    right: bool = True
    short: str = ""  # the header where the whole list would not fit (80 columns); the panel
    # below the list says each figure of the unit under the cursor in words


COLUMNS = [
    Column("name", "Enhet", lambda r: one_line(r.name), lambda r: name_order(r.name), right=False),
    Column("headcount", "Ansatte", lambda r: str(r.headcount), short="Ans."),
    Column("avg_2y_pct", "Snitt 2 år", lambda r: fmt.percent(number(r.avg_2y_pct)), short="2 år"),
    Column(
        "last_quarter_pct",
        "Siste kv.",
        lambda r: fmt.percent(number(r.last_quarter_pct)),
        short="Kv.",
    ),
    Column("change_pp", "Mot nullp.", lambda r: fmt.points(number(r.change_pp)), short="Endr."),
    Column("target_group", "Mgr.", lambda r: str(r.target_group), short="Mg"),
    Column("project", "Prosj.", lambda r: "ja" if r.project else "", right=False, short="Pr"),
    Column(
        "open_measures",
        "Tiltak åpne/forf.",
        lambda r: f"{r.open_measures}/{r.overdue_measures}",
        lambda r: (r.overdue_measures, r.open_measures),
        short="Å/F",
    ),
    Column(
        "last_session",
        "Siste møte",
        lambda r: fmt.date(r.last_session),
        lambda r: r.last_session or dt.date.min,
        short="Møte",
    ),
]
NAME_LEAST = 14  # the unit's name is cut (…) to no less than this to keep every column in view


class UnitsScreen(NaervaerScreen[None]):
    """The list the advisor starts from."""

    class RowsLoaded(Message):
        """The unit list's rows, read."""

        def __init__(self, rows: list[UnitRow]) -> None:
            super().__init__()
            self.rows = rows

    class Joined(Message):
        """`count` units joined the project."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_unit", "Åpne enhet", id="open_unit", show=True),
        Binding("slash", "search", "Søk", key_display="/", id="search"),
        Binding("s", "next_sort", "Sorter", id="sort"),
        Binding("r", "reverse_sort", "Snu rekkefølge", id="reverse_sort"),
        Binding("g", "next_group", "Målgruppe", id="filter_group"),
        Binding("p", "next_project", "Prosjekt", id="filter_project"),
        Binding("space", "mark", "Merk enhet / fjern merket", id="mark", show=False),
        Binding("j", "join", "Merkede enheter med i prosjektet", id="join", show=False),
        Binding("o", "app.status", "Statusoversikt", id="status"),
        Binding("l", "leader", "Lederside", id="leader"),
        Binding("i", "app.import_data", "Importer", id="import"),
        Binding("comma", "app.settings", "Innstillinger", key_display=",", id="settings"),
        Binding("K", "app.conflicts", "Konflikter (lokal kopi)", id="conflicts", show=False),
        Binding("escape", "clear_search", "Tøm søk", show=False),
    ]

    def __init__(self, rows: list[UnitRow] | None = None) -> None:
        """`rows` from `load_rows` if they are at hand (at start): one drawing, not two."""
        super().__init__(id="units")
        self._first_rows = rows
        self.rows: list[UnitRow] = []
        self.cells: dict[int, list[str]] = {}  # each row's text per column, by unit id
        self.marked: set[int] = set()  # units marked to join the project together
        self._shown_filters: tuple[object, ...] = ()  # search text and choices the table shows
        self.sorting = Sorting(COLUMNS, "avg_2y_pct", descending=True)
        self.read_at = 0  # the app's count of writes when the rows were read
        self._drawn_width = 0  # the terminal's width the columns were set for

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="unit-filters"):
            yield Input(placeholder="Søk på enhetsnavn …", id="search")
            yield Choice(GROUP_CHOICES, ALL, id="group")
            yield Choice(PROJECT_CHOICES, ALL, id="project")
            yield Choice([("Alle tjenesteområder", ALL)], ALL, id="area")
        yield RowTable(id="unit-table")
        yield Static("Laster enhetene …", id="unit-reason")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(RowTable).focus()
        if self._first_rows is None:
            self.set_columns()
            self.load()
        else:
            self.show_rows(self._first_rows)

    def set_columns(self) -> None:
        """Columns as wide as their widest value among all units, so they never jump; where
        the terminal is too narrow for them all, short headers and the name cut with …"""
        values = [max((len(cells[i]) for cells in self.cells.values()), default=0)
                  for i in range(len(COLUMNS))]  # fmt: skip
        room = self.app.size.width - 4  # the table's border and the screen's edges
        narrow = sum(max(len(c.header), v) + 2 for c, v in zip(COLUMNS, values, strict=True)) > room
        self._drawn_width = self.app.size.width
        self.query_one(RowTable).set_columns(
            [
                TableColumn(
                    column.key,
                    header := (column.short if narrow and column.short else column.header),
                    max(len(header), value),
                    column.right,
                    least=NAME_LEAST if i == 0 else 0,
                )
                for i, (column, value) in enumerate(zip(COLUMNS, values, strict=True))
            ]
        )

    def on_resize(self) -> None:
        if self.rows and self._drawn_width != self.app.size.width:
            self.set_columns()
            self.refresh_table()

    def load(self) -> None:
        self.read_at = self.state.writes
        self.read()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def read(self) -> None:
        self.post_message(self.RowsLoaded(load_rows(self.engine, self.state.today)))

    def on_screen_resume(self) -> None:
        """Back from a unit, a meeting or an import: read again what was written meanwhile."""
        if self.read_at != self.state.writes:
            self.load()

    def on_units_screen_rows_loaded(self, message: RowsLoaded) -> None:
        self.show_rows(message.rows)

    def show_rows(self, rows: list[UnitRow]) -> None:
        first = not self.rows
        self.rows = rows
        # Each cell's text once: the widths and every refill (filter, sort) reuse it.
        self.cells = {r.unit_id: [column.show(r) for column in COLUMNS] for r in self.rows}
        self.marked &= set(self.cells)
        for unit_id in self.marked:
            self.cells[unit_id][0] = MARK + self.cells[unit_id][0]
        self.set_columns()
        areas = sorted({r.service_area for r in self.rows if r.service_area})
        self.query_one("#area", Choice).set_options(
            [("Alle tjenesteområder", ALL), *[(one_line(a), a) for a in areas]]
        )
        self.refresh_table()
        if first:
            self.call_after_refresh(self.post_message, UnitsShown())

    def visible_rows(self) -> list[UnitRow]:
        text = self.query_one("#search", Input).value.strip().casefold()
        group = self.query_one("#group", Choice).value
        project = self.query_one("#project", Choice).value
        area = self.query_one("#area", Choice).value
        rows = [
            r
            for r in self.rows
            if (not text or text in r.name.casefold())
            and (group == ALL or str(r.target_group) in str(group))
            and (project == ALL or r.project == (project == "ja"))
            and (area == ALL or r.service_area == area)
        ]
        return self.sorting.sorted(rows)

    def refresh_table(self) -> None:
        self._shown_filters = self._filters()
        table = self.query_one(RowTable)
        selected = self.selected_unit_id()
        rows = self.visible_rows()
        # Row keys are the unit ids, so that the cursor can stay on the same unit.
        self._row_ids = [r.unit_id for r in rows]
        table.set_rows([self.cells[r.unit_id] for r in rows], self._row_ids)
        if selected in self._row_ids:
            table.move_cursor(self._row_ids.index(selected))
        # The filters in words too: on a narrow terminal their fields are hidden.
        filters = [
            label
            for choice_id, choices in (("#group", GROUP_CHOICES), ("#project", PROJECT_CHOICES))
            for label, value in choices
            if value != ALL and value == self.query_one(choice_id, Choice).value
        ]
        marked = [f"{len(self.marked)} merket (j: med i prosjektet)"] if self.marked else []
        table.border_title = " · ".join(
            [
                f"{len(rows)} av {fmt.count(len(self.rows), 'enhet', 'enheter')}",
                *marked,
                *filters,
                self.sorting.describe(),
            ]
        )
        self.show_reason()

    def selected_unit_id(self) -> int | None:
        table = self.query_one(RowTable)
        ids = getattr(self, "_row_ids", [])
        if not ids or table.cursor_row >= len(ids):
            return None
        return int(ids[table.cursor_row])

    def selected_row(self) -> UnitRow | None:
        unit_id = self.selected_unit_id()
        return next((r for r in self.rows if r.unit_id == unit_id), None)

    def show_reason(self) -> None:
        row = self.selected_row()
        reason = self.query_one("#unit-reason", Static)
        if row is None:
            reason.update("Ingen enheter passer med filteret." if self.rows else "")
            return
        if not row.project or row.baseline_quarter is None:
            baseline = "Ikke med i prosjektet."
        elif not row.compare_quarter:
            baseline = (
                f"Nullpunkt {fmt.quarter_label(row.baseline_quarter)}; "
                "ingen sammenlignbar periode ennå."
            )
        else:
            baseline = (
                f"Nullpunkt {fmt.quarter_label(row.baseline_quarter)}: "
                f"{fmt.percent(number(row.baseline_pct))}, "
                f"{fmt.quarter_label(row.compare_quarter)}: "
                f"{fmt.percent(number(row.compare_pct))}"
            )
        area = one_line(row.service_area or "") or "uten tjenesteområde"
        activity = (
            f"Tiltak: {row.open_measures} åpne, {row.overdue_measures} forfalt · "
            f"siste møte {fmt.date(row.last_session)}"
        )
        reason.update(Text(f"{row.reason}\n{baseline} · {area}\n{activity}"))

    @on(RowTable.RowHighlighted)
    def highlighted(self) -> None:
        self.show_reason()

    @on(RowTable.HeaderSelected)
    def header_selected(self, event: RowTable.HeaderSelected) -> None:
        self.sorting.by(event.column_key)
        self.refresh_table()

    @on(Input.Changed, "#search")
    @on(Choice.Changed)
    def filters_changed(self) -> None:
        # The fields also say Changed when they are set up; only a new filter redraws.
        if self.rows and self._filters() != self._shown_filters:
            self.refresh_table()

    def _filters(self) -> tuple[object, ...]:
        return (
            self.query_one("#search", Input).value,
            *(self.query_one(f"#{name}", Choice).value for name in ("group", "project", "area")),
        )

    @on(Input.Submitted, "#search")
    def search_done(self) -> None:
        self.query_one(RowTable).focus()

    @on(RowTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open_unit()

    def action_open_unit(self) -> None:
        unit_id = self.selected_unit_id()
        if unit_id is None:
            return
        self.post_message(OpenUnit(unit_id))

    def action_leader(self) -> None:
        unit_id = self.selected_unit_id()
        if unit_id is not None:
            self.post_message(OpenLeader(unit_id))

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        self.query_one("#search", Input).value = ""
        self.query_one(RowTable).focus()

    def action_next_sort(self) -> None:
        self.sorting.next_column()
        self.refresh_table()

    def action_reverse_sort(self) -> None:
        self.sorting.reverse()
        self.refresh_table()

    def action_next_group(self) -> None:
        self.query_one("#group", Choice).cycle()

    def action_next_project(self) -> None:
        self.query_one("#project", Choice).cycle()

    def action_mark(self) -> None:
        """Mark the unit under the cursor (or unmark it), and move on to the next."""
        unit_id = self.selected_unit_id()
        if unit_id is None:
            return
        name = self.cells[unit_id][0]
        if unit_id in self.marked:
            self.marked.discard(unit_id)
            self.cells[unit_id][0] = name.removeprefix(MARK)
        else:
            self.marked.add(unit_id)
            self.cells[unit_id][0] = MARK + name
        self.set_columns()
        self.refresh_table()
        self.query_one(RowTable).action_cursor(1)

    def action_join(self) -> None:
        """The marked units (or the one under the cursor) join the project on the same day."""
        from storage.usecases.project import join_defaults
        from tui.dialogs.forms import JoinForm

        chosen = sorted(self.marked) or [u for u in [self.selected_unit_id()] if u is not None]
        if not chosen:
            return
        defaults = join_defaults(self.engine)  # one small row set: quick enough to read here
        count = len(chosen)
        title = f"{count} enheter med i prosjektet" if count > 1 else "Enheten med i prosjektet"
        codes = [r.code for r in self.rows if r.unit_id in chosen]
        self.app.push_screen(
            JoinForm(title, self.state.today, defaults.baseline),
            lambda draft: self.join_chosen(codes, draft),
        )

    def join_chosen(self, codes: list[str], draft: Any) -> None:
        if draft is not None:
            self.join(codes, draft)

    @work(thread=True, exclusive=True, exit_on_error=False, group="project")
    def join(self, codes: list[str], draft: Any) -> None:
        from storage.usecases.project import join_project

        try:
            join_project(self.engine, codes, draft.joined_on, draft.baseline_quarter)
        except InvalidInput as problem:
            self.app.call_from_thread(
                self.notify, str(problem), severity="error", timeout=8, markup=False
            )
            return
        self.post_message(self.Joined(len(codes)))

    def on_units_screen_joined(self, message: Joined) -> None:
        self.marked.clear()
        self.notify(
            f"{message.count} enheter med i prosjektet."
            if message.count > 1
            else "Enheten er med i prosjektet.",
            markup=False,
        )
        self.load()


def load_rows(engine: Engine, today: dt.date) -> list[UnitRow]:
    """The unit list's rows (storage.usecases.units.unit_list)."""
    from storage.usecases.units import unit_list

    return list(unit_list(engine, today))
