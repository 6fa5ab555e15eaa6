"""Gjennomgang: the unit's employees one by one, with the session's ticks, notes and measures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content, Span
from textual.events import Click, DescendantBlur
from textual.message import Message
from textual.style import Style
from textual.timer import Timer
from textual.widgets import Button, Header, SelectionList, Static, TextArea
from textual.worker import Worker, WorkerState

from core import fmt
from core.cases import MILESTONES, MilestoneStatus, milestone_status, next_task
from core.conflicts import EditConflict, change_text, moment
from core.masking import NO_NAMES, Masker
from core.text import clean_text
from core.vocabulary import ABSENCE_TYPES, SESSION_TYPES, SICK_KINDS
from storage.usecases import review, sessions
from storage.usecases.review import CaseMeasure, CaseView, EmployeeDetail, ReviewData
from storage.usecases.sessions import Change, SessionInfo
from tui import memory
from tui.dialogs.conflict import ConflictDialog, Kept
from tui.dialogs.forms import MeasureDialog, MeasureDraft
from tui.masking import one_line, person
from tui.navigation import OpenMeasures, OpenSummary
from tui.screens.base import NaervaerModal, NaervaerScreen
from tui.widgets.charts import Chart, ChartData
from tui.widgets.keybar import KeyBar
from tui.widgets.line_list import LineList
from tui.widgets.text_view import TextView
from tui.writes import WriteFailed, queue_of, report

# (employee_id, case start, milestone key): one milestone of one case.
MilestoneKey = tuple[int, dt.date, str]
NOTE_DEBOUNCE_SECONDS = 0.5
PRIVACY_REMINDER = "Ikke skriv helseopplysninger eller diagnoser i notatene."
STATUS_STYLES = {
    "done": "green",
    "overdue": "bold white on red",
    "coming": "bold yellow",
    "later": "dim",
    "passed": "dim",
}


def shown_person(number: str, name: str | None, masked: bool) -> Text:
    return Text(person(number, name, masked))


def grade_label(grade: float) -> str:
    return fmt.percent(grade, 0 if float(grade).is_integer() else 1)


# The list's line: the tick (2 cells), lost workdays (6), a space, markers (7), a space and the
# name, which the list cuts at its edge: the line is the same at any width.
MARKER_CELLS = 7
LOST_CELLS = 6  # up to 9999,9, right-aligned
# One Style object each, shared by every line: drawing a list hashes each style it meets.
LIST_STYLES = {
    "tick": Style.parse("bold green"),
    "case": Style.parse("cyan"),
    "overdue": Style.parse("bold red"),
    "flags": Style.parse("yellow"),
}


def list_line(detail: EmployeeDetail, reviewed: bool, masked: bool) -> Content:
    """`✓  12,0 ● !1 ⚑2 name`: one line of plain text with a few shared styles, cheap to
    lay out and draw for hundreds of people (no markup: names are shown as they are)."""
    parts: list[tuple[str, Style | None]] = [
        ("✓ " if reviewed else "  ", LIST_STYLES["tick"]),
        (fmt.number(detail.lost_12m).rjust(LOST_CELLS) + " ", None),
    ]
    markers = 0
    if detail.case is not None:
        parts.append(("● ", LIST_STYLES["case"]))
        markers += 2
        if detail.case.overdue:
            overdue = f"!{detail.case.overdue} "
            parts.append((overdue, LIST_STYLES["overdue"]))
            markers += len(overdue)
    if detail.raised_flags:
        flags = f"⚑{detail.raised_flags}"
        parts.append((flags, LIST_STYLES["flags"]))
        markers += len(flags)
    parts.append((" " * max(MARKER_CELLS - markers, 0) + " ", None))
    parts.append((person(detail.number, detail.name, masked), None))
    spans, start = [], 0
    for text, style in parts:
        if style is not None:
            spans.append(Span(start, start + len(text), style))
        start += len(text)
    return Content("".join(text for text, _ in parts), spans)


class ReviewScreen(NaervaerScreen[None]):
    """All data is loaded once; moving between employees draws from memory, writes autosave."""

    class Loaded(Message):
        def __init__(self, data: ReviewData) -> None:
            super().__init__()
            self.data = data

    class NoteSaved(Message):
        def __init__(self, employee_id: int, text: str) -> None:
            super().__init__()
            self.employee_id = employee_id
            self.text = text

    class NoteConflict(Message):
        """Another advisor wrote the employee's note since it was read: nothing was written."""

        def __init__(self, employee_id: int, conflict: EditConflict) -> None:
            super().__init__()
            self.employee_id = employee_id
            self.conflict = conflict

    class MilestoneConflict(Message):
        """Another advisor marked or unmarked the milestone since it was read: nothing was
        written."""

        def __init__(self, milestone: MilestoneKey, conflict: EditConflict) -> None:
            super().__init__()
            self.milestone = milestone
            self.conflict = conflict

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,j,down", "move(1)", "Neste", key_display="n/↓", id="review_next"),
        Binding("p,k,up", "move(-1)", "Forrige", key_display="p/↑", id="review_previous"),
        Binding(
            "r,space", "toggle_reviewed", "Gjennomgått", key_display="r/␣", id="review_reviewed"
        ),
        Binding("d", "milestone_done", "Milepæl utført", id="review_milestone_done"),
        Binding("D", "pick_milestones", "Velg milepæler", key_display="D", id="review_milestones"),
        Binding("h", "milestone_history", "Historikk", id="review_history"),
        Binding("t", "add_measure", "Nytt tiltak", id="review_measure"),
        Binding("T", "checklist", "Sjekkliste", key_display="T", id="review_checklist"),
        Binding("a", "summary", "Avslutt møtet", id="review_summary"),
        Binding("e", "edit_note", "Notat", id="review_note"),
        Binding("escape", "leave", "Tilbake", key_display="Esc", id="review_back"),
        # Priority: the list and the note would otherwise take these for themselves.
        Binding("pagedown", "scroll_detail(1)", "Rull ned", show=False, priority=True),
        Binding("pageup", "scroll_detail(-1)", "Rull opp", show=False, priority=True),
    ]

    def __init__(self, session_id: int, unit_id: int, data: ReviewData | None = None) -> None:
        """`data` from the `review` use case when read before opening: the screen is drawn once,
        full."""
        super().__init__(id="review")
        self.session_id = session_id
        self.unit_id = unit_id
        self._first_data = data
        self.info: SessionInfo | None = None
        self.details: tuple[EmployeeDetail, ...] = ()
        self.position: dict[int, int] = {}  # employee_id -> index in the list
        self.selected: int | None = None
        self.reviewed: set[int] = set()
        self.measures: dict[int, tuple[CaseMeasure, ...]] = {}
        self.names = NO_NAMES
        # Notes as typed (shown) and as last confirmed written; they differ while unsaved.
        self.note_text: dict[int, str] = {}
        self.note_saved: dict[int, str] = {}
        self._note_sent: dict[int, str] = {}
        self._note_timer: Timer | None = None
        # employee_id -> the version of their review as read or last written here: what the
        # next write is based on, so that no note overwrites another advisor's newer one.
        self.versions: dict[int, int] = {}
        self.in_conflict: set[int] = set()  # notes the advisor is choosing between
        # The version of each milestone of the cases as read or last written here (none: 0).
        self.milestone_versions: dict[MilestoneKey, int] = {}

    # --- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        listing = LineList(id="review-list")
        listing.border_title = "Ansatte · tapte dagsverk 12 mnd"
        listing.border_subtitle = "● sak  ! forfalt  ⚑ flagg"
        # Open to writing from the start when read before opening with someone to write about:
        # switched on after mounting, the editor would be styled once more.
        note = TextArea(
            id="review-note",
            soft_wrap=True,
            placeholder="Notat om den ansatte i dette møtet (lagres mens du skriver)",
            disabled=self._first_data is None or not self._first_data.details,
        )
        note.border_title = "Notat (e)"
        masked_note = Static(id="review-note-masked")
        masked_note.border_title = "Notat (e) · navn skjult"
        yield Header()
        yield Static("Laster gjennomgangen …", id="review-status")
        with Horizontal(id="review-body"):
            yield listing
            with Vertical(id="review-right"):
                # Each part keeps its size from one employee to the next: moving on repaints
                # them without laying out the screen again.
                with Vertical(id="review-detail"):
                    yield Static(id="review-head")
                    yield Chart(id="review-chart")
                    yield TextView(id="review-text")
                yield note
                # The note with its names hidden, in the note's place while masked and not
                # being written: the editor itself only ever holds the text as written.
                yield masked_note
                yield Static(PRIVACY_REMINDER, id="review-privacy")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#review-list", LineList).focus()
        if self._first_data is None:
            self.load()
        else:
            self.show(self._first_data)
            self._first_data = None

    @property
    def masked(self) -> bool:
        return self.state.masked

    # --- loading -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-load")
    def load(self) -> None:
        data = review.review(self.engine, self.session_id, self.unit_id, self.state.today)
        self.post_message(self.Loaded(data))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.show(message.data)

    def show(self, data: ReviewData) -> None:
        self.info = data.info
        self.details = data.details
        self.position = {d.employee_id: i for i, d in enumerate(self.details)}
        self.measures = dict(data.measures)
        self.names = data.names
        self.reviewed = {e for e, (done, _) in data.states.items() if done}
        self.milestone_versions = dict(data.milestone_versions)
        # Notes of people no longer in the review (purged meanwhile) have nowhere to go: the
        # failed write has said so, and they are not tried again at every pause.
        for gone in set(self.note_text) - set(self.position):
            del self.note_text[gone]
            self.note_saved.pop(gone, None)
        for employee_id, (_, stored) in data.states.items():
            note = clean_text(stored)
            unsaved = self.note_text.get(employee_id, note) != self.note_saved.get(
                employee_id, note
            )
            self.note_saved[employee_id] = note
            # A note being typed survives a reload (and stays an edit of the version it was
            # begun on); anything else takes the stored text.
            if not unsaved:
                self.note_text[employee_id] = note
                self.versions[employee_id] = data.versions.get(employee_id, 0)
        if self.selected not in self.position:
            self.selected = self.details[0].employee_id if self.details else None
        self._redraw_list()
        if self.selected is not None:
            self.query_one("#review-list", LineList).highlighted = self.position[self.selected]
        self.show_progress()
        self.show_detail()
        # What is loaded stays while the review is open: out of the collector's way (tui.memory).
        memory.hold()

    @on(Worker.StateChanged)
    def load_failed(self, event: Worker.StateChanged) -> None:
        # The app reports the error itself; the status line says what it means here.
        if event.worker.group == "review-load" and event.state is WorkerState.ERROR:
            self.query_one("#review-status", Static).update("Kunne ikke laste gjennomgangen.")

    # --- the list ---------------------------------------------------------------------------

    def _line(self, detail: EmployeeDetail) -> Content:
        return list_line(detail, detail.employee_id in self.reviewed, self.masked)

    def _redraw_line(self, employee_id: int) -> None:
        index = self.position[employee_id]
        line = self._line(self.details[index])
        self.query_one("#review-list", LineList).replace_line(index, line)

    def show_progress(self) -> None:
        done = sum(1 for d in self.details if d.employee_id in self.reviewed)
        # First on the line, so that a narrow terminal cuts the unit's name, not the progress.
        status = Text.assemble((f" {done} av {len(self.details)} gjennomgått ", "bold reverse"))
        if self.info is not None:
            kind = SESSION_TYPES.get(self.info.session_type, self.info.session_type)
            status.append(f"  Gjennomgang · {one_line(self.info.unit_name)} · ")
            status.append(f"{kind} {fmt.date(self.info.held_on)}")
            if not self.details:
                status.append(" · Ingen ansatte i enheten i dag.")
        self.query_one("#review-status", Static).update(status)

    @on(LineList.Highlighted, "#review-list")
    def highlighted(self) -> None:
        # Read the list's current state rather than the event's: a reload posts several.
        index = self.query_one("#review-list", LineList).highlighted
        if index is not None and index < len(self.details):
            self.select(self.details[index].employee_id)

    def select(self, employee_id: int) -> None:
        if employee_id == self.selected:
            return
        self.flush_notes()
        self.selected = employee_id
        listing = self.query_one("#review-list", LineList)
        if listing.highlighted != self.position[employee_id]:
            listing.highlighted = self.position[employee_id]
        self.show_detail()
        self.query_one("#review-text", TextView).show_top()

    def current(self) -> EmployeeDetail | None:
        if self.selected is None or self.selected not in self.position:
            return None
        return self.details[self.position[self.selected]]

    # --- the detail -------------------------------------------------------------------------

    def show_detail(self) -> None:
        detail = self.current()
        note = self.query_one("#review-note", TextArea)
        if detail is None:
            self.query_one("#review-head", Static).update("", layout=False)
            self.query_one("#review-chart", Chart).show(ChartData("Ingen ansatt valgt", []))
            self.query_one("#review-text", TextView).update(Text())
            note.disabled = True
            self.show_note_masked()
            return
        self.show_head(detail)
        self.show_chart(detail)
        self.show_text(detail)
        note.disabled = False
        text = self.note_text.get(detail.employee_id, "")
        if note.text != text:
            note.load_text(text)
        self.show_note_masked()
        self.show_note_state()

    def show_note_masked(self) -> None:
        """The note with its names hidden in place of the editor, while masked, if it names
        anyone; the editor while the note is written (e), and always with names shown."""
        note = self.query_one("#review-note", TextArea)
        cover = self.query_one("#review-note-masked", Static)
        text = note.text if not note.disabled else ""
        shown = text if note.has_focus else self.names.shown(text, self.masked)
        covered = shown != text
        if covered:
            cover.update(Text(shown), layout=False)
        if cover.display != covered:
            cover.display = covered
            note.display = not covered

    def show_chart(self, detail: EmployeeDetail) -> None:
        self.query_one("#review-chart", Chart).show(
            ChartData(
                title="Tapte dagsverk – " + person(detail.number, detail.name, self.masked),
                labels=[fmt.month_label(m) for m in detail.months],
                series={"Egenmeldt": list(detail.lost_self), "Legemeldt": list(detail.lost_doctor)},
                stacked=True,
            )
        )

    def _redraw_list(self) -> None:
        masked = self.masked  # the app's state looked up once, not once a line
        lines = [list_line(d, d.employee_id in self.reviewed, masked) for d in self.details]
        self.query_one("#review-list", LineList).set_lines(lines)

    def show_head(self, detail: EmployeeDetail) -> None:
        head = Text()
        head.append_text(shown_person(detail.number, detail.name, self.masked))
        head.stylize("bold")
        if detail.title:
            head.append(f" · {one_line(detail.title)}")
        head.append(f" · {grade_label(detail.position_pct)} stilling")
        if detail.employee_id in self.reviewed:
            head.append("  ✓ gjennomgått", style="bold green")
        head.append(f"\nTapte dagsverk siste 12 måneder: {fmt.number(detail.lost_12m)}")
        # Two lines, cut rather than wrapped (app.tcss): the head never changes its height.
        self.query_one("#review-head", Static).update(head, layout=False)

    def show_text(self, detail: EmployeeDetail) -> None:
        """The case and its milestones, the flags, open measures (if any) and the spells."""
        parts = [case_text(detail), flags_text(detail)]
        measures = self.measures.get(detail.employee_id, ())
        if measures:
            parts.append(measures_text(measures, self.names, self.masked))
        parts.append(spells_text(detail, self.state.today))
        self.query_one("#review-text", TextView).update(Text("\n\n").join(parts))

    # --- the note ---------------------------------------------------------------------------

    @on(TextArea.Changed, "#review-note")
    def note_changed(self, event: TextArea.Changed) -> None:
        if self.selected is None:
            return
        text = event.text_area.text
        # Loading another employee's note also says Changed: only typing differs from memory.
        if text == self.note_text.get(self.selected, ""):
            return
        self.note_text[self.selected] = text
        if self._note_timer is not None:
            self._note_timer.stop()
        self._note_timer = self.set_timer(NOTE_DEBOUNCE_SECONDS, self.flush_notes)
        self.show_note_state()

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        if event.widget.id == "review-note":
            self.flush_notes()
            self.show_note_masked()

    @on(Click, "#review-note-masked")
    def masked_note_clicked(self) -> None:
        self.action_edit_note()

    def flush_notes(self, *, now: bool = False) -> None:
        """Write every note that differs from what is stored (usually just the one typed).

        `now`: here, not in a thread, and also notes whose write is still on its way: the
        screen is closing, and with the app a write not yet started would be cancelled.
        """
        if self._note_timer is not None:
            self._note_timer.stop()
            self._note_timer = None
        for employee_id, text in self.note_text.items():
            if (
                text == self.note_saved.get(employee_id, "")
                or (self._note_sent.get(employee_id) == text and not now)
                or employee_id in self.in_conflict
            ):
                continue
            self._note_sent[employee_id] = text
            queue_of(self).write(
                ("note", employee_id),
                partial(self.save_note, employee_id, text),
                failure="Notatet ble ikke lagret",
                done=self.NoteSaved(employee_id, text),
                now=now,
            )

    def save_note(self, employee_id: int, text: str) -> None:
        """Write the note as an edit of the review as read (in the write queue's thread)."""
        base = self.versions.get(employee_id, 0)
        try:
            self.versions[employee_id] = sessions.set_review_note(
                self.engine, self.session_id, employee_id, text, base=base
            )
        except EditConflict as conflict:
            self.in_conflict.add(employee_id)
            self.post_message(self.NoteConflict(employee_id, conflict))
            raise

    def save_reviewed(self, employee_id: int, reviewed: bool) -> None:
        base = self.versions.get(employee_id, 0)
        self.versions[employee_id] = sessions.set_reviewed(
            self.engine, self.session_id, employee_id, reviewed, base=base
        )

    def save_milestone(self, milestone: MilestoneKey, done_on: dt.date | None) -> None:
        """Mark the milestone as an edit of its version as read (in the write queue's thread)."""
        employee_id, case_start, key = milestone
        base = self.milestone_versions.get(milestone, 0)
        try:
            self.milestone_versions[milestone] = sessions.set_milestone_done(
                self.engine,
                employee_id,
                case_start,
                key,
                done_on is not None,
                done_on or self.state.today,
                self.session_id,
                base=base,
            )
        except EditConflict as conflict:
            self.post_message(self.MilestoneConflict(milestone, conflict))
            raise

    @on(MilestoneConflict)
    def milestone_conflict(self, message: MilestoneConflict) -> None:
        milestone, conflict = message.milestone, message.conflict

        def chosen(kept: Kept | None) -> None:
            self.milestone_versions[milestone] = conflict.version
            # The day it was marked done, or None: not done.
            value = conflict.theirs if kept is None else kept.value
            day = value if isinstance(value, dt.date) else None
            if kept is None:
                self.show_milestone(milestone, day)
            else:
                self.write_milestone(milestone, day)

        self.app.push_screen(ConflictDialog(conflict), chosen)

    @on(NoteConflict)
    def note_conflict(self, message: NoteConflict) -> None:
        employee_id, conflict = message.employee_id, message.conflict

        def chosen(kept: Kept | None) -> None:
            self.in_conflict.discard(employee_id)
            self.versions[employee_id] = conflict.version
            theirs = str(conflict.theirs)
            self.note_saved[employee_id] = theirs
            self.note_text[employee_id] = theirs if kept is None else str(kept.value)
            if employee_id == self.selected:
                note = self.query_one("#review-note", TextArea)
                note.load_text(self.note_text[employee_id])
            self.flush_notes()
            self.show_note_state()

        self.app.push_screen(ConflictDialog(conflict), chosen)

    @on(NoteSaved)
    def note_saved_now(self, message: NoteSaved) -> None:
        self.note_saved[message.employee_id] = message.text
        if self._note_sent.get(message.employee_id) == message.text:
            del self._note_sent[message.employee_id]
        self.show_note_state()

    def show_note_state(self) -> None:
        note = self.query_one("#review-note", TextArea)
        state = self.note_state()
        # Setting the subtitle repaints the whole note, even to the same text.
        if note.border_subtitle != state:
            note.border_subtitle = state
            self.query_one("#review-note-masked").border_subtitle = state

    def note_state(self) -> str:
        if self.selected is None:
            return ""
        typed = self.note_text.get(self.selected, "")
        if typed == self.note_saved.get(self.selected, ""):
            return "lagret" if typed else ""
        if self._note_timer is not None or self.selected in self._note_sent:
            return "lagrer …"
        return "ikke lagret"  # a write failed; the next pause, blur or move tries again

    # --- writes -----------------------------------------------------------------------------

    @on(WriteFailed)
    def write_failed(self, message: WriteFailed) -> None:
        if isinstance(message.error, EditConflict) and message.error.field == "done_on":
            return  # the advisor chooses in the conflict's dialog (milestone_conflict)
        if isinstance(message.error, EditConflict) and message.error.field == "note":
            # The advisor chooses in the conflict's dialog (note_conflict).
            self._note_sent.clear()
            self.show_note_state()
            return
        report(self, message)
        # Notes stay as typed and are tried again; the rest is read back from the database.
        self._note_sent.clear()
        self.show_note_state()
        self.load()

    # --- actions ----------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if not self.details:
            return
        index = self.position.get(self.selected, 0) if self.selected is not None else 0
        # Round the ends, as the list's own arrow keys do.
        self.select(self.details[(index + step) % len(self.details)].employee_id)

    def action_toggle_reviewed(self) -> None:
        detail = self.current()
        if detail is None:
            return
        employee_id = detail.employee_id
        reviewed = employee_id not in self.reviewed
        if reviewed:
            self.reviewed.add(employee_id)
        else:
            self.reviewed.discard(employee_id)
        queue_of(self).write(
            ("reviewed", employee_id),
            partial(self.save_reviewed, employee_id, reviewed),
            failure="Kunne ikke lagre at den ansatte er gjennomgått",
        )
        self._redraw_line(employee_id)
        self.show_progress()
        if reviewed:
            self.select_next_unreviewed()
        else:
            self.show_head(detail)

    def select_next_unreviewed(self) -> None:
        assert self.selected is not None
        start = self.position[self.selected]
        order = self.details[start + 1 :] + self.details[:start]
        following = next((d for d in order if d.employee_id not in self.reviewed), None)
        if following is None:
            self.show_head(self.details[start])
            self.notify("Alle ansatte er gjennomgått.", title="Gjennomgang")
        else:
            self.select(following.employee_id)

    def with_case(self) -> tuple[EmployeeDetail, CaseView] | None:
        """The employee shown and their ongoing case; None (and said so) without one."""
        detail = self.current()
        if detail is None:
            return None
        if detail.case is None:
            self.notify("Den ansatte har ikke noe pågående fraværstilfelle.", severity="warning")
            return None
        return detail, detail.case

    def action_milestone_done(self) -> None:
        if (found := self.with_case()) is None:
            return
        detail, case = found
        done = {m.key for m in case.milestones if m.status == "done"}
        following = next_task(case.milestones)
        if following is None:
            self.notify("Alle milepælene i saken er utført.")
            return
        self.set_milestones(detail, done | {following.key})
        self.notify(f"{following.label} er markert som utført.", title="Milepæl")

    def action_pick_milestones(self) -> None:
        if (found := self.with_case()) is None:
            return
        detail, case = found
        employee_id = detail.employee_id

        def picked(done: set[str] | None) -> None:
            if done is not None and employee_id in self.position:
                self.set_milestones(self.details[self.position[employee_id]], done)

        self.app.push_screen(ReviewMilestoneDialog(case.milestones), picked)

    def set_milestones(self, detail: EmployeeDetail, done: set[str]) -> None:
        """Mark exactly `done` as the case's done milestones: in memory now, then in the file."""
        case = detail.case
        assert case is not None
        today = self.state.today
        before = {m.key: m.done_on or today for m in case.milestones if m.status == "done"}
        for key in sorted(before.keys() ^ done):
            self.write_milestone(
                (detail.employee_id, case.start, key), today if key in done else None
            )

    def write_milestone(self, milestone: MilestoneKey, done_on: dt.date | None) -> None:
        """Show the milestone done on `done_on` (None: not done) at once, and write it."""
        queue_of(self).write(
            ("milestone", *milestone),
            partial(self.save_milestone, milestone, done_on),
            failure="Kunne ikke lagre milepælen",
        )
        self.show_milestone(milestone, done_on)

    def show_milestone(self, milestone: MilestoneKey, done_on: dt.date | None) -> None:
        """The milestone done on `done_on` (None: not done) in the case as shown."""
        employee_id, case_start, key = milestone
        index = self.position.get(employee_id)
        if index is None:
            return
        detail = self.details[index]
        case = detail.case
        if case is None or case.start != case_start:
            return
        days = {m.key: m.done_on or self.state.today for m in case.milestones if m.status == "done"}
        days.pop(key, None)
        if done_on is not None:
            days[key] = done_on
        milestones = tuple(milestone_status(case.start, case.end, self.state.today, days))
        updated = replace(detail, case=replace(case, milestones=milestones))
        self.details = (*self.details[:index], updated, *self.details[index + 1 :])
        self._redraw_line(employee_id)
        if self.selected == employee_id:
            self.show_text(updated)

    def action_milestone_history(self) -> None:
        if (found := self.with_case()) is None:
            return
        detail, case = found
        about = shown_person(detail.number, detail.name, self.masked)
        self.app.push_screen(ReviewHistoryDialog(detail.employee_id, case.start, about))

    def action_add_measure(self) -> None:
        detail = self.current()
        if detail is None:
            return
        employee_id = detail.employee_id

        def added(stored: MeasureDraft | None) -> None:
            if stored is None:
                return
            measure = CaseMeasure(stored.text, stored.owner, stored.due_date)
            self.measures[employee_id] = (*self.measures.get(employee_id, ()), measure)
            current = self.current()
            if current is not None and current.employee_id == employee_id:
                self.show_text(current)
            self.notify("Tiltaket er lagret.", title="Tiltak")

        about = shown_person(detail.number, detail.name, self.masked)
        dialog = MeasureDialog(self.unit_id, self.session_id, employee_id=employee_id, about=about)
        self.app.push_screen(dialog, added)

    def action_edit_note(self) -> None:
        note = self.query_one("#review-note", TextArea)
        if not note.disabled:
            # Written as it is: the names show while the note is being written.
            self.query_one("#review-note-masked").display = False
            note.display = True
            note.focus()

    def action_leave(self) -> None:
        if self.focused is self.query_one("#review-note", TextArea):
            self.query_one("#review-list", LineList).focus()
            return
        self.flush_notes()
        self.dismiss(None)

    def action_checklist(self) -> None:
        self.flush_notes()
        self.post_message(OpenMeasures(self.unit_id, self.session_id, replace=True))

    def action_summary(self) -> None:
        self.flush_notes()
        self.post_message(OpenSummary(self.session_id, self.unit_id))

    def action_scroll_detail(self, direction: int) -> None:
        self.query_one("#review-text", TextView).scroll_page(direction)

    def on_screen_suspend(self) -> None:
        self.flush_notes()

    def on_unmount(self) -> None:
        try:
            self.flush_notes(now=True)
        except Exception as error:
            from tui.errors import describe

            text = f"Notatet ble ikke lagret. {describe(error)}"
            if self.app.is_running:
                self.app.notify(text, title="Ikke lagret", severity="error", markup=False)
            else:  # the app is quitting: said on the way out
                self.state.failure = text
        memory.release_when_drawn(self.app)

    def masked_changed(self) -> None:
        self._redraw_list()
        self.show_detail()


