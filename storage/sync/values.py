"""A column's value in the outbox and on the wire (JSON, as SQLite stores it) and in Python."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Boolean, Column, Date, DateTime, Float


def decode(column: Column[Any], value: Any) -> Any:
    """The Python value of `column` from its JSON form."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(value)
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, Float):
        return float(value)
    return value


def encode(value: Any) -> Any:
    """A Python value in its JSON form: dates in ISO form, flags as 1 or 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def dumps(value: Any) -> str:
    return json.dumps(encode(value), ensure_ascii=False)


def stored_form(column: Column[Any]) -> Callable[[Any], Any] | None:
    """What turns a Python value of `column` into the form SQLite stores (see `encode`); None
    for a column whose values are stored as they are."""
    kind = column.type
    if isinstance(kind, (Date, DateTime, Boolean)):
        return encode
    return None
