"""What only a PostgreSQL server does: the writers' advisory lock, ids from the tables'
sequences, and bulk statements through psycopg (COPY for inserts, one UPDATE per chunk).

Nothing outside storage.dialects calls it: the rest of storage asks storage.dialects, which
picks the backend.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table

from storage.rows import chunks, column_name, table_name

# The key of the one advisory lock every bulk writer (import, demo, purge) takes: one at a
# time per database. Any fixed number works; this one spells "nærv".
WRITE_LOCK_KEY = 0x6E_E6_72_76


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
    """COPY the rows whose values stand one row after another in `flat`."""
    with _copy(conn, table, columns) as copy:
        for row in chunks(flat, len(columns)):
            copy.write_row(row)


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
def _copy(conn: Connection, table: Table, columns: Sequence[str]) -> Iterator[Any]:
    """psycopg's COPY … FROM STDIN in the connection's own transaction."""
    driver = conn.connection.driver_connection
    assert driver is not None
    names = ", ".join(column_name(table, column) for column in columns)
    statement = f"COPY {table_name(table)} ({names}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        yield copy
