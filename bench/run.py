"""The app's speed at municipality scale, each figure against a floor measured in the same run."""

# Usage: python bench/run.py [--scale small|municipality] [--json] [--only NAME ...]
#
# Times are in seconds, peak_rss, peak_rss_4x and import_rss in MB, forecast_mae in percentage
# points. A figure with a floor meets its target when value / floor (the ratio) is at most the
# target; the MB figures have no floor and their value is held against the target itself. Missed
# targets are reported, never fatal: the command exits 0 unless the benchmark itself breaks.
#
# The data is the built-in demo, seeded, as of a fixed day, in a temporary folder (HOME points
# there too, so that nothing touches the user's files). Screens are timed in the app through the
# Pilot, each step on its own until its content is drawn (not a "Laster …" placeholder): Enter on
# the largest unit to its overview with the chart (open_unit), `i` to the agenda the session
# opens on (open_agenda), `n` on from it to last session's checklist (open_checklist), `g` to the
# review (open_review), `a` to the session summary (open_summary);
# `o` from the unit list to the status overview (open_status) and `b` to its savings panel
# (open_savings). Each against a key that opens a bare screen (a header and a line: what any
# screen costs in Textual) plus the raw SQL of what the step shows, where it reads any
# (STEP_QUERIES). next_employee is the p95 of `n` against the p95 of the no-op key. cli_stats is
# the whole `naervaer stats --json` process for a quarter against `python -c` loading the same
# libraries and running the raw SQL of the quarter's employments and spells. `scaling` is the
# unit list on a database holding a second municipality beside the demo (another seed, its unit
# codes and employee numbers moved out of the first one's way, its project units in the project
# too), against the unit list on the demo itself; `scaling_4x` the unit list and the status
# overview with three such municipalities (a city of ~90,000 employees) against the same on the
# demo, and peak_rss_4x the memory of the app opening the largest review there. import_rss is the
# peak memory of a process running `naervaer import` of the demo's units and an ansatte.csv of
# 1,000,000 made-up employees (20,000 at small scale), one valid row each.
#
# The server_… figures run on a PostgreSQL server the benchmark starts itself, as the tests do
# (tests/pg.py: initdb in a temporary folder, 127.0.0.1, a free port, stopped at the end), and
# are skipped, saying why, where PostgreSQL's binaries or psycopg are missing. server_import is
# the import of the CSV exports into a new migrated database against pandas.read_csv of the
# files and a COPY of their rows into tables of text columns without constraints, each into a
# database of its own; server_unit_list the unit list on a database holding the demo against
# the raw GROUP BY over its spells; server_cold_start the app's process opened on the server's
# URL until the unit list is shown, against a bare Textual app.

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import probes

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Engine
    from textual.pilot import Pilot

    from tests.pg import Server

TODAY = dt.date(2026, 11, 24)
SEED = 7
# The other municipalities of `scaling` (2×) and `scaling_4x`: the n-th (from 1) has the seed
# SEED + n, its unit codes start with the n-th letter after A, its employee numbers n × 10,000,000
# higher.
NUMBER_OFFSET = 10_000_000
STATS_QUARTER = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))  # `cli_stats`: the last complete one
PROBES = Path(probes.__file__).resolve()
ROOT = PROBES.parent.parent  # the repository: tests/pg.py starts the PostgreSQL server
# A key nothing in the app is bound to: the round trip of a key press that does nothing.
NOOP_KEY = "f19"
BARE_KEY = "f18"  # opens a bare screen: what any screen costs to open

CSV_FILES = {
    "enheter.csv": {
        "code": "enhet_id",
        "name": "enhet",
        "service_area": "tjenesteområde",
        "leader": "leder",
    },
    "ansatte.csv": {
        "employee_number": "ansattnr",
        "name": "navn",
        "unit_code": "enhet_id",
        "position_pct": "stillingsprosent",
        "start_date": "startdato",
        "end_date": "sluttdato",
        "title": "stilling",
    },
    "fravær.csv": {
        "employee_number": "ansattnr",
        "unit_code": "enhet_id",
        "from_date": "fra_dato",
        "to_date": "til_dato",
        "absence_type": "fraværstype",
        "grade_pct": "grad",
    },
}
# The words HR exports use for the absence types (FORMATS.md), not the app's codes.
EXPORT_TYPES = {"sykt_barn": "sykt barn"}


