"""Import errors and warnings, each pointing at a file (or sheet), line, column and value."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_SHOWN = 50
SHOWN_VALUE = 60  # a 100,000-character cell is named by its start, not printed whole


def sheet_source(file: str, sheet: str) -> str:
    """How a workbook's sheet is named where a file name would stand."""
    return f"{file}, ark {sheet}"


def row_word(sheet: str | None) -> str:
    """CSV files have lines; spreadsheets have rows, numbered as Excel shows them."""
    return "linje" if sheet is None else "rad"


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One error or warning.

    `line` is the physical line in a CSV file (the header is line 1) or, with `sheet`, the row
    number Excel shows in that sheet of the workbook `file`.
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str
    sheet: str | None = None

    @property
    def source(self) -> str:
        return self.file if self.sheet is None else sheet_source(self.file, self.sheet)

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where = f"{where} {row_word(self.sheet)} {self.line}"
        if self.column:
            where = f"{where}, {self.column}"
        value = self.value
        if value and len(value) > SHOWN_VALUE:
            value = f"{value[: SHOWN_VALUE - 1]}…"
        what = f"{value} {self.message}" if value else self.message
        return f"{where}: {what}"


def format_problems(problems: Iterable[ImportProblem], limit: int = DEFAULT_SHOWN) -> list[str]:
    """The first `limit` problems as lines, then `… og N til` for the rest."""
    lines: list[str] = []
    hidden = 0
    for problem in problems:
        if len(lines) < limit:
            lines.append(str(problem))
        else:
            hidden += 1
    if hidden:
        lines.append(f"… og {hidden} til")
    return lines
