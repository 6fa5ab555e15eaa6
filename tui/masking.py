"""How people and typed text are shown: masked names by default, never interpreted as markup."""

from __future__ import annotations

from core.text import clean_text


def person(number: str, name: str | None, masked: bool) -> str:
    """`Ansatt 100234` when masked, else `Kari Nordmann (100234)`.

    Plain text with control characters and terminal escapes removed: wrap it in `Text`, never
    in markup, so that a name like `[bold]` is shown as typed.
    """
    number = clean_text(number)
    if masked or not name:
        return f"Ansatt {number}"
    return f"{clean_text(name)} ({number})"


def one_line(text: str) -> str:
    """Typed text on one line, cleaned, for lists and headings."""
    return " ".join(clean_text(text).split())