@dataclass(frozen=True)
class Runs:
    """How many times each figure is measured; medians (or the p95) are taken over them."""

    starts: int
    unit_lists: int
    imports: int
    opens: int
    moves: int
    employees: int  # rows of the ansatte.csv whose import's peak memory import_rss measures


RUNS = {
    # Small proves the benchmark works (CI runs it) and stays well under a minute.
    "small": Runs(starts=1, unit_lists=3, imports=1, opens=1, moves=10, employees=20_000),
    "municipality": Runs(starts=5, unit_lists=7, imports=3, opens=5, moves=40, employees=1_000_000),
}


@dataclass(frozen=True)
class Metric:
    value: float
    floor: float | None
    target: float
    unit: str  # for the table only
    note: str = ""  # said under the table

    @property
    def ratio(self) -> float | None:
        return None if self.floor is None or self.floor <= 0 else self.value / self.floor

    @property
    def ok(self) -> bool:
        held = self.value if self.floor is None else self.ratio
        return held is not None and held <= self.target

    def as_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "floor": self.floor,
            "ratio": self.ratio,
            "target": self.target,
            "ok": self.ok,
        }


STARTED = time.perf_counter()


def say(text: str) -> None:
    print(f"bench [{time.perf_counter() - STARTED:5.1f} s]: {text}", file=sys.stderr, flush=True)


def median_time(call: Callable[[], object], runs: int) -> float:
    return statistics.median(timed(call) for _ in range(runs))


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


@contextmanager
def private_home() -> Iterator[Path]:
    """A temporary folder that is HOME (and the XDG folders) while the benchmark runs.

    The processes it starts write their compiled modules, as Python does by default: a machine
    that says not to (PYTHONDONTWRITEBYTECODE) would have every start of the app compile all of
    ours, where a user's first start, or pip's install, compiles them once (Textual's, timed in
    the floor, were compiled as they were installed)."""
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="naervaer-bench-") as folder:
        root = Path(folder)
        os.environ["HOME"] = str(root)
        for variable in (
            "XDG_DATA_HOME",
            "XDG_STATE_HOME",
            "XDG_CACHE_HOME",
            "NAERVAER_DB",
            "PYTHONDONTWRITEBYTECODE",
        ):
            os.environ.pop(variable, None)
        try:
            yield root
        finally:
            os.environ.clear()
            os.environ.update(saved)


# --- the data ---------------------------------------------------------------------------------


def other_municipality(
    scale: str, n: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str]]:
    """Units, employments and spells of the n-th other municipality, keyed apart from the rest."""
    from storage.demo import generate

    data = generate(scale, SEED + n, TODAY)
    prefix = chr(ord("A") + n)

    def code(values: pd.Series) -> pd.Series:
        return prefix + values

    def number(values: pd.Series) -> pd.Series:
        return (values.astype(int) + n * NUMBER_OFFSET).astype(str)

    units = data.units.assign(code=code(data.units["code"]))
    employments = data.employments.assign(
        unit_code=code(data.employments["unit_code"]),
        employee_number=number(data.employments["employee_number"]),
    )
    spells = data.spells.assign(
        unit_code=code(data.spells["unit_code"]),
        employee_number=number(data.spells["employee_number"]),
    )
    project = code(data.project_units["unit_code"]).tolist()
    return units, employments, spells, project


