"""The line of keys at the bottom of every screen, drawn as one line of text.

Textual's Footer mounts a widget per key, twice on every screen change (once composed, once
when the bindings are known); that was a large part of every screen's first paint here.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

Shown = tuple[str, str, bool, str]


class KeyBar(Widget):
    """The screen's shown key bindings, `key Description`; a click on one presses its key."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--disabled"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
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
        self._spans: list[tuple[int, int, str]] = []  # start, end and key of each shown binding

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        # Textual says so more than once as a screen opens: redraw only for a new line.
        if self.is_attached and screen is self.screen and self.shown() != self._shown:
            self.refresh()

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
            shown.append(
                (self.app.get_key_display(binding), binding.description, True, binding.key)
            )
        return shown

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        disabled = self.get_component_rich_style("key-bar--disabled")
        line = Text(no_wrap=True, overflow="crop")
        self._shown = self.shown()
        self._spans = []
        for display, description, enabled, key in self._shown:
            start = len(line)
            line.append(f" {display} ", key_style)
            line.append(f"{description} ", None if enabled else disabled)
            self._spans.append((start, len(line), key))
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
