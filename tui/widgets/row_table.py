"""A read-only table drawn line by line: for lists of hundreds of rows that must appear at once.

Textual's DataTable measures and renders every cell through Rich; filling one with the unit
list cost more than everything else in the app's start. Here each visible line is one string
cut to the column widths: rows cost nothing until they scroll into view. A row may hold styled
cells (rich Text: a bar in colours, a total in bold); only such rows are rendered through Rich.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from core.text import shown
from tui.widgets.scrolling import LineStyled

PADDING = 1  # a space either side of every cell, as in DataTable

Cell = str | Text  # plain text, or styled text (its styles kept, its alignment the column's)


@dataclass(frozen=True)
class TableColumn:
    key: str
    header: str
    width: int
    right: bool = False  # figures are right-aligned
    least: int = 0  # a narrow table may cut the column (with …) down to this width; 0: never
    header_right: bool | None = None  # the header's alignment; None: as the column's cells


def _fit(text: str, width: int, right: bool) -> str:
    """`text` padded or cut (ending in …) to exactly `width` cells; control characters written
    out."""
    text = shown(text)
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…" if width else ""
    if right:
        return " " * (width - cell_len(text)) + text
    return set_cell_size(text, width)


def _header_right(column: TableColumn) -> bool:
    return column.right if column.header_right is None else column.header_right


def _fit_styled(cell: Text, width: int, right: bool) -> Text:
    """A styled cell padded or cut (ending in …) to exactly `width` cells, like `_fit`."""
    text = cell.copy()
    plain = shown(text.plain)
    if plain != text.plain:
        text = Text(plain, style=text.style)
    text.truncate(width, overflow="ellipsis")
    text.align("right" if right else "left", width)
    return text


class RowTable(ScrollView, LineStyled, can_focus=True):
    """Columns of fixed width, a header that stays put, a row cursor; no cell editing."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "row-table--header",
        "row-table--cursor",
        "row-table--even",
        "row-table--fixed",
    }
    DEFAULT_CSS = """
    RowTable {
        background: $surface;
        color: $foreground;
    }
    RowTable > .row-table--header {
        text-style: bold;
        background: $panel;
        color: $foreground;
    }
    RowTable > .row-table--even {
        background: $surface-lighten-1 30%;
    }
    RowTable > .row-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    RowTable:focus > .row-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Opp", show=False),
        Binding("down", "cursor(1)", "Ned", show=False),
        Binding("pageup", "page(-1)", "Side opp", show=False),
        Binding("pagedown", "page(1)", "Side ned", show=False),
        Binding("home", "first", "Først", show=False),
        Binding("end", "last", "Sist", show=False),
        Binding("left", "scroll_left", "Venstre", show=False),
        Binding("right", "scroll_right", "Høyre", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    class _RowMessage(Message):
        def __init__(self, table: RowTable, row: int) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> RowTable:
            return self.table

    class RowHighlighted(_RowMessage):
        """The cursor moved to `row`."""

    class RowSelected(_RowMessage):
        """A click on the row the cursor is on (Enter is the screen's to bind)."""

    class HeaderSelected(Message):
        def __init__(self, table: RowTable, column_key: str) -> None:
            super().__init__()
            self.table = table
            self.column_key = column_key

        @property
        def control(self) -> RowTable:
            return self.table

    def __init__(
        self,
        *,
        fixed_columns: int = 0,
        stripe_first: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns: list[TableColumn] = []
        self.keys: list[Hashable] = []
        self.fixed_columns = fixed_columns  # the first columns stay in view when scrolled right
        self.stripe_first = stripe_first  # the striped rows: the first, third… (else the second…)
        # Each row as drawn, drawn when first shown: a long table draws only what is in view.
        self._lines: list[str | Text | None] = []
        self._cells: list[list[Cell]] = []  # each row's cells as given
        self._widths: list[int] = []  # each column's width as drawn (a narrow table cuts some)

    # --- content ---------------------------------------------------------------------------

    def set_columns(self, columns: Sequence[TableColumn]) -> None:
        self.columns = list(columns)
        self._widths = self._fitted_widths()
        self._lines, self._cells, self.keys = [], [], []
        self._resize()

    def set_rows(self, rows: Sequence[Sequence[Cell]], keys: Sequence[Hashable]) -> None:
        """Replace every row; `keys` name them (one per row). The cursor stays in range."""
        self.keys = list(keys)
        self._cells = [list(row) for row in rows]
        self._forget_lines()
        self.cursor_row = min(self.cursor_row, max(self.row_count - 1, 0))

    def _fitted_widths(self) -> list[int]:
        """The columns' widths, the cuttable ones narrowed so that every column is in view."""
        widths = [column.width for column in self.columns]
        room = self.scrollable_content_region.width
        excess = sum(widths) + 2 * PADDING * len(widths) - room
        for i, column in enumerate(self.columns):
            if room and excess > 0 and column.least:
                cut = min(excess, max(column.width - column.least, 0))
                widths[i] -= cut
                excess -= cut
        return widths

    def _forget_lines(self) -> None:
        self._lines = [None] * len(self._cells)
        self._resize()

    def _line(self, row: int) -> str | Text:
        line = self._lines[row]
        if line is None:
            line = self._lines[row] = self._draw(self._cells[row])
        return line

    def _draw(self, row: Sequence[Cell]) -> str | Text:
        gap = " " * PADDING
        cells = list(zip(self.columns, self._widths, row, strict=True))
        if all(isinstance(cell, str) for cell in row):
            return "".join(
                f"{gap}{_fit(str(cell), width, column.right)}{gap}" for column, width, cell in cells
            )
        line = Text()
        for column, width, cell in cells:
            line.append(gap)
            if isinstance(cell, Text):
                line.append_text(_fit_styled(cell, width, column.right))
            else:
                line.append(_fit(cell, width, column.right))
            line.append(gap)
        return line

    def on_resize(self) -> None:
        widths = self._fitted_widths()
        if widths != self._widths:
            self._widths = widths
            self._forget_lines()

    @property
    def row_count(self) -> int:
        return len(self._lines)

    def row_cells(self, row: int) -> list[Cell]:
        """The texts of a row's cells, as given to `set_rows`."""
        return self._cells[row]

    def move_cursor(self, row: int) -> None:
        self.cursor_row = max(0, min(row, self.row_count - 1))

    def _resize(self) -> None:
        width = sum(width + 2 * PADDING for width in self._widths)
        self.virtual_size = Size(width, self.row_count + 1)  # the header is a line too
        self.refresh()

    # --- drawing ---------------------------------------------------------------------------

    def _header_line(self) -> str:
        gap = " " * PADDING
        return "".join(
            f"{gap}{_fit(column.header, width, _header_right(column))}{gap}"
            for column, width in zip(self.columns, self._widths, strict=True)
        )

    def _fixed_width(self) -> int:
        return sum(width + 2 * PADDING for width in self._widths[: self.fixed_columns])

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        text: str | Text
        if y == 0:
            text, style = self._header_line(), self.get_component_rich_style("row-table--header")
        else:
            row = scroll_y + y - 1
            if row >= self.row_count:
                return Strip.blank(width, self.line_style)
            text = self._line(row)
            if row == self.cursor_row:
                style = self.get_component_rich_style("row-table--cursor")
            elif row % 2 != self.stripe_first:
                style = self.get_component_rich_style("row-table--even")
            else:
                style = self.line_style
        strip = self._strip(text, style, scroll_x + width)
        fixed = self._fixed_width()
        if y and fixed and scroll_y + y - 1 != self.cursor_row:
            # The fixed columns in their own colours (none unless the screen's CSS gives some).
            over = self.get_component_rich_style("row-table--fixed")
            head = Strip(Segment.apply_style(strip.crop(0, fixed), post_style=over))
            strip = Strip.join([head, strip.crop(fixed, strip.cell_length)])
        return self._crop(strip, scroll_x, width)

    def _strip(self, text: str | Text, style: Style, width: int) -> Strip:
        """The whole line, at least `width` cells, on the row's style."""
        if isinstance(text, str):
            return Strip([Segment(set_cell_size(text, max(cell_len(text), width)), style)])
        segments = Segment.apply_style(text.render(self.app.console), style)
        strip = Strip(segments)
        return strip.extend_cell_length(width, style)

    def _crop(self, strip: Strip, scroll_x: int, width: int) -> Strip:
        """What is in view: from `scroll_x` on, after the fixed columns that stay put."""
        fixed = min(self._fixed_width(), width) if scroll_x else 0
        if not fixed:
            return strip.crop(scroll_x, scroll_x + width)
        rest = strip.crop(fixed + scroll_x, scroll_x + width)
        return Strip.join([strip.crop(0, fixed), rest])

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh()
        self._scroll_to_cursor()
        if self.row_count:
            self.post_message(self.RowHighlighted(self, new))

    def _scroll_to_cursor(self) -> None:
        rows_shown = max(self.scrollable_content_region.height - 1, 1)
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + rows_shown:
            self.scroll_to(y=self.cursor_row - rows_shown + 1, animate=False)

    # --- keys and mouse --------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * max(self.size.height - 2, 1))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self.row_count - 1)

    def _select(self) -> None:
        if self.row_count:
            self.post_message(self.RowSelected(self, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            fixed = self._fixed_width()
            x = offset.x if offset.x < fixed else offset.x + int(self.scroll_x)
            for column, width in zip(self.columns, self._widths, strict=True):
                x -= width + 2 * PADDING
                if x < 0:
                    self.post_message(self.HeaderSelected(self, column.key))
                    return
            return
        row = int(self.scroll_y) + offset.y - 1
        if row >= self.row_count:
            return
        if row == self.cursor_row:
            self._select()
        else:
            self.move_cursor(row)
