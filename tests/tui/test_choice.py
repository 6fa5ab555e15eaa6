"""The filter field: one widget showing its choice, a list to pick from when opened."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Input, OptionList

from tui.widgets.choice import Choice, ChoiceList

OPTIONS = [("Alle", "alle"), ("Målgruppe 1", "1"), ("Målgruppe 2", "2")]


class Form(App[None]):
    CSS = "Choice { width: 20; }"

    def __init__(self) -> None:
        super().__init__()
        self.changes: list[str] = []

    def compose(self) -> ComposeResult:
        yield Choice(OPTIONS, "alle", id="group")
        yield Input(id="after")

    def on_choice_changed(self, event: Choice.Changed) -> None:
        self.changes.append(event.value)


def shown(choice: Choice) -> str:
    return choice.render_line(0).text  # its one line, inside the border and the padding


async def test_shows_its_choice_cut_to_the_field_with_the_arrow_at_its_end():
    app = Form()
    async with app.run_test() as pilot:
        choice = app.query_one(Choice)
        # 20 columns: the tall border's two, the padding's three, and 15 for the label and " ▼".
        assert shown(choice) == "Alle          ▼"
        choice.set_options([("Alle tjenesteområder", "alle")])
        await pilot.pause()
        assert shown(choice) == "Alle tjenest… ▼"


async def test_enter_opens_the_list_on_the_current_choice_and_a_pick_is_the_new_value():
    app = Form()
    async with app.run_test() as pilot:
        choice = app.query_one(Choice)
        choice.focus()
        await pilot.press("enter")
        assert isinstance(app.screen, ChoiceList)
        listing = app.screen.query_one(OptionList)
        assert listing.highlighted == 0
        # The list lies over the field, at least as wide as it.
        assert listing.region.x == choice.region.x
        assert listing.region.width >= choice.region.width
        await pilot.press("down", "down", "enter")
        assert not isinstance(app.screen, ChoiceList)
        assert choice.value == "2"
        assert app.changes == ["2"]
        assert app.focused is choice  # back where the advisor was

        await pilot.press("enter")  # opens on "Målgruppe 2"
        assert app.screen.query_one(OptionList).highlighted == 2


async def test_escape_and_a_click_beside_the_list_leave_the_value_as_it_was():
    app = Form()
    async with app.run_test() as pilot:
        choice = app.query_one(Choice)
        await pilot.click(Choice)
        assert isinstance(app.screen, ChoiceList)
        await pilot.press("down", "escape")
        assert not isinstance(app.screen, ChoiceList)
        await pilot.click(Choice)
        await pilot.click(offset=(70, 20))  # nowhere near the list
        await pilot.pause()
        assert not isinstance(app.screen, ChoiceList)
        assert choice.value == "alle"
        assert app.changes == []


async def test_cycle_goes_round_and_set_options_keeps_a_value_still_offered():
    app = Form()
    async with app.run_test() as pilot:
        choice = app.query_one(Choice)
        choice.cycle()
        choice.cycle()
        choice.cycle()
        await pilot.pause()
        assert choice.value == "alle"
        assert app.changes == ["1", "2", "alle"]

        choice.value = "2"
        choice.set_options([("Alle", "alle"), ("Målgruppe 2", "2")])
        assert choice.value == "2"
        choice.set_options([("Alle", "alle"), ("Målgruppe 3", "3")])
        await pilot.pause()
        assert choice.value == "alle"  # no longer offered: back to the first
        assert app.changes == ["1", "2", "alle", "2", "alle"]

        with pytest.raises(ValueError):
            choice.value = "9"


async def test_labels_are_text_never_markup():
    app = Form()
    async with app.run_test() as pilot:
        choice = app.query_one(Choice)
        choice.set_options([("[b]Drift[/b] & [red]stab", "alle")])
        await pilot.pause()
        assert shown(choice) == "[b]Drift[/b]… ▼"
        choice.focus()
        await pilot.press("enter")
        listing = app.screen.query_one(OptionList)
        assert listing.get_option_at_index(0).prompt == Text("[b]Drift[/b] & [red]stab")
