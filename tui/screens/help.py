"""Hjelp: the keys of the screen the user came from, and of the whole app."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.screens.base import NaervaerModal

KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "escape": "Esc",
    "enter": "Enter",
    "space": "Mellomrom",
    "ctrl+q": "Ctrl+Q",
    "ctrl+p": "Ctrl+P",
    "left": "←",
    "right": "→",
}


def key_label(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    return " / ".join(KEY_NAMES.get(k, k) for k in binding.key.split(","))


class HelpScreen(NaervaerModal[None]):
    """Lists every key the previous screen and the app answer to."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss_help", "Lukk"),
    ]

    def __init__(self, below: Screen[object]) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        lines = ["[b]Taster[/b]", ""]
        seen: set[str] = set()
        sources = [self.below.BINDINGS, self.app.BINDINGS]
        for bindings in sources:
            for binding in bindings:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                label = key_label(binding)
                if label in seen:
                    continue
                seen.add(label)
                lines.append(f"  [b]{label:<12}[/b] {binding.description}")
        lines += ["  [b]Ctrl+P[/b]       Kommandopalett: åpne enhet, start møte, skjul navn …", ""]
        lines.append("Esc lukker denne hjelpen.")
        with VerticalScroll(id="help-box"):
            yield Static("\n".join(lines), id="help-text")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
