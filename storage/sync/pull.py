"""Pull: the server's rows, read in one snapshot as the advisor, written into the replica in one
transaction with the outbox's triggers held off.

What the server has of HR data (units, their project periods, every unit's monthly figures,
prognosis and status, the settings, the team, and the people of the advisor's units as
row-level security lets them through) replaces the replica's, keeping the server's ids.
Advisor-written rows are matched by uid and keep the replica's own ids: the server's values are
taken, except for the fields an edit not yet pushed (or a conflict not yet resolved) holds,
which keep the replica's.
A row the server no longer has (purged, or of a unit no longer the advisor's) leaves the
replica, unless it was made here and is still to be pushed: deletions travel so.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import Connection, Table, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage import sqlite as sqlite_file
from storage.dialects import headcounts_on, insert_rows, upsert, upsert_rows
from storage.models import (
    AbsenceSpell,
    Advisor,
    AdvisorUnit,
    Employee,
    Employment,
    ProjectMembership,
    Setting,
    Unit,
    UnitMonthFigure,
    UnitPrognosisFigure,
    UnitStatus,
)
from storage.sync import state, tables
from storage.sync.push import ROW, edited
from storage.sync.state import CONFLICTS, HEADCOUNTS, OUTBOX, STATE
from storage.sync.tables import BY_NAME, SYNCED, Synced
from storage.sync.values import encode, stored_form


def _table(model: type) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


# The server's alone, in the order they are written (a table after those it refers to).
HR: Final = tuple(
    _table(model)
    for model in (
        Unit,
        Employee,
        Advisor,
        ProjectMembership,
        Employment,
        AbsenceSpell,
        UnitMonthFigure,
        UnitPrognosisFigure,
        UnitStatus,
        AdvisorUnit,
        Setting,
    )
)


@dataclass
class Snapshot:
    """What the server has for the advisor, as read in one snapshot."""

    day: dt.date = field(default_factory=dt.date.today)  # of the headcounts
    headcounts: dict[int, int] = field(default_factory=dict)
    hr: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    # Advisor-written rows by table: column -> value, parents by uid.
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(map(len, self.hr.values())) + sum(map(len, self.rows.values()))


def read(conn: Connection) -> Snapshot:
    """Everything the advisor may have on the replica (`conn`: a snapshot on the server)."""
    found = Snapshot()
    found.headcounts = headcounts_on(conn, found.day) or {}
    for table in HR:
        found.hr[table.name] = [tuple(row) for row in conn.execute(select(table))]
    for synced in SYNCED:
        table = synced.table
        columns = [
            select(parent.c.uid).where(parent.c.id == table.c[name]).scalar_subquery().label(name)
            if (parent := synced.parents.get(name)) is not None
            else table.c[name]
            for name in (column.name for column in table.columns)
        ]
        found.rows[table.name] = [dict(row._mapping) for row in conn.execute(select(*columns))]
    return found


@dataclass(frozen=True, slots=True)
class Written:
    """What a pull changed in the replica."""

    units: int  # the units whose people the replica holds
    removed: int  # rows the server no longer has, gone from the file


def _held(conn: Connection) -> tuple[set[str], dict[tuple[str, str], set[str]]]:
    """The rows made here and not yet pushed (or deleted here), and per row the fields an
    unpushed edit or an unresolved conflict holds: the replica's values stand for them."""
    whole: set[str] = set()
    fields: dict[tuple[str, str], set[str]] = defaultdict(set)
    for table, uid, op, changed in conn.execute(
        select(OUTBOX.c.table_name, OUTBOX.c.row_uid, OUTBOX.c.op, OUTBOX.c.fields)
    ):
        if op == "update":
            fields[(table, uid)] |= set(edited(op, changed))
        else:
            whole.add(uid)
    for table, uid, name in conn.execute(
        select(CONFLICTS.c.table_name, CONFLICTS.c.row_uid, CONFLICTS.c.field)
    ):
        fields[(table, uid)].add(name)
    return whole, fields


