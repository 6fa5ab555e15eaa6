"""The review's text box: wrapped to its width, scrolled by itself, with its own scrollbar."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from tests.tui.conftest import drawn_rows
from tui.widgets.text_view import TextView


class Box(App[None]):
    CSS = "TextView { width: 21; height: 4; }"

    def compose(self) -> ComposeResult:
        yield TextView(id="box")


async def test_text_is_wrapped_beside_a_scrollbar_shown_only_when_it_overflows():
    app = Box()
    async with app.run_test() as pilot:
        view = app.query_one(TextView)
        view.update(Text("one two three"))
        await pilot.pause()
        # 20 columns of text and the scrollbar's column, blank while everything fits.
        assert drawn_rows(view) == ["one two three" + " " * 8, " " * 21, " " * 21, " " * 21]

        view.update(Text("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda"))
        await pilot.pause()
        rows = drawn_rows(view)
        assert [row[:20].rstrip() for row in rows] == [
            "alpha beta gamma",
            "delta epsilon zeta",
            "eta theta iota kappa",
            "lambda",
        ]
        assert all(row[20] == " " for row in rows)  # five lines would overflow; four do not

        view.update(Text("\n".join(f"line {n}" for n in range(1, 9))))
        await pilot.pause()
        # Eight lines in four rows: the thumb covers half the track, at the top.
        assert [row[20] for row in drawn_rows(view)] == ["▐", "▐", " ", " "]


async def test_pages_scroll_within_the_text_and_new_text_keeps_the_place_until_sent_home():
    app = Box()
    async with app.run_test() as pilot:
        view = app.query_one(TextView)
        view.update(Text("\n".join(f"line {n}" for n in range(1, 11))))
        await pilot.pause()
        view.scroll_page(1)  # a page is the height less one line, kept for context
        assert drawn_rows(view)[0].startswith("line 4")
        view.scroll_page(1)
        view.scroll_page(1)  # never past the last line
        assert [row[:20].rstrip() for row in drawn_rows(view)] == [
            "line 7",
            "line 8",
            "line 9",
            "line 10",
        ]
        assert [row[20] for row in drawn_rows(view)] == [" ", " ", "▐", "▐"]
        view.scroll_page(-1)
        assert drawn_rows(view)[0].startswith("line 4")
        view.show_top()
        assert drawn_rows(view)[0].startswith("line 1")


async def test_a_narrower_box_wraps_the_text_again():
    app = Box()
    async with app.run_test() as pilot:
        view = app.query_one(TextView)
        view.update(Text("alpha beta gamma"))
        await pilot.pause()
        assert drawn_rows(view)[0].startswith("alpha beta gamma")
        view.styles.width = 11
        await pilot.pause()
        assert [row[:10].rstrip() for row in drawn_rows(view)[:2]] == ["alpha beta", "gamma"]
