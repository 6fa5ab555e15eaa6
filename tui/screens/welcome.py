"""First start on an empty database: import the HR system's exports, or try the demo."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Button, Header, Static

from tui.screens.base import NaervaerScreen
from tui.widgets.keybar import KeyBar

WELCOME = """[b]Velkommen til Nærvær[/b]

Databasen er tom. Importer eksportene fra HR-systemet (enheter, ansatte og \
fravær, som CSV-filer eller en Excel-bok), eller prøv appen med oppdiktede data for en kommune.

Demodataene er laget av appen selv; ingen av personene finnes."""


class WelcomeScreen(NaervaerScreen[str | None]):
    """Dismissed with "import", the demo scale chosen, or None to leave."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Avslutt"),
    ]

    def __init__(self) -> None:
        super().__init__(id="welcome")

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="welcome-box"):
            yield Static(WELCOME, id="welcome-text")
            yield Button("Importer data …", id="import", variant="primary")
            yield Button("Liten demokommune (12 enheter)", id="small")
            yield Button("Hel kommune (300 enheter, tar litt tid)", id="municipality")
            yield Button("Avslutt", id="leave")
        yield KeyBar()

    @on(Button.Pressed)
    def chosen(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "leave" else event.button.id)

    def action_leave(self) -> None:
        self.dismiss(None)
