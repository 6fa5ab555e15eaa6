"""A setting's field, shared by the settings screen and the savings panel, and how it is saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message
from textual.widget import Widget

from core.errors import InvalidInput
from core.settings import FIELD, Settings
from tui.widgets.autosave import AutosaveInput

if TYPE_CHECKING:
    from storage.db import Engine


class SettingSaved(Message):
    """A setting was stored (or reset); `settings` are all of them as they now are."""

    def __init__(self, key: str, settings: Settings) -> None:
        super().__init__()
        self.key = key
        self.settings = settings


class SettingRejected(Message):
    """A setting was refused, with the Norwegian reason; nothing was stored."""

    def __init__(self, key: str, error: str) -> None:
        super().__init__()
        self.key = key
        self.error = error


class SettingInput(AutosaveInput):
    """A setting's field: saves only what parses; can show the default without storing it."""

    def flush(self) -> None:
        try:
            FIELD[self.key].parse(str(self.value))
        except InvalidInput:
            return  # the message is already under the field; nothing to store
        super().flush()

    def show_default(self, text: str) -> None:
        """Show the default after a reset, which removed the stored value: nothing to save."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._saved = text
        self.value = text


def save_text(screen: Widget, engine: Engine, key: str, text: str) -> None:
    """Parse and store one setting; tells `screen` how it went. Runs in the autosave worker."""
    from storage.usecases.settings import change_setting

    try:
        settings = change_setting(engine, key, FIELD[key].parse(text))
    except InvalidInput as error:
        screen.post_message(SettingRejected(key, str(error)))
        return
    screen.post_message(SettingSaved(key, settings))
