"""A Rich renderable that is costly to draw (the agenda's tables) in a box as tall as it needs."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.strip import Strip

from tui.masking import drawable
from tui.widgets.scrolling import LineStyled


class Rendered(LineStyled):
    """A Static for a Rich renderable drawn once per width.

    A Static draws its renderable again for its height at each layout pass (a screen is laid
    out three times as it opens) and for its lines at each repaint: the agenda's tables took
    a tenth of a second that way. This box keeps the lines it drew at each width until its
    renderable changes. Its style is worked out once a draw (LineStyled), not once a line.
    """

    DEFAULT_CSS = """
    Rendered {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._renderable: RenderableType = Text()
        # Its lines at each width it was drawn at: the box changes width as the screen opens
        # (a scrollbar comes, the columns share out the width again) and back.
        self._drawn: dict[int, list[Strip]] = {}

    def update(self, renderable: RenderableType) -> None:
        self._renderable = renderable
        self._drawn = {}
        self.refresh(layout=True)

    def _lines(self, width: int) -> list[Strip]:
        lines = self._drawn.get(width)
        if lines is None:
            lines = []
            if width > 0:
                options = self.app.console_options.update(highlight=False, width=width)
                rendered = self.app.console.render_lines(self._renderable, options, pad=False)
                lines = [Strip(drawable(line)) for line in rendered]
            self._drawn[width] = lines
        return lines

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self._lines(width))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        lines = self._lines(width)
        line = lines[y] if y < len(lines) else Strip.blank(width)
        return line.apply_style(self.line_style)