def write(conn: Connection, found: Snapshot) -> Written:
    """Bring the replica (`conn`, in a transaction with foreign keys off: replacing a unit must
    not cascade to the advisor's rows) to `found`."""
    state.local.create_all(conn)  # a table of the replica's own added since it was made
    conn.execute(update(STATE).values(pulling=True))
    removed = 0
    for table in reversed(HR):
        ids = {row[0] for row in found.hr[table.name]}
        if table.primary_key.columns.keys() == ["id"]:
            local = set(conn.execute(select(table.c.id)).scalars())
            removed += len(local - ids)
        conn.execute(delete(table))
    for table in HR:
        rows = found.hr[table.name]
        if rows:
            insert_rows(conn, table, list(table.columns.keys()), _stored(table, rows))
    whole, fields = _held(conn)
    owners = _owners(conn)
    local_ids: dict[str, dict[str, int]] = {}
    for synced in SYNCED:
        removed += _rows(conn, synced, found.rows[synced.table.name], whole, fields, local_ids)
    # A row made here whose unit or person the server no longer gives: its edit waits in the
    # outbox (a push makes it a conflict); the row itself goes.
    removed += sqlite_file.drop_orphans(conn)
    removed += _drop_conflicts(conn, owners)
    conn.execute(delete(HEADCOUNTS))
    if found.headcounts:
        conn.execute(
            insert(HEADCOUNTS),
            [
                {"unit_id": unit, "day": found.day, "headcount": count}
                for unit, count in found.headcounts.items()
            ],
        )
    _refresh_conflicts(conn, found)
    conn.execute(update(STATE).values(pulling=False))
    units = conn.execute(select(func.count(func.distinct(_table(Employment).c.unit_id)))).scalar()
    return Written(int(units or 0), removed)


