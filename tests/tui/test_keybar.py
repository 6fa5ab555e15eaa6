"""The key bar: the screen's keys on one line, redrawn only when they change; a click presses."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType

from tui.widgets.keybar import KeyBar


class CountingKeyBar(KeyBar):
    def __init__(self) -> None:
        super().__init__()
        self.drawn = 0

    def render(self) -> Text:
        self.drawn += 1
        return super().render()


class Keys(App[None]):
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next", "Neste"),
        Binding("t", "add", "Nytt tiltak"),
        Binding("x", "hidden", "Skjult", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.can_add = True
        self.pressed: list[str] = []

    def compose(self) -> ComposeResult:
        yield CountingKeyBar()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "add" and not self.can_add else True

    def action_next(self) -> None:
        self.pressed.append("next")

    def action_add(self) -> None:
        self.pressed.append("add")


def line(bar: KeyBar) -> str:
    return bar.render_line(0).text


async def test_shows_the_keys_and_redraws_only_when_they_change():
    app = Keys()
    async with app.run_test(size=(60, 5)) as pilot:
        bar = app.query_one(CountingKeyBar)
        await pilot.pause()
        assert line(bar).rstrip() == " n Neste  t Nytt tiltak"
        drawn = bar.drawn

        app.screen.refresh_bindings()  # the same keys: nothing to redraw
        await pilot.pause()
        assert bar.drawn == drawn

        app.can_add = False  # the key is shown, dimmed
        app.screen.refresh_bindings()
        await pilot.pause()
        assert bar.drawn == drawn + 1
        assert line(bar).rstrip() == " n Neste  t Nytt tiltak"
        assert bar.shown()[1] == ("t", "Nytt tiltak", False, "t")


async def test_a_click_on_a_key_presses_it():
    app = Keys()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        await pilot.click(KeyBar, offset=(12, 0))  # on "Nytt tiltak"
        await pilot.click(KeyBar, offset=(2, 0))  # on "Neste"
        await pilot.click(KeyBar, offset=(40, 0))  # beside every key
        await pilot.pause()
        assert app.pressed == ["add", "next"]


class ManyKeys(App[None]):
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"action_{key}", f"Handling {key}") for key in "abcdefgh"),
        Binding("question_mark", "help", "Hjelp", key_display="?"),
    ]

    def compose(self) -> ComposeResult:
        yield KeyBar()


async def test_keys_that_do_not_fit_wrap_to_a_second_line():
    app = ManyKeys()
    async with app.run_test(size=(80, 6)) as pilot:  # nine keys of 14 cells: two lines
        bar = app.query_one(KeyBar)
        await pilot.pause()
        assert bar.size.height == 2
        first, second = bar.render_line(0).text, bar.render_line(1).text
        assert first.rstrip() == "".join(f" {k} Handling {k} " for k in "abcde").rstrip()
        assert (
            second.rstrip() == ("".join(f" {k} Handling {k} " for k in "fgh") + " ? Hjelp").rstrip()
        )


async def test_keys_beyond_two_lines_give_way_to_help():
    app = ManyKeys()
    async with app.run_test(size=(30, 6)) as pilot:
        bar = app.query_one(KeyBar)
        await pilot.pause()
        assert bar.size.height == 2
        second = bar.render_line(1).text.rstrip()
        assert second == " c Handling c  ? flere"
