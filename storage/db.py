"""Engine set-up: pragmas per connection, migrations at start, a copy before any upgrade."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from storage.paths import ensure_private_dir

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 5000


class DatabaseError(Exception):
    """A database problem explained in Norwegian for the user."""


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def _revisions(engine: Engine) -> tuple[str | None, str]:
    script = ScriptDirectory.from_config(alembic_config(engine))
    head = script.get_current_head()
    assert head is not None
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise DatabaseError(
            "Databasen er laget av en nyere versjon av Nærvær enn denne. "
            "Oppgrader Nærvær før du åpner den; filen er ikke endret."
        )
    return current, head


def upgrade(engine: Engine, db_file: Path | None) -> Path | None:
    """Bring the schema to the newest revision; copy the file first if it holds data."""
    current, head = _revisions(engine)
    if current == head:
        return None
    backup = None
    if current is not None and db_file is not None and db_file.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = db_file.with_name(f"{db_file.name}.før-oppgradering-{current}-{stamp}")
        with engine.connect() as connection:  # fold the WAL into the file before copying
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy2(db_file, backup)
        os.chmod(backup, 0o600)
    command.upgrade(alembic_config(engine), "head")
    return backup


def open_database(path: Path) -> Engine:
    """Open (creating if needed) the SQLite database at `path`, migrated to the newest schema."""
    ensure_private_dir(path.parent)
    if not path.exists():
        # Create the file private from the first byte: no window where others can read it.
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, path)
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists() and os.name == "posix":
            part.chmod(0o600)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed at the end, or rolled back whole on any error."""
    with session_factory(engine)() as session, session.begin():
        yield session
