"""What only a PostgreSQL server does: the writers' advisory lock, ids from the tables'
sequences, bulk statements through psycopg (COPY for inserts, one UPDATE per chunk), and bulk
loads with the tables' keys and indexes set aside and rebuilt once.

Nothing outside storage.dialects calls it: the rest of storage asks storage.dialects, which
picks the backend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table

from storage.rows import column_name, table_name

# The key of the one advisory lock every bulk writer (import, demo, purge) takes: one at a
# time per database. Any fixed number works; this one spells "nærv".
WRITE_LOCK_KEY = 0x6E_E6_72_76
DATE_OID = 1082  # PostgreSQL's type `date`


def lock_for_write(conn: Connection) -> None:
    """Wait for, then hold to the end of this transaction, the writers' advisory lock."""
    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")


def reserve_ids(conn: Connection, table: Table, count: int) -> int:
    """The first of `count` consecutive ids taken from `table`'s id sequence, which then goes
    on after them; past the largest stored id too (rows given their ids, as a restore does).
    Under `lock_for_write`, no other bulk writer takes ids meanwhile."""
    name = table_name(table)
    sequence = f"pg_get_serial_sequence('{name}', 'id')"
    after = f"greatest(nextval({sequence}), (SELECT coalesce(max(id), 0) + 1 FROM {name}))"
    last = conn.exec_driver_sql(f"SELECT setval({sequence}, {after} + {int(count) - 1})").scalar()
    return int(last or 0) - count + 1


def insert_flat(conn: Connection, table: Table, columns: Sequence[str], flat: list[Any]) -> None:
    """COPY the rows whose values (dates as ISO text or dates) stand one row after another in
    `flat`, in PostgreSQL's binary format: the server need not parse them (a third less of its
    time)."""
    width = len(columns)
    found = conn.exec_driver_sql(
        "SELECT attname, atttypid::int FROM pg_attribute "
        "WHERE attrelid = %(table)s::regclass AND attnum > 0 AND NOT attisdropped",
        {"table": table_name(table)},
    )
    kinds: dict[str, int] = {name: kind for name, kind in found}
    values = [flat[column::width] for column in range(width)]
    for position, column in enumerate(columns):
        if kinds[column] == DATE_OID:
            values[position] = _dates(values[position])
    with _copy(conn, table, columns, binary=True) as copy:
        copy.set_types([kinds[column] for column in columns])
        # The rows as tuples, made by zip in C from one list per column.
        for row in zip(*values, strict=True):
            copy.write_row(row)


def _dates(values: list[Any]) -> list[Any]:
    """ISO date texts as dates, each distinct one parsed once; dates and None as they are."""
    parsed = {text: dt.date.fromisoformat(text) for text in set(values) if isinstance(text, str)}
    return [parsed.get(value, value) if isinstance(value, str) else value for value in values]


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """COPY `rows` (tuples of values in `columns`' order; dates as date objects or ISO text)."""
    with _copy(conn, table, columns) as copy:
        for row in rows:
            copy.write_row(row)


def update_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Set `columns` of the row with each tuple's last value as id to the values before it:
    one UPDATE … FROM unnest(arrays), each column's values sent as one array of its type."""
    if not rows:
        return
    name = table_name(table)
    names = [*(column_name(table, column) for column in columns), "id"]
    types = [table.c[column].type.compile(dialect=conn.dialect) for column in names]
    arrays = ", ".join(f"%s::{kind}[]" for kind in types)
    given = ", ".join(f"given_{column}" for column in names)
    assignments = ", ".join(f"{column} = given.given_{column}" for column in names[:-1])
    statement = (
        f"UPDATE {name} SET {assignments} FROM unnest({arrays}) AS given({given}) "
        f"WHERE {name}.id = given.given_id"
    )
    values = tuple(list(column) for column in zip(*rows, strict=True))
    conn.exec_driver_sql(statement, values)


@contextmanager
def keys_set_aside(conn: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """Load `tables` in the block with their foreign keys, unique constraints and other indexes
    (all but the primary key) dropped; re-create each after it as it was, so that the server
    checks a key or builds an index once over the table instead of once per row loaded.

    Only for a login that owns the tables (the owner's imports; a lead's keep the per-row
    checks). Everything is in the caller's transaction: the tables and the ones their keys
    refer to are locked against every other session to its end, and should the block fail the
    transaction's rollback restores them (the block's error propagates, nothing is re-created).
    """
    names = [table_name(table) for table in tables]
    owned = conn.exec_driver_sql(
        "SELECT bool_and(pg_has_role(current_user, relowner, 'USAGE')) FROM pg_class "
        "WHERE oid = ANY(%(names)s::regclass[])",
        {"names": names},
    ).scalar()
    if not names or not owned:
        yield
        return
    keys = conn.exec_driver_sql(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
        "confrelid::regclass::text FROM pg_constraint "
        "WHERE conrelid = ANY(%(names)s::regclass[]) AND contype IN ('f', 'u') "
        "ORDER BY contype DESC, conrelid::regclass::text, conname",  # unique ones before keys
        {"names": names},
    ).all()
    indexes = conn.exec_driver_sql(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
        "WHERE indrelid = ANY(%(names)s::regclass[]) AND NOT EXISTS (SELECT FROM pg_constraint "
        "WHERE conrelid = i.indrelid AND conindid = i.indexrelid) "
        "ORDER BY indexrelid::regclass::text",
        {"names": names},
    ).all()
    # Dropping a foreign key locks the table it refers to as well: all of them at once, in one
    # order, before anything is dropped.
    referred = {target for *_, target in keys if target != "-"}
    conn.exec_driver_sql(f"LOCK TABLE {', '.join(sorted({*names, *referred}))}")
    for table, name, _definition, _target in keys:
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for index, _definition in indexes:
        conn.exec_driver_sql(f"DROP INDEX {index}")
    yield
    for _index, definition in indexes:
        conn.exec_driver_sql(definition)
    for table, name, definition, _target in keys:
        conn.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


@contextmanager
def _copy(
    conn: Connection, table: Table, columns: Sequence[str], binary: bool = False
) -> Iterator[Any]:
    """psycopg's COPY … FROM STDIN in the connection's own transaction."""
    driver = conn.connection.driver_connection
    assert driver is not None
    names = ", ".join(column_name(table, column) for column in columns)
    statement = f"COPY {table_name(table)} ({names}) FROM STDIN"
    if binary:
        statement += " (FORMAT BINARY)"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        yield copy
