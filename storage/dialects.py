"""What differs between the embedded SQLite file and a PostgreSQL server, in one place.

Everything else in storage is SQLAlchemy Core or ORM that both run. Speed-only tricks of one
backend (pragmas, bulk loading, file locks, the backup API) live here or in a module named
for its backend, behind a function the rest of the code calls without asking which it is.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert(
    conn: Connection | Session,
    table: Table,
    values: Mapping[str, Any],
    key: Sequence[str],
    *,
    update: Collection[str] | None = None,
) -> None:
    """Insert `values`, or update the row with the same `key` columns to them (to only the
    columns in `update`, when given: the rest of `values` is then what a new row starts with)."""
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    name = bind.dialect.name
    insert = postgresql.insert if name == "postgresql" else sqlite.insert
    statement = insert(table).values(dict(values))
    columns = values if update is None else update
    changed = {column: statement.excluded[column] for column in columns if column not in key}
    if changed:
        statement = statement.on_conflict_do_update(index_elements=list(key), set_=changed)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(key))
    conn.execute(statement)
