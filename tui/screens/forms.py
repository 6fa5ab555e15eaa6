"""Small dialogs: a new measure, a new due date, a comment. Bad input is explained, not lost."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from core import fmt
from core.periods import parse_date
from core.vocabulary import MEASURE_LEVELS


def parse_due(text: str) -> dt.date | None:
    """An optional due date typed as dd.mm.yyyy; ValueError with a Norwegian message."""
    return parse_date(text) if text.strip() else None


@dataclass(frozen=True)
class MeasureDraft:
    level: str
    text: str
    owner: str
    due_date: dt.date | None


class _Dialog(ModalScreen[object]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Avbryt")]

    def error(self, message: str) -> None:
        self.query_one(".dialog-error", Static).update(escape(message))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def cancelled(self) -> None:
        self.dismiss(None)

    def buttons(self) -> ComposeResult:
        yield Static("", classes="dialog-error")
        with Horizontal(classes="dialog-buttons"):
            yield Button("Lagre", id="ok", variant="primary")
            yield Button("Avbryt", id="cancel")


class MeasureForm(_Dialog):
    """A new measure; `level` fixed (from the review) or chosen here."""

    def __init__(self, level: str | None = None, about: str | None = None) -> None:
        super().__init__()
        self.level = level
        self.about = about

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Nytt tiltak"
            if self.about:
                yield Label(f"Enkeltsak: {self.about}")
            if self.level is None:
                # Enkeltsaker belong to one employee: they are added from the review.
                yield Label("Nivå (tiltak for én ansatt legges til fra gjennomgangen)")
                yield Select(
                    [
                        (label, code)
                        for code, label in MEASURE_LEVELS.items()
                        if code != "enkeltsak"
                    ],
                    value="enhet",
                    allow_blank=False,
                    id="level",
                )
            yield Label("Tiltak")
            yield Input(placeholder="Hva skal gjøres?", id="text")
            yield Label("Ansvarlig")
            yield Input(placeholder="Hvem følger opp?", id="owner")
            yield Label("Frist (dd.mm.åååå, kan stå tom)")
            yield Input(placeholder="dd.mm.åååå", id="due")
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def save(self) -> None:
        text = self.query_one("#text", Input).value.strip()
        if not text:
            self.error("Skriv hva tiltaket går ut på.")
            self.query_one("#text", Input).focus()
            return
        try:
            due = parse_due(self.query_one("#due", Input).value)
        except ValueError as problem:
            self.error(str(problem))
            self.query_one("#due", Input).focus()
            return
        level = self.level or str(self.query_one("#level", Select).value)
        owner = self.query_one("#owner", Input).value.strip()
        self.dismiss(MeasureDraft(level, text, owner, due))


class TextForm(_Dialog):
    """One line of text (a comment), returned as typed (may be empty)."""

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Input(value=self.value, placeholder=self.placeholder, id="value")
            yield Static(
                "Ikke skriv helseopplysninger eller diagnoser.", classes="privacy-reminder"
            )
            yield from self.buttons()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def save(self) -> None:
        self.dismiss(self.query_one("#value", Input).value.strip())


class DateForm(_Dialog):
    """A due date; an empty field removes it. Returns ("", None) style via a one-item tuple."""

    def __init__(self, title: str, value: dt.date | None) -> None:
        super().__init__()
        self.title_text = title
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Input(
                value=fmt.date(self.value) if self.value else "",
                placeholder="dd.mm.åååå",
                id="value",
            )
            yield from self.buttons()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def save(self) -> None:
        try:
            due = parse_due(self.query_one("#value", Input).value)
        except ValueError as problem:
            self.error(str(problem))
            return
        # Wrapped, so that "no date" (None inside) differs from "cancelled" (None).
        self.dismiss((due,))