class Bench:
    """The databases and files of one run, each made when first needed."""

    def __init__(self, folder: Path, scale: str) -> None:
        self.folder = folder
        self.scale = scale
        self.runs = RUNS[scale]
        self.skipped: list[str] = []  # said under the table

    @cached_property
    def db(self) -> Path:
        from storage.db import open_database
        from storage.usecases.importing import load_demo
        from storage.usecases.units import ensure_figures_current

        path = self.folder / "naervaer.sqlite"
        say(f"building the {self.scale} demo (seed {SEED}, as of {TODAY})")
        engine = open_database(path)
        load_demo(engine, scale=self.scale, seed=SEED, today=TODAY)
        ensure_figures_current(engine, TODAY)
        engine.dispose()
        return path

    @cached_property
    def engine(self) -> Engine:
        from storage.db import open_database

        return open_database(self.db)

    def close(self) -> None:
        if "engine" in self.__dict__:  # only if it was made
            self.engine.dispose()
        if self.__dict__.get("server") is not None:
            self.server.stop()

    @cached_property
    def server(self) -> Server | None:
        """A PostgreSQL server of the run's own, its template database migrated; None (and
        why, in `skipped`) where PostgreSQL's binaries or psycopg are missing."""
        import importlib.util

        sys.path.insert(0, str(ROOT))
        from tests import pg

        found = pg.binaries()
        if found is None:
            reason = "PostgreSQL is not installed (no initdb/pg_ctl)"
        elif importlib.util.find_spec("psycopg") is None:
            reason = "psycopg is not installed (pip install -e '.[server]')"
        else:
            from storage.db import upgrade_server

            say(f"starting a PostgreSQL server from {found}")
            server = pg.Server.start(found)
            try:
                upgrade_server(server.url(pg.TEMPLATE))
            except BaseException:
                server.stop()
                raise
            return server
        self.skipped.append(
            f"server_import, server_unit_list, server_cold_start: skipped, {reason}"
        )
        say(self.skipped[-1])
        return None

    def server_database(self, name: str, migrated: bool = True) -> str:
        """The URL of a new database on the server: a copy of the migrated template, or empty."""
        from sqlalchemy import text

        from tests.pg import LOGIN, TEMPLATE

        assert self.server is not None
        template = f" TEMPLATE {TEMPLATE}" if migrated else ""
        admin = self.server.admin()
        try:
            with admin.connect() as conn:
                conn.execute(text(f"CREATE DATABASE {name}{template} OWNER {LOGIN}"))
        finally:
            admin.dispose()
        return self.server.url(name)

    @cached_property
    def server_demo(self) -> str:
        """The URL of a database on the server holding the demo, its figures current."""
        from storage.db import open_server
        from storage.usecases.importing import load_demo
        from storage.usecases.units import ensure_figures_current

        url = self.server_database("demo")
        say(f"building the {self.scale} demo on the server")
        engine = open_server(url)
        try:
            load_demo(engine, scale=self.scale, seed=SEED, today=TODAY)
            ensure_figures_current(engine, TODAY)
        finally:
            engine.dispose()
        return url

    @cached_property
    def double_db(self) -> Path:
        """The demo with a second municipality written beside it: twice the data."""
        return self.widened(self.db, "double.sqlite", range(1, 2))

    @cached_property
    def quad_db(self) -> Path:
        """The demo with three more municipalities: four times the data, a city's."""
        return self.widened(self.double_db, "quad.sqlite", range(2, 4))

    def widened(self, source: Path, name: str, others: range) -> Path:
        """A copy of `source` with the other municipalities `others` written into it."""
        from storage.db import open_database, transaction
        from storage.demo import BASELINE_QUARTER, PROJECT_START
        from storage.importer import Tables, write_tables
        from storage.repos.units import unit_ids
        from storage.usecases.project import join
        from storage.usecases.units import ensure_figures_current

        path = self.folder / name
        with closing(sqlite3.connect(source)) as read, closing(sqlite3.connect(path)) as target:
            read.backup(target)
        say(f"adding municipalities {', '.join(map(str, others))} for {name}")
        engine = open_database(path)
        for n in others:
            units, employments, spells, project = other_municipality(self.scale, n)
            with transaction(engine) as session:
                write_tables(session, Tables(units=units, employments=employments, spells=spells))
                conn = session.connection()
                ids = unit_ids(conn)
                join(conn, {code: ids[code] for code in project}, PROJECT_START, BASELINE_QUARTER)
        ensure_figures_current(engine, TODAY)
        engine.dispose()
        return path

    @cached_property
    def csv_files(self) -> list[Path]:
        """The demo's three tables as an HR system exports them (Excel's Norwegian CSV)."""
        from storage.demo import generate

        data = generate(self.scale, SEED, TODAY)
        spells = data.spells.assign(absence_type=data.spells["absence_type"].replace(EXPORT_TYPES))
        folder = self.folder / "export"
        folder.mkdir()
        paths = []
        for (name, headers), frame in zip(
            CSV_FILES.items(), (data.units, data.employments, spells), strict=True
        ):
            path = folder / name
            frame[list(headers)].rename(columns=headers).to_csv(
                path,
                sep=";",
                decimal=",",
                date_format="%d.%m.%Y",
                index=False,
                encoding="utf-8-sig",
            )
            paths.append(path)
        return paths

    @cached_property
    def employee_files(self) -> list[Path]:
        """The demo's units and `runs.employees` made-up employees, one valid row each."""
        import numpy as np
        import pandas as pd

        from storage.demo import generate

        units = generate(self.scale, SEED, TODAY).units
        count = self.runs.employees
        rng = np.random.default_rng(SEED)
        starts = pd.Timestamp("2000-01-01") + pd.to_timedelta(rng.integers(0, 9000, count), "D")
        employees = pd.DataFrame(
            {
                "ansattnr": np.arange(1_000_001, 1_000_001 + count),
                "navn": rng.choice(["Nora Tveit", "Ida Eliassen", "Ole Bø", "Åse Ærø"], count),
                "enhet_id": rng.choice(units["code"].to_numpy(), count),
                "stillingsprosent": rng.choice(["100", "80", "62,5", "50"], count),
                "startdato": starts.strftime("%d.%m.%Y"),
                "sluttdato": "",
                "stilling": rng.choice(["Helsefagarbeider", "Assistent", "Lærer"], count),
            }
        )
        folder = self.folder / "employees"
        folder.mkdir()
        paths = [folder / "enheter.csv", folder / "ansatte.csv"]
        headers = CSV_FILES["enheter.csv"]
        units[list(headers)].rename(columns=headers).to_csv(
            paths[0], sep=";", index=False, encoding="utf-8-sig"
        )
        employees.to_csv(paths[1], sep=";", index=False, encoding="utf-8-sig")
        return paths