# --- the detail's parts, as Text: names and notes are never read as markup --------------------


def section(title: str) -> Text:
    # The title styled, not the Text: a Text's own style would also cover what is appended.
    return Text.assemble((title, "bold underline"))


def case_text(detail: EmployeeDetail) -> Text:
    text = section("Pågående fraværstilfelle")
    case = detail.case
    if case is None:
        text.append("\nIngen pågående fraværstilfelle.", style="dim")
        return text
    until = f"til {fmt.date(case.end)}" if case.end is not None else "pågår"
    length = "langtid" if case.long_term else "korttid"
    days = f"{case.sick_days} sykedager"
    if case.sick_days_to_date < case.sick_days:
        days = f"{case.sick_days_to_date} sykedager hittil ({case.sick_days} med sykmeldingen ut)"
    text.append(f"\nFra {fmt.date(case.start)}, {until} · {days} · {length}")
    for milestone in case.milestones:
        text.append("\n")
        text.append_text(milestone_line(milestone))
    return text


def milestone_line(milestone: MilestoneStatus) -> Text:
    # Status first: it is what the eye looks for, and a narrow pane then wraps only the label.
    line = Text.assemble((f" {milestone.status_label:<7} ", STATUS_STYLES[milestone.status]))
    # A milestone done shows the day it was done, not the day it was due.
    day = milestone.done_on if milestone.done_on is not None else milestone.due
    line.append(f" {fmt.date(day)}  {milestone.label}")
    return line


