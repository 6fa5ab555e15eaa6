"""Tiltak: last session's open measures as this session's checklist, and the measures agreed now.

Outside a session the screen lists all the unit's measures and edits them directly.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from core import fmt
from core.conflicts import EditConflict
from core.masking import NO_NAMES, Masker
from core.measures import MeasureChange, is_overdue
from core.vocabulary import MEASURE_LEVELS, MEASURE_STATUSES, SESSION_TYPES
from storage.usecases import measures, review, sessions
from storage.usecases.review import EmployeeDetail
from storage.usecases.sessions import ChecklistItem, MeasureBoard, MeasureRow
from tui.dialogs.conflict import ConflictDialog, Kept
from tui.dialogs.forms import DateForm, MeasureDialog, TextForm
from tui.masking import person
from tui.navigation import OpenHistory, OpenReview, OpenSummary
from tui.screens.base import NaervaerScreen, session_title
from tui.widgets.keybar import KeyBar
from tui.writes import WriteFailed, queue_of, report

MEASURE_HEADERS = ("Gjelder", "Tiltak", "Ansvarlig", "Frist", "Status")
# The most a short column takes (its longest cell, else): the measure's text takes the rest.
MOST_WIDTH = {"✓": 1, "Gjelder": 22, "Ansvarlig": 16, "Frist": 10, "Status": 14}
# Where the text would get less than this share of the row, the owner and then the person give
# way, down to GIVE_WAY_LEAST cells: the detail below the tables shows all three whole.
TEXT_SHARE = 0.3
GIVE_WAY = ("Ansvarlig", "Gjelder")
GIVE_WAY_LEAST = 8
CELL_PADDING = 1  # DataTable's space on either side of a cell
TABLE_FRAME = 2 + 1  # the border and the vertical scrollbar (app.tcss)


def cell(value: str | Text) -> Text:
    """A cell on one line, ending in … where its column is too narrow for it."""
    text = Text(value) if isinstance(value, str) else value.copy()
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def column_widths(width: int, headers: list[str], rows: list[list[Text]]) -> list[int]:
    """Widths for a table `width` cells wide: each short column as wide as its header and longest
    cell (up to MOST_WIDTH), the measure's text the rest."""
    room = width - TABLE_FRAME - 2 * CELL_PADDING * len(headers)
    wants = {
        header: min(MOST_WIDTH[header], max([len(header), *(row[i].cell_len for row in rows)]))
        for i, header in enumerate(headers)
        if header != "Tiltak"
    }
    for header in GIVE_WAY:
        lack = int(room * TEXT_SHARE) - (room - sum(wants.values()))
        if lack > 0:
            wants[header] = max(GIVE_WAY_LEAST, wants[header] - lack)
    text = max(GIVE_WAY_LEAST, room - sum(wants.values()))
    return [wants.get(header, text) for header in headers]


def measure_cells(measure: MeasureRow, masked: bool, names: Masker) -> list[Text]:
    # An enkeltsak is about one person: the person says more than the level's name.
    about = MEASURE_LEVELS[measure.level]
    if measure.employee_number:
        about = person(measure.employee_number, measure.employee_name, masked)
    return [
        cell(about),
        cell(names.shown(measure.text, masked)),
        cell(names.shown(measure.owner, masked) or "–"),
        cell(fmt.date(measure.due_date)),
    ]


def _refill(
    table: DataTable[Any], width: int, headers: list[str], rows: dict[str, list[Text]]
) -> None:
    """Fill `table` with `rows` (keyed by measure id), its columns fitted to `width`, and the
    cursor on the same measure.

    The lists re-sort when a due date or status changes: a cursor left on the row number would
    sit on another measure, and the next key would change that one.
    """
    row = table.cursor_row
    key = None
    if 0 <= row < table.row_count:
        key = table.coordinate_to_cell_key(Coordinate(row, 0)).row_key
    table.clear(columns=True)
    for header, column_width in zip(
        headers, column_widths(width, headers, list(rows.values())), strict=True
    ):
        table.add_column(header, width=column_width)
    for measure_id, cells in rows.items():
        table.add_row(*cells, key=measure_id)
    if key is not None and key in table.rows:
        row = table.get_row_index(key)
    table.move_cursor(row=row)


