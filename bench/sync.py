"""The replica's sync against doing the same on the server directly, in the same run.

# Usage: python bench/sync.py [--scale small|municipality] [--units N]
#
# Starts a PostgreSQL server of its own (tests/pg.py), builds the demo there, and gives an
# advisor the N largest units (default 30, a tenth of the municipality's). sync_pull is the
# first pull into an empty replica of them (every unit's figures, the advisor's people and
# advisory rows) against a raw copy of the same rows: a SELECT of each table as the advisor
# (row-level security filtering alike) and an executemany into bare tables of a new SQLite
# file. sync_push is the push of one session's 50 edits (a session, 10 measures, 39 changes
# of them and of the employees' notes) made on the replica, against the same edits made by
# the same use cases on the server directly. Ratios within one run are what count; say the
# machine's load (uptime) with them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, func, select, text  # noqa: E402

from storage.db import open_database, open_server, upgrade_server  # noqa: E402
from storage.models import Employment, utcnow  # noqa: E402
from storage.sync import pull, push  # noqa: E402
from storage.sync.state import OUTBOX, STATE, overwrite_deleted  # noqa: E402
from storage.sync.tables import SYNCED, install  # noqa: E402
from storage.usecases import measures, sessions  # noqa: E402
from storage.usecases.importing import load_demo  # noqa: E402
from storage.usecases.units import ensure_figures_current  # noqa: E402
from tests.pg import LOGIN, TEMPLATE, Server, binaries  # noqa: E402
from tui.cli import main as naervaer  # noqa: E402

TODAY = dt.date(2026, 11, 24)
SEED = 7
ADVISOR = "bench_advisor"
RUNS = 3


def say(message: str) -> None:
    print(f"bench sync: {message}", file=sys.stderr, flush=True)


def database(server: Server, name: str) -> str:
    admin = server.admin()
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} OWNER {LOGIN}"))
    admin.dispose()
    return server.url(name)


def as_advisor(server: Server, name: str) -> str:
    return f"postgresql+psycopg://{ADVISOR}@/{name}?host={server.root}&port={server.port}"


def empty_replica(path: Path, url: str) -> Engine:
    """A replica file with its state and nothing pulled yet."""
    engine = open_database(path)
    with engine.begin() as conn:
        install(conn)
        conn.execute(STATE.insert().values(id=1, server=url, login=ADVISOR, pulling=False))
    overwrite_deleted(engine)
    return engine


def first_pull(engine: Engine, url: str) -> float:
    from storage.usecases.sync import _write

    started = time.perf_counter()
    server = open_server(url)
    with server.connect() as conn:
        taken = pull.read(conn.execution_options(isolation_level="REPEATABLE READ"))
    server.dispose()
    _write(engine, taken)
    return time.perf_counter() - started


def raw_copy(url: str, path: Path) -> float:
    """The same rows, SELECTed as the advisor and inserted into bare tables."""
    started = time.perf_counter()
    server = create_engine(url)
    with server.connect() as conn, closing(sqlite3.connect(path)) as target:
        for table in (*pull.HR, *(synced.table for synced in SYNCED)):
            rows = [tuple(row) for row in conn.execute(select(table))]
            width = len(table.columns)
            target.execute(
                f"CREATE TABLE {table.name} ({', '.join(f'c{i}' for i in range(width))})"
            )
            marks = ", ".join("?" * width)
            plain = [
                tuple(v.isoformat() if hasattr(v, "isoformat") else v for v in r) for r in rows
            ]
            target.executemany(f"INSERT INTO {table.name} VALUES ({marks})", plain)
        target.commit()
    server.dispose()
    return time.perf_counter() - started


def a_days_edits(engine: Engine, unit_id: int, employees: list[int]) -> None:
    """One session's 50 edits: the session, 10 measures, their due dates, notes on employees."""
    session_id = sessions.start_session(engine, unit_id, "individuell_radgivning", TODAY)
    made = [
        measures.add_measure(engine, unit_id, "enhet", f"Tiltak {n}", session_id=session_id)
        for n in range(10)
    ]
    for n, measure_id in enumerate(made):
        measures.update_measure(engine, measure_id, due_date=TODAY + dt.timedelta(days=30 + n))
    for employee in employees[:29]:
        sessions.set_review_note(engine, session_id, employee, "Snakket om tilrettelegging")


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=["small", "municipality"], default="municipality")
    parser.add_argument("--units", type=int, default=30)
    args = parser.parse_args()
    found = binaries()
    if found is None:
        say("PostgreSQL is not installed (no initdb/pg_ctl): nothing measured")
        return 0
    server = Server.start(found, own=True)
    folder = Path(tempfile.mkdtemp(prefix="naervaer-bench-sync-"))
    try:
        upgrade_server(server.url(TEMPLATE))
        owner_url = database(server, "demo")
        say(f"building the {args.scale} demo on the server")
        owner = open_server(owner_url)
        load_demo(owner, scale=args.scale, seed=SEED, today=TODAY)
        ensure_figures_current(owner, TODAY)
        with owner.connect() as conn:
            largest = conn.execute(
                text(
                    "SELECT u.code, u.id FROM units u JOIN employments e ON e.unit_id = u.id "
                    "GROUP BY u.code, u.id ORDER BY count(*) DESC LIMIT :n"
                ),
                {"n": args.units},
            ).all()
        owner.dispose()
        naervaer(["--db", owner_url, "team", "add", ADVISOR, "--name", "Benk Rådgiver"])
        naervaer(["--db", owner_url, "team", "assign", ADVISOR, *(code for code, _ in largest)])
        url = as_advisor(server, "demo")

        pulls, copies = [], []
        for run in range(RUNS):
            copies.append(raw_copy(url, folder / f"raw-{run}.sqlite"))
            engine = empty_replica(folder / f"replica-{run}.sqlite", url)
            pulls.append(first_pull(engine, url))
            engine.dispose()
        report("sync_pull", statistics.median(pulls), statistics.median(copies))

        unit_id = largest[0][1]
        pushes, directs = [], []
        for run in range(RUNS):
            direct = open_server(url)
            with direct.connect() as conn:
                people = list(
                    conn.execute(
                        select(Employment.employee_id).where(Employment.unit_id == unit_id)
                    )
                    .scalars()
                    .unique()
                )
            directs.append(timed(lambda: a_days_edits(direct, unit_id, people)))  # noqa: B023
            engine = open_database(folder / "replica-0.sqlite")
            a_days_edits(engine, unit_id, people)
            with engine.connect() as conn:
                entries = push.pending(conn)
            started = time.perf_counter()
            with direct.begin() as conn:
                push.push(conn, entries, ADVISOR, utcnow())
            pushes.append(time.perf_counter() - started)
            with engine.begin() as conn:  # as a sync does once the server has committed
                conn.execute(OUTBOX.delete())
            with direct.connect() as conn:
                edits = conn.execute(select(func.count()).select_from(push.APPLIED)).scalar()
            say(f"run {run}: {len(entries)} outbox entries (the edits' rows), {edits} applied")
            engine.dispose()
            direct.dispose()
        report("sync_push", statistics.median(pushes), statistics.median(directs))
    finally:
        server.stop()
    return 0


def report(name: str, value: float, floor: float) -> None:
    print(f"{name}: {value:.3f} s against {floor:.3f} s, ratio {value / floor:.2f} (target ≤ 2)")


if __name__ == "__main__":
    sys.exit(main())
