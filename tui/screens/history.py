"""A measure's history across sessions: what was decided and said each time, and who changed
its status, due date or text, and when."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from core import fmt
from core.conflicts import change_text, moment
from core.masking import Masker
from core.vocabulary import MEASURE_LEVELS, MEASURE_STATUSES, SESSION_TYPES
from storage.usecases import measures
from storage.usecases.measures import Change, HistoryEntry
from storage.usecases.sessions import MeasureRow
from tui.screens.base import NaervaerModal

OUTSIDE_MEETINGS = "Utenfor møte"  # a record made outside any meeting (a cancellation)
DIALOG_WIDTH = 100  # app.tcss: .dialog.wide, at most the screen's width
# The dialog's border and padding, the cells' padding (1 either side of 6) and a scrollbar.
DIALOG_FRAME = 2 + 4 + 12 + 2
COMMENT_LEAST = 28  # cells for the comment before the meeting's name wraps


class HistoryScreen(NaervaerModal[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,h,q", "close", "Lukk")]

    class Loaded(Message):
        def __init__(self, history: tuple[HistoryEntry, ...], changes: tuple[Change, ...]) -> None:
            super().__init__()
            self.history = history
            self.changes = changes

    def __init__(self, measure: MeasureRow, names: Masker) -> None:
        """`names`: the unit's masker, for the measure's text, owner and comments."""
        super().__init__()
        self.measure = measure
        self.names = names

    def shown(self, text: str) -> str:
        return self.names.shown(text, self.state.masked)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide") as box:
            box.border_title = "Tiltakets historikk"
            yield Static(
                Text.assemble(
                    (f"{MEASURE_LEVELS[self.measure.level]}: ", "bold"),
                    self.shown(self.measure.text),
                    f"\nOpprettet {fmt.date(self.measure.created_on)}, ansvarlig "
                    f"{self.shown(self.measure.owner) or '–'}, status nå "
                    f"{MEASURE_STATUSES[self.measure.status].lower()}",
                )
            )
            yield DataTable(id="history", cursor_type="none", zebra_stripes=True)
            # Who changed its status, due date or text, and when (the audit log); shown if any.
            changes: DataTable[object] = DataTable(
                id="changes", cursor_type="none", zebra_stripes=True
            )
            changes.display = False
            yield changes

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Fixed widths: DataTable's automatic ones can lag behind rows added after mount. The
        # comment gets what the dialog has left (the meeting's name wraps on a narrow screen),
        # and wraps in its rows.
        fixed = {"Dato": 10, "✓": 1, "Status": 8, "Frist": 10}
        room = min(DIALOG_WIDTH, self.app.size.width) - DIALOG_FRAME - sum(fixed.values())
        meeting = 22 if room - 22 >= COMMENT_LEAST else 12
        widths = {"Møte": meeting, **fixed, "Kommentar": max(room - meeting, 8)}
        for header in ("Møte", "Dato", "✓", "Status", "Frist", "Kommentar"):
            table.add_column(header, width=widths[header])
        changes = self.query_one("#changes", DataTable)
        # Three columns' padding in place of six; the change gets what is left and wraps.
        left = min(DIALOG_WIDTH, self.app.size.width) - (DIALOG_FRAME - 6) - 20 - 14
        for header, column in (("Endret", 20), ("Av", 14), ("Endring", max(left, 8))):
            changes.add_column(header, width=column)
        self.load()

    @work(thread=True, exit_on_error=False)
    def load(self) -> None:
        engine = self.state.engine
        assert engine is not None
        history = measures.measure_history(engine, self.measure.id)
        self.post_message(self.Loaded(history, measures.measure_changes(engine, self.measure.id)))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        table = self.query_one(DataTable)
        for entry in message.history:
            table.add_row(
                SESSION_TYPES[entry.session_type] if entry.session_type else OUTSIDE_MEETINGS,
                fmt.date(entry.held_on),
                "✓" if entry.checked else "",
                MEASURE_STATUSES[entry.status],
                fmt.date(entry.due_date),
                Text(self.shown(entry.comment)),
                height=None,
            )
        if not message.history:
            table.add_row("Ikke fulgt opp i noe møte ennå.", "", "", "", "", "")
        changes = self.query_one("#changes", DataTable)
        for change in message.changes:
            what = change_text(change.field, change.old_value, change.new_value)
            changes.add_row(
                moment(change.at), Text(change.advisor), Text(self.shown(what)), height=None
            )
        changes.display = bool(message.changes)

    def action_close(self) -> None:
        self.dismiss(None)