# --- the figures --------------------------------------------------------------------------------


def run_probe(args: list[str]) -> str:
    """Run probes.py in a process of its own; the last thing it prints."""
    done = subprocess.run(
        [sys.executable, str(PROBES), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"probe {args[0]} failed:\n{done.stderr[-2000:]}")
    return done.stdout.split()[-1]


def process_time(args: list[str]) -> float:
    """From starting a probe process to the clock reading it prints when ready.

    perf_counter is the system's monotonic clock (Linux, macOS), the same in both processes.
    """
    started = time.perf_counter()
    return float(run_probe(args)) - started


def cold_start(bench: Bench) -> Metric:
    say("cold start: the app's process until the unit list is shown, and a bare Textual app")
    app_args = ["cold-start", str(bench.db), TODAY.isoformat()]
    # One start before counting: the day's first start takes the daily backup (and compiles
    # the modules, as any first start does).
    process_time(app_args)
    bare, app = [], []
    for _ in range(bench.runs.starts):
        bare.append(process_time(["bare"]))
        app.append(process_time(app_args))
    return Metric(statistics.median(app), statistics.median(bare), 2.0, "s")


def spell_days_by_unit(connection: sqlite3.Connection) -> list[Any]:
    return connection.execute(
        "SELECT unit_id, SUM(julianday(COALESCE(to_date, ?)) - julianday(from_date) + 1) "
        "FROM absence_spells GROUP BY unit_id",
        (TODAY.isoformat(),),
    ).fetchall()


def unit_list_time(engine: Engine, runs: int) -> float:
    from storage.usecases.units import unit_list

    def load() -> None:
        unit_list(engine, TODAY)

    load()  # the first call also imports what it needs
    return median_time(load, runs)


def unit_list(bench: Bench) -> Metric:
    say("unit list: every unit's figures, and a raw GROUP BY over the spells")
    connection = sqlite3.connect(bench.db)
    try:
        spell_days_by_unit(connection)
        floor = median_time(lambda: spell_days_by_unit(connection), bench.runs.unit_lists)
    finally:
        connection.close()
    value = unit_list_time(bench.engine, bench.runs.unit_lists)
    return Metric(value, floor, 2.0, "s")


def timed_import(engine: Engine, paths: list[Path]) -> float:
    """The seconds `naervaer import` of `paths` takes into the database `engine` opens."""
    from storage.usecases.importing import import_files

    try:
        started = time.perf_counter()
        report = import_files(engine, paths)
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    if not report.ok:
        raise RuntimeError(f"the demo's export was rejected: {report.errors[:3]}")
    return seconds


def import_once(paths: list[Path], target: Path) -> float:
    from storage.db import open_database

    return timed_import(open_database(target), paths)


def bare_import_once(paths: list[Path], target: Path) -> float:
    """pandas.read_csv of the files and executemany of their rows into tables without rules."""
    import pandas as pd

    started = time.perf_counter()
    connection = sqlite3.connect(target)
    try:
        for number, path in enumerate(paths):
            frame = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
            columns = ", ".join(f"c{i}" for i in range(len(frame.columns)))
            marks = ", ".join("?" for _ in frame.columns)
            connection.execute(f"CREATE TABLE t{number} ({columns})")
            rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False)
            connection.executemany(f"INSERT INTO t{number} VALUES ({marks})", rows)
        connection.commit()
    finally:
        connection.close()
    return time.perf_counter() - started


