"""The replica kept in step with the server: its state, one sync (push, then pull), making a
replica, and the conflicts a push found, for the advisor to resolve.

A sync is not one transaction: the server's (the push, as the advisor) and the replica's are
two databases. It is made safe by order instead: the outbox is emptied only after the server
has committed what it applied, and the server skips what it has applied already (see
storage.sync.push); the pull is one snapshot on the server and one transaction on the file.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import URL, Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from core.conflicts import FIELD_LABELS, MERGEABLE_FIELDS
from core.conflicts import shown as shown_value
from storage import sqlite as sqlite_file
from storage.db import (
    DatabaseError,
    explain_server,
    open_database,
    open_server,
    server_url,
    shown_url,
)
from storage.dialects import current_login, snapshot
from storage.models import Employee, new_uid, utcnow
from storage.sync import pull, push
from storage.sync.state import CONFLICTS, OUTBOX, STATE, is_replica, overwrite_deleted
from storage.sync.tables import BY_NAME, MEASURES, install
from storage.sync.values import decode, encode
from storage.usecases import reading

# How long a sync waits for the server before it counts as out of reach (seconds), and how it
# notices a network gone mid-push (no answer to TCP keepalives for about 25 seconds).
REACH = {
    "connect_timeout": "10",
    "keepalives": "1",
    "keepalives_idle": "10",
    "keepalives_interval": "5",
    "keepalives_count": "3",
}
UNREACHABLE = "Får ikke kontakt med serveren"


@dataclass(frozen=True, slots=True)
class SyncStatus:
    server: str  # shown form, no password (storage.db.shown_url)
    last_sync_at: dt.datetime | None  # naive UTC
    pending: int  # outbox entries not yet on the server
    conflicts: int  # unresolved
    last_error: str | None  # Norwegian, e.g. "Får ikke kontakt med serveren"


@dataclass(frozen=True, slots=True)
class SyncResult:
    pushed: int  # outbox entries the server has now (applied, or found in conflict)
    pulled: int  # the units whose people the replica holds after the pull
    conflicts: int  # found by this push
    at: dt.datetime  # naive UTC


@dataclass(frozen=True, slots=True)
class SyncConflict:
    id: int
    table: str
    what: str  # "tiltak «…»", "notat for ansatt 100234"
    field: str  # "frist", "tekst", "status", "notat"
    mine: str
    theirs: str
    their_advisor: str
    their_at: dt.datetime  # naive UTC
    mergeable: bool  # free text: the two can be written together


def sync_status(engine: Engine) -> SyncStatus | None:
    """The replica's state; None if the database is not a replica."""
    with reading(engine) as conn:
        state = _state(conn)
        if state is None:
            return None
        pending = conn.execute(select(func.count()).select_from(OUTBOX)).scalar_one()
        found = conn.execute(select(func.count()).select_from(CONFLICTS)).scalar_one()
    return SyncStatus(
        server=shown_url(state.server),
        last_sync_at=state.last_sync_at,
        pending=pending,
        conflicts=found,
        last_error=state.last_error,
    )


def _state(conn: Connection) -> Any:
    if not is_replica(conn):
        return None
    return conn.execute(select(STATE)).one()


def _without_password(url: str) -> str:
    """The URL as the replica remembers it: the password comes from PGPASSWORD or ~/.pgpass.
    (URL.set takes None for "unchanged": a named tuple's own replace drops it.)"""
    return server_url(url)._replace(password=None).render_as_string(hide_password=False)


def _connectable(url: str) -> str:
    """The URL a sync connects with: giving up on a server out of reach (REACH), unless the
    URL says otherwise."""
    parsed: URL = server_url(url)
    parsed = parsed.update_query_dict({k: v for k, v in REACH.items() if k not in parsed.query})
    return parsed.render_as_string(hide_password=False)


def _open(url: str) -> Engine:
    """The server, or a DatabaseError saying in Norwegian why not."""
    try:
        return open_server(_connectable(url))
    except DBAPIError as error:
        raise explain_server(error, url) or DatabaseError(UNREACHABLE) from None


