"""The user's settings in the database: one row per changed setting, the value as JSON text."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Engine, column, delete, insert, select, table, update

from core.errors import InvalidInput
from core.settings import FIELD, Settings

# The settings table as plain SQL (storage.models maps it too): reading the settings at start
# does not need the ORM, which is slow to load.
SETTINGS = table("settings", column("key"), column("value"))


def load_settings(conn: Connection) -> Settings:
    """The stored settings, each missing one at its default.

    A stored value that is no longer valid (edited by hand, or from a version with other bounds)
    falls back to its default rather than stopping every screen that needs the settings.
    """
    rows = conn.execute(
        select(SETTINGS.c.key, SETTINGS.c.value).where(SETTINGS.c.key.in_(FIELD))
    ).all()
    values: dict[str, Any] = {}
    for key, text in rows:
        try:
            value = FIELD[key].from_json(json.loads(text))
            FIELD[key].check(value)
        except (InvalidInput, ValueError, TypeError):
            continue
        values[key] = value
    try:
        # All at once: limits that are only valid together (5 % and 8 %) must not be refused
        # one by one against the defaults.
        return replace(Settings(), **values)
    except InvalidInput:
        settings = Settings()
        for key, value in values.items():
            try:
                settings = settings.with_value(key, value)
            except InvalidInput:
                continue
        return settings


def is_stored(conn: Connection, key: str) -> bool:
    """Whether the user set this setting (a stored row), rather than leaving it at its default."""
    found = conn.execute(select(SETTINGS.c.key).where(SETTINGS.c.key == key)).first()
    return found is not None


def save_setting(engine: Engine, key: str, value: Any) -> Settings:
    """Store one setting (a value as core.settings parses it) and return all settings.

    Checked together with the others first: InvalidInput, in Norwegian, and nothing stored.
    """
    with engine.begin() as conn:
        settings = load_settings(conn).with_value(key, value)
        text = json.dumps(FIELD[key].to_json(getattr(settings, key)))
        changed = conn.execute(
            update(SETTINGS).where(SETTINGS.c.key == key).values(value=text)
        ).rowcount
        if not changed:
            conn.execute(insert(SETTINGS).values(key=key, value=text))
    return settings


def reset_setting(engine: Engine, key: str) -> Settings:
    """Back to the default (tilbakestill): the stored value is removed."""
    if key not in FIELD:
        raise InvalidInput(f"Ukjent innstilling: {key}.")
    with engine.begin() as conn:
        current = load_settings(conn)
        # The default must fit with the other settings too (11 % against a stored 10 %, say).
        settings = current.with_value(key, FIELD[key].default)
        conn.execute(delete(SETTINGS).where(SETTINGS.c.key == key))
    return settings