def flags_text(detail: EmployeeDetail) -> Text:
    text = section("Flagg")
    if not detail.flags:
        text.append("\nIngen flagg.", style="dim")
    for index, line in enumerate(detail.flags):
        raised = index < detail.raised_flags
        text.append("\n")
        text.append("⚑ " if raised else "· ", style="yellow" if raised else "dim")
        text.append(line)
    return text


def measures_text(measures: Iterable[CaseMeasure], names: Masker, masked: bool) -> Text:
    text = section("Åpne tiltak")
    for measure in measures:
        text.append("\n• ")
        text.append(names.shown(one_line(measure.text), masked))
        if measure.owner:
            text.append(f" – {names.shown(one_line(measure.owner), masked)}", style="dim")
        if measure.due_date is not None:
            text.append(f" – frist {fmt.date(measure.due_date)}", style="dim")
    return text


def spells_text(detail: EmployeeDetail, today: dt.date) -> Text:
    text = section("Fraværsperioder (nyeste først)")
    if not detail.spells:
        text.append("\nIngen registrert fravær.", style="dim")
    for spell in detail.spells:
        if spell.end is None:
            until = "pågår"
        elif spell.end >= today:
            until = f"{fmt.date(spell.end)} (pågår)"
        else:
            until = fmt.date(spell.end)
        kind = ABSENCE_TYPES.get(spell.kind, one_line(spell.kind))
        line = Text(f"\n{fmt.date(spell.start)}–{until:<20}{kind:<13}{grade_label(spell.grade)}")
        if spell.kind not in SICK_KINDS:
            line.stylize("dim")
        text.append_text(line)
    return text


