"""Push: the replica's outbox applied on the server, in one transaction as the advisor.

Each entry is applied field by field against the server's row as it is now: a field whose
value is still the one the edit started from takes the new one, one that already has the new
one is left, and one another advisor has changed meanwhile is a conflict (nothing of it is
written). Entries applied whole are recorded in `sync_applied`, so that a push repeated after
a cut (the laptop killed, the network gone, the server restarted) skips them; an entry with a
conflict is not, so that a repeated push finds its conflict again.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Column, ColumnDefault, Connection, Table, and_, delete, select, update
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError

from storage.dialects import upsert, upsert_rows
from storage.models import SyncApplied
from storage.repos import audit
from storage.sync.state import CONFLICTS, OUTBOX
from storage.sync.tables import BY_NAME, SYNCED, Synced
from storage.sync.values import decode, encode

APPLIED: Table = SyncApplied.__table__  # type: ignore[assignment]
# Kept up to date, not edited: whoever wrote last is right, and it is never a conflict.
LAST_WINS = frozenset({"updated_at"})
# Set once (storage.repos.sessions.end: the first end stands): a meeting ended on two laptops
# ended when the server first heard of it, and it is never a conflict.
FIRST_WINS = frozenset({"ended_at"})
ROW = "_row"  # the field of a conflict about the whole row (gone from the server, refused)
# What the server says of an entry it will not store: a key taken, a row of a unit no longer the
# advisor's (row-level security), a value its column cannot hold.
REFUSALS = (IntegrityError, ProgrammingError, DataError)


@dataclass(frozen=True, slots=True)
class Entry:
    """One edit in the outbox."""

    seq: int
    uid: str
    at: dt.datetime
    table: str
    row_uid: str
    op: str
    base_version: int | None
    fields: dict[str, list[Any]]  # column -> [old, new], JSON values, parents by uid


@dataclass(frozen=True, slots=True)
class Found:
    """A conflict a push found: the server has another value than the edit started from."""

    entry_uid: str
    table: str
    row_uid: str
    field: str
    mine: Any  # JSON values
    theirs: Any
    their_advisor: str | None
    their_at: dt.datetime | None


def edited(op: str, fields: str) -> dict[str, list[Any]]:
    """An outbox entry's fields (JSON) that it changes: an update's trigger records each field,
    changed or not."""
    values: dict[str, list[Any]] = json.loads(fields)
    if op != "update":
        return values
    return {field: pair for field, pair in values.items() if pair[0] != pair[1]}


def pending(conn: Connection) -> list[Entry]:
    """The replica's outbox, oldest first."""
    rows = conn.execute(select(OUTBOX).order_by(OUTBOX.c.seq))
    return [
        Entry(
            r.seq,
            r.uid,
            r.at,
            r.table_name,
            r.row_uid,
            r.op,
            r.base_version,
            edited(r.op, r.fields),
        )
        for r in rows
    ]


class Refused(Exception):
    """The server refused an entry of a push made without a savepoint per entry: the caller
    rolls back and pushes again, `careful`."""


def push(
    conn: Connection,
    entries: list[Entry],
    login: str,
    now: dt.datetime,
    *,
    careful: bool = True,
    aliases: dict[str, str] | None = None,
) -> list[Found]:
    """Apply `entries` on the server (the caller commits); the conflicts found.

    `careful`: each entry in a savepoint of its own, so that one the server refuses (a unit no
    longer the advisor's, a key taken) becomes a conflict and the rest go on. Without it (two
    round trips fewer an entry) a refusal raises Refused, and the transaction is the caller's
    to roll back.

    `aliases` (empty) is filled with the rows made here whose key (a note on one employee in
    one meeting, say) another laptop made first: their uid here -> the server's row's. The
    replica takes the server's uid for them (`adopt`), so that later edits find the row.
    """
    if not entries:
        return []
    done = set(
        conn.execute(
            select(APPLIED.c.uid).where(APPLIED.c.uid.in_([entry.uid for entry in entries]))
        ).scalars()
    )
    found: list[Found] = []
    applied = []
    # This push's later edits of a row another laptop made first are edits of the server's row.
    aliases = {} if aliases is None else aliases
    for entry in entries:
        if entry.uid in done:
            continue
        synced = BY_NAME[entry.table]
        entry = replace(entry, row_uid=aliases.get(entry.row_uid, entry.row_uid))
        if careful:
            with conn.begin_nested() as savepoint:
                try:
                    conflicts = _apply(conn, synced, entry, now, aliases)
                except REFUSALS:
                    # The edit waits in the conflicts, not lost.
                    savepoint.rollback()
                    conflicts = [_row_conflict(entry, "avvist av serveren")]
        else:
            try:
                conflicts = _apply(conn, synced, entry, now, aliases)
            except REFUSALS as error:
                raise Refused from error
        if conflicts or entry.row_uid in aliases:
            # A row made here that the server had: not recorded, so that a push repeated after
            # a cut finds the server's row again for the edits that follow.
            found += conflicts
        else:
            applied.append({"uid": entry.uid, "login": login, "applied_at": now})
    # Another push of the same outbox (the app's and `naervaer sync` at once) may have applied
    # some meanwhile: then their effects were already there, and so are their records.
    upsert_rows(conn, APPLIED, applied, ["uid"], update=())
    return found


def _row_conflict(entry: Entry, theirs: str) -> Found:
    mine = {field: new for field, (_old, new) in entry.fields.items()}
    return Found(entry.uid, entry.table, entry.row_uid, ROW, mine, theirs, None, None)


