"""Masked display: names replaced by employee numbers on every screen (the default)."""

from __future__ import annotations

from rich.markup import escape


def person(number: str, name: str | None, masked: bool) -> str:
    """How an employee is shown: `Ansatt 100234` when masked, else `Kari Nordmann (100234)`.

    The result is markup-safe: a name like `[bold]` is shown as typed, never interpreted.
    """
    if masked or not name:
        return f"Ansatt {escape(number)}"
    return f"{escape(name)} ({escape(number)})"