# --- dialogs ----------------------------------------------------------------------------------


class ReviewMilestoneDialog(NaervaerModal[set[str] | None]):
    """The case's milestones with a box each; returns the keys ticked as done."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Lagre", key_display="Ctrl+S"),
        Binding("escape", "cancel", "Avbryt", key_display="Esc"),
    ]

    def __init__(self, milestones: Sequence[MilestoneStatus]) -> None:
        super().__init__()
        self.milestones = milestones

    def compose(self) -> ComposeResult:
        with Vertical(id="review-milestone-box", classes="dialog") as box:
            box.border_title = "Milepæler utført"
            yield SelectionList[str](
                *[
                    (milestone_line(m), m.key, m.status == "done")
                    for m in self.milestones
                    if m.is_task
                ],
                id="review-milestone-list",
            )
            yield Static(
                "Mellomrom krysser av · Ctrl+S lagrer · Esc avbryter", classes="review-hint"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Lagre", id="review-milestone-save", variant="primary")
                yield Button("Avbryt", id="review-milestone-cancel")

    @on(Button.Pressed, "#review-milestone-save")
    def action_save(self) -> None:
        self.dismiss(set(self.query_one(SelectionList).selected))

    @on(Button.Pressed, "#review-milestone-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ReviewHistoryDialog(NaervaerModal[None]):
    """Who marked or unmarked the case's milestones done, and when (the audit log)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,h,q", "close", "Lukk")]

    class Loaded(Message):
        def __init__(self, changes: tuple[tuple[str, Change], ...]) -> None:
            super().__init__()
            self.changes = changes

    def __init__(self, employee_id: int, case_start: dt.date, about: Text) -> None:
        super().__init__()
        self.employee_id = employee_id
        self.case_start = case_start
        self.about = about

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide") as box:
            box.border_title = "Milepælenes historikk"
            yield Static(
                Text.assemble(
                    self.about, f" · fraværstilfelle fra {fmt.date(self.case_start)}", style="bold"
                )
            )
            yield Static("Leser …", id="review-history")
            yield Static("Esc lukker", classes="review-hint")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False)
    def load(self) -> None:
        changes = sessions.milestone_changes(self.engine, self.employee_id, self.case_start)
        self.post_message(self.Loaded(changes))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        labels = {m.key: m.label_nb for m in MILESTONES}
        lines = Text("\n").join(
            Text(
                f"{moment(c.at)}  {c.advisor}  {labels.get(key, key)}: "
                f"{change_text(c.field, c.old_value, c.new_value)}"
            )
            for key, c in message.changes
        )
        empty = Text("Ingen milepæler er markert eller endret ennå.", style="dim")
        self.query_one("#review-history", Static).update(lines if message.changes else empty)

    def action_close(self) -> None:
        self.dismiss(None)
