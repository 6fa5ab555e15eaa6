"""Konflikter: edits made on this replica that the server had changed meanwhile. Each with both
values, who changed the server's and when; the advisor keeps theirs, takes the server's, or (free
text) merges the two. Nothing is lost until the advisor chooses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Header, Static

from core import fmt
from core.conflicts import when, written
from tui.dialogs.forms import MergeForm
from tui.masking import one_line
from tui.messages import SyncState
from tui.screens.base import NaervaerScreen
from tui.syncing import state_line
from tui.widgets.keybar import KeyBar
from tui.widgets.line_list import LineList

if TYPE_CHECKING:
    from core.masking import Masker
    from storage.db import Engine
    from storage.usecases.sync import Choice, SyncConflict, SyncStatus

LIST_LINES = 6
NOT_A_REPLICA = (
    "Denne databasen er ingen lokal kopi av en server, så her synkroniseres ingenting. "
    "En lokal kopi lages med «naervaer sync --server URL --db FIL»."
)


@dataclass(frozen=True, slots=True)
class ConflictsPage:
    """What the screen shows: the replica's state (None: not a replica), its unresolved
    conflicts, and the masker for their texts."""

    status: SyncStatus | None
    conflicts: tuple[SyncConflict, ...]
    names: Masker


def load_page(engine: Engine) -> ConflictsPage:
    from core.masking import NO_NAMES
    from storage.usecases.names import everyone_masker
    from storage.usecases.sync import conflicts, sync_status

    status = sync_status(engine)
    if status is None:
        return ConflictsPage(None, (), NO_NAMES)
    return ConflictsPage(status, conflicts(engine), everyone_masker(engine))


def state_text(status: SyncStatus | None) -> Text:
    if status is None:
        return Text(NOT_A_REPLICA)
    text = Text(f"Server: {status.server}")
    if status.last_error:
        text.append(f"\nSiste forsøk: {status.last_error}", style="bold")
    return text


def conflict_line(conflict: SyncConflict, names: Masker, masked: bool) -> Content:
    what = one_line(names.shown(conflict.what, masked))
    return Content(f"{what} · {conflict.field}")


def detail_text(conflict: SyncConflict, names: Masker, masked: bool) -> Text:
    """Both values in full, the server's with who changed it and when."""
    text = Text()
    what = one_line(names.shown(conflict.what, masked))
    text.append(f"{what[:1].upper()}{what[1:]}: {conflict.field}\n\n", style="bold")
    text.append("Din (på denne maskinen):\n", style="bold")
    text.append(f"{names.shown(conflict.mine, masked)}\n\n")
    who = one_line(conflict.their_advisor) or "en annen rådgiver"
    text.append(f"Serverens (endret av {who} {when(conflict.their_at)}):\n", style="bold")
    text.append(names.shown(conflict.theirs, masked))
    return text


class ConflictsScreen(NaervaerScreen[None]):
    """The replica's unresolved conflicts, read before the screen opens (`page`)."""

    class Loaded(Message):
        def __init__(self, page: ConflictsPage) -> None:
            super().__init__()
            self.page = page

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "resolve('mine')", "Behold din", id="keep_mine"),
        Binding("t", "resolve('theirs')", "Ta serverens", id="take_theirs"),
        Binding("s", "merge", "Slå sammen", id="merge"),
        Binding("escape", "back", "Tilbake", id="conflicts_back"),
    ]

    def __init__(self, page: ConflictsPage) -> None:
        super().__init__(id="conflicts")
        self.page = page

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="conflicts-state")
        yield LineList(id="conflicts-list")
        with VerticalScroll(id="conflicts-detail"):
            yield Static(id="conflicts-text")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Konflikter"
        self.watch(self.app, "sync_line", self.synced, init=False)
        self.show()
        self.query_one(LineList).focus()

    @property
    def current(self) -> SyncConflict | None:
        index = self.query_one(LineList).highlighted
        return None if index is None else self.page.conflicts[index]

    def masked_changed(self) -> None:
        self.show()

    def show(self) -> None:
        page, masked = self.page, self.state.masked
        self.query_one("#conflicts-state", Static).update(state_text(page.status))
        listing = self.query_one(LineList)
        listing.border_title = fmt.count(len(page.conflicts), "konflikt", "konflikter")
        listing.set_lines([conflict_line(c, page.names, masked) for c in page.conflicts])
        # As many lines as conflicts, up to a few: the rest of the screen is the values'.
        listing.styles.height = min(max(len(page.conflicts), 1), LIST_LINES) + 2
        if listing.highlighted is None and page.conflicts:
            listing.highlighted = 0
        self.show_detail()
        self.refresh_bindings()

    def show_detail(self) -> None:
        conflict = self.current
        if conflict is None:
            done = (
                "" if self.page.status is None else "Ingen konflikter: ingenting venter på et valg."
            )
            text = Text(done)
        else:
            text = detail_text(conflict, self.page.names, self.state.masked)
        self.query_one("#conflicts-text", Static).update(text)

    @on(LineList.Highlighted)
    def highlighted(self) -> None:
        self.show_detail()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        conflict = self.current
        if action == "resolve":
            return conflict is not None
        if action == "merge":  # shown, dimmed, where there is nothing to merge
            return None if conflict is None or not conflict.mergeable else True
        return True

    def action_resolve(self, choice: str) -> None:
        conflict = self.current
        if conflict is not None:
            self.resolve(conflict.id, cast("Choice", choice))

    def action_merge(self) -> None:
        conflict = self.current
        if conflict is None or not conflict.mergeable:
            return
        who = one_line(conflict.their_advisor) or "en annen rådgiver"
        form = MergeForm(
            f"Slå sammen: {conflict.field}",
            f"Serverens (endret av {who} {when(conflict.their_at)}):",
            written(conflict.theirs),
            written(conflict.mine),
        )

        def merged(text: str | None) -> None:
            if text is not None:
                self.resolve(conflict.id, "merge", text)

        self.app.push_screen(form, merged)

    @work(thread=True, exclusive=True, exit_on_error=False, group="conflicts")
    def resolve(self, conflict_id: int, choice: Choice, merged: str | None = None) -> None:
        from storage.usecases.sync import resolve

        resolve(self.engine, conflict_id, choice, merged)
        page = load_page(self.engine)
        self.post_message(self.Loaded(page))
        if page.status is not None:  # the header counts the conflicts left
            self.app.post_message(SyncState(state_line(page.status)))

    def synced(self) -> None:
        self.reload()  # a sync may have brought more, or resolved some

    @work(thread=True, exclusive=True, exit_on_error=False, group="conflicts")
    def reload(self) -> None:
        self.post_message(self.Loaded(load_page(self.engine)))

    def on_conflicts_screen_loaded(self, message: Loaded) -> None:
        self.page = message.page
        self.show()

    def action_back(self) -> None:
        self.app.pop_screen()
