"""Who did what: the advisor writing, versioned changes of advisor-written rows, and the
append-only audit log of those changes."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from core.conflicts import EditConflict, logged
from storage.dialects import login, upsert
from storage.models import AuditEntry
from storage.repos.settings import load_settings

AUDIT: Table = AuditEntry.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Change:
    """One change in the audit log: who changed which field of a row, when, from what to what
    (as the log keeps values: see core.conflicts.stored)."""

    at: dt.datetime  # naive UTC
    advisor: str
    version: int
    field: str
    old_value: str | None
    new_value: str | None


def advisor(conn: Connection) -> str:
    """Who is writing: the database login on a server, else the settings' advisor name, else
    the user's name on the machine."""
    return login(conn) or load_settings(conn).advisor_name or getpass.getuser()


def changes(conn: Connection, table: Table, row_id: int, since: int = 0) -> list[Change]:
    """The row's changes after its version `since`, oldest first."""
    query = (
        select(
            AUDIT.c.at,
            AUDIT.c.advisor,
            AUDIT.c.version,
            AUDIT.c.field,
            AUDIT.c.old_value,
            AUDIT.c.new_value,
        )
        .where(
            AUDIT.c.table_name == table.name,
            AUDIT.c.row_id == row_id,
            AUDIT.c.version > since,
        )
        .order_by(AUDIT.c.id)
    )
    return [Change(*row) for row in conn.execute(query)]


def change(
    conn: Connection,
    table: Table,
    row_id: int,
    values: Mapping[str, Any],
    base: int | None,
    now: dt.datetime,
) -> int | None:
    """Set `values` on the row `row_id` of `table`, as an edit of its version `base` (None: of
    the row as it stands), logging each value that changes; the row's version after. None if
    there is no such row.

    EditConflict if another advisor has changed one of these fields since `base` to something
    other than this edit's value: nothing is written. Their changes to other fields stand, and
    this edit's go on top of them.
    """
    fields = list(values)
    row = conn.execute(
        select(table.c.version, *(table.c[f] for f in fields))
        .where(table.c.id == row_id)
        .with_for_update()
    ).first()
    if row is None:
        return None
    version, current = row[0], dict(zip(fields, row[1:], strict=True))
    if base is not None and version != base:
        theirs = {c.field: c for c in changes(conn, table, row_id, since=base)}
        for field in fields:
            if field in theirs and current[field] != values[field]:
                last = theirs[field]
                raise EditConflict(
                    field, current[field], values[field], last.advisor, last.at, version
                )
    changed = {f: v for f, v in values.items() if current[f] != v}
    if not changed:
        return int(version)
    who = advisor(conn)
    conn.execute(
        update(table)
        .where(table.c.id == row_id)
        .values(**changed, version=version + 1, changed_by=who, changed_at=now)
    )
    conn.execute(
        insert(AUDIT),
        [
            {
                "at": now,
                "advisor": who,
                "table_name": table.name,
                "row_id": row_id,
                "version": version + 1,
                "field": field,
                "old_value": logged(field, current[field]),
                "new_value": logged(field, value),
            }
            for field, value in changed.items()
        ],
    )
    return int(version + 1)


def change_or_add(
    conn: Connection,
    table: Table,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    base: int | None,
    now: dt.datetime,
) -> int:
    """`change` the row whose `key` columns are `key`; a row not yet there is first made at
    version 0 with its columns' defaults (an edit of it is based on 0). The version after."""
    first = {**key, "version": 0, "created_by": advisor(conn)}
    upsert(conn, table, first, tuple(key), update=())
    row_id = conn.execute(
        select(table.c.id).where(*(table.c[column] == value for column, value in key.items()))
    ).scalar_one()
    version = change(conn, table, row_id, values, base, now)
    assert version is not None  # made above, in this transaction
    return version
