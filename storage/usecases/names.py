"""The masker for free text that may be about any unit the database holds: a replica's sync
conflicts, which come from every unit assigned to the advisor."""

from __future__ import annotations

from sqlalchemy import Engine

from core.masking import Masker
from storage.repos.staff import known_people
from storage.usecases import reading


def everyone_masker(engine: Engine) -> Masker:
    """Everyone who ever worked in a unit held here, and every unit's leader."""
    with reading(engine) as conn:
        return Masker(*known_people(conn, None))