def sync(engine: Engine, server_url: str | None = None) -> SyncResult:
    """Push the replica's outbox, then pull the server's rows. `server_url` only the first
    time (or to change it): it is then remembered, without its password.

    DatabaseError (Norwegian) when the file is no replica or the server cannot be reached or
    refuses; the error is recorded as the replica's last error, and the outbox is kept whole.
    """
    with reading(engine) as conn:
        state = _state(conn)
    if state is None:
        raise DatabaseError(
            "Databasen er ingen lokal kopi av en server. Oppgi serveren med --server URL "
            "første gang."
        )
    url = server_url or state.server
    try:
        result = _sync(engine, url)
    except (DatabaseError, DBAPIError) as error:
        problem = error if isinstance(error, DatabaseError) else explain_server(error, url)
        message = str(problem) if problem is not None else UNREACHABLE
        with engine.begin() as conn:
            conn.execute(update(STATE).values(last_error=message))
        if problem is None:
            raise DatabaseError(f"{UNREACHABLE} ({shown_url(url)}).") from error
        raise problem from None
    with engine.begin() as conn:
        values: dict[str, Any] = {"last_sync_at": result.at, "last_error": None}
        if server_url is not None:
            values["server"] = _without_password(server_url)
        conn.execute(update(STATE).values(**values))
    return result


def _sync(engine: Engine, url: str) -> SyncResult:
    server = _open(url)
    try:
        with reading(engine) as conn:
            login = conn.execute(select(STATE.c.login)).scalar_one()
            entries = push.pending(conn)
        now = utcnow()
        with server.begin() as conn:
            if current_login(conn) != login:
                raise DatabaseError(
                    f"Den lokale kopien er {login}s, men serveren ble åpnet som "
                    f"{current_login(conn)}. Bruk {login} i adressen."
                )
            aliases: dict[str, str] = {}
            try:
                with conn.begin_nested():
                    found = push.push(conn, entries, login, now, careful=False, aliases=aliases)
            except push.Refused:  # rolled back: again, an entry at a time
                aliases = {}
                found = push.push(conn, entries, login, now, aliases=aliases)
        with engine.begin() as conn:
            push.adopt(conn, aliases)
            uids = [entry.uid for entry in entries]
            for start in range(0, len(uids), 500):
                conn.execute(delete(OUTBOX).where(OUTBOX.c.uid.in_(uids[start : start + 500])))
            _store_conflicts(conn, found, now)
        with server.connect() as conn:
            conn = snapshot(conn)
            try:
                taken = pull.read(conn)
            finally:
                conn.rollback()
    finally:
        server.dispose()
    written = _write(engine, taken)
    return SyncResult(pushed=len(entries), pulled=written.units, conflicts=len(found), at=now)


def _write(engine: Engine, taken: pull.Snapshot) -> pull.Written:
    from storage.dialects import compact
    from storage.maintenance import renew_daily_backups

    with engine.connect() as conn:
        sqlite_file.foreign_keys(conn, on=False)  # outside a transaction, or it is ignored
        conn.commit()
        try:
            written = pull.write(conn, taken)
            conn.commit()
        finally:
            conn.rollback()
            sqlite_file.foreign_keys(conn, on=True)
            conn.commit()
    if written.removed:
        compact(engine)  # nothing of the rows removed stays readable in the file
        renew_daily_backups(engine)  # nor in the copies the app took of it
    return written


