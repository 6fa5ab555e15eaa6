"""Rich text in a box of fixed size that scrolls: new text is drawn without a layout pass."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.strip import Strip
from textual.widget import Widget

from tui.masking import drawable

SCROLL_LINES = 3  # a turn of the mouse wheel


class ScrollingLines(Widget):
    """Lines in a box that keeps its size and scrolls by itself, with a thin scrollbar of its
    own in the last column: new lines repaint the box, never lay out the screen again."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._top = 0  # the first line shown

    def line_count(self) -> int:
        raise NotImplementedError

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self._show_from(self._top + SCROLL_LINES)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self._show_from(self._top - SCROLL_LINES)

    def _show_from(self, top: int) -> None:
        last = max(self.line_count() - self.size.height, 0)
        top = min(max(top, 0), last)
        if top != self._top:
            self._top = top
            self.refresh()

    def _scrollbar(self, y: int, base: Style) -> Segment:
        """Row `y` of the scrollbar: a thumb over the lines shown, nothing if all are shown."""
        total, height = self.line_count(), self.size.height
        if total <= height or height <= 0:
            return Segment(" ", base)
        size = max(round(height * height / total), 1)
        start = min(round(self._top * height / total), height - size)
        styles = self.styles
        thumb = styles.scrollbar_color.rich_color
        track = styles.scrollbar_background.rich_color
        if start <= y < start + size:
            return Segment("▐", base + Style(color=thumb, bgcolor=track))
        return Segment(" ", base + Style(bgcolor=track))


class TextView(ScrollingLines, can_focus=False):
    """A Static whose text changes often, in a box that does not grow with it.

    A Static in a scrolling container changes its height with its text, and the screen then
    lays itself out again, and its scrollbars once more. This box wraps its text to its width
    and scrolls it by itself.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()
        # The text wrapped to a width (the box's, less the scrollbar's column), made when drawn.
        self._wrapped: tuple[int, list[Strip]] | None = None

    @property
    def text(self) -> Text:
        return self._text

    def update(self, text: Text) -> None:
        self._text = text
        self._wrapped = None
        self.refresh()

    def show_top(self) -> None:
        self._show_from(0)

    def scroll_page(self, direction: int) -> None:
        self._show_from(self._top + direction * max(self.size.height - 1, 1))

    def line_count(self) -> int:
        return len(self._lines())

    def _lines(self) -> list[Strip]:
        width = max(self.size.width - 1, 0)
        if self._wrapped is None or self._wrapped[0] != width:
            lines: list[Strip] = []
            if width:
                console = self.app.console
                options = console.options.update_width(width)
                rendered = console.render_lines(self._text, options, pad=False)
                lines = [Strip(drawable(line)).crop_extend(0, width, None) for line in rendered]
            self._wrapped = (width, lines)
        return self._wrapped[1]

    def render_line(self, y: int) -> Strip:
        lines = self._lines()
        base = self.rich_style
        index = self._top + y
        text = lines[index] if index < len(lines) else Strip.blank(self.size.width - 1)
        return Strip([*text.apply_style(base), self._scrollbar(y, base)])