def _apply(
    conn: Connection, synced: Synced, entry: Entry, now: dt.datetime, aliases: dict[str, str]
) -> list[Found]:
    table = synced.table
    if entry.op == "insert":
        return _insert(conn, synced, entry, now, aliases)
    row = _server_row(conn, synced, table.c.uid == entry.row_uid)
    if entry.op == "delete":
        if row is not None:
            conn.execute(delete(table).where(table.c.uid == entry.row_uid))
        return []
    if row is None:
        return [_row_conflict(entry, "slettet på serveren")]
    return _update(conn, synced, entry, row, {f: old for f, (old, _new) in entry.fields.items()})


def _server_row(conn: Connection, synced: Synced, where: Any) -> dict[str, Any] | None:
    """The server's row, locked, with its parents by uid (as the outbox names them)."""
    table = synced.table
    columns = [
        select(parent.c.uid).where(parent.c.id == table.c[name]).scalar_subquery().label(name)
        if (parent := synced.parents.get(name)) is not None
        else table.c[name]
        for name in (column.name for column in table.columns)
    ]
    row = conn.execute(select(*columns).where(where).with_for_update(of=table)).first()
    return None if row is None else dict(row._mapping)


def _ids(conn: Connection, synced: Synced, values: dict[str, Any]) -> dict[str, Any] | None:
    """`values` (JSON) as the server stores them: parents by the server's id. None if a parent
    is not on the server."""
    table = synced.table
    out = {}
    for name, value in values.items():
        parent = synced.parents.get(name)
        if parent is not None and value is not None:
            value = conn.execute(select(parent.c.id).where(parent.c.uid == value)).scalar()
            if value is None:
                return None
        out[name] = value if parent is not None else decode(table.c[name], value)
    return out


def _insert(
    conn: Connection, synced: Synced, entry: Entry, now: dt.datetime, aliases: dict[str, str]
) -> list[Found]:
    table = synced.table
    new = {field: values[1] for field, values in entry.fields.items()}
    stored = _ids(conn, synced, new)
    if stored is None:
        return [_row_conflict(entry, "hører til noe som er slettet på serveren")]
    # A key holding a null is unique whatever else has it.
    if synced.natural_key and all(stored[key] is not None for key in synced.natural_key):
        same = _server_row(
            conn, synced, and_(*(table.c[key] == stored[key] for key in synced.natural_key))
        )
        if same is not None and same["uid"] != entry.row_uid:
            # Made on two laptops at once: one row. What this laptop wrote in it, at once (a
            # comment in a new follow-up) or later (its later entries), is an edit of the
            # server's row: a conflict where the server has another value.
            aliases[entry.row_uid] = same["uid"]
            written = {
                field: pair
                for field, pair in entry.fields.items()
                if not _default(table.c[field], pair[1])
            }
            return _update(conn, synced, replace(entry, fields=written), same, {})
    meta: dict[str, Any] = {"uid": entry.row_uid}
    if "version" in table.c:
        meta |= {"created_by": audit.advisor(conn), "changed_at": entry.at}
    upsert(conn, table, {**stored, **meta}, ["uid"], update=())
    return []


def _update(
    conn: Connection,
    synced: Synced,
    entry: Entry,
    row: dict[str, Any],
    old: dict[str, Any],
) -> list[Found]:
    """Set each field of `entry` whose server value is still `old`'s (a field missing from
    `old`: the server's row was made elsewhere, and only an equal value is no conflict)."""
    table = synced.table
    changed: dict[str, Any] = {}
    found = []
    for field, (_before, new) in entry.fields.items():
        column = table.c[field]
        theirs = row[field]
        mine = new if field in synced.parents else decode(column, new)
        if theirs == mine or (field in FIRST_WINS and None not in (theirs, mine)):
            continue
        if field in LAST_WINS or (field in old and theirs == _decoded(synced, field, old[field])):
            changed[field] = new
            continue
        found.append(
            Found(
                entry.uid,
                entry.table,
                row["uid"],
                field,
                new,
                encode(theirs),
                row.get("changed_by"),
                row.get("changed_at"),
            )
        )
    # Fields without a conflict still apply: edits of different fields merge. What is only
    # kept up to date goes with them, and alone is no edit of the row (no new version).
    edits = {f: v for f, v in changed.items() if f not in LAST_WINS}
    touched = {} if found else {f: v for f, v in changed.items() if f in LAST_WINS}
    values = _ids(conn, synced, edits)
    if values is None:
        return [*found, _row_conflict(entry, "hører til noe som er slettet på serveren")]
    if values and "version" in table.c:
        audit.change(conn, table, row["id"], values, None, entry.at)
        values = {}
    values |= _ids(conn, synced, touched) or {}
    if values:
        conn.execute(update(table).where(table.c.id == row["id"]).values(**values))
    return found


def _default(column: Column[Any], value: Any) -> bool:
    """Whether `value` (JSON) is what a new row of `column` holds unless told otherwise."""
    if value is None:
        return True
    default = column.default
    if not isinstance(default, ColumnDefault) or not default.is_scalar:
        return False
    return bool(decode(column, value) == default.arg)


def adopt(conn: Connection, aliases: dict[str, str]) -> None:
    """On the replica (`conn`), after the server committed the push that found `aliases`:
    each row made here that another laptop made first takes the server's row's uid, and so do
    the edits and conflicts about it, so that what is written in it later goes to the server's
    row even if no pull comes between."""
    for mine, theirs in aliases.items():
        for synced in SYNCED:
            if synced.natural_key:
                table = synced.table
                conn.execute(update(table).where(table.c.uid == mine).values(uid=theirs))
        conn.execute(update(OUTBOX).where(OUTBOX.c.row_uid == mine).values(row_uid=theirs))
        conn.execute(update(CONFLICTS).where(CONFLICTS.c.row_uid == mine).values(row_uid=theirs))


def _decoded(synced: Synced, field: str, value: Any) -> Any:
    return value if field in synced.parents else decode(synced.table.c[field], value)
