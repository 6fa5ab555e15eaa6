"""The settings: read them, change one, put one back to its default."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from core.settings import FIELD, Settings
from storage.repos import settings as repo
from storage.sync.state import is_replica
from storage.usecases import reading, writing

# On a replica the settings are the server's, replaced by each sync: an edit here would be lost.
ON_REPLICA = (
    "Innstillingene er felles for prosjektet og hentes fra serveren ved hver synkronisering: "
    "endre dem i appen koblet til serveren (--db URL). Ingenting er endret."
)


def _not_on_replica(session: Session) -> None:
    if is_replica(session.connection()):
        raise InvalidInput(ON_REPLICA)


def _store_status(session: Session) -> None:
    """The status computed anew with the settings changed (pandas: only when they are)."""
    from storage.usecases.status import store_status

    store_status(session.connection())


def current_settings(engine: Engine) -> Settings:
    """The stored settings, each missing one at its default."""
    with reading(engine) as conn:
        return repo.load_settings(conn)


def change_setting(engine: Engine, key: str, value: Any) -> Settings:
    """Store one setting (a value as core.settings parses it) and return all settings.

    Checked together with the others first: InvalidInput, in Norwegian, and nothing stored.
    """
    with writing(engine) as session:
        _not_on_replica(session)
        settings = repo.load_settings(session).with_value(key, value)
        repo.store(session, key, getattr(settings, key))
        _store_status(session)
    return settings


def reset_setting(engine: Engine, key: str) -> Settings:
    """Back to the default (tilbakestill): the stored value is removed."""
    if key not in FIELD:
        raise InvalidInput(f"Ukjent innstilling: {key}.")
    with writing(engine) as session:
        _not_on_replica(session)
        # The default must fit with the other settings too (11 % against a stored 10 %, say).
        settings = repo.load_settings(session).with_value(key, FIELD[key].default)
        repo.remove(session, key)
        _store_status(session)
    return settings
