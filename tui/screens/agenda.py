"""Agenda: what has happened with the unit since the last session, and what falls due next.

Opens a session, before its checklist (or its review); Enter or n goes on to it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Static

from core import fmt
from core.agenda import Point, PointGroup, figure_text, point_groups, since_text
from core.vocabulary import SESSION_TYPES
from storage.usecases.agenda import SessionAgenda
from storage.usecases.sessions import MeasureBoard
from tui.masking import one_line, person
from tui.navigation import OpenMeasures, OpenReview
from tui.screens.base import NaervaerScreen
from tui.widgets.keybar import KeyBar
from tui.widgets.rendered import Beside, Rendered


class AgendaScreen(NaervaerScreen[None]):
    """The session's agenda, read before it opens; `board`: the session's checklist, shown next."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "go_on", "Videre til møtet", id="agenda_go_on"),
        Binding("n", "go_on", "Videre til møtet", id="agenda_next", show=False),
        Binding("escape", "back", "Tilbake", id="back"),
    ]

    def __init__(self, data: SessionAgenda, board: MeasureBoard) -> None:
        super().__init__()
        self.data = data
        self.board = board

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="agenda-body"):
            yield Static(id="agenda-head")
            with Horizontal(id="agenda-columns"):
                yield Rendered(id="agenda-since")
                yield Rendered(id="agenda-ahead")
        yield KeyBar()

    def on_mount(self) -> None:
        agenda = self.data.agenda
        self.sub_title = one_line(self.data.unit_name)
        self.query_one("#agenda-since").border_title = "Siden sist"
        self.query_one(
            "#agenda-ahead"
        ).border_title = (
            f"De neste 6 ukene ({fmt.date(agenda.ahead.start)}–{fmt.date(agenda.ahead.end)})"
        )
        self.show()
        self.query_one("#agenda-body").focus()

    @property
    def next_step(self) -> str:
        return "sjekklisten" if self.board.checklist else "gjennomgangen"

    def masked_changed(self) -> None:
        self.show()

    def show(self) -> None:
        data, agenda = self.data, self.data.agenda
        session = SESSION_TYPES.get(data.session_type, data.session_type)
        head = Text.assemble(
            ("Agenda: ", "bold"),
            f"{session} {fmt.date(data.held_on)} · ",
            (one_line(data.unit_name), "bold"),
            f"\n{since_text(agenda)}\n{figure_text(agenda)}\nTiltak {agenda.since_last.line}\n",
            ("Enter", "bold"),
            " eller ",
            ("n", "bold"),
            f": videre til {self.next_step}.",
        )
        self.query_one("#agenda-head", Static).update(head)
        groups = point_groups(agenda)
        self.query_one("#agenda-since", Rendered).update(
            self.groups([g for g in groups if not g.ahead])
        )
        self.query_one("#agenda-ahead", Rendered).update(
            self.groups([g for g in groups if g.ahead])
        )

    def groups(self, groups: list[PointGroup]) -> RenderableType:
        parts: list[RenderableType] = []
        for group in groups:
            if parts:
                parts.append(Text())
            if not group.points:
                parts.append(Text.assemble((group.heading, "bold"), ": ingen"))
                continue
            parts.append(Text(f"{group.heading} ({fmt.number(len(group.points), 0)})", "bold"))
            parts.append(Beside([self.cells(point) for point in group.points]))
        return Group(*parts)

    def cells(self, point: Point) -> tuple[Text, Text]:
        """Who (the measure's level for one not about a person) and what, masked as set."""
        masked = self.state.masked
        who = Text(" ")
        if point.employee_id is not None:
            number = self.data.numbers[point.employee_id]
            who = Text(
                f" {person(number, self.data.employee_names.get(point.employee_id), masked)}"
            )
        if not point.measure_text:
            return who, Text(point.text)
        text = one_line(self.data.names.shown(point.measure_text, masked))
        return who, Text.assemble(text, (f"\n{point.text}", "dim"))

    def action_go_on(self) -> None:
        """On to the session: last time's checklist when there is one, else the review."""
        data = self.data
        if self.board.checklist:
            self.post_message(
                OpenMeasures(
                    data.unit_id, data.session_id, self.board, read_ahead=True, replace=True
                )
            )
        else:
            self.post_message(OpenReview(data.session_id, data.unit_id, replace=True))

    def action_back(self) -> None:
        self.app.pop_screen()