def import_(bench: Bench) -> Metric:
    say("import: the three CSV exports into a new database, and read_csv + executemany")
    paths = bench.csv_files
    values, floors = [], []
    for run in range(bench.runs.imports):
        floors.append(bare_import_once(paths, bench.folder / f"bare-{run}.sqlite"))
        values.append(import_once(paths, bench.folder / f"import-{run}.sqlite"))
    return Metric(statistics.median(values), statistics.median(floors), 3.0, "s")


def driver_url(url: str) -> str:
    """psycopg's connection string of an SQLAlchemy URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def server_import_once(paths: list[Path], url: str) -> float:
    from storage.db import open_server

    return timed_import(open_server(url), paths)


def bare_copy_once(paths: list[Path], url: str) -> float:
    """pandas.read_csv of the files and a COPY of their rows into tables of text columns."""
    import pandas as pd
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(driver_url(url)) as connection:
        for number, path in enumerate(paths):
            frame = pd.read_csv(
                path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False
            )
            columns = ", ".join(f"c{i} text" for i in range(len(frame.columns)))
            connection.execute(f"CREATE TABLE t{number} ({columns})")
            with connection.cursor().copy(f"COPY t{number} FROM STDIN") as copy:
                for row in frame.itertuples(index=False):
                    copy.write_row(row)
    return time.perf_counter() - started


def server_import(bench: Bench) -> dict[str, Metric]:
    if bench.server is None:
        return {}
    say("server import: the CSV exports into a new server database, and read_csv + COPY")
    paths = bench.csv_files
    values, floors = [], []
    for run in range(bench.runs.imports):
        floors.append(bare_copy_once(paths, bench.server_database(f"bare_{run}", False)))
        values.append(server_import_once(paths, bench.server_database(f"import_{run}")))
    return {"server_import": Metric(statistics.median(values), statistics.median(floors), 2.0, "s")}


def server_spell_days(connection: Any) -> list[Any]:
    return connection.execute(
        "SELECT unit_id, SUM(COALESCE(to_date, %s) - from_date + 1) "
        "FROM absence_spells GROUP BY unit_id",
        (TODAY,),
    ).fetchall()


def server_unit_list(bench: Bench) -> dict[str, Metric]:
    if bench.server is None:
        return {}
    import psycopg

    from storage.db import open_server

    url = bench.server_demo
    say("server unit list: every unit's figures on the server, and a raw GROUP BY there")
    with psycopg.connect(driver_url(url)) as connection:
        server_spell_days(connection)
        floor = median_time(lambda: server_spell_days(connection), bench.runs.unit_lists)
    engine = open_server(url)
    try:
        value = unit_list_time(engine, bench.runs.unit_lists)
    finally:
        engine.dispose()
    return {"server_unit_list": Metric(value, floor, 2.0, "s")}


def server_cold_start(bench: Bench) -> dict[str, Metric]:
    if bench.server is None:
        return {}
    from sqlalchemy import make_url

    # The password goes to the app's process as the user's would, in PGPASSWORD: not on its
    # command line, where any process on the machine may read it.
    url = make_url(bench.server_demo)
    os.environ["PGPASSWORD"] = str(url.password)  # private_home puts the environment back
    plain = url.set(password=None).render_as_string(hide_password=False)
    say("server cold start: the app on the server until the unit list is shown, and a bare app")
    app_args = ["cold-start", plain, TODAY.isoformat()]
    bare, app = [], []
    for _ in range(bench.runs.starts):
        bare.append(process_time(["bare"]))
        app.append(process_time(app_args))
    return {"server_cold_start": Metric(statistics.median(app), statistics.median(bare), 3.0, "s")}


async def press_time(pilot: Pilot[Any], key: str) -> float:
    started = time.perf_counter()
    await pilot.press(key)
    await pilot.pause()
    return time.perf_counter() - started


@dataclass
class ScreenTimes:
    unit_id: int  # the largest unit, whose meeting was walked through
    steps: dict[str, list[float]]  # each step of probes.MEETING and probes.STATUS, every run
    moves: list[float]
    review_noops: list[float]
    bare_pushes: list[float]  # a key that opens a screen of a header and a line


async def screen_times(bench: Bench) -> ScreenTimes:
    """A meeting with the largest unit and the status overview, step by step, and a bare screen."""
    from tui.app import NaervaerApp

    runs = bench.runs
    app = NaervaerApp(bench.db, today=TODAY)
    steps: dict[str, list[float]] = {name: [] for name, *_ in (*probes.MEETING, *probes.STATUS)}
    moves, review_noops, bare_pushes = [], [], []
    async with app.run_test(size=probes.SIZE) as pilot:
        await probes.wait_until(pilot, lambda: probes.units_shown(app))
        unit_id = probes.largest_unit(app)
        await probes.settle(pilot)
        for _ in range(runs.opens):
            bare_pushes.append(await probes.bare_push(pilot, BARE_KEY))
        # One more run than counted: the first starts the session the others resume, and
        # loads the screens' modules.
        for run in range(runs.opens + 1):
            probes.put_cursor_on(app, unit_id)
            meeting = await probes.walk(pilot, probes.MEETING)
            await probes.back_to_units(pilot)
            status = await probes.walk(pilot, probes.STATUS)
            await probes.back_to_units(pilot)
            if run:
                for name, took in {**meeting, **status}.items():
                    steps[name].append(took)
        probes.put_cursor_on(app, unit_id)
        await probes.open_review(pilot)
        for _ in range(runs.moves):
            review_noops.append(await press_time(pilot, NOOP_KEY))
            moves.append(await press_time(pilot, "n"))
    return ScreenTimes(unit_id, steps, moves, review_noops, bare_pushes)


def unit_months(connection: sqlite3.Connection, unit_id: int) -> list[Any]:
    return connection.execute(
        "SELECT * FROM unit_month_figures WHERE unit_id = ? ORDER BY month", (unit_id,)
    ).fetchall()


def open_measures(connection: sqlite3.Connection, unit_id: int) -> list[Any]:
    return connection.execute(
        "SELECT * FROM measures WHERE unit_id = ? AND status IN ('apen', 'pagar')", (unit_id,)
    ).fetchall()


def agenda_reads(connection: sqlite3.Connection, unit_id: int) -> list[Any]:
    """What the agenda cannot do without: its people's spells (their cases, milestones, flags
    and the unit's figures are made of them) and the unit's measures."""
    measures = connection.execute("SELECT * FROM measures WHERE unit_id = ?", (unit_id,))
    return [*unit_spells(connection, unit_id), *measures.fetchall()]


def unit_spells(connection: sqlite3.Connection, unit_id: int) -> list[Any]:
    return connection.execute(
        "SELECT * FROM absence_spells WHERE employee_id IN "
        "(SELECT employee_id FROM employments WHERE unit_id = ?)",
        (unit_id,),
    ).fetchall()


def project_months(connection: sqlite3.Connection, _unit_id: int) -> list[Any]:
    return connection.execute(
        "SELECT month, SUM(possible), SUM(lost) FROM unit_month_figures WHERE unit_id IN "
        "(SELECT unit_id FROM project_memberships WHERE left_on IS NULL) GROUP BY month"
    ).fetchall()


# The raw SQL under each step's floor, beside the bare screen's key (none: the key alone).
STEP_QUERIES: dict[str, Callable[[sqlite3.Connection, int], list[Any]] | None] = {
    "open_unit": unit_months,
    "open_agenda": agenda_reads,
    "open_checklist": open_measures,
    "open_review": unit_spells,
    "open_summary": None,
    "open_status": project_months,
    "open_savings": None,
}


def screens(bench: Bench) -> dict[str, Metric]:
    say("screens: a meeting with the largest unit and the status overview, step by step")
    times = asyncio.run(screen_times(bench))
    bare = statistics.median(times.bare_pushes)
    metrics = {}
    with closing(sqlite3.connect(bench.db)) as connection:
        for name, query in STEP_QUERIES.items():
            floor = bare
            if query is not None:
                query(connection, times.unit_id)  # the first read also fills the page cache
                runs = bench.runs.unit_lists
                floor += median_time(lambda q=query: q(connection, times.unit_id), runs)
            metrics[name] = Metric(statistics.median(times.steps[name]), floor, 1.5, "s")
    metrics["next_employee"] = Metric(p95(times.moves), p95(times.review_noops), 1.5, "s")
    return metrics


def naervaer_stats(db: Path) -> list[str]:
    """`naervaer stats --json` of the last complete quarter, as the user types it."""
    start, end = STATS_QUARTER
    command = str(Path(sys.executable).with_name("naervaer"))
    period = ["--from", start.isoformat(), "--to", end.isoformat()]
    return [command, "stats", "--db", str(db), "--json", *period]


# What `naervaer stats` needs loaded, and the raw SQL of what it reads: the quarter's
# employments and spells.
BARE_STATS = """
import sys, sqlite3
import numpy, pandas, sqlalchemy
connection = sqlite3.connect(sys.argv[1])
start, end = sys.argv[2:4]
connection.execute(
    "SELECT * FROM employments WHERE start_date <= ? AND (end_date IS NULL OR end_date >= ?)",
    (end, start),
).fetchall()
connection.execute(
    "SELECT * FROM absence_spells WHERE from_date <= ? AND (to_date IS NULL OR to_date >= ?)",
    (end, start),
).fetchall()
"""


def cli_stats(bench: Bench) -> Metric:
    say("cli stats: `naervaer stats --json` for a quarter, and python -c with the raw SQL")
    start, end = STATS_QUARTER
    # A copy: the command brings the figures to the real today, the demo's are for TODAY.
    db = bench.folder / "stats.sqlite"
    with closing(sqlite3.connect(bench.db)) as source, closing(sqlite3.connect(db)) as copy:
        source.backup(copy)
    bare = [sys.executable, "-c", BARE_STATS, str(db), start.isoformat(), end.isoformat()]
    command = naervaer_stats(db)

    def run(args: list[str]) -> None:
        subprocess.run(args, capture_output=True, check=True)

    run(command)  # the day's first start takes the daily backup and brings the figures to today
    floors, values = [], []
    for _ in range(bench.runs.starts):
        floors.append(timed(lambda: run(bare)))
        values.append(timed(lambda: run(command)))
    return Metric(statistics.median(values), statistics.median(floors), 1.5, "s")


def peak_rss(bench: Bench) -> Metric:
    say("peak memory: a process that opens the largest unit's review")
    peak = int(run_probe(["peak-rss", str(bench.db), TODAY.isoformat()]))
    return Metric(peak / 2**20, None, 250.0, "MB")


def import_rss(bench: Bench) -> Metric:
    paths = bench.employee_files
    count = f"{bench.runs.employees:,}".replace(",", " ")
    say(f"import memory: a process that imports {count} employees into a new database")
    target = bench.folder / "employees.sqlite"
    peak = int(run_probe(["import-rss", str(target), *map(str, paths)]))
    return Metric(peak / 2**20, None, 1024.0, "MB")


def scaling(bench: Bench) -> Metric:
    from storage.db import open_database

    double = open_database(bench.double_db)
    say("scaling: the unit list on twice the data")
    try:
        value = unit_list_time(double, bench.runs.unit_lists)
    finally:
        double.dispose()
    return Metric(value, unit_list_time(bench.engine, bench.runs.unit_lists), 2.2, "s")


def list_and_status_time(engine: Engine, runs: int) -> float:
    """The unit list's and the status overview's reads, one after the other."""
    from storage.usecases.status import status_report
    from storage.usecases.units import unit_list

    def load() -> None:
        unit_list(engine, TODAY)
        status_report(engine, TODAY)

    load()  # the first call also imports what it needs
    return median_time(load, runs)


def scaling_4x(bench: Bench) -> Metric:
    from storage.db import open_database

    quad = open_database(bench.quad_db)
    say("scaling 4×: the unit list and the status overview on four times the data")
    try:
        value = list_and_status_time(quad, bench.runs.unit_lists)
    finally:
        quad.dispose()
    return Metric(value, list_and_status_time(bench.engine, bench.runs.unit_lists), 4.4, "s")


def peak_rss_4x(bench: Bench) -> Metric:
    db = bench.quad_db
    say("peak memory 4×: a process that opens the largest unit's review at four times the data")
    peak = int(run_probe(["peak-rss", str(db), TODAY.isoformat()]))
    return Metric(peak / 2**20, None, 400.0, "MB")


def forecast_mae(bench: Bench) -> Metric:
    from storage.usecases.forecast import backtest

    say("forecast: back-test of the prognosis against the naive seasonal forecast")
    errors = backtest(bench.engine, TODAY)
    return Metric(errors.method_mae_pp, errors.naive_mae_pp, 1.0, "pp")


METRICS: dict[str, Callable[[Bench], dict[str, Metric]]] = {
    "cold_start": lambda bench: {"cold_start": cold_start(bench)},
    "unit_list": lambda bench: {"unit_list": unit_list(bench)},
    "import": lambda bench: {"import": import_(bench)},
    "screens": screens,
    "peak_rss": lambda bench: {"peak_rss": peak_rss(bench)},
    "import_rss": lambda bench: {"import_rss": import_rss(bench)},
    "scaling": lambda bench: {"scaling": scaling(bench)},
    "cli_stats": lambda bench: {"cli_stats": cli_stats(bench)},
    "scaling_4x": lambda bench: {"scaling_4x": scaling_4x(bench)},
    "peak_rss_4x": lambda bench: {"peak_rss_4x": peak_rss_4x(bench)},
    "forecast_mae": lambda bench: {"forecast_mae": forecast_mae(bench)},
    "server_import": server_import,
    "server_unit_list": server_unit_list,
    "server_cold_start": server_cold_start,
}


# --- output -------------------------------------------------------------------------------------


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    shown = f"{value * 1000:.1f} ms" if unit == "s" and value < 1 else f"{value:.3g} {unit}"
    return shown.strip()


def table(scale: str, metrics: dict[str, Metric], skipped: list[str]) -> str:
    headers = ("metric", "value", "floor", "ratio", "target", "ok")
    rows = [
        (
            name,
            number(m.value, m.unit),
            number(m.floor, m.unit),
            number(m.ratio),
            f"≤ {m.target:g}" + (f" {m.unit}" if m.floor is None else ""),
            "yes" if m.ok else "NO",
        )
        for name, m in metrics.items()
    ]
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(len(headers))]
    lines = [f"Nærvær benchmark, {scale} scale"]
    for row in (headers, tuple("-" * w for w in widths), *rows):
        cells = [
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells))
    lines += [m.note for m in metrics.values() if m.note]
    lines += skipped
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=list(RUNS), default="municipality")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(METRICS),
        metavar="NAME",
        help=f"measure only these ({', '.join(METRICS)}; screens: open_… and next_employee)",
    )
    args = parser.parse_args(argv)
    metrics: dict[str, Metric] = {}
    with private_home() as folder:
        bench = Bench(folder, args.scale)
        try:
            for name in args.only or METRICS:
                metrics.update(METRICS[name](bench))
        finally:
            bench.close()
    if args.json:
        document = {
            "scale": args.scale,
            "metrics": {k: m.as_json() for k, m in metrics.items()},
            "skipped": bench.skipped,
        }
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(table(args.scale, metrics, bench.skipped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
