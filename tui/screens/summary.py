"""Oppsummering: what the session covered, the session note, ending it and exporting it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.markdown import Markdown as RichMarkdown
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Click, DescendantBlur
from textual.message import Message
from textual.widgets import Header, Label, Static

from core.conflicts import EditConflict
from core.masking import NO_NAMES, Masker, masker_of
from core.summary import SessionSummary, document_names, summary_markdown
from storage.usecases import sessions
from tui import memory
from tui.dialogs.conflict import ConflictDialog, Kept
from tui.dialogs.export import ExportChoice, ExportDialog
from tui.navigation import OpenMeasures, OpenReview
from tui.screens.base import NaervaerScreen, session_title
from tui.widgets.autosave import AutosaveTextArea
from tui.widgets.keybar import KeyBar
from tui.widgets.text_view import TextView
from tui.writes import queue_of

if TYPE_CHECKING:
    from storage.db import Engine
    from storage.usecases.sessions import AgendaRead


@dataclass(frozen=True, slots=True)
class Document:
    """The summary's Markdown as drawn, masked or not, and as Rich has parsed it."""

    masked: bool
    markdown: str
    rich: RichMarkdown


def document(summary: SessionSummary, masked: bool, names: Masker) -> Document:
    markdown = summary_markdown(summary, masked, names)
    return Document(masked, markdown, RichMarkdown(markdown))


@dataclass(frozen=True, slots=True)
class SummaryRead:
    """The summary with what showing it takes, made in the worker that reads it: the note's
    masker (whom the unit knows), the document's (core.summary.document_names), and the
    document as the app's masking had it then."""

    summary: SessionSummary
    names: Masker
    document_names: Masker
    document: Document


def read_summary(
    engine: Engine, session_id: int, masked: bool, kept: AgendaRead | None = None
) -> SummaryRead:
    """The session's summary (`kept`: its agenda as read when it opened), in a worker."""
    summary = sessions.session_summary(engine, session_id, kept)
    unit_names = masker_of(summary.known_employees, summary.known_leaders)
    names = document_names(summary, unit_names)
    return SummaryRead(summary, unit_names, names, document(summary, masked, names))


