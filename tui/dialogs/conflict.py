"""Another advisor changed what this one was editing: both values, and the advisor chooses.
Nothing is lost: their change stays unless this one's is kept, and a note can be merged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static, TextArea

from core.conflicts import FIELD_LABELS, EditConflict, shown
from tui.screens.base import NaervaerModal

NOTE_FIELDS = frozenset({"note"})


@dataclass(frozen=True)
class Kept:
    """What the advisor chose to store: their own value (for a note: the text as merged)."""

    value: object


class ConflictDialog(NaervaerModal[Kept | None]):
    """`None`: the other advisor's value stands."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "theirs", "Ta deres"),
        Binding("ctrl+s", "keep", "Behold din"),
    ]

    def __init__(self, conflict: EditConflict) -> None:
        super().__init__()
        self.conflict = conflict
        self.note = conflict.field in NOTE_FIELDS

    def compose(self) -> ComposeResult:
        conflict = self.conflict
        label = FIELD_LABELS.get(conflict.field, conflict.field)
        with Vertical(classes="dialog wide") as box:
            box.border_title = "Endret av en annen rådgiver"
            yield Static(Text(conflict.describe(self.state.today)), id="conflict-line")
            if self.note:
                yield Static(Text(f"Deres {label}:", style="bold"))
                yield Static(Text(str(conflict.theirs)), id="conflict-theirs")
                yield Static(Text(f"Ditt {label} (rediger for å slå sammen):", style="bold"))
                yield TextArea(str(conflict.yours), id="conflict-yours")
            else:
                yield Static(
                    Text.assemble(
                        ("Deres: ", "bold"),
                        shown(conflict.field, conflict.theirs),
                        ("   Din: ", "bold"),
                        shown(conflict.field, conflict.yours),
                    )
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Behold din (Ctrl+S)", id="keep", variant="primary")
                yield Button("Ta deres (Esc)", id="theirs")

    def action_keep(self) -> None:
        value = self.query_one(TextArea).text if self.note else self.conflict.yours
        self.dismiss(Kept(value))

    def action_theirs(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#keep")
    def keep_pressed(self) -> None:
        self.action_keep()

    @on(Button.Pressed, "#theirs")
    def theirs_pressed(self) -> None:
        self.action_theirs()
