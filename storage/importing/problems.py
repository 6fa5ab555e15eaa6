"""Import errors and warnings, each pointing at a file, line, column and value in Norwegian."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_SHOWN = 50


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One error or warning; `line` is the physical line in the file (the header is line 1)."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file} linje {self.line}"
        if self.column:
            where = f"{where}, {self.column}"
        what = f"{self.value} {self.message}" if self.value else self.message
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
