"""Innstillinger: thresholds and assumptions with the default beside each; edits save themselves."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Header, Label, Select, Static

from core.errors import InvalidInput
from core.settings import FIELD, SELF_CERT_RULES, SETTING_FIELDS, Settings
from tui.screens.base import NaervaerScreen
from tui.widgets.keybar import KeyBar
from tui.widgets.setting_input import SettingInput, SettingRejected, SettingSaved, save_text

CHOICE_KEYS = {"self_cert_rule"}


def help_text(key: str, settings: Settings | None, value: Any = None) -> str:
    """The line under a field: what it does, and for some the figure in use."""
    field = FIELD[key]
    if key == "cost_per_day" and value is not None:
        source = settings.with_value(key, value).cost_source if settings else ""
        return f"Kilde for tallet i bruk: {source}. {field.help}"
    if key == "self_cert_rule" and value in SELF_CERT_RULES:
        return f"{SELF_CERT_RULES[value]}. {field.help}"
    return field.help


class SettingsScreen(NaervaerScreen[bool]):
    """Every setting DOMAIN.md calls a default. Dismisses with True if anything was changed."""

    class Loaded(Message):
        """The settings as stored, read in a worker."""

        def __init__(self, settings: Settings) -> None:
            super().__init__()
            self.settings = settings

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reset", "Tilbakestill feltet", key_display="Ctrl+R", id="reset"),
        Binding("escape", "close", "Ferdig", id="settings_close"),
    ]

    def __init__(self) -> None:
        super().__init__(id="settings")
        self.settings: Settings | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="settings-body"):
            yield Static("Laster innstillingene …", id="settings-loading")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Innstillinger"
        body = self.query_one("#settings-body")
        body.border_title = "Lagres mens du skriver · Esc: ferdig"
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings")
    def load(self) -> None:
        from storage.usecases.settings import current_settings

        self.post_message(self.Loaded(current_settings(self.engine)))

    async def on_settings_screen_loaded(self, message: Loaded) -> None:
        self.settings = message.settings
        await self.show_fields(message.settings)

    def on_setting_saved(self, message: SettingSaved) -> None:
        self.settings = message.settings
        self.set_message(message.key, None)

    def on_setting_rejected(self, message: SettingRejected) -> None:
        self.set_message(message.key, message.error)

    async def show_fields(self, settings: Settings) -> None:
        body = self.query_one("#settings-body")
        await body.remove_children()
        rows: list[Widget] = []
        for field in SETTING_FIELDS:
            value = getattr(settings, field.key)
            editor: Widget
            if field.key in CHOICE_KEYS:
                editor = Select(
                    [(key, key) for key in SELF_CERT_RULES],
                    value=value,
                    allow_blank=False,
                    compact=True,
                    id=f"setting-{field.key}",
                )
            else:
                editor = SettingInput(
                    field.key,
                    self.save,
                    value=field.text(value),
                    compact=True,
                    id=f"setting-{field.key}",
                )
            rows.append(
                Horizontal(
                    Label(field.label, classes="setting-label"),
                    editor,
                    Label(field.unit, classes="setting-unit"),
                    Label(f"standard: {field.show(field.default)}", classes="setting-default"),
                    Button(
                        "Tilbakestill",
                        compact=True,
                        id=f"reset-{field.key}",
                        classes="setting-reset",
                    ),
                    classes="setting-row",
                )
            )
            rows.append(
                Static(
                    help_text(field.key, settings, value),
                    id=f"help-{field.key}",
                    classes="setting-help",
                    markup=False,
                )
            )
        await body.mount_all(rows)
        self.query_one(f"#setting-{SETTING_FIELDS[0].key}").focus()

    def save(self, key: str, text: str) -> None:
        save_text(self, self.engine, key, text)

    def set_message(self, key: str, error: str | None, value: Any = None) -> None:
        """Show the error under the field, or its help text again when it is put right."""
        helper = self.query(f"#help-{key}")
        if not helper:
            return
        if value is None and self.settings is not None:
            value = getattr(self.settings, key)
        line = helper.first(Static)
        line.update(error or help_text(key, self.settings, value))
        line.set_class(error is not None, "-error")

    @on(SettingInput.Changed)
    def typed(self, event: SettingInput.Changed) -> None:
        """Check as the user types, so that the message is there before the save is tried."""
        if not isinstance(event.input, SettingInput):
            return
        key = event.input.key
        try:
            value = FIELD[key].parse(event.value)
            if self.settings is not None:
                self.settings.with_value(key, value)
        except InvalidInput as error:
            self.set_message(key, str(error))
            return
        self.set_message(key, None, value)
        # Filling the fields posts changes too; only a value unlike the stored one counts.
        if self.settings is not None and value != getattr(self.settings, key):
            self.changed = True

    @on(Select.Changed)
    def chosen(self, event: Select.Changed) -> None:
        key = str(event.select.id).removeprefix("setting-")
        if self.settings is None or event.value == getattr(self.settings, key):
            return
        self.changed = True
        self.set_message(key, None, event.value)
        self.store_choice(key, str(event.value))

    @work(thread=True, exit_on_error=False, group="autosave")
    def store_choice(self, key: str, value: str) -> None:
        save_text(self, self.engine, key, value)

    @on(Button.Pressed, ".setting-reset")
    def reset_pressed(self, event: Button.Pressed) -> None:
        self.reset(str(event.button.id).removeprefix("reset-"))

    def action_reset(self) -> None:
        focused = self.focused
        if focused is None or not str(focused.id or "").startswith(("setting-", "reset-")):
            self.notify("Gå til en innstilling først.", timeout=3)
            return
        self.reset(str(focused.id).split("-", 1)[1])

    def reset(self, key: str) -> None:
        field = FIELD[key]
        self.changed = True
        editor = self.query_one(f"#setting-{key}")
        if isinstance(editor, SettingInput):
            editor.show_default(field.text(field.default))
        elif isinstance(editor, Select):
            editor.value = field.default
        self.reset_stored(key)

    @work(thread=True, exit_on_error=False, group="autosave")
    def reset_stored(self, key: str) -> None:
        from storage.usecases.settings import reset_setting

        try:
            settings = reset_setting(self.engine, key)
        except InvalidInput as error:
            self.post_message(SettingRejected(key, str(error)))
            return
        self.post_message(SettingSaved(key, settings))

    async def action_close(self) -> None:
        """Save what is typed and wait for it, so that whoever reloads sees the new settings."""
        for editor in self.query(SettingInput):
            editor.flush()
        await self.app.workers.wait_for_complete(
            [w for w in self.app.workers if w.group == "autosave"]
        )
        self.dismiss(self.changed)
