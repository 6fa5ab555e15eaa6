"""What only a replica holds, outside Alembic's schema: its state, the outbox and the conflicts,
and the SQLite triggers that record every edit of an advisor-written row in the outbox.

A file is a replica iff it has a `sync_state` row. The triggers are made from the models'
metadata, and made again whenever a replica is opened (a migration that rebuilds a table on
SQLite drops its triggers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
    inspect,
    select,
)

from storage import sqlite as sqlite_file
from storage.models import (
    EmployeeReview,
    Measure,
    MeasureFollowUp,
    MilestoneDone,
    PresenceFactor,
    Session,
    SurveyScore,
)

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


@dataclass(frozen=True, slots=True)
class Synced:
    """An advisor-written table, and its columns that refer to another one (by id here, by
    the other row's uid in the outbox and on the wire)."""

    table: Table
    parents: dict[str, Table]
    # The columns that, besides uid, make a row unique: two laptops may each make one.
    natural_key: tuple[str, ...] = ()


def _table(model: type) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


SESSIONS: Final = _table(Session)
MEASURES: Final = _table(Measure)
# Parents before children: the order rows are written and pushed in.
SYNCED: Final = (
    Synced(SESSIONS, {}),
    Synced(MEASURES, {"created_session_id": SESSIONS}),
    Synced(_table(EmployeeReview), {"session_id": SESSIONS}, ("session_id", "employee_id")),
    Synced(
        _table(MeasureFollowUp),
        {"measure_id": MEASURES, "session_id": SESSIONS},
        ("measure_id", "session_id"),
    ),
    Synced(
        _table(MilestoneDone), {"session_id": SESSIONS}, ("employee_id", "case_start", "milestone")
    ),
    Synced(_table(SurveyScore), {}, ("unit_id", "survey", "factor")),
    Synced(_table(PresenceFactor), {}, ("unit_id", "kind", "position")),
)
BY_NAME: Final = {synced.table.name: synced for synced in SYNCED}
# Bookkeeping of a row, not what an advisor edits: not compared, not a conflict.
META: Final = frozenset({"id", "uid", "version", "created_by", "changed_by", "changed_at"})


def fields(synced: Synced) -> list[str]:
    """The columns an outbox entry carries."""
    return [column.name for column in synced.table.columns if column.name not in META]


def is_replica(conn: Connection) -> bool:
    """Whether the database is a replica: a file with a sync_state row."""
    if conn.dialect.name != "sqlite" or not inspect(conn).has_table(STATE.name):
        return False
    return conn.execute(select(STATE.c.id)).first() is not None


def _value(synced: Synced, column: str, row: str) -> str:
    """The SQL of a column's value in the outbox: a parent's uid, else the value itself."""
    parent = synced.parents.get(column)
    if parent is None:
        return f"{row}.{column}"
    return f"(SELECT uid FROM {parent.name} WHERE id = {row}.{column})"


def _pairs(synced: Synced, old: str | None, new: str | None) -> str:
    items = []
    for column in fields(synced):
        before = "NULL" if old is None else _value(synced, column, old)
        after = "NULL" if new is None else _value(synced, column, new)
        items.append(f"'{column}', json_array({before}, {after})")
    return f"json_object({', '.join(items)})"


def _trigger(synced: Synced, op: str) -> str:
    name = synced.table.name
    old = None if op == "insert" else "OLD"
    new = None if op == "delete" else "NEW"
    row = "NEW" if op == "insert" else "OLD"
    version = "NULL" if op == "insert" or "version" not in synced.table.c else "OLD.version"
    when = "NOT (SELECT pulling FROM sync_state WHERE id = 1)"
    if op == "update":  # a change of bookkeeping alone is no edit
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in fields(synced))
        when += f" AND ({changed})"
    return (
        f"CREATE TRIGGER sync_{name}_{op} AFTER {op.upper()} ON {name} WHEN {when} BEGIN "
        "INSERT INTO sync_outbox (uid, advisor, at, table_name, row_uid, op, base_version, "
        "fields) VALUES (lower(hex(randomblob(16))), "
        "(SELECT login FROM sync_state WHERE id = 1), strftime('%Y-%m-%d %H:%M:%f', 'now'), "
        f"'{name}', {row}.uid, '{op}', {version}, {_pairs(synced, old, new)}); END"
    )


OPS: Final = ("insert", "update", "delete")


def install(conn: Connection) -> None:
    """Make the local tables if missing, and the outbox's triggers anew."""
    local.create_all(conn)
    sqlite_file.replace_triggers(
        conn,
        {f"sync_{s.table.name}_{op}": _trigger(s, op) for s in SYNCED for op in OPS},
    )


def prepare(engine: Engine) -> bool:
    """Set up an opened file if it is a replica: its triggers, and deleted rows overwritten
    (a purge on the server must leave nothing of them in the file). True if it is one."""
    with engine.begin() as conn:
        if not is_replica(conn):
            return False
        install(conn)
    event.listen(engine, "connect", sqlite_file.secure_delete)
    engine.dispose()  # the connections already made, without the pragma
    return True
