"""Where a screen asks to go: messages that bubble up to the app, which builds the screen.

No screen module imports another screen module. A screen posts one of these
(`self.post_message(OpenUnit(unit_id))`); the app, the one place that knows every screen,
handles it (`NaervaerApp.on_open_unit`) and pushes the screen asked for. Add a message here for
each way into a screen, with the data that screen needs as typed fields.
"""

from __future__ import annotations

from textual.message import Message


class OpenUnit(Message):
    """Show the overview of a unit."""

    def __init__(self, unit_id: int) -> None:
        super().__init__()
        self.unit_id = unit_id


class EditFactors(Message):
    """Edit a unit's nærværsfaktorer (`factors` as shown: kind → its texts)."""

    def __init__(self, unit_id: int, factors: dict[str, list[str]]) -> None:
        super().__init__()
        self.unit_id = unit_id
        self.factors = factors


class EditScores(Message):
    """Edit a unit's survey scores (`scores` as shown: survey → factor → score)."""

    def __init__(self, unit_id: int, scores: dict[str, dict[str, float | None]]) -> None:
        super().__init__()
        self.unit_id = unit_id
        self.scores = scores
