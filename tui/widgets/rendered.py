"""A Rich renderable that is costly to draw (the agenda's tables) in a box as tall as it needs,
and the agenda's rows of who and what, drawn as a table would draw them, in half the time."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
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


class Beside:
    """Rows of a label and a text beside it: the labels in a column as wide as the widest, the
    texts wrapped in the rest of the width, one space between.

    What Rich's `Table.grid(padding=(0, 1), expand=True)` of a no_wrap column and a ratio
    column draws, line for line, without measuring and padding every text as a table does:
    half the time of the agenda's tables. Too narrow for the labels, it is that table, which
    shares out the width as it can.
    """

    def __init__(self, rows: Sequence[tuple[Text, Text]]) -> None:
        self.rows = rows

    def table(self) -> Table:
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(no_wrap=True)
        table.add_column(ratio=1)
        for label, text in self.rows:
            table.add_row(label, text)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        labels_width = max(
            (Measurement.get(console, options, label).maximum for label, _ in self.rows),
            default=0,
        )
        texts_width = width - labels_width - 1
        if texts_width < 1:
            yield self.table()
            return
        # The options a table gives the cells of each column.
        cell = options.update(justify="left", overflow="ellipsis", height=None, highlight=False)
        labels = cell.update(width=labels_width, no_wrap=True)
        texts = cell.update(width=texts_width, no_wrap=False)
        gap, new_line = Segment(" "), Segment.line()
        for label, text in self.rows:
            left = console.render_lines(label, labels)
            right = console.render_lines(text, texts)
            height = max(len(left), len(right))
            left = Segment.set_shape(left, labels_width, height)
            right = Segment.set_shape(right, texts_width, height)
            for label_line, text_line in zip(left, right, strict=True):
                yield from label_line
                yield gap
                yield from text_line
                yield new_line
