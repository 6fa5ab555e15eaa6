"""The user's settings in the database: one row per changed setting, the value as JSON text."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Connection, MetaData, String, Table, Text, delete, select

from core.errors import InvalidInput
from core.settings import FIELD, Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# The settings table as Core (storage.models maps it too): reading the settings at start does
# not need the ORM, which is slow to load (nor storage.dialects, which imports it).
SETTINGS = Table(
    "settings",
    MetaData(),
    Column("key", String(64), primary_key=True),
    Column("value", Text),
)


def load_settings(conn: Connection | Session) -> Settings:
    """The stored settings, each missing one at its default.

    A stored value that is no longer valid (edited by hand, or from a version with other bounds)
    falls back to its default rather than stopping every screen that needs the settings.
    """
    rows = conn.execute(
        select(SETTINGS.c.key, SETTINGS.c.value)
        .where(SETTINGS.c.key.in_(FIELD))
        .order_by(SETTINGS.c.key)
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


def is_stored(conn: Connection | Session, key: str) -> bool:
    """Whether the user set this setting (a stored row), rather than leaving it at its default."""
    found = conn.execute(select(SETTINGS.c.key).where(SETTINGS.c.key == key)).first()
    return found is not None


def store(session: Session, key: str, value: Any) -> None:
    """Store one setting's value (already checked with the others) as its JSON text; the
    stored status (storage.repos.unit_status), computed with the settings, is cleared."""
    from storage.dialects import upsert
    from storage.repos import unit_status

    upsert(session, SETTINGS, {"key": key, "value": json.dumps(FIELD[key].to_json(value))}, ["key"])
    unit_status.clear(session)


def remove(session: Session, key: str) -> None:
    """Remove the stored value: the setting is back at its default (the stored status is
    cleared, as by `store`)."""
    from storage.repos import unit_status

    session.execute(delete(SETTINGS).where(SETTINGS.c.key == key))
    unit_status.clear(session)
