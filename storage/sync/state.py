"""What only a replica holds, outside Alembic's schema: its state (a file is a replica iff it
has a `sync_state` row), its outbox of edits not yet on the server, and the conflicts a push
found. Read without the ORM: opening a replica costs what opening any file does.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    column,
    event,
    inspect,
    select,
    table,
)

from core.errors import InvalidInput
from storage import sqlite as sqlite_file

local = MetaData()

STATE = Table(
    "sync_state",
    local,
    Column("id", Integer, primary_key=True),  # always 1: one row
    Column("server", Text, nullable=False),  # the URL without its password
    Column("login", String(63), nullable=False),
    Column("last_sync_at", DateTime),  # naive UTC
    Column("last_error", Text),
    Column("pulling", Boolean, nullable=False, default=False),  # the outbox is not filled
)

OUTBOX = Table(
    "sync_outbox",
    local,
    Column("seq", Integer, primary_key=True),  # the order edits were made in
    Column("uid", String(32), nullable=False, unique=True),  # the entry's, made here
    Column("advisor", String(63), nullable=False),
    Column("at", DateTime, nullable=False),  # naive UTC
    Column("table_name", String(32), nullable=False),
    Column("row_uid", String(32), nullable=False),
    Column("op", String(8), nullable=False),  # insert, update, delete
    Column("base_version", Integer),  # the row's version the edit was made on
    Column("fields", Text, nullable=False),  # JSON: {column: [old, new]}, parents by uid
)

CONFLICTS = Table(
    "sync_conflicts",
    local,
    Column("id", Integer, primary_key=True),
    Column("entry_uid", String(32), nullable=False),  # the outbox entry it came from
    Column("table_name", String(32), nullable=False),
    Column("row_uid", String(32), nullable=False),
    Column("field", String(32), nullable=False),
    Column("mine", Text),  # JSON values, as the outbox keeps them
    Column("theirs", Text),
    Column("their_advisor", String(200)),
    Column("their_at", DateTime),
    Column("found_at", DateTime, nullable=False),
)

# Every unit's headcount on the day of the last pull, as the server counts it (the units whose
# people the replica does not hold included): what the unit list and the status overview need
# for the small-number rule and the groups.
HEADCOUNTS = Table(
    "sync_headcounts",
    local,
    Column("unit_id", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("headcount", Integer, nullable=False),
)

# The advisor-written tables (storage.sync.tables.SYNCED, parents first) and the ops each has a
# trigger for.
SYNCED_TABLES: Final = (
    "sessions",
    "measures",
    "employee_reviews",
    "measure_follow_ups",
    "milestones_done",
    "survey_scores",
    "presence_factors",
)
OPS: Final = ("insert", "update", "delete")


def trigger_name(table_name: str, op: str) -> str:
    return f"sync_{table_name}_{op}"


def is_replica(conn: Connection) -> bool:
    """Whether the database is a replica: a file with a sync_state row."""
    if conn.dialect.name != "sqlite" or not inspect(conn).has_table(STATE.name):
        return False
    return conn.execute(select(STATE.c.id)).first() is not None


class ServersOnly(InvalidInput):
    """What is the server's alone, asked of a replica."""


def refuse_servers_work(conn: Connection, what: str) -> None:
    """HR data, the project's units and purges are the server's: on a replica an import or a
    project change would be undone by the next sync, and a purge would reach the server as the
    advisor's own deletions. ServersOnly (`what`, e.g. "Import", says what was asked) on one."""
    if not is_replica(conn):
        return
    server = conn.execute(select(STATE.c.server)).scalar_one()  # kept without its password
    raise ServersOnly(
        f"Dette er en lokal kopi av serveren {server}. {what} gjøres på serveren, og kommer "
        "hit med neste synkronisering. Ingenting er endret."
    )


def triggers_missing(conn: Connection) -> bool:
    """Whether a trigger of the outbox is missing (a migration that rebuilds a table on SQLite
    drops its triggers)."""
    master = table("sqlite_master", column("type"), column("name"))
    made = set(conn.execute(select(master.c.name).where(master.c.type == "trigger")).scalars())
    return not {trigger_name(name, op) for name in SYNCED_TABLES for op in OPS} <= made


def overwrite_deleted(engine: Engine) -> None:
    """Every connection of a replica overwrites what it deletes: a purge on the server must
    leave nothing of the rows in the file."""
    event.listen(engine, "connect", sqlite_file.secure_delete)
    engine.dispose()  # the connections already made, without the pragma
