"""A filter field: one widget that shows the chosen option; its list opens when asked for.

Textual's Select mounts six widgets, its list among them, for every field on the screen. The
unit list has three such fields and they were most of its widgets at start. A Choice is one
widget, and its list is a small screen of its own, built when the advisor opens it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, TypeAlias

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Offset
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

Options: TypeAlias = Sequence[tuple[str | Text, str]]  # what is shown, and the value it stands for


class Choice(Widget, can_focus=True):
    """One of `options`, shown as `label ▼`; Enter, space, ↓ or a click opens the list."""

    DEFAULT_CSS = """
    Choice {
        height: 3;
        border: tall $border-blurred;
        background: $surface;
        padding: 0 1 0 2;
        pointer: pointer;
        &:focus {
            border: tall $border;
            background-tint: $foreground 5%;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space,down", "open", "Velg", show=False),
    ]

    class Changed(Message):
        """The advisor (or a key that cycles the filter) chose another option."""

        def __init__(self, choice: Choice, value: str) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> Choice:
            return self.choice

    def __init__(self, options: Options, value: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._options = list(options)
        self._value = value if value in self.values() else self._options[0][1]

    @property
    def options(self) -> list[tuple[str | Text, str]]:
        return list(self._options)

    def values(self) -> list[str]:
        return [value for _, value in self._options]

    @property
    def value(self) -> str:
        return self._value

    @value.setter
    def value(self, value: str) -> None:
        if value not in self.values():
            raise ValueError(f"{value!r} is not one of the choices")
        if value != self._value:
            self._value = value
            self.refresh()
            self.post_message(self.Changed(self, value))

    def set_options(self, options: Options) -> None:
        """New options; the chosen value stays if it is still among them, else the first."""
        self._options = list(options)
        self.value = self._value if self._value in self.values() else self._options[0][1]
        self.refresh()

    def cycle(self) -> None:
        """On to the next option, after the last the first: a key does what picking would."""
        values = self.values()
        self.value = values[(values.index(self._value) + 1) % len(values)]

    def label(self) -> Text:
        shown = next(label for label, value in self._options if value == self._value)
        return shown.copy() if isinstance(shown, Text) else Text(shown)

    def render(self) -> Text:
        width = self.content_size.width
        label = self.label()
        label.no_wrap = True
        label.truncate(max(width - 2, 0), overflow="ellipsis", pad=True)
        return Text.assemble(label, (" ▼", "dim"))

    def action_open(self) -> None:
        at, width = self.region.offset, self.outer_size.width
        listing = ChoiceList(self._options, self._value, at=at, width=width)
        self.app.push_screen(listing, self._picked)

    def _picked(self, value: str | None) -> None:
        if value is not None:
            self.value = value

    def on_click(self, event: Click) -> None:
        event.stop()
        self.action_open()


class ChoiceList(ModalScreen[str | None]):
    """A Choice's options over its field; Enter or a click picks, Esc or a click beside leaves."""

    DEFAULT_CSS = """
    ChoiceList {
        background: $background 0%;
        & > OptionList {
            width: auto;
            height: auto;
            max-height: 14;
            border: tall $border;
            background: $surface;
            & > .option-list--option {
                padding: 0 1;
            }
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "Lukk", show=False)]

    def __init__(self, options: Options, value: str, *, at: Offset, width: int) -> None:
        super().__init__()
        self._options = options
        self._value = value
        self._at = at
        self._width = width

    def compose(self) -> ComposeResult:
        # Text, not str: a str prompt would be read as markup.
        options = [
            Option(label if isinstance(label, Text) else Text(label), id=value)
            for label, value in self._options
        ]
        listing = OptionList(*options)
        listing.styles.offset = self._at
        listing.styles.min_width = self._width
        yield listing

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.highlighted = [value for _, value in self._options].index(self._value)
        listing.focus()

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_click(self, event: Click) -> None:
        if event.widget is self:  # beside the list
            self.dismiss(None)

    def action_leave(self) -> None:
        self.dismiss(None)
