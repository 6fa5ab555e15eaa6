"""What differs between the embedded SQLite file and a PostgreSQL server, in one place.

Everything else in storage is SQLAlchemy Core or ORM that both run. Speed-only tricks of one
backend (pragmas, bulk loading, file locks, the backup API) live here or in a module named
for its backend, behind a function the rest of the code calls without asking which it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Date, Engine, Integer, Table, column, event, func, select

from storage import postgresql as server
from storage import sqlite as sqlite_file

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _is_sqlite(bind: Connection | Engine) -> bool:
    return bind.dialect.name == "sqlite"


def configure(engine: Engine) -> None:
    """Set up a new engine's connections as its backend needs (SQLite: the pragmas)."""
    if _is_sqlite(engine):
        event.listen(engine, "connect", sqlite_file.set_pragmas)


def snapshot(conn: Connection) -> Connection:
    """`conn`, reading every query of its transaction from one snapshot."""
    if _is_sqlite(conn):
        sqlite_file.begin_snapshot(conn)
        return conn
    return conn.execution_options(isolation_level="REPEATABLE READ")


def lock_for_write(conn: Connection) -> None:
    """Hold off other writers from now to the end of this transaction, so that what it reads
    before writing (the rows to change, the next ids) is still so when it writes.

    SQLite: the file's write lock. PostgreSQL: an advisory lock every bulk writer (import,
    demo, purge) takes, so that they run one at a time; others' single-row edits go on.
    """
    if _is_sqlite(conn):
        sqlite_file.lock_for_write(conn)
    else:
        server.lock_for_write(conn)


def login(conn: Connection) -> str | None:
    """The database login the connection writes as (PostgreSQL: `current_user`, the advisor);
    None for a file, which has no logins."""
    if _is_sqlite(conn):
        return None
    from sqlalchemy import func, select

    return str(conn.execute(select(func.current_user())).scalar_one())


def reserve_ids(conn: Connection, table: Table, count: int) -> int:
    """The first of `count` consecutive new ids of `table` for rows inserted by this
    transaction, under `lock_for_write`. SQLite: on from the largest stored id, as it would
    give them itself. PostgreSQL: a block the table's id sequence then goes on after.
    """
    if _is_sqlite(conn):
        return sqlite_file.reserve_ids(conn, table, count)
    return server.reserve_ids(conn, table, count)


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], flat: list[Any]) -> None:
    """Insert the rows whose values (ids included) stand one row after another in `flat`."""
    if _is_sqlite(conn):
        sqlite_file.insert_flat(conn, table, columns, flat)
    else:
        server.insert_flat(conn, table, columns, flat)