def _store_conflicts(conn: Connection, found: list[push.Found], now: dt.datetime) -> None:
    """Keep what the push found: one conflict per field of a row, with the advisor's latest
    value (several edits of a note made offline are one conflict), the server's as found."""
    known = {
        (row.table_name, row.row_uid, row.field): row
        for row in conn.execute(
            select(
                CONFLICTS.c.id,
                CONFLICTS.c.table_name,
                CONFLICTS.c.row_uid,
                CONFLICTS.c.field,
                CONFLICTS.c.mine,
                CONFLICTS.c.theirs,
            )
        )
    }
    latest: dict[tuple[str, str, str], push.Found] = {}
    for conflict in found:
        key = (conflict.table, conflict.row_uid, conflict.field)
        if key in latest:
            conflict = _row_merged(latest[key].mine, latest[key].theirs, conflict)
        elif key in known:
            row = known[key]
            conflict = _row_merged(json.loads(row.mine), json.loads(row.theirs), conflict)
        latest[key] = conflict
    for key, conflict in latest.items():
        values = {
            "entry_uid": conflict.entry_uid,
            "mine": json.dumps(conflict.mine, ensure_ascii=False),
            "theirs": json.dumps(conflict.theirs, ensure_ascii=False),
            "their_advisor": conflict.their_advisor,
            "their_at": conflict.their_at,
        }
        if key in known:
            conn.execute(update(CONFLICTS).where(CONFLICTS.c.id == known[key].id).values(values))
        else:
            table, row_uid, field = key
            conn.execute(
                insert(CONFLICTS).values(
                    table_name=table, row_uid=row_uid, field=field, found_at=now, **values
                )
            )


def _row_merged(mine: Any, theirs: Any, later: push.Found) -> push.Found:
    """A later edit of a row whose conflict holds it whole (made here, refused by the server):
    the row as last written, and why it was refused."""
    if later.field != push.ROW or not isinstance(mine, dict):
        return later
    return replace(later, mine={**mine, **later.mine}, theirs=theirs)


def create_replica(path: Path, server_url: str, passphrase: str | None = None) -> Engine:
    """Make a replica at `path` of what the server's login (the URL's) may see, with a first
    sync; encrypted with `passphrase` when given. DatabaseError if the file exists or the
    server cannot be reached (then no file is left)."""
    if path.exists():
        raise DatabaseError(f"{path} finnes allerede. Velg et nytt filnavn for den lokale kopien.")
    server = _open(server_url)
    try:
        with server.connect() as conn:
            login = current_login(conn)
    finally:
        server.dispose()
    engine = open_database(path)
    try:
        if passphrase is not None:
            from storage.usecases.maintenance import encrypt

            engine.dispose()
            encrypt(path, passphrase)
            engine = open_database(path, passphrase)
        with engine.begin() as conn:
            install(conn)
            conn.execute(
                insert(STATE).values(
                    id=1, server=_without_password(server_url), login=login, pulling=False
                )
            )
        overwrite_deleted(engine)
        sync(engine, server_url)
    except BaseException:
        engine.dispose()
        for leftover in (
            path,
            path.with_name(f"{path.name}-wal"),
            path.with_name(f"{path.name}-shm"),
        ):
            leftover.unlink(missing_ok=True)
        raise
    return engine


def conflicts(engine: Engine) -> tuple[SyncConflict, ...]:
    """The conflicts not yet resolved, oldest first; values as the advisor reads them."""
    with reading(engine) as conn:
        rows = conn.execute(select(CONFLICTS).order_by(CONFLICTS.c.id)).all()
        return tuple(_conflict(conn, row) for row in rows)


def _conflict(conn: Connection, row: Any) -> SyncConflict:
    mine, theirs = json.loads(row.mine), json.loads(row.theirs)
    if row.field == push.ROW:
        label = "raden"
        # What the row said, where it was written here whole (made here, refused).
        said = [
            shown_value(field, value)
            for field, value in (mine.items() if isinstance(mine, dict) else ())
            if field in MERGEABLE_FIELDS and value
        ]
        mine_text = ", ".join(said) or "din versjon"
        theirs_text = str(theirs)
    else:
        label = FIELD_LABELS.get(row.field, row.field)
        mine_text = _shown(row.table_name, row.field, mine)
        theirs_text = _shown(row.table_name, row.field, theirs)
    return SyncConflict(
        id=row.id,
        table=row.table_name,
        what=_what(conn, row.table_name, row.row_uid),
        field=label,
        mine=mine_text,
        theirs=theirs_text,
        their_advisor=row.their_advisor or "en annen rådgiver",
        their_at=row.their_at or row.found_at,
        mergeable=row.field in MERGEABLE_FIELDS,
    )


