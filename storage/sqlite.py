"""What only the embedded SQLite file does: pragmas, bulk statements, its write lock and
id allocation, and the file-level work (the backup API, checks, compacting).

Nothing outside storage.dialects and the modules that work on the file itself (maintenance's
backup and restore) calls it: the rest of storage asks storage.dialects, which picks the
backend.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.exc import OperationalError

BUSY_TIMEOUT_MS = 5000
# Bound values per statement: SQLite's limit before 3.32 (and in some builds still).
MAX_VARIABLES = 999


def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Every new connection: WAL, foreign keys, waiting for a writer, fewer syncs."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def secure_delete(dbapi_connection: Any, _record: Any) -> None:
    """A new connection overwrites what it deletes (a replica: purged rows must not linger)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def begin_snapshot(conn: Connection) -> None:
    """Begin the read transaction now: pysqlite would begin one only before a write, and every
    SELECT would see the database as it is at that moment, not as it was at the first."""
    conn.exec_driver_sql("BEGIN")


def lock_for_write(conn: Connection) -> None:
    """Take the write lock now, unless this transaction has written already (and holds it).

    pysqlite begins a transaction only at the first write; what is read before it (the rows
    to change, the ids of new rows) must not be changed by another writer in between.
    """
    driver = conn.connection.driver_connection
    assert driver is not None
    if not driver.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def reserve_ids(conn: Connection, table: Table, count: int) -> int:
    """The first of `count` ids, the ones SQLite would give rows inserted now, in order.

    On from the largest stored id; only safe under `lock_for_write`.
    """
    query = f"SELECT max(id) FROM {_name(table)}"
    return int(conn.exec_driver_sql(query).scalar() or 0) + 1


def insert_flat(conn: Connection, table: Table, columns: Sequence[str], flat: list[Any]) -> None:
    """Insert the rows whose values stand one row after another in `flat`.

    Many rows go in one INSERT … VALUES (…), (…), …: SQLite then parses and steps once per
    statement instead of once per row, which takes about a third off the time.
    """
    width = len(columns)
    size = len(flat) // width
    head = f"INSERT INTO {_name(table)} ({', '.join(_column(table, c) for c in columns)}) VALUES "
    row = f"({', '.join('?' * width)})"
    per = max(1, MAX_VARIABLES // width)
    full = size // per
    batches = [tuple(flat[i * per * width : (i + 1) * per * width]) for i in range(full)]
    if batches:
        conn.exec_driver_sql(head + ", ".join([row] * per), batches)
    if rest := size - full * per:
        conn.exec_driver_sql(head + ", ".join([row] * rest), tuple(flat[full * per * width :]))


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert `rows` (tuples of driver values, in `columns`' order) as one executemany."""
    names = ", ".join(_column(table, column) for column in columns)
    marks = ", ".join("?" * len(columns))
    conn.exec_driver_sql(f"INSERT INTO {_name(table)} ({names}) VALUES ({marks})", list(rows))


def update_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Set `columns` of the row with each tuple's last value as id to the values before it."""
    assignments = ", ".join(f"{_column(table, column)} = ?" for column in columns)
    conn.exec_driver_sql(f"UPDATE {_name(table)} SET {assignments} WHERE id = ?", list(rows))


def compact(engine: Engine) -> bool:
    """Rewrite the file without free pages and truncate the WAL; False if that was blocked.

    Deleted rows stay readable in free pages and in WAL frames until then.
    """
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")
            busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0]
    except OperationalError:  # another connection is writing
        return False
    return bool(busy == 0)


# --- The file itself, through DB-API connections (plain sqlite3, or SQLCipher's) ------------


def connect_file(path: Path, timeout: float) -> sqlite3.Connection:
    """A plain connection to the existing file at `path` (mode=rw: never creates one)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=timeout)


def copy_into(source: Any, target: Any) -> None:
    """Copy the database behind `source` into `target` with SQLite's backup API: one step
    under one read transaction, a consistent snapshot of what is committed, without waiting
    for writers (WAL)."""
    source.backup(target)


def leave_wal(conn: Any) -> bool:
    """Switch the file to a rollback journal, folding the WAL into it; False if another
    connection has it open (leaving WAL mode needs every other one gone)."""
    return bool(conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete")


def damage(conn: Any, encrypted: bool) -> str | None:
    """The first problem SQLite's checks find in the database behind `conn`; None if intact.

    integrity_check, not quick_check: it also checks every index against its table, and takes
    about 0.6 s on the municipality demo (36 MB) against 0.2 s, once a day and in a thread.
    """
    found = []
    if encrypted:  # SQLCipher's own check reads every page and checks its MAC
        found = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    if not found:
        found = conn.execute("PRAGMA integrity_check").fetchall()
        if found == [("ok",)]:
            return None
    # One row can hold several lines, under a heading naming the schema.
    problems = [line for (row,) in found for line in str(row).splitlines() if line[:3] != "***"]
    more = ", med flere" if len(problems) > 1 else ""  # integrity_check stops at 100
    return f"{problems[0]}{more}" if problems else "ukjent feil"


def revisions(conn: Any) -> set[str]:
    """The schema revisions alembic stored in the file; empty if it has none."""
    has_versions = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if not has_versions:
        return set()
    return {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}


def _name(table: Table) -> str:
    assert table.name.isidentifier()
    return table.name


def _column(table: Table, name: str) -> str:
    if name not in table.c or not name.isidentifier():
        raise ValueError(f"{table.name} has no column {name!r}")
    return name


def foreign_keys(conn: Connection, *, on: bool) -> None:
    """Turn the connection's foreign keys on or off (outside a transaction only): a replica's
    pull replaces the server's rows without their deletes cascading to the advisor's."""
    conn.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def drop_orphans(conn: Connection) -> int:
    """Delete the rows whose foreign keys point at no row (found with foreign keys off); how
    many."""
    orphans = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    for table, rowid, _parent, _key in orphans:
        assert str(table).isidentifier()
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))
    return len(orphans)


def replace_triggers(conn: Connection, triggers: dict[str, str]) -> None:
    """Make each trigger (name -> its CREATE TRIGGER statement) anew."""
    for name, statement in triggers.items():
        assert name.isidentifier()
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        conn.exec_driver_sql(statement)


def stored_headcounts(conn: Connection, day: Any) -> dict[int, int] | None:
    """A replica's headcounts per unit on `day`, as the server counted them at the last sync
    (storage.sync.state); None on another file, or another day."""
    held = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_headcounts'"
    ).first()
    if held is None:
        return None
    rows = conn.exec_driver_sql(
        "SELECT unit_id, headcount FROM sync_headcounts WHERE day = ?", (day.isoformat(),)
    ).all()
    return {unit: count for unit, count in rows} or None