class SummaryScreen(memory.DefersRelease, NaervaerScreen[None]):
    class Loaded(Message):
        def __init__(self, read: SummaryRead) -> None:
            super().__init__()
            self.read = read

    class Ended(Message):
        """The session is ended and its summary kept."""

    class NoteConflict(Message):
        """Another advisor wrote the note since it was read: nothing was written."""

        def __init__(self, conflict: EditConflict) -> None:
            super().__init__()
            self.conflict = conflict

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "end_session", "Avslutt og lagre møtet", id="end_session"),
        Binding("ctrl+r", "export", "Eksporter", id="export"),
        Binding("ctrl+g", "review", "Gjennomgang", id="review"),
        Binding("ctrl+t", "measures", "Tiltak", id="measures"),
        Binding("e", "edit_note", "Skriv notat", id="edit_note"),
        Binding("escape", "back", "Tilbake", id="back"),
        Binding("down", "scroll_text(1)", "Rull ned", show=False),
        Binding("up", "scroll_text(-1)", "Rull opp", show=False),
        Binding("pagedown", "scroll_page(1)", "Rull ned en side", show=False),
        Binding("pageup", "scroll_page(-1)", "Rull opp en side", show=False),
    ]
    # The summary's keys work from the start; the note is written after `e`.
    AUTO_FOCUS = ""

    def __init__(self, session_id: int, unit_id: int, read: SummaryRead | None = None) -> None:
        """`read` when read before opening: the screen is drawn once, full."""
        super().__init__()
        self.session_id = session_id
        self.unit_id = unit_id
        self._first_read = read
        self.summary: SessionSummary | None = None
        self.markdown = ""  # the summary as drawn
        self.names = NO_NAMES
        self.document_names = NO_NAMES
        self.document: Document | None = None  # as drawn
        # The session's version with the note as read or last saved here: what a save of
        # the note is based on, so that it never overwrites another advisor's newer note.
        self.note_version: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="summary-body"):
            yield TextView(id="summary-text")
            with Vertical(id="summary-side"):
                yield Label("Notat fra møtet (e: skriv)")
                yield AutosaveTextArea("session-note", self.save_note, id="session-note")
                # The note with its names hidden, in its place while masked and not written.
                yield Static(id="session-note-masked")
                yield Static(
                    "Ikke skriv helseopplysninger eller diagnoser.", classes="privacy-reminder"
                )
        yield KeyBar()

    def on_mount(self) -> None:
        if self._first_read is None:
            self.load()
        else:
            self.show(self._first_read)
            self._first_read = None

    def on_unmount(self) -> None:
        if self.release_deferred:  # the review's data, once the next screen is drawn
            memory.release_when_drawn(self.app)

    def save_note(self, _key: object, text: str) -> bool:
        """Save the note (in a thread); False, and the advisor asked, on a conflict."""
        try:
            self.note_version = sessions.set_session_note(
                self.engine, self.session_id, text, base=self.note_version
            )
        except EditConflict as conflict:
            self.post_message(self.NoteConflict(conflict))
            return False
        return True

    @on(NoteConflict)
    def note_conflict(self, message: NoteConflict) -> None:
        conflict = message.conflict

        def chosen(kept: Kept | None) -> None:
            note = self.query_one(AutosaveTextArea)
            self.note_version = conflict.version
            text = str(conflict.theirs) if kept is None else str(kept.value)
            note.show("session-note", text)
            if kept is not None:
                queue_of(self).write(
                    "session-note",
                    partial(self.save_note, None, text),
                    failure="Notatet ble ikke lagret",
                )

        self.app.push_screen(ConflictDialog(conflict), chosen)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        self.post_message(
            self.Loaded(read_summary(self.engine, self.session_id, self.state.masked))
        )

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.show(message.read)

    def show(self, read: SummaryRead) -> None:
        first = self.summary is None
        summary = self.summary = read.summary
        self.names, self.document_names = read.names, read.document_names
        self.document = read.document
        if first:
            # The session's unit in the title bar, as on the agenda and the checklist.
            self.sub_title = session_title(
                summary.unit_name, summary.session_type_label, summary.held_on
            )
            note = self.query_one(AutosaveTextArea)
            note.show("session-note", summary.note)
            self.note_version = summary.note_version
        self.render_summary()
        self.show_note_masked()

    def masked_changed(self) -> None:
        self.render_summary()
        self.show_note_masked()

    def show_note_masked(self) -> None:
        """The note with its names hidden in place of the editor, while masked and not being
        written, if it names anyone: the editor only ever holds the text as written."""
        note = self.query_one(AutosaveTextArea)
        cover = self.query_one("#session-note-masked", Static)
        shown = note.text if note.has_focus else self.names.shown(note.text, self.state.masked)
        covered = shown != note.text
        if covered:
            cover.update(Text(shown))
        cover.display = covered
        note.display = not covered

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        if event.widget.id == "session-note":
            self.show_note_masked()

    @on(Click, "#session-note-masked")
    def masked_note_clicked(self) -> None:
        self.action_edit_note()

    def render_summary(self) -> None:
        """The summary's Markdown drawn by Rich in a box that scrolls by itself: Textual's
        Markdown widget made a widget of every block and line of it (hundreds, each styled and
        laid out), and a Static drew it whole at every layout pass."""
        if self.summary is None:
            return
        masked = self.state.masked
        if self.document is None or self.document.masked != masked:
            self.document = document(self.summary, masked, self.document_names)
        self.markdown = self.document.markdown
        self.query_one(TextView).update(self.document.rich)

    def action_end_session(self) -> None:
        self.end_session(self.query_one(AutosaveTextArea).text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="end")
    def end_session(self, note: str) -> None:
        """Save the note, then the summary as it stands with it (always masked: it is shown
        again to whoever opens the unit next)."""
        try:
            sessions.end_session(self.engine, self.session_id, note=note, base=self.note_version)
        except EditConflict as conflict:
            self.post_message(self.NoteConflict(conflict))
            return
        self.post_message(self.Ended())

    @on(Ended)
    def ended(self) -> None:
        self.notify("Møtet er avsluttet og lagret.")
        self.app.pop_screen()

    def action_export(self) -> None:
        from storage.usecases.export import FORMATS, documents_folder

        if self.summary is None:
            return
        dialog = ExportDialog("Eksporter oppsummering", FORMATS["summary"], documents_folder())
        self.app.push_screen(dialog, self.export_chosen)

    def export_chosen(self, choice: ExportChoice | None) -> None:
        if choice is not None:
            note = self.query_one(AutosaveTextArea).text
            self.export(choice.form, choice.folder, note, self.state.masked)

    @work(thread=True, exit_on_error=False, group="export")
    def export(self, form: str, folder: Path, note: str, masked: bool) -> None:
        from storage.usecases.export import export_summary

        # The note as typed, not as the autosave last had it.
        if not self.save_note(None, note):
            return
        path = export_summary(self.engine, self.session_id, folder, form, masked=masked)
        self.app.call_from_thread(self.notify, f"Lagret {path}", timeout=8, markup=False)

    def action_review(self) -> None:
        self.post_message(OpenReview(self.session_id, self.unit_id, replace=True))

    def action_measures(self) -> None:
        self.post_message(OpenMeasures(self.unit_id, self.session_id, replace=True))

    def action_scroll_text(self, lines: int) -> None:
        self.query_one(TextView).scroll_lines(lines)

    def action_scroll_page(self, direction: int) -> None:
        self.query_one(TextView).scroll_page(direction)

    def action_edit_note(self) -> None:
        # Written as it is: the names show while the note is being written.
        self.query_one("#session-note-masked").display = False
        note = self.query_one(AutosaveTextArea)
        note.display = True
        note.focus()

    def action_back(self) -> None:
        note = self.query_one(AutosaveTextArea)
        if self.focused is note:
            self.set_focus(None)
            return
        note.flush()
        self.app.pop_screen()