class MeasuresScreen(NaervaerScreen[None]):
    """Keys act on the measure under the cursor in the focused table."""

    class Loaded(Message):
        def __init__(self, board: MeasureBoard) -> None:
            super().__init__()
            self.board = board

    class Written(Message):
        """A change is in the database: the lists are read again (they may re-sort)."""

    class Conflicted(Message):
        """Another advisor changed the measure since it was read: nothing was written."""

        def __init__(self, measure_id: int, change: MeasureChange, conflict: EditConflict) -> None:
            super().__init__()
            self.measure_id = measure_id
            self.change = change
            self.conflict = conflict

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "tick", "Avkrysset", id="tick"),
        Binding("f", "set_status('fullfort')", "Fullført", id="done"),
        Binding("x", "cancel_measure", "Avbrutt", id="cancel"),
        Binding("u", "set_status('pagar')", "Pågår", id="ongoing"),
        Binding("o", "set_status('apen')", "Åpen", show=False, id="reopen"),
        Binding("d", "redate", "Ny frist", id="redate"),
        Binding("c", "comment", "Kommentar", id="comment"),
        Binding("h", "history", "Historikk", id="history"),
        Binding("n", "new", "Nytt tiltak", id="new_measure"),
        Binding("g", "review", "Gjennomgang", id="review"),
        Binding("a", "summary", "Avslutt møtet", id="summary"),
        Binding("escape", "back", "Tilbake", id="back"),
    ]

    def __init__(
        self,
        unit_id: int,
        session_id: int | None,
        data: MeasureBoard | None = None,
        *,
        read_ahead: bool = False,
    ) -> None:
        """`data` from `measure_board` when read before opening: the screen is drawn once, full.

        `read_ahead`: read the review's employees while the checklist is open. Only at the
        session's start: coming back from the review, its last writes may still be on the way.
        """
        super().__init__()
        self.unit_id = unit_id
        self.session_id = session_id
        self._first_data = data
        self._read_ahead = read_ahead
        self.checklist: tuple[ChecklistItem, ...] = ()
        self.measures: tuple[MeasureRow, ...] = ()
        self.names = NO_NAMES
        # measure id -> its version after this screen's last change of it (see `apply`)
        self.written_versions: dict[int, int] = {}
        # The review's employees, read while the advisor goes through the checklist.
        self.review_ahead: Future[tuple[EmployeeDetail, ...]] = Future()
        self.tables_width: int | None = None  # the app's width the columns were fitted to

    def compose(self) -> ComposeResult:
        yield Header()
        if self.session_id is not None:
            yield DataTable(id="checklist", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="measures", cursor_type="row", zebra_stripes=True)
        yield Static(id="measure-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.session_id is not None:
            checklist = self.query_one("#checklist", DataTable)
            checklist.border_title = "Sjekkliste: åpne tiltak fra tidligere møter"
        table = self.query_one("#measures", DataTable)
        table.border_title = (
            "Tiltak avtalt i dette møtet" if self.session_id is not None else "Enhetens tiltak"
        )
        if self._first_data is None:
            self.load()
        else:
            self.show(self._first_data)
            self._first_data = None
        if self._read_ahead and self.session_id is not None:
            # Once the checklist is drawn: the read holds the interpreter as the drawing would.
            self.call_after_refresh(self.read_review_ahead)

    def on_resize(self) -> None:
        # The screen is resized once as it opens, to the width its tables were just fitted to.
        if self.app.size.width != self.tables_width:
            self.render_tables()

    # --- data -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        self.post_message(
            self.Loaded(sessions.measure_board(self.engine, self.unit_id, self.session_id))
        )

    @work(thread=True, exit_on_error=False, group="review-ahead")
    def read_review_ahead(self) -> None:
        """The review's longest read, done before the review is asked for. A failure is kept
        in the future, not raised: the review then reads again, and says it there."""
        into = self.review_ahead
        if not into.set_running_or_notify_cancel():
            return
        try:
            into.set_result(review.employee_details(self.engine, self.unit_id, self.state.today))
        except Exception as error:
            into.set_exception(error)

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.show(message.board)

    def show(self, data: MeasureBoard) -> None:
        self.checklist = data.checklist
        self.measures = data.measures
        self.names = data.names
        info = data.info
        if info is not None:
            self.sub_title = session_title(
                info.unit_name, SESSION_TYPES[info.session_type], info.held_on
            )
        self.render_tables()
        focus = "#checklist" if self.checklist else "#measures"
        if self.focused is None:
            self.query_one(focus, DataTable).focus()

    def masked_changed(self) -> None:
        self.render_tables()

    def render_tables(self) -> None:
        masked, today, width = self.state.masked, self.state.today, self.app.size.width
        self.tables_width = width
        if self.session_id is not None:
            table = self.query_one("#checklist", DataTable)
            rows: dict[str, list[Text]] = {}
            for item in self.checklist:
                status = Text(MEASURE_STATUSES[item.status])
                if is_overdue(item.due_date, item.status, today):
                    status = Text(f"{MEASURE_STATUSES[item.status]}, forfalt", style="bold red")
                rows[str(item.measure.id)] = [
                    cell("✓" if item.checked else "☐"),
                    *measure_cells(item.measure, masked, self.names)[:3],
                    cell(fmt.date(item.due_date)),
                    cell(status),
                ]
            _refill(table, width, ["✓", *MEASURE_HEADERS], rows)
            done = sum(1 for item in self.checklist if item.checked)
            table.border_subtitle = f"{done} av {len(self.checklist)} avkrysset"
        table = self.query_one("#measures", DataTable)
        rows = {}
        for measure in self.measures:
            label = MEASURE_STATUSES[measure.status]
            late = is_overdue(measure.due_date, measure.status, today)
            rows[str(measure.id)] = [
                *measure_cells(measure, masked, self.names),
                cell(Text(f"{label}, forfalt", style="bold red") if late else label),
            ]
        _refill(table, width, list(MEASURE_HEADERS), rows)
        self.show_detail()

    def selected(self) -> tuple[ChecklistItem | None, MeasureRow | None]:
        """(checklist item, measure) under the cursor of the focused table."""
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id == "checklist" and self.checklist:
            item = self.checklist[min(focused.cursor_row, len(self.checklist) - 1)]
            return item, item.measure
        table = self.query_one("#measures", DataTable)
        if self.measures:
            return None, self.measures[min(table.cursor_row, len(self.measures) - 1)]
        return None, None

    def show_detail(self) -> None:
        item, measure = self.selected()
        detail = self.query_one("#measure-detail", Static)
        if measure is None:
            hint = "Ingen tiltak ennå. Trykk n for å legge til et."
            detail.update(hint)
            return
        masked = self.state.masked
        text, owner = (self.names.shown(t, masked) for t in (measure.text, measure.owner))
        comment = self.names.shown(item.comment, masked) if item is not None else ""
        detail.update(
            Text.assemble(
                (f"{MEASURE_LEVELS[measure.level]}: ", "bold"),
                text,
                f"\nAnsvarlig: {owner or '–'} · frist {fmt.date(measure.due_date)} · "
                f"opprettet {fmt.date(measure.created_on)}",
                f"\nKommentar i dag: {comment or '–'}" if item is not None else "",
            )
        )

    @on(DataTable.RowHighlighted)
    def highlighted(self) -> None:
        self.show_detail()

    # --- writes -----------------------------------------------------------------------------

    def write(self, call: Callable[[], object]) -> None:
        """Write through the screen's queue; the lists are read again once it is written."""
        queue_of(self).write(None, call, done=self.Written())

    @on(Written)
    def written(self) -> None:
        self.load()

    @on(WriteFailed)
    def write_failed(self, failed: WriteFailed) -> None:
        report(self, failed)
        self.load()

    def change(self, change: MeasureChange) -> None:
        """Apply a change to the selected measure: the use case tells a session's follow-up of
        a measure on its checklist from a change to the measure itself."""
        _, measure = self.selected()
        if measure is not None:
            self.write(partial(self.apply, measure.id, change, measure.version))

    def apply(self, measure_id: int, change: MeasureChange, base: int) -> None:
        """The change, as an edit of the measure as it was read (version `base`); a conflict
        with another advisor's change goes to the advisor to choose (in a thread). The
        screen's own earlier change, written but not yet read back, is no other's."""
        base = max(base, self.written_versions.get(measure_id, 0))
        try:
            version = measures.change_measure(
                self.engine, measure_id, self.session_id, change, base
            )
        except EditConflict as conflict:
            self.post_message(self.Conflicted(measure_id, change, conflict))
            return
        if version is not None:
            self.written_versions[measure_id] = version

    @on(Conflicted)
    def conflicted(self, message: Conflicted) -> None:
        def chosen(kept: Kept | None) -> None:
            if kept is not None:  # theirs otherwise: it stands, and the lists show it
                base = message.conflict.version
                self.write(partial(self.apply, message.measure_id, message.change, base))

        self.app.push_screen(ConflictDialog(message.conflict), chosen)

    def action_tick(self) -> None:
        item, _ = self.selected()
        if item is not None:
            self.change(MeasureChange(checked=not item.checked))

    def action_set_status(self, status: str) -> None:
        self.change(MeasureChange(status=status))

    def action_cancel_measure(self) -> None:
        """Cancelling asks why; the reason goes into the measure's history (Esc: nothing)."""
        _, measure = self.selected()
        if measure is None:
            return
        session_id = self.session_id

        def chosen(reason: str | None) -> None:
            if reason:
                call = partial(measures.cancel_measure, self.engine, measure.id, reason, session_id)
                self.write(call)

        self.app.push_screen(
            TextForm(
                "Hvorfor avbrytes tiltaket?",
                placeholder="Grunnen blir med i tiltakets historikk",
                required="Skriv hvorfor tiltaket avbrytes, eller trykk Esc for å la det stå.",
            ),
            chosen,
        )

    def action_redate(self) -> None:
        item, measure = self.selected()
        if measure is None:
            return

        def chosen(result: object) -> None:
            if isinstance(result, tuple):
                self.change(MeasureChange(due_date=result[0]))

        current = item.due_date if item is not None else measure.due_date
        self.app.push_screen(DateForm("Ny frist", current), chosen)

    def action_comment(self) -> None:
        item, _ = self.selected()
        if item is None:
            self.notify("Kommentarer skrives på sjekklisten i et møte.", severity="warning")
            return

        def chosen(result: object) -> None:
            if isinstance(result, str):
                self.change(MeasureChange(comment=result))

        self.app.push_screen(TextForm("Kommentar til tiltaket i dag", item.comment), chosen)

    def action_history(self) -> None:
        _, measure = self.selected()
        if measure is not None:
            self.post_message(OpenHistory(measure, self.names))

    def action_new(self) -> None:
        self.app.push_screen(MeasureDialog(self.unit_id, self.session_id), self.reload)

    def reload(self, _result: object = None) -> None:
        self.load()

    def action_review(self) -> None:
        if self.session_id is None:
            self.notify("Start et møte fra enhetsoversikten for å gå gjennom de ansatte.")
            return
        ahead = self.review_ahead if self._read_ahead else None
        self.post_message(
            OpenReview(self.session_id, self.unit_id, replace=True, ahead=ahead, names=self.names)
        )

    def action_summary(self) -> None:
        if self.session_id is not None:
            self.post_message(OpenSummary(self.session_id, self.unit_id))

    def action_back(self) -> None:
        self.app.pop_screen()
