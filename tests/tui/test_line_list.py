"""The review's list: one-line items, a highlight that moves by key or click, its own scrollbar."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.content import Content
from textual.strip import Strip

from tests.tui.conftest import drawn_rows
from tui.widgets.line_list import LineList


class CountingList(LineList):
    def __init__(self) -> None:
        super().__init__(id="list")
        self.rows_drawn: list[int] = []

    def render_line(self, y: int) -> Strip:
        self.rows_drawn.append(y)
        return super().render_line(y)


class Lists(App[None]):
    CSS = "LineList { width: 16; height: 4; padding: 0; }"

    def __init__(self) -> None:
        super().__init__()
        self.highlights: list[int] = []

    def compose(self) -> ComposeResult:
        yield CountingList()

    def on_line_list_highlighted(self, event: LineList.Highlighted) -> None:
        self.highlights.append(event.index)


def names(count: int) -> list[Content]:
    return [Content(f"Person nummer {n:02}") for n in range(count)]


async def test_lines_are_cut_beside_the_scrollbar_and_only_the_highlight_is_styled():
    app = Lists()
    async with app.run_test() as pilot:
        listing = app.query_one(LineList)
        listing.set_lines(names(3))
        listing.highlighted = 1
        await pilot.pause()
        # 15 columns of text and the scrollbar's, blank while every line fits.
        assert drawn_rows(listing) == ["Person nummer … "] * 3 + [" " * 16]
        backgrounds = [next(iter(listing.render_line(y))).style.bgcolor for y in range(3)]
        assert backgrounds[0] == backgrounds[2] != backgrounds[1]

        listing.set_lines(names(8))  # twice the height: the thumb covers half the track
        await pilot.pause()
        assert [row[-1] for row in drawn_rows(listing)] == ["▐", "▐", " ", " "]
        assert listing.highlighted == 1  # kept across new lines


async def test_keys_move_the_highlight_within_the_list_and_keep_it_in_view():
    app = Lists()
    async with app.run_test() as pilot:
        listing = app.query_one(LineList)
        listing.set_lines([Content(str(n)) for n in range(10)])
        listing.focus()
        await pilot.press("down")  # nothing highlighted yet: the first line
        await pilot.press("down", "down", "down", "down")
        assert listing.highlighted == 4
        assert drawn_rows(listing)[-1].startswith("4")  # scrolled just far enough
        await pilot.press("end")
        assert drawn_rows(listing)[-1].startswith("9")
        await pilot.press("down")  # stays on the last
        await pilot.press("home", "up")
        assert drawn_rows(listing)[0].startswith("0")
        await pilot.pause()
        assert app.highlights == [0, 1, 2, 3, 4, 9, 0]

        listing.set_lines([Content("a"), Content("b")])  # fewer lines than the highlight's index
        listing.highlighted = None
        listing.set_lines([Content("c")])
        assert listing.highlighted is None


async def test_a_click_highlights_the_line_under_it_and_a_move_redraws_two_rows():
    app = Lists()
    async with app.run_test() as pilot:
        listing = app.query_one(CountingList)
        listing.set_lines([Content(str(n)) for n in range(10)])
        listing.highlighted = 6  # scrolls: 3 to 6 shown
        await pilot.pause()
        await pilot.click(LineList, offset=(2, 0))
        assert listing.highlighted == 3
        await pilot.click(LineList, offset=(2, 3))
        await pilot.pause()
        assert listing.highlighted == 6

        listing.rows_drawn.clear()
        listing.highlighted = 5
        await pilot.pause()
        assert sorted(set(listing.rows_drawn)) == [2, 3]  # the rows of lines 5 and 6
