"""Messages posted from workers to the screens (widgets change only in handlers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from storage.db import Engine
    from storage.usecases.units import UnitRow


class DatabaseReady(Message):
    """The database is open; `units` are the unit list's rows when they were loaded with it."""

    def __init__(self, engine: Engine, empty: bool, units: list[UnitRow] | None = None):
        super().__init__()
        self.engine = engine
        self.empty = empty
        self.units = units


class UnitsShown(Message):
    """The unit list has its figures on screen: the app's start is over."""


class Failed(Message):
    """A worker failed; the app turns it into a Norwegian message."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class ToggleMask(Message):
    """Hide the names on every screen, or show them."""


class MaskingChanged(Message):
    """Sent to every open screen when names were hidden or shown (the app's `masked`).

    Not a watcher on the app's `masked`: Textual keeps a watcher, and the closed screen it
    belongs to with all it read, until the value next changes."""


class SyncState(Message):
    """A replica's sync ended (or failed): the header's `line`; `pulled`: the server sent
    something, so the lists drawn before are stale."""

    def __init__(self, line: str, pulled: bool = False) -> None:
        super().__init__()
        self.line = line
        self.pulled = pulled
