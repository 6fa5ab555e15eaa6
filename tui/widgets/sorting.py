"""What the unit list and the status overview share: sorting by column, and the filters' "all"."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

ALL = "alle"  # the filter choice that lets everything through


class Row(Protocol):
    """A row of a list: its columns' values by their keys (a dict, or storage's row types)."""

    def __getitem__(self, key: str, /) -> Any: ...


R = TypeVar("R", bound=Row)


def number(value: Any) -> float | None:
    """A figure from a row, None where it is missing (None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


class SortColumn(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def header(self) -> str: ...

    @property
    def sort(self) -> Callable[[Any], Any] | None: ...


class Sorting:
    """The column a list is sorted on and which way; missing figures sort last either way."""

    def __init__(self, columns: Sequence[SortColumn], key: str, *, descending: bool) -> None:
        self.columns = {column.key: column for column in columns}
        self.key = key
        self.descending = descending

    def sorted(self, rows: list[R]) -> list[R]:
        return sorted(rows, key=self._value, reverse=self.descending)

    def _value(self, row: Row) -> Any:
        column = self.columns[self.key]
        if column.sort is not None:
            return column.sort(row)
        value = number(row[self.key])
        return (value is None, value if value is not None else 0)

    def next_column(self) -> None:
        keys = list(self.columns)
        self.key = keys[(keys.index(self.key) + 1) % len(keys)]
        self.descending = False

    def reverse(self) -> None:
        self.descending = not self.descending

    def by(self, key: str) -> None:
        """A click on a column's header: sort on it, or turn the order if it is sorted on."""
        self.descending = not self.descending if key == self.key else False
        self.key = key

    def describe(self) -> str:
        direction = "synkende" if self.descending else "stigende"
        return f"sortert på {self.columns[self.key].header.lower()} ({direction})"