def bulk_update(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Set `columns` of the row whose id is each tuple's last value to the values before it."""
    if _is_sqlite(conn):
        sqlite_file.update_rows(conn, table, columns, rows)
    else:
        server.update_rows(conn, table, columns, rows)


@contextmanager
def bulk_load(conn: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """Load many rows into `tables` in the block. PostgreSQL: with their keys and indexes set
    aside and rebuilt after, once each, where the login owns them (see
    storage.postgresql.keys_set_aside; the caller's transaction must roll back on an error).
    SQLite: as any write (its bulk statements are fast enough with the checks)."""
    if _is_sqlite(conn):
        yield
    else:
        with server.keys_set_aside(conn, tables):
            yield


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert `rows`, tuples of driver values (dates as ISO text) in `columns`' order."""
    if _is_sqlite(conn):
        sqlite_file.insert_rows(conn, table, columns, rows)
    else:
        server.insert_rows(conn, table, columns, rows)


def compact(engine: Engine) -> bool:
    """Leave no deleted row readable in the database's files; False if that was blocked."""
    if _is_sqlite(engine):
        return sqlite_file.compact(engine)
    return True  # a server's storage is not the user's file to clean


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
    # The ORM and the dialects' inserts are loaded by the first write, not by opening the
    # database (see tests/test_architecture.py).
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.orm import Session

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


def upsert_rows(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    key: Sequence[str],
    update: Collection[str],
) -> None:
    """`upsert` of many rows with the same columns at once (one executemany): each row is
    inserted, or the row with its `key` gets its `update` columns."""
    from sqlalchemy.dialects import postgresql, sqlite

    if not rows:
        return
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    changed = {column: statement.excluded[column] for column in update if column not in key}
    if changed:
        statement = statement.on_conflict_do_update(index_elements=list(key), set_=changed)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(key))
    conn.execute(statement, [dict(row) for row in rows])


# ---- The team on a server: advisors are the server's login roles (see migration 0004).

ADVISOR_ROLE = "naervaer_advisor"  # every advisor's group role: what the app may do
LEAD_ROLE = "naervaer_lead"  # the project lead's: every table, the team


def current_login(conn: Connection) -> str:
    """The login this connection is made as (the name row-level security keys on)."""
    return str(conn.exec_driver_sql("SELECT current_user").scalar_one())


def owns_database(conn: Connection) -> bool:
    """Whether the login is the database's owner (or a member of its role, or superuser)."""
    return bool(
        conn.exec_driver_sql(
            "SELECT pg_has_role(current_user, datdba, 'MEMBER') FROM pg_database "
            "WHERE datname = current_database()"
        ).scalar_one()
    )


def manages_logins(conn: Connection) -> bool:
    """Whether the login may make logins and give them roles (CREATEROLE, or superuser)."""
    return bool(
        conn.exec_driver_sql(
            "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
        ).scalar_one()
    )


def add_login(conn: Connection, login: str, lead: bool) -> bool:
    """Make `login` a login role if the server has none by that name (without a password: the
    server's administrator sets it), and give it the app's group roles. True if created."""
    exists = conn.exec_driver_sql(
        "SELECT 1 FROM pg_roles WHERE rolname = %(login)s", {"login": login}
    ).first()
    role = conn.dialect.identifier_preparer.quote_identifier(login)
    if exists is None:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
    conn.exec_driver_sql(f"GRANT {ADVISOR_ROLE} TO {role}")
    if lead:
        conn.exec_driver_sql(f"GRANT {LEAD_ROLE} TO {role}")
    else:
        conn.exec_driver_sql(f"REVOKE {LEAD_ROLE} FROM {role}")
    return exists is None


def headcounts_on(conn: Connection, day: dt.date) -> dict[int, int] | None:
    """On a server, every unit's headcount on `day` whatever people the login may read (a
    figure per unit: migration 0004's function); on a replica of a server, as the server
    counted them at the last sync (that day only); None on a file, where the caller counts."""
    if _is_sqlite(conn):
        return sqlite_file.stored_headcounts(conn, day)
    counted = func.unit_headcounts(day).table_valued(
        column("unit_id", Integer), column("headcount", Integer)
    )
    return {unit: count for unit, count in conn.execute(select(counted))}


def measure_counts_on(
    conn: Connection, day: dt.date, open_statuses: Sequence[str]
) -> dict[int, tuple[int, int]] | None:
    """On a server, every unit's open measures and how many are overdue on `day`, whatever
    units the login may read (figures per unit: migration 0006's function); None on a file."""
    if _is_sqlite(conn):
        return None
    from sqlalchemy.dialects import postgresql  # on a server only: a file need not load it

    statuses = postgresql.array([str(status) for status in open_statuses])
    counted = func.unit_measure_counts(day, statuses).table_valued(
        column("unit_id", Integer),
        column("open_measures", Integer),
        column("overdue_measures", Integer),
    )
    return {unit: (count, late) for unit, count, late in conn.execute(select(counted))}


def last_sessions_of_all(conn: Connection) -> dict[int, dt.date] | None:
    """On a server, the day of every unit's latest session, whatever units the login may read
    (migration 0006's function); None on a file."""
    if _is_sqlite(conn):
        return None
    held = func.unit_last_sessions().table_valued(
        column("unit_id", Integer), column("held_on", Date)
    )
    return {unit: day for unit, day in conn.execute(select(held))}
