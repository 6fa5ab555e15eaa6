"""How people and typed text are shown: masked names by default, never interpreted as markup."""

from __future__ import annotations

from collections.abc import Iterable

from rich.segment import Segment

from core.masking import person as named
from core.text import clean_text, has_control, shown


def person(number: str, name: str | None, masked: bool) -> str:
    """`Ansatt 100234` when masked, else `Kari Nordmann (100234)` (core.masking.person).

    Plain text with control characters and terminal escapes removed: wrap it in `Text`, never
    in markup, so that a name like `[bold]` is shown as typed.
    """
    return named(clean_text(number), name and clean_text(name), masked, capital=True)


def one_line(text: str) -> str:
    """Typed text on one line, cleaned, for lists and headings."""
    return " ".join(clean_text(text).split())


def drawable(segments: Iterable[Segment]) -> list[Segment]:
    """Segments as a line-drawn widget sends them: a control character left in a text (data
    that reached the widget uncleaned) is written out, never sent to the terminal."""
    return [
        Segment(shown(segment.text), segment.style) if has_control(segment.text) else segment
        for segment in segments
    ]
