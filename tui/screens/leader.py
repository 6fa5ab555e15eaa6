"""Lederside: the units that share a leader, together: open cases, overdue milestones, the
leader's own measures (level "lederrolle") and the last session per unit."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Header, Static

from core import fmt
from core.vocabulary import MEASURE_STATUSES
from tui.masking import one_line
from tui.screens.base import NaervaerScreen
from tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from storage.usecases.leader import LeaderPage, LeaderUnit


def indented(text: Text, cells: int) -> Padding:
    """`text` `cells` in, a line too long going on below its start, not at the left edge."""
    return Padding(text, (0, 0, 0, cells))


def unit_text(unit: LeaderUnit) -> Group:
    lines: list[RenderableType] = []
    head = Text(f"{one_line(unit.name)} ({one_line(unit.code)})", style="bold")
    held = fmt.date(unit.last_session) if unit.last_session else "ingen"
    head.append(f"  ·  siste møte {held}")
    lines.append(head)
    cases = fmt.count(len(unit.cases), "åpent fraværstilfelle", "åpne fraværstilfeller")
    overdue = fmt.count(unit.overdue, "forfalt oppfølgingspunkt", "forfalte oppfølgingspunkter")
    lines.append(indented(Text(f"{cases} · {overdue}"), 2))
    for case in unit.cases:
        late = ", ".join(f"{m.label} ({fmt.date(m.due)})" for m in case.overdue)
        line = Text(
            f"{unit.people[case.employee_id]}: fra {fmt.date(case.start)}, {case.sick_days} dager"
        )
        if late:
            line.append(f" · forfalt: {late}", style="bold red")
        lines.append(indented(line, 4))
    mine = Text("Lederens egne tiltak:", style="bold")
    mine.append(" ingen" if not unit.measures else "")
    lines.append(indented(mine, 2))
    for measure in unit.measures:
        due = f", frist {fmt.date(measure.due_date)}" if measure.due_date else ""
        status = MEASURE_STATUSES.get(measure.status, measure.status)
        lines.append(indented(Text(f"{one_line(measure.text)} ({status}{due})"), 4))
    return Group(*lines)


def page_text(page: LeaderPage) -> Group:
    units = fmt.count(len(page.units), "enhet", "enheter")
    who = one_line(page.leader) if page.leader else "ingen leder registrert"
    parts: list[RenderableType] = [Text(f"Leder: {who} · {units}\n", style="bold")]
    for unit in page.units:
        parts += [unit_text(unit), Text()]
    return Group(*parts)


class LeaderScreen(NaervaerScreen[None]):
    """The page of the leader of the unit with `unit_id`, with every unit they lead."""

    class Loaded(Message):
        def __init__(self, page: LeaderPage) -> None:
            super().__init__()
            self.page = page

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Tilbake", id="leader_back"),
    ]

    def __init__(self, unit_id: int) -> None:
        super().__init__(id="leader")
        self.unit_id = unit_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="leader-body"):
            yield Static("Laster …", id="leader-text")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Lederside"
        self.load()

    def masked_changed(self) -> None:
        self.load()  # names and the measures' texts, masked or not

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        from storage.usecases.leader import leader_page

        state = self.state
        assert state.engine is not None
        self.post_message(
            self.Loaded(leader_page(state.engine, self.unit_id, state.today, state.masked))
        )

    def on_leader_screen_loaded(self, message: Loaded) -> None:
        self.query_one("#leader-text", Static).update(page_text(message.page))

    def action_back(self) -> None:
        self.app.pop_screen()
