"""The one scrolling box of lines: the review's list (LineList) and its text (TextView); and
what every widget drawn line by line shares (LineStyled)."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

SCROLL_LINES = 3  # a turn of the mouse wheel


class LineStyled(Widget):
    """A widget drawn line by line on its own style (`line_style`): worked out once for all
    the lines drawn, not once a line, as it walks the styles of every widget above it."""

    _line_style: Style | None = None  # while the lines are drawn

    def render_lines(self, crop: Region) -> list[Strip]:
        self._line_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._line_style = None

    @property
    def line_style(self) -> Style:
        """The widget's `rich_style`, as worked out for the lines being drawn."""
        return self.rich_style if self._line_style is None else self._line_style


class ScrollingLines(LineStyled):
    """Lines in a box that keeps its size and scrolls by itself, with a thin scrollbar of its
    own in the last column: new lines repaint the box, never lay out the screen again."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._top = 0  # the first line shown

    def line_count(self) -> int:
        raise NotImplementedError

    def render_row(self, index: int) -> list[Segment]:
        """Line `index` (maybe past the last line: blank), as wide as the box less the
        scrollbar's column."""
        raise NotImplementedError

    def render_line(self, y: int) -> Strip:
        return Strip([*self.render_row(self._top + y), self._scrollbar(y, self.line_style)])

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
