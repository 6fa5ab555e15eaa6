"""The keys at the bottom of every screen, drawn as text: one line, or two where one is too short.

Textual's Footer mounts a widget per key, twice on every screen change (once composed, once
when the bindings are known); that was a large part of every screen's first paint here.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget

Shown = tuple[str, str, bool, str]
MAX_LINES = 2


def _size(item: Shown) -> int:
    return cell_len(f" {item[0]} {item[1]} ")


def _wrap(items: list[Shown], width: int) -> list[list[Shown]]:
    lines: list[list[Shown]] = [[]]
    used = 0
    for item in items:
        if lines[-1] and used + _size(item) > width:
            lines.append([])
            used = 0
        lines[-1].append(item)
        used += _size(item)
    return lines


class KeyBar(Widget):
    """The screen's shown key bindings, `key Description`; a click on one presses its key."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--disabled"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .key-bar--disabled {
        color: $text-disabled;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._shown: list[Shown] = []  # what the line shows, as last drawn
        self._spans: list[tuple[int, int, int, str]] = []  # line, start, end, key of each

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        # Textual says so more than once as a screen opens: redraw only for a new line.
        if self.is_attached and screen is self.screen and self.shown() != self._shown:
            self.refresh(layout=True)

    def shown(self) -> list[Shown]:
        """Each shown key's display, description, whether it is enabled, and the key itself."""
        shown: list[Shown] = []
        actions: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            shown.append(
                (self.app.get_key_display(binding), binding.description, enabled, binding.key)
            )
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if self.app.ENABLE_COMMAND_PALETTE and palette is not None:
            binding = palette.binding
            # Textual names it "palette"; the screen is Norwegian.
            shown.append((self.app.get_key_display(binding), "Kommandoer", True, binding.key))
        return shown

    def _lines(self, shown: list[Shown], width: int) -> list[list[Shown]]:
        """The `shown` keys in lines of `width` cells, never broken inside a key; at most two.

        Keys that do not fit in two lines give way to `? flere`: help lists every key."""
        lines = _wrap(shown, width)
        if len(lines) <= MAX_LINES:
            return lines
        more: Shown = ("?", "flere", True, "question_mark")
        rest = [item for item in shown if item[3] != "question_mark"]
        while rest and len(_wrap([*rest, more], width)) > MAX_LINES:
            rest.pop()
        return _wrap([*rest, more], width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(self.shown(), width))

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        disabled = self.get_component_rich_style("key-bar--disabled")
        text = Text(no_wrap=True, overflow="crop")
        self._shown = self.shown()
        self._spans = []
        width = self.content_region.width or self.size.width
        for y, line in enumerate(self._lines(self._shown, width)):
            if y:
                text.append("\n")
            x = 0
            for display, description, enabled, key in line:
                start = x
                text.append(f" {display} ", key_style)
                text.append(f"{description} ", None if enabled else disabled)
                x += _size((display, description, enabled, key))
                self._spans.append((y, start, x, key))
        return text

    def on_click(self, event: events.Click) -> None:
        for y, start, end, key in self._spans:
            if y == event.y and start <= event.x < end:
                self.app.simulate_key(key)
                return
