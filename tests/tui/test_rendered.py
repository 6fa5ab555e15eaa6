"""The agenda's columns: a Rich renderable drawn once for each width its box is given."""

from __future__ import annotations

import pytest
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Region

from tests.tui.conftest import drawn_rows
from tui.widgets.rendered import Beside, Rendered


class Counted:
    """A two-column table, counting how often it is drawn."""

    def __init__(self) -> None:
        self.widths: list[int] = []
        self.table = Table.grid(padding=(0, 1), expand=True)
        self.table.add_column(no_wrap=True)
        self.table.add_column(ratio=1)
        self.table.add_row("ansatt 1", "Dialogmøte 1, frist 19.10.2026: forfalt")
        self.table.add_row("ansatt 22", "Oppfølgingsplan")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        self.widths.append(options.max_width)
        yield self.table


class Column(App[None]):
    CSS = "VerticalScroll { width: 30; } Rendered { width: 1fr; }"

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Rendered(id="box")


async def test_a_table_is_drawn_once_for_each_width_and_as_tall_as_it_wraps():
    app = Column()
    async with app.run_test(size=(40, 10)) as pilot:
        box = app.query_one(Rendered)
        counted = Counted()
        box.update(counted)
        await pilot.pause()
        assert [row.rstrip() for row in drawn_rows(box)] == [
            "ansatt 1  Dialogmøte 1, frist",
            "          19.10.2026: forfalt",
            "ansatt 22 Oppfølgingsplan",
        ]
        assert counted.widths == [30]  # laid out and painted more than once, drawn once

        app.query_one(VerticalScroll).styles.width = 20
        await pilot.pause()
        app.query_one(VerticalScroll).styles.width = 30
        await pilot.pause()
        assert counted.widths == [30, 20]  # back at a width it was drawn at: drawn from then

        box.update(Text("ny tekst"))
        await pilot.pause()
        assert [row.rstrip() for row in drawn_rows(box)] == ["ny tekst"]


class StyleCounted(Rendered):
    """Counts how often its style is worked out (it walks the styles of every widget above)."""

    looked = 0

    @property
    def rich_style(self) -> Style:
        StyleCounted.looked += 1
        return super().rich_style


class Tall(App[None]):
    def compose(self) -> ComposeResult:
        yield StyleCounted(id="box")


async def test_the_style_is_worked_out_once_for_all_the_lines_drawn():
    app = Tall()
    async with app.run_test(size=(40, 10)) as pilot:
        box = app.query_one(StyleCounted)
        box.update(Text("\n".join(f"linje {n}" for n in range(8))))
        await pilot.pause()
        box.refresh()  # its lines drawn anew
        StyleCounted.looked = 0
        lines = box.render_lines(Region(0, 0, 40, 8))
        assert [line.text.rstrip() for line in lines] == [f"linje {n}" for n in range(8)]
        assert StyleCounted.looked == 1


def cells(lines: list[list[Segment]]) -> list[list[tuple[str, Style]]]:
    """Each line as its characters and their styles (however Rich cut it into segments)."""
    return [
        [(char, segment.style or Style.null()) for segment in line for char in segment.text]
        for line in lines
    ]


@pytest.mark.parametrize("width", [1, 3, 9, 20, 23, 24, 25, 41, 92])
def test_beside_draws_what_the_table_grid_drew(width: int) -> None:
    """The agenda's rows: who (a measure's none), and what, a measure's own words above it."""
    rows = [
        (Text(" Ansatt 100909"), Text("Dialogmøte 1, frist 19.10.2026: forfalt")),
        (Text(" "), Text.assemble("Felles rutine for fraværssamtaler", ("\nenhet, åpen", "dim"))),
        (Text(" Kåre Ødegård (100234)"), Text("Vurder gradert sykmelding: 100 % i 85 dager")),
        (Text(" 東京 Ola"), Text("Ordsomerlengreennlinjenkanværeogsålengre og kort")),
    ]
    beside = Beside(rows)
    console = Console(width=width, color_system="truecolor")
    options = console.options.update(highlight=False)
    drawn = console.render_lines(beside, options, pad=False)
    assert cells(drawn) == cells(console.render_lines(beside.table(), options, pad=False))
    assert len(drawn) >= len(rows)
