"""The unit list's line-drawn table: cursor, scrolling, header clicks, cut and aligned cells."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult

from tests.tui.conftest import drawn_rows
from tui.widgets.row_table import RowTable, TableColumn

COLUMNS = [TableColumn("name", "Enhet", 8), TableColumn("pct", "Fravær", 7, right=True)]


class TableApp(App[None]):
    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows = rows
        self.events: list[tuple[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield RowTable(id="table")

    def on_mount(self) -> None:
        table = self.query_one(RowTable)
        table.set_columns(COLUMNS)
        table.set_rows(
            [[f"Enhet {i}", f"{i},0 %"] for i in range(self.rows)], list(range(self.rows))
        )
        table.focus()

    @on(RowTable.RowHighlighted)
    def highlighted(self, event: RowTable.RowHighlighted) -> None:
        self.events.append(("highlighted", event.row))

    @on(RowTable.RowSelected)
    def selected(self, event: RowTable.RowSelected) -> None:
        self.events.append(("selected", event.row))

    @on(RowTable.HeaderSelected)
    def header(self, event: RowTable.HeaderSelected) -> None:
        self.events.append(("header", event.column_key))


def screen_lines(app: App[None]) -> list[str]:
    return drawn_rows(app.query_one(RowTable))


async def test_cells_are_cut_and_figures_right_aligned() -> None:
    app = TableApp(rows=12)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        lines = screen_lines(app)
        assert lines[0].startswith(" Enhet      Fravær ")
        assert lines[1].startswith(" Enhet 0     0,0 % ")
        assert lines[9].startswith(" Enhet 8     8,0 % ")  # 10 lines: the header, rows 0-8
        table = app.query_one(RowTable)
        assert table.row_cells(11) == ["Enhet 11", "11,0 %"]
        table.set_rows([["Furumoen helsesenter", "12,3 %"]], ["E1"])
        await pilot.pause()
        assert screen_lines(app)[1].startswith(" Furumoe…   12,3 % ")  # cut to 8 cells, with …


async def test_the_cursor_moves_scrolls_and_selects_with_a_click() -> None:
    app = TableApp(rows=30)
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(RowTable)
        await pilot.press("down", "down")
        assert table.cursor_row == 2 and ("highlighted", 2) in app.events
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 29
        assert screen_lines(app)[-1].startswith(" Enhet 29")  # scrolled to keep it in view
        assert screen_lines(app)[0].startswith(" Enhet ")  # the header stays put
        await pilot.press("home")
        await pilot.pause()
        assert table.cursor_row == 0 and screen_lines(app)[1].startswith(" Enhet 0 ")

        await pilot.click(RowTable, offset=(2, 3))  # the third row: the cursor moves there
        assert table.cursor_row == 2 and ("selected", 2) not in app.events
        await pilot.click(RowTable, offset=(2, 3))  # again: chosen
        assert ("selected", 2) in app.events
        await pilot.click(RowTable, offset=(12, 0))  # the header of the second column
        assert ("header", "pct") in app.events


async def test_fewer_rows_keep_the_cursor_in_range() -> None:
    app = TableApp(rows=20)
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(RowTable)
        await pilot.press("end")
        table.set_rows([["Lia", "1,0 %"]], ["E1"])
        assert table.cursor_row == 0 and table.row_count == 1
        table.set_rows([], [])
        assert table.row_count == 0
        await pilot.press("down")  # nothing to move to: no error


async def test_a_table_wider_than_the_screen_scrolls_sideways() -> None:
    app = TableApp(rows=3)
    async with app.run_test(size=(12, 8)) as pilot:
        table = app.query_one(RowTable)
        await pilot.pause()
        assert table.max_scroll_x > 0
        await pilot.press("right", "right")
        await pilot.pause()
        assert table.scroll_x > 0
        assert screen_lines(app)[1].startswith(table.row_cells(0)[0][int(table.scroll_x) - 1 :])


class NarrowApp(App[None]):
    def compose(self) -> ComposeResult:
        yield RowTable()

    def on_mount(self) -> None:
        table = self.query_one(RowTable)
        table.set_columns(
            [
                TableColumn("name", "Enhet", 20, least=6),
                TableColumn("pct", "Fravær", 7, right=True),
                TableColumn("date", "Siste møte", 10),
            ]
        )
        table.set_rows([["Furumoen helsesenter", "12,3 %", "01.10.2026"]], ["E1"])


async def test_a_narrow_table_cuts_the_cuttable_column_and_keeps_every_column_in_view() -> None:
    app = NarrowApp()
    async with app.run_test(size=(30, 5)) as pilot:  # 43 cells of columns in 30
        await pilot.pause()
        header, row = drawn_rows(app.query_one(RowTable))[:2]
        assert header == " Enhet     Fravær  Siste møte "
        assert row == " Furumo…   12,3 %  01.10.2026 "
        await pilot.resize_terminal(60, 5)  # room again: the whole name
        await pilot.pause()
        row = drawn_rows(app.query_one(RowTable))[1]
        assert row.startswith(" Furumoen helsesenter   12,3 %  01.10.2026 ")


class StyledApp(App[None]):
    """The status overview's use: styled cells, a header to the left, the name column fixed."""

    def compose(self) -> ComposeResult:
        yield RowTable(fixed_columns=1, id="table")

    def on_mount(self) -> None:
        table = self.query_one(RowTable)
        table.set_columns(
            [
                TableColumn("name", "Enhet", 8),
                TableColumn("pct", "Nå", 7, right=True, header_right=False),
                TableColumn("bar", "Mot mål", 7),
                TableColumn("date", "Møte", 10),
            ]
        )
        total = Text("Kommunen, alle", style="bold")
        bar = Text.assemble(("███", "green"), ("░░░░", "dim"))
        table.set_rows([[total, Text("11,2 %"), bar, "01.10.2026"]], ["municipality"])


async def test_styled_cells_keep_their_styles_and_the_fixed_column_stays_in_view() -> None:
    app = StyledApp()
    async with app.run_test(size=(24, 6)) as pilot:
        table = app.query_one(RowTable)
        await pilot.pause()
        header, row = drawn_rows(table)[:2]
        assert header.startswith(" Enhet     Nå      ")  # left, over figures to the right
        assert row == " Kommune…   11,2 %  ███░"  # 24 cells in view
        segments = list(table.render_line(1))
        assert any(s.text.startswith("Kommune") and s.style and s.style.bold for s in segments)
        assert any(s.text == "███" and s.style and s.style.color for s in segments)
        await pilot.press("right")
        table.scroll_to(x=table.max_scroll_x, animate=False)
        await pilot.pause()
        assert table.scroll_x > 0
        header, row = drawn_rows(table)[:2]
        assert header.startswith(" Enhet    ") and row.startswith(" Kommune… ")  # still there
        assert row.rstrip().endswith("01.10.2026")  # and the last column scrolled into view