def _stored(table: Table, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """`rows` as SQLite stores them, converted a column at a time (dates to text, flags to
    integers): the bulk of a first pull."""
    columns = list(zip(*rows, strict=True))
    for index, column in enumerate(table.columns):
        convert = stored_form(column)
        if convert is not None:
            columns[index] = tuple(None if v is None else convert(v) for v in columns[index])
    return list(zip(*columns, strict=True))


def _rows(
    conn: Connection,
    synced: Synced,
    rows: list[dict[str, Any]],
    whole: set[str],
    fields: dict[tuple[str, str], set[str]],
    local_ids: dict[str, dict[str, int]],
) -> int:
    table = synced.table
    name = table.name
    theirs = {row["uid"] for row in rows}
    gone = [
        uid
        for uid in conn.execute(select(table.c.uid)).scalars()
        if uid not in theirs and uid not in whole
    ]
    for start in range(0, len(gone), 500):
        conn.execute(delete(table).where(table.c.uid.in_(gone[start : start + 500])))
    plain: list[tuple[dict[str, Any], set[str]]] = []
    held: list[tuple[dict[str, Any], set[str]]] = []
    for row in rows:
        if row["uid"] in whole:
            continue  # deleted here, or not yet known to have been pushed
        values = {key: value for key, value in row.items() if key != "id"}
        for column, parent in synced.parents.items():
            if values[column] is not None:
                values[column] = local_ids[parent.name].get(values[column])
        kept = fields.get((name, row["uid"]), set())
        (held if kept else plain).append((values, kept))
    columns = [column.name for column in table.columns if column.name != "id"]
    try:
        with conn.begin_nested():
            upsert_rows(conn, table, [values for values, _ in plain], ["uid"], columns)
    except IntegrityError:
        held += plain  # one by one, to find the row that cannot be taken
    for values, kept in held:
        try:
            with conn.begin_nested():
                upsert(conn, table, values, ["uid"], update=[c for c in columns if c not in kept])
        except IntegrityError:
            # A row of the same key made here and still to be pushed: it stays, and the push
            # tells the advisor about the two.
            continue
    local_ids[name] = {uid: id_ for id_, uid in conn.execute(select(table.c.id, table.c.uid))}
    return len(gone)


@dataclass(frozen=True, slots=True)
class _Owner:
    """What a conflict's row belongs to."""

    # Whether it names an employee (a note, a milestone, a measure of one and its history).
    # None: not known, nor its unit: a row that left the replica at an earlier pull, whose
    # conflict was judged then.
    person: bool | None
    unit: int | None


def _owners(conn: Connection) -> dict[int, _Owner]:
    """Per unresolved conflict, what its row belongs to, read while the replica still has the
    rows. For a row it no longer has, the conflict's own values tell (a row made here and
    refused: the whole row)."""
    measures = BY_NAME["measures"].table
    found = {}
    rows = conn.execute(select(CONFLICTS)).all()
    refused = {
        c.row_uid: json.loads(c.mine)
        for c in rows
        if (c.table_name, c.field) == (measures.name, ROW)
    }
    for conflict in rows:
        table = BY_NAME[conflict.table_name].table
        row = conn.execute(select(table).where(table.c.uid == conflict.row_uid)).first()
        values = dict(row._mapping) if row is not None else json.loads(conflict.mine)
        if not isinstance(values, dict):
            values = {}
        if "measure_id" in table.c:  # a follow-up belongs where its measure does
            parent = values.get("measure_id")
            key = measures.c.id if row is not None else measures.c.uid
            measure = conn.execute(select(measures).where(key == parent)).first()
            values = dict(measure._mapping) if measure is not None else refused.get(parent, {})
        person = None
        if "employee_id" not in table.c and "measure_id" not in table.c:
            person = False
        elif "employee_id" in values:
            person = values["employee_id"] is not None
        found[conflict.id] = _Owner(person, values.get("unit_id"))
    return found


def _drop_conflicts(conn: Connection, owners: dict[int, _Owner]) -> int:
    """Drop the conflicts about a row the replica no longer has that belongs to a person or to
    a unit no longer the advisor's (purged on the server, or taken from the advisor): what
    either side wrote in it leaves the file with the row. A row of a unit (not of a person)
    made here and refused by the server keeps its conflict while the unit is there: the only
    trace of what was agreed offline. How many went."""
    every = set(conn.execute(select(_table(Unit).c.id)).scalars())
    login = conn.execute(select(STATE.c.login)).scalar_one()
    advisors, assigned = _table(Advisor), _table(AdvisorUnit)
    units = every
    if not conn.execute(select(advisors.c.lead).where(advisors.c.login == login)).scalar():
        query = select(assigned.c.unit_id).where(assigned.c.login == login)
        units = set(conn.execute(query).scalars())
    stale = []
    for conflict in conn.execute(select(CONFLICTS).where(CONFLICTS.c.id.in_(owners))):
        owner = owners[conflict.id]
        if owner.person is None and owner.unit is None:
            continue  # judged at the pull its row left the replica
        if not owner.person and (
            owner.unit in units or (owner.unit in every and _made_here(conflict))
        ):
            continue
        table = BY_NAME[conflict.table_name].table
        if conn.execute(select(table.c.id).where(table.c.uid == conflict.row_uid)).first() is None:
            stale.append(conflict.id)
    conn.execute(delete(CONFLICTS).where(CONFLICTS.c.id.in_(stale)))
    return len(stale)


def _made_here(conflict: Any) -> bool:
    """Whether a conflict is about a row made here that the server refused: it holds the row."""
    mine = json.loads(conflict.mine)
    synced = BY_NAME[conflict.table_name]
    return (
        conflict.field == ROW and isinstance(mine, dict) and set(tables.fields(synced)) <= set(mine)
    )


def _refresh_conflicts(conn: Connection, found: Snapshot) -> None:
    """Each unresolved conflict shows the server's value as it is now, by whom and when."""
    by_uid = {(name, row["uid"]): row for name, rows in found.rows.items() for row in rows}
    for conflict in conn.execute(select(CONFLICTS)).all():
        row = by_uid.get((conflict.table_name, conflict.row_uid))
        if row is None or conflict.field not in row:
            continue
        conn.execute(
            update(CONFLICTS)
            .where(CONFLICTS.c.id == conflict.id)
            .values(
                theirs=json.dumps(encode(row[conflict.field]), ensure_ascii=False),
                their_advisor=row.get("changed_by"),
                their_at=row.get("changed_at"),
            )
        )
