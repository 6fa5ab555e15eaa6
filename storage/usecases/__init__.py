"""The one door to the data: each use case is one function that owns one transaction.

The screens and the command line call only these. A use case takes the engine, opens exactly one
`reading` snapshot or one `writing` transaction, hands its connection or session to the
repositories it needs, asks core for every rule, and returns frozen dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from storage.db import transaction
from storage.dialects import snapshot

if TYPE_CHECKING:
    # Not at run time: the unit list reads through here at start, before the ORM is loaded.
    from sqlalchemy.orm import Session


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One consistent snapshot for every query of a use case, that writes nothing."""
    with engine.connect() as conn:
        conn = snapshot(conn)
        try:
            yield conn
        finally:
            conn.rollback()


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """One transaction: committed whole at the end, or rolled back whole on any error."""
    with transaction(engine) as session:
        yield session
