"""Rows as the database drivers take them, for both backends' bulk statements: values cut
into equal parts, and the names of tables and columns checked before they go into SQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from sqlalchemy import Table

T = TypeVar("T")


def chunks(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`values` `size` at a time, in order; the last part may be shorter."""
    return (values[start : start + size] for start in range(0, len(values), size))


def table_name(table: Table) -> str:
    assert table.name.isidentifier()
    return table.name


def column_name(table: Table, name: str) -> str:
    if name not in table.c or not name.isidentifier():
        raise ValueError(f"{table.name} has no column {name!r}")
    return name
