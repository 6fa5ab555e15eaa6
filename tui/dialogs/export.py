"""Eksport: choose the format and the folder; the screen that asked writes the document."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from core.status import HIDDEN_NOTE
from tui.screens.base import NaervaerModal

FORMAT_LABELS = {"pdf": "PDF (.pdf)", "md": "Markdown (.md)", "xlsx": "Excel (.xlsx)"}


@dataclass(frozen=True)
class ExportChoice:
    form: str
    folder: Path


class ExportDialog(NaervaerModal[ExportChoice | None]):
    """The formats the document comes in, and the folder (the documents folder to begin with)."""

    DEFAULT_CSS = """
    ExportDialog {
        align: center middle;
    }
    ExportDialog OptionList {
        height: auto;
        margin-bottom: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Avbryt")]

    def __init__(
        self, title: str, forms: tuple[str, ...], folder: Path, *, names: bool = True
    ) -> None:
        super().__init__()
        self.title_text = title
        self.forms = forms
        self.folder = folder
        self.names = names  # False: a document of figures per unit, never names

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield OptionList(*[Option(FORMAT_LABELS[f], id=f) for f in self.forms])
            yield Label("Mappe")
            yield Input(str(self.folder), id="export-folder")
            yield Static(id="export-names", classes="privacy-reminder")
            yield Static("Enter lagrer i valgt format · Esc avbryter", classes="review-hint")

    def on_mount(self) -> None:
        self.masked_changed()
        self.query_one(OptionList).focus()

    def masked_changed(self) -> None:
        # The document follows the display: names only when they are shown (m).
        if not self.names:
            text = f"Bare tall per enhet, ingen navn. {HIDDEN_NOTE}."
        elif self.state.masked:
            text = "Uten navn: ansattnummer (m viser navn)."
        else:
            text = "Med navn (m skjuler dem)."
        self.query_one("#export-names", Static).update(text)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        folder = self.query_one("#export-folder", Input).value.strip()
        if event.option.id is not None:
            self.dismiss(ExportChoice(event.option.id, Path(folder or str(self.folder))))

    @on(Input.Submitted)
    def folder_given(self) -> None:
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
