"""The advisor-written tables a replica keeps in step, and the SQLite triggers, made from the
models' metadata, that record every edit of their rows in the outbox (storage.sync.state)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, Table

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
from storage.sync.state import OPS, SYNCED_TABLES, local, trigger_name


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
assert tuple(BY_NAME) == SYNCED_TABLES  # the triggers a replica must have (storage.sync.state)
# Bookkeeping of a row, not what an advisor edits: not compared, not a conflict.
META: Final = frozenset({"id", "uid", "version", "created_by", "changed_by", "changed_at"})


def fields(synced: Synced) -> list[str]:
    """The columns an outbox entry carries."""
    return [column.name for column in synced.table.columns if column.name not in META]


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
        f"CREATE TRIGGER {trigger_name(name, op)} AFTER {op.upper()} ON {name} WHEN {when} BEGIN "
        "INSERT INTO sync_outbox (uid, advisor, at, table_name, row_uid, op, base_version, "
        "fields) VALUES (lower(hex(randomblob(16))), "
        "(SELECT login FROM sync_state WHERE id = 1), strftime('%Y-%m-%d %H:%M:%f', 'now'), "
        f"'{name}', {row}.uid, '{op}', {version}, {_pairs(synced, old, new)}); END"
    )


def install(conn: Connection) -> None:
    """Make the replica's own tables if missing, and the outbox's triggers anew."""
    local.create_all(conn)
    sqlite_file.replace_triggers(
        conn,
        {trigger_name(s.table.name, op): _trigger(s, op) for s in SYNCED for op in OPS},
    )
