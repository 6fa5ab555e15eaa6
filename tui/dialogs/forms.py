"""Small dialogs: a new measure, a due date, a comment, a merged text, joining the project.
Bad input is explained, not lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static, TextArea
from textual.worker import Worker, WorkerState

from core import fmt
from core.errors import InvalidInput
from core.periods import parse_date
from core.project import parse_baseline
from core.vocabulary import MEASURE_LEVELS
from tui.masking import one_line
from tui.screens.base import NaervaerModal

ResultT = TypeVar("ResultT")
PRIVACY_REMINDER = "Ikke skriv helseopplysninger eller diagnoser."


def parse_due(text: str) -> dt.date | None:
    """An optional due date typed as dd.mm.yyyy; ValueError with a Norwegian message."""
    return parse_date(text) if text.strip() else None


@dataclass(frozen=True)
class MeasureDraft:
    """A measure as it was stored."""

    level: str
    text: str
    owner: str
    due_date: dt.date | None


class _Dialog(NaervaerModal[ResultT]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Avbryt")]
    # A due date in the past, said once: the same date saved again is meant.
    _past_due_said: dt.date | None = None

    def error(self, message: str) -> None:
        self.query_one(".dialog-error", Static).update(escape(message))

    def past_due_said(self, due: dt.date | None) -> bool:
        """Whether `due` is passed and has not been pointed out yet (it is now)."""
        if due is None or due >= self.state.today or due == self._past_due_said:
            return False
        self._past_due_said = due
        self.error(
            f"Fristen {fmt.date(due)} er passert. Lagre en gang til for å bruke den likevel, "
            "eller skriv en ny."
        )
        return True

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def cancelled(self) -> None:
        self.dismiss(None)

    def buttons(self, ok: str = "Lagre") -> ComposeResult:
        with Vertical(classes="dialog-foot"):  # kept in view while the fields scroll (app.tcss)
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(ok, id="ok", variant="primary")
                yield Button("Avbryt", id="cancel")


class MeasureDialog(_Dialog[MeasureDraft | None]):
    """A new measure. It stays open, with all that was typed, until storage has it.

    With an employee it is an enkeltsak for that person; otherwise the level is chosen here
    (enkeltsaker belong to one employee and are added from the review).
    """

    class Rejected(Message):
        """Storage refused the measure; `reason` says why, in Norwegian."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class Stored(Message):
        """The measure is stored: the dialog closes with it."""

        def __init__(self, draft: MeasureDraft) -> None:
            super().__init__()
            self.draft = draft

    def __init__(
        self,
        unit_id: int,
        session_id: int | None,
        *,
        employee_id: int | None = None,
        about: Text | None = None,
    ) -> None:
        super().__init__()
        self.unit_id = unit_id
        self.session_id = session_id
        self.employee_id = employee_id
        self.about = about
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            if self.employee_id is not None:
                box.border_title = "Nytt tiltak (enkeltsak)"
                yield Static(Text("Gjelder: ").append_text(self.about or Text("")))
            else:
                box.border_title = "Nytt tiltak"
                yield Label("Nivå (tiltak for én ansatt legges til fra gjennomgangen)")
                yield Select(
                    [(MEASURE_LEVELS[code], code) for code in ("enhet", "lederrolle")],
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
            yield Static(PRIVACY_REMINDER, classes="privacy-reminder")
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    def problem(self, message: str, field_id: str | None = None) -> None:
        self.error(message)
        if field_id is not None:
            self.query_one(field_id, Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def save(self) -> None:
        if self.saving:  # a second Enter while the first is being written
            return
        text = one_line(self.query_one("#text", Input).value)
        if not text:
            self.problem("Skriv hva tiltaket går ut på.", "#text")
            return
        due_text = self.query_one("#due", Input).value
        try:
            due = parse_due(due_text)
        except ValueError:
            self.problem(
                f"«{one_line(due_text)}» er ikke en gyldig dato. Skriv fristen som dd.mm.åååå.",
                "#due",
            )
            return
        if self.past_due_said(due):
            self.query_one("#due", Input).focus()
            return
        level = "enkeltsak" if self.employee_id is not None else str(self.query_one(Select).value)
        owner = one_line(self.query_one("#owner", Input).value)
        self.saving = True
        self.error("Lagrer …")
        self.store(MeasureDraft(level, text, owner, due))

    @work(thread=True, exclusive=True, exit_on_error=False)
    def store(self, draft: MeasureDraft) -> None:
        from storage.usecases.measures import add_measure

        engine = self.state.engine
        assert engine is not None
        try:
            add_measure(
                engine,
                self.unit_id,
                draft.level,
                draft.text,
                owner=draft.owner,
                due_date=draft.due_date,
                session_id=self.session_id,
                employee_id=self.employee_id,
            )
        except InvalidInput as problem:  # storage explains bad input in Norwegian
            self.post_message(self.Rejected(str(problem)))
            return
        self.post_message(self.Stored(draft))

    @on(Stored)
    def stored(self, message: Stored) -> None:
        self.dismiss(message.draft)

    @on(Rejected)
    def rejected(self, message: Rejected) -> None:
        self.saving = False
        self.error(message.reason)

    @on(Worker.StateChanged)
    def store_failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            from tui.errors import describe

            # Said here, in the dialog: not again by the app (NaervaerModal would pass it on).
            event.stop()
            event.prevent_default()
            self.saving = False
            self.error(f"Tiltaket ble ikke lagret. {describe(event.worker.error)}")


class TextForm(_Dialog[str | None]):
    """One line of text (a comment), returned as typed; empty only where no `required`
    message says why it may not be."""

    def __init__(
        self, title: str, value: str = "", placeholder: str = "", *, required: str = ""
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.required = required

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Input(value=self.value, placeholder=self.placeholder, id="value")
            yield Static(PRIVACY_REMINDER, classes="privacy-reminder")
            yield from self.buttons()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def save(self) -> None:
        value = self.query_one("#value", Input).value.strip()
        if self.required and not value:
            self.error(self.required)
            return
        self.dismiss(value)


class MergeForm(_Dialog[str | None]):
    """Two versions of one text: the other's shown, one's own to edit into the merged text,
    returned as written (Avbryt/Esc: nothing chosen, both kept as they are)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Avbryt"),
        Binding("ctrl+s", "save", "Lagre"),
    ]

    def __init__(self, title: str, theirs_label: str, theirs: str, mine: str) -> None:
        super().__init__()
        self.title_text = title
        self.theirs_label = theirs_label
        self.theirs = theirs
        self.mine = mine

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide") as box:
            box.border_title = self.title_text
            yield Static(Text(self.theirs_label, style="bold"))
            yield Static(Text(self.theirs), id="merge-theirs")
            yield Static(Text("Din (rediger for å slå sammen):", style="bold"))
            yield TextArea(self.mine, id="merge-text")
            yield Static(PRIVACY_REMINDER, classes="privacy-reminder")
            yield from self.buttons("Lagre (Ctrl+S)")

    @on(Button.Pressed, "#ok")
    def action_save(self) -> None:
        text = self.query_one("#merge-text", TextArea).text.strip()
        if not text:
            self.error("Den sammenslåtte teksten er tom. Skriv den, eller velg Avbryt.")
            return
        self.dismiss(text)


class ConfirmForm(_Dialog[bool | None]):
    """A question answered by `ok` (True) or Avbryt/Esc (None)."""

    def __init__(self, title: str, question: str, ok: str) -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.ok = ok

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Static(self.question)
            yield from self.buttons(self.ok)

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    @on(Button.Pressed, "#ok")
    def confirmed(self) -> None:
        self.dismiss(True)


class DateForm(_Dialog[tuple[dt.date | None] | None]):
    """A date; an empty field removes it, so the result is wrapped: (date or None,).

    A due date (`due`) already passed is pointed out before it is kept; other dates (the day a
    unit leaves the project) may well lie in the past.
    """

    def __init__(self, title: str, value: dt.date | None, *, due: bool = True) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.due = due

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
        if self.due and self.past_due_said(due):
            return
        # Wrapped, so that "no date" (None inside) differs from "cancelled" (None).
        self.dismiss((due,))


@dataclass(frozen=True)
class JoinDraft:
    """When units join the project, and the quarter they are measured from ("2024Q4")."""

    joined_on: dt.date
    baseline_quarter: str


class JoinForm(_Dialog[JoinDraft | None]):
    """Join date (default today) and baseline quarter (default computed from the date).

    The baseline follows the date as it is typed, until the advisor writes one of their own.
    """

    def __init__(self, title: str, today: dt.date, default: Callable[[dt.date], str]) -> None:
        super().__init__()
        self.title_text = title
        self.today = today
        self.default = default
        self.shown_default = default(today)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Label("Med i prosjektet fra (dd.mm.åååå)")
            yield Input(value=fmt.date(self.today), placeholder="dd.mm.åååå", id="joined")
            yield Label("Nullpunkt (kvartal)")
            yield Input(value=fmt.quarter_label(self.shown_default), id="baseline")
            yield Static(
                "Standard: kvartalet før enheten ble med (prosjektets nullpunkt fra oppstart).",
                classes="privacy-reminder",
            )
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#joined", Input).focus()

    @on(Input.Changed, "#joined")
    def date_changed(self, event: Input.Changed) -> None:
        baseline = self.query_one("#baseline", Input)
        if baseline.value != fmt.quarter_label(self.shown_default):
            return  # the advisor's own choice stays
        try:
            self.shown_default = self.default(parse_date(event.value))
        except ValueError:
            return
        baseline.value = fmt.quarter_label(self.shown_default)

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def save(self) -> None:
        text = self.query_one("#joined", Input).value
        try:
            joined = parse_date(text)
        except ValueError:
            self.error(f"«{one_line(text)}» er ikke en gyldig dato. Skriv den som dd.mm.åååå.")
            self.query_one("#joined", Input).focus()
            return
        try:
            baseline = parse_baseline(self.query_one("#baseline", Input).value)
        except InvalidInput as problem:
            self.error(str(problem))
            self.query_one("#baseline", Input).focus()
            return
        self.dismiss(JoinDraft(joined, baseline))
