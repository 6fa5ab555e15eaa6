"""Rich text (or any Rich renderable: the summary's Markdown) in a box of fixed size that
scrolls: new text is drawn without a layout pass."""

from __future__ import annotations

from rich.console import RenderableType
from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip

from tui.masking import drawable
from tui.widgets.scrolling import ScrollingLines


class TextView(ScrollingLines, can_focus=False):
    """A Static whose text changes often, in a box that does not grow with it.

    A Static in a scrolling container changes its height with its text, and the screen then
    lays itself out again, and its scrollbars once more. This box wraps its text to its width
    and scrolls it by itself.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text: RenderableType = Text()
        # The text wrapped to a width (the box's, less the scrollbar's column), made when drawn.
        self._wrapped: tuple[int, list[Strip]] | None = None

    @property
    def text(self) -> RenderableType:
        return self._text

    def update(self, text: RenderableType) -> None:
        self._text = text
        self._wrapped = None
        self.refresh()

    def show_top(self) -> None:
        self._show_from(0)

    def scroll_page(self, direction: int) -> None:
        self._show_from(self._top + direction * max(self.size.height - 1, 1))

    def scroll_lines(self, lines: int) -> None:
        self._show_from(self._top + lines)

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

    def render_row(self, index: int) -> list[Segment]:
        lines = self._lines()
        text = lines[index] if index < len(lines) else Strip.blank(self.size.width - 1)
        return list(text.apply_style(self.line_style))
