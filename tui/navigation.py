"""Where a screen asks to go: messages that bubble up to the app, which builds the screen.

No screen module imports another screen module. A screen posts one of these
(`self.post_message(OpenUnit(unit_id))`); the app, the one place that knows every screen,
handles it (`NaervaerApp.on_open_unit`) and pushes the screen asked for. Add a message here for
each way into a screen, with the data that screen needs as typed fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from storage.usecases.status import StatusReport


class OpenUnit(Message):
    """Show the overview of a unit."""

    def __init__(self, unit_id: int) -> None:
        super().__init__()
        self.unit_id = unit_id


class OpenStatus(Message):
    """Show the status overview; `export`: and ask at once where to export its report."""

    def __init__(self, *, export: bool = False) -> None:
        super().__init__()
        self.export = export


class OpenImport(Message):
    """Show the import screen; the unit list reads its figures again after an import."""


class OpenSettings(Message):
    """Show the settings; the unit list reads its figures again after a change."""


class OpenHelp(Message):
    """Show the keys of the screen the advisor is on, and of the app."""


class OpenSavings(Message):
    """Show the savings panel on the status report already read (None: the panel reads it)."""

    def __init__(self, report: StatusReport | None = None) -> None:
        super().__init__()
        self.report = report