def _shown(table: str, field: str, value: Any) -> str:
    synced = BY_NAME[table]
    if field in synced.parents:
        return "(en annen rad)" if value is not None else "ingen"
    return shown_value(field, decode(synced.table.c[field], value))


def _what(conn: Connection, table: str, uid: str) -> str:
    """What the conflict is about, in the advisor's words."""
    synced = BY_NAME[table]
    row = conn.execute(select(synced.table).where(synced.table.c.uid == uid)).first()
    if table == "measures":
        return f"tiltak «{row.text}»" if row is not None else "et tiltak"
    if table == "measure_follow_ups" and row is not None:
        text = conn.execute(select(MEASURES.c.text).where(MEASURES.c.id == row.measure_id))
        return f"oppfølging av tiltak «{text.scalar()}»"
    if table == "sessions":
        return f"møtet {row.held_on:%d.%m.%Y}" if row is not None else "et møte"
    employee = getattr(row, "employee_id", None)
    number = conn.execute(select(Employee.number).where(Employee.id == employee)).scalar()
    kinds = {
        "employee_reviews": "notat",
        "milestones_done": "milepæl",
        "measure_follow_ups": "oppfølging",
        "survey_scores": "kartlegging",
        "presence_factors": "nærværsfaktor",
    }
    kind = kinds.get(table, table)
    return f"{kind} for ansatt {number}" if number else kind


Choice = Literal["mine", "theirs", "merge"]


def resolve(engine: Engine, conflict_id: int, choice: Choice, merged: str | None = None) -> None:
    """Settle a conflict. mine: the advisor's value goes to the server at the next push, as an
    edit of the server's value now; theirs: the replica takes the server's; merge (free text
    only): `merged` is the advisor's value, as with mine."""
    from core.errors import InvalidInput

    with engine.begin() as conn:
        row = conn.execute(select(CONFLICTS).where(CONFLICTS.c.id == conflict_id)).first()
        if row is None:
            raise InvalidInput("Konflikten finnes ikke lenger (den er allerede løst).")
        synced = BY_NAME[row.table_name]
        table = synced.table
        mine, theirs = json.loads(row.mine), json.loads(row.theirs)
        if choice == "merge":
            if row.field not in MERGEABLE_FIELDS:
                raise InvalidInput("Bare fritekst kan flettes.")
            if merged is None:
                raise InvalidInput("Skriv den flettede teksten.")
            mine = merged
        if row.field == push.ROW:
            if choice != "theirs":
                raise InvalidInput(
                    "Raden finnes ikke lenger på serveren, så din versjon kan ikke sendes. "
                    "Velg serverens."
                )
        else:
            value = theirs if choice == "theirs" else mine
            parent = synced.parents.get(row.field)
            if parent is None:
                local = decode(table.c[row.field], value)
            else:
                local = conn.execute(select(parent.c.id).where(parent.c.uid == value)).scalar()
            # The replica's row as chosen, without an outbox entry of its own (below, if any).
            conn.execute(update(STATE).values(pulling=True))
            conn.execute(update(table).where(table.c.uid == row.row_uid).values({row.field: local}))
            conn.execute(update(STATE).values(pulling=False))
            if choice != "theirs":
                login = conn.execute(select(STATE.c.login)).scalar_one()
                conn.execute(
                    insert(OUTBOX).values(
                        uid=new_uid(),
                        advisor=login,
                        at=utcnow(),
                        table_name=row.table_name,
                        row_uid=row.row_uid,
                        op="update",
                        base_version=None,
                        fields=json.dumps({row.field: [theirs, encode(mine)]}, ensure_ascii=False),
                    )
                )
        conn.execute(delete(CONFLICTS).where(CONFLICTS.c.id == conflict_id))
