"""Data coming in: an import package, the demo municipality, the templates for HR."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from sqlalchemy import Engine

from storage.demo import DemoSummary, generate, summarise, write_demo
from storage.importer import (
    ImportProblem,
    ImportReport,
    Progress,
    format_problems,
    read_package,
    write_package,
)
from storage.sync.state import refuse_servers_work
from storage.templates import write_templates
from storage.usecases import writing
from storage.usecases.project import join_from_import
from storage.usecases.status import store_status

__all__ = [
    "DemoSummary",
    "ImportProblem",
    "ImportReport",
    "format_problems",
    "import_files",
    "load_demo",
    "write_templates",
]


def import_files(
    engine: Engine,
    paths: list[Path],
    dry_run: bool = False,
    progress: Progress | None = None,
    mapping: Path | None = None,
) -> ImportReport:
    """Read, validate and (unless `dry_run`) write the files, all or nothing.

    `paths` are CSV files, workbooks, or folders (their CSV and Excel files are read).
    `mapping` is a column mapping file (see storage.importing.mapping); a bad one rejects the
    import before any file is read. Any error rejects the whole import and nothing is written;
    warnings are reported and the import goes on. `progress(label, done, total)` is called with
    each file's (or sheet's) name when it has been read (every 10,000 rows for large ones),
    then with "lagrer i databasen" every 10,000 rows written.
    """
    package = read_package(paths, dry_run, progress, mapping)
    if not package.read:
        return package.report
    with writing(engine) as session:
        refuse_servers_work(session.connection(), "Import")
        report = write_package(session, package, join_from_import, progress)
        store_status(session.connection())
        return report


def load_demo(
    engine: Engine,
    scale: str = "small",
    seed: int = 1,
    today: dt.date | None = None,
    *,
    replace: bool = False,
) -> DemoSummary:
    """Generate a municipality and write it in one transaction, figures included.

    Refuses a database that already has units, unless `replace`, which first deletes all data
    (units, people, absence, sessions and measures; settings are kept).
    """
    started = time.perf_counter()
    today = today or dt.date.today()
    data = generate(scale, seed, today)
    with writing(engine) as session:
        refuse_servers_work(session.connection(), "Innlasting av demodata")
        write_demo(session, data, replace=replace)
        store_status(session.connection())
    return summarise(data, scale, seed, today, time.perf_counter() - started)
