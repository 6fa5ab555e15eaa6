"""A list of one-line items with a highlighted one: moving the highlight repaints two lines.

Textual's OptionList measured every option on a resize and redrew every visible line when its
highlight moved; for a unit of two hundred employees that was most of a move in the review.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip

from tui.masking import drawable
from tui.widgets.scrolling import ScrollingLines


class LineList(ScrollingLines, can_focus=True):
    """Lines cut with … at the box's edge; ↑ ↓ Home End or a click move the highlight."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-list--highlight"}
    DEFAULT_CSS = """
    LineList {
        background: $surface;
        padding: 0 0 0 1;
        & > .line-list--highlight {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .line-list--highlight {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Opp", show=False),
        Binding("down", "move(1)", "Ned", show=False),
        Binding("home", "move_to(0)", "Først", show=False),
        Binding("end", "move_to(-1)", "Sist", show=False),
    ]

    class Highlighted(Message):
        """Another line is highlighted (by the advisor, or by the program)."""

        def __init__(self, line_list: LineList, index: int) -> None:
            super().__init__()
            self.line_list = line_list
            self.index = index

        @property
        def control(self) -> LineList:
            return self.line_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: list[Content] = []
        self._highlighted: int | None = None

    def line_count(self) -> int:
        return len(self._items)

    def set_lines(self, lines: list[Content]) -> None:
        """New lines; the highlight stays on its index while there is a line there."""
        self._items = list(lines)
        if self._highlighted is not None and self._highlighted >= len(self._items):
            self._highlighted = len(self._items) - 1 if self._items else None
        self._top = min(self._top, max(len(self._items) - self.size.height, 0))
        self.refresh()

    def replace_line(self, index: int, line: Content) -> None:
        self._items[index] = line
        self._refresh_line(index)

    @property
    def highlighted(self) -> int | None:
        return self._highlighted

    @highlighted.setter
    def highlighted(self, index: int | None) -> None:
        if index is not None and not 0 <= index < len(self._items):
            raise IndexError(f"no line {index} in a list of {len(self._items)}")
        if index == self._highlighted:
            return
        before, self._highlighted = self._highlighted, index
        if before is not None:
            self._refresh_line(before)
        if index is not None:
            self._refresh_line(index)
            self._keep_in_view()
            self.post_message(self.Highlighted(self, index))

    def action_move(self, step: int) -> None:
        if self._items:
            current = -step if self._highlighted is None else self._highlighted
            self.highlighted = min(max(current + step, 0), len(self._items) - 1)

    def action_move_to(self, index: int) -> None:
        if self._items:
            self.highlighted = index % len(self._items)

    def on_click(self, event: events.Click) -> None:
        index = self._top + event.y
        if 0 <= event.y < self.size.height and index < len(self._items):
            self.highlighted = index

    def on_resize(self) -> None:
        self._keep_in_view()

    def _keep_in_view(self) -> None:
        index, height = self._highlighted, self.size.height
        if index is None or height <= 0:
            return
        if index < self._top:
            self._show_from(index)
        elif index >= self._top + height:
            self._show_from(index - height + 1)

    def _refresh_line(self, index: int) -> None:
        y = index - self._top
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def render_row(self, index: int) -> list[Segment]:
        width = max(self.size.width - 1, 0)  # the last column is the scrollbar's
        base = self.visual_style
        if index < len(self._items):
            if index == self._highlighted:
                base = base + self.get_visual_style("line-list--highlight")
            line = self._items[index].truncate(width, ellipsis=True, pad=True)
            return drawable(line.render_segments(base))
        return list(Strip.blank(width, base.rich_style))
