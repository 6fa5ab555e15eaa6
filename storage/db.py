"""Opening the database: private files, pragmas, migrations (copied first), sole use, keys."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from storage.paths import (
    NotPrivate,
    backup_dir,
    backups_of,
    data_dir,
    make_folders,
    make_private,
)

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision. A database already at it opens without loading alembic (a
# large part of a start); tests/storage/test_upgrades.py checks it against the migrations.
SCHEMA_REVISION = "0003"
BUSY_TIMEOUT_MS = 5000
LOCK_SUFFIX = ".lock"
SQLITE_HEADER = b"SQLite format 3\x00"
# Bytes 21 to 23 of every SQLite file's header (payload fractions), after the 16-byte magic.
PAYLOAD_FRACTIONS = b"\x40\x20\x20"
# SQLCipher writes whole pages of a multiple of 512 bytes, with no readable header.
CIPHER_UNIT = 512


class DatabaseError(Exception):
    """A database problem explained in Norwegian for the user."""


# The passphrase of each engine made for an encrypted file (see `engine_passphrase`).
_PASSPHRASES: WeakKeyDictionary[Engine, str] = WeakKeyDictionary()


def restore_hint(path: Path) -> str:
    """What to do about a damaged database: restore it, from the newest backup if there is one."""
    backups = backups_of(path)
    if backups:
        return (
            f"Gjenopprett den fra den nyeste sikkerhetskopien: naervaer --db {path} restore "
            f"{backups[-1]}"
        )
    return (
        f"Gjenopprett den fra en sikkerhetskopi med naervaer --db {path} restore FIL "
        f"(det er ingen i {backup_dir(path)})."
    )


def file_problem(path: Path) -> DatabaseError | None:
    """What makes the file at `path` no usable database, told by its first bytes and its size.

    None for a missing or empty file, an SQLite file and what looks like an encrypted one.
    Read before any connection to the file is made (see `engine_passphrase`).
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            header = file.read(100)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return DatabaseError(f"{path} er en mappe, ikke en database. Oppgi en fil med --db FIL.")
    except OSError as error:
        return DatabaseError(
            f"Får ikke lese databasen {path}: {error.strerror}. Sjekk tilgangen til filen."
        )
    if size == 0:
        return None
    if header.startswith(SQLITE_HEADER):
        return _truncation(path, header, size)
    if header[21:24] == PAYLOAD_FRACTIONS:
        return DatabaseError(
            f"Databasen {path} er skadet: starten av filen er overskrevet. {restore_hint(path)}"
        )
    if size % CIPHER_UNIT == 0:
        return None  # encrypted; only its passphrase can tell more
    return DatabaseError(
        f"{path} er ikke en Nærvær-database (verken en SQLite-fil eller en kryptert database). "
        "Sjekk filnavnet, velg databasen med --db FIL, eller lag en ny med naervaer demo "
        "eller naervaer import."
    )


def _truncation(path: Path, header: bytes, size: int) -> DatabaseError | None:
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid only when written by the same change as the counter at 24.
    counted = header[24:28] == header[92:96] and pages > 0
    # A WAL beside the file may hold the pages a checkpoint had not yet written.
    wal = Path(f"{path}-wal")
    if not counted or size >= page_size * pages or (wal.exists() and wal.stat().st_size):
        return None
    return DatabaseError(
        f"Databasen {path} er avkortet: filen har {size} byte, men skal ha "
        f"{page_size * pages}. En kopiering eller lagring ble trolig avbrutt. {restore_hint(path)}"
    )


# What SQLite says (the same words in every version and driver) -> the kind of problem.
SQLITE_PROBLEMS = {
    "database disk image is malformed": "damaged",
    "file is not a database": "damaged",
    "database or disk is full": "full",
    "attempt to write a readonly database": "read_only",
    "unable to open database file": "cannot_open",
    "database is locked": "locked",
    "database table is locked": "locked",
    "disk i/o error": "io",
}


def sqlite_problem(error: BaseException) -> str | None:
    """The kind of problem an SQLite error (SQLAlchemy's wrapping, or any driver's) is."""
    error = getattr(error, "orig", None) or error
    # sqlcipher3's errors are not sqlite3's; other errors are never read as SQLite's.
    if not isinstance(error, sqlite3.Error) and not type(error).__module__.startswith("sqlcipher3"):
        return None
    text = str(error).lower()
    return next((kind for words, kind in SQLITE_PROBLEMS.items() if words in text), None)


def explain(error: BaseException, path: Path | None = None) -> DatabaseError | None:
    """The Norwegian message for an SQLite error about the database (at `path`, if known);
    None for an error that says nothing about the file. Reads no file."""
    kind = sqlite_problem(error)
    where = f"Databasen {path}" if path else "Databasen"
    if kind == "damaged":
        hint = (
            restore_hint(path)
            if path
            else "Gjenopprett den fra en sikkerhetskopi (naervaer restore)."
        )
        return DatabaseError(f"{where} er skadet og kan ikke brukes slik den er. {hint}")
    if kind == "full":
        return DatabaseError(
            f"Disken er full, så {where.lower()} kan ikke skrives. Frigjør plass og prøv igjen; "
            "det som ikke ble lagret, er ikke skrevet."
        )
    if kind in ("read_only", "cannot_open"):
        folder = f" eller mappen {path.parent}" if path else " eller mappen den ligger i"
        return DatabaseError(
            f"{where} kan ikke {'skrives' if kind == 'read_only' else 'åpnes'}: du mangler "
            f"tilgang til filen{folder}, eller den ligger på en skrivebeskyttet disk. Sjekk "
            "tilgangen, eller velg en annen database med --db FIL."
        )
    if kind == "locked":
        return DatabaseError(
            f"{where} er opptatt: et annet program skriver i den. Vent litt og prøv igjen."
        )
    if kind == "io":
        return DatabaseError(
            f"{where} kunne ikke leses eller skrives (lese- eller skrivefeil på disken). "
            "Sjekk disken, og prøv igjen."
        )
    return None


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, passphrase: str | None = None) -> Engine:
    """An engine for `url`; with `passphrase`, on SQLCipher, for an encrypted database file."""
    if passphrase is None:
        engine = create_engine(url)
    else:
        from storage import crypto  # crypto builds on this module

        database = Path(str(make_url(url).database))
        # The key must be the first statement on every connection, before SQLAlchemy's own.
        engine = create_engine(
            url, module=crypto.dbapi(), creator=partial(crypto.connect, database, passphrase)
        )
        _PASSPHRASES[engine] = passphrase
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def engine_passphrase(engine: Engine) -> str | None:
    """The passphrase `engine` keys its connections with; None for a plain database.

    Known from the engine, not read from the file: a process connected to a database must
    never open its file by a descriptor of its own. On POSIX, closing any descriptor of a file
    drops all of the process's locks on it; the next process to close its connection would
    take itself for the last, fold the WAL into the file and delete it under this one.
    """
    return _PASSPHRASES.get(engine)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def stored_revision(engine: Engine) -> str | None:
    """The schema revision the database is at; None for a new, empty file."""
    with engine.connect() as connection:
        try:
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except OperationalError:  # no such table: nothing was ever migrated
            return None


def _revisions(engine: Engine) -> tuple[str | None, str]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

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
    if stored_revision(engine) == SCHEMA_REVISION:
        return None
    from alembic import command

    current, head = _revisions(engine)
    if current == head:
        return None
    copy = None
    if current is not None and db_file is not None and db_file.exists():
        from storage.maintenance import backup  # maintenance builds on this module

        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        # Through SQLite, never by copying the file: see `engine_passphrase`.
        copy = backup(
            engine, db_file.with_name(f"{db_file.name}.før-oppgradering-{current}-{stamp}")
        )
    command.upgrade(alembic_config(engine), "head")
    return copy


def open_database(
    path: Path,
    passphrase: str | None = None,
    notice: Callable[[str], None] | None = None,
    *,
    create: bool = True,
) -> Engine:
    """Open the database at `path` (creating it if `create`), private and at the newest schema.

    `passphrase` opens an encrypted database (a plain one does not need it); `notice` is told,
    in Norwegian, when permissions were too open and have been narrowed. A file that is no
    usable database is refused with a DatabaseError saying why, before anything is written.
    """
    from storage import crypto  # crypto builds on this module

    if not create and (not path.is_file() or path.stat().st_size == 0):
        raise DatabaseError(
            f"Fant ingen database på {path}. Sjekk filnavnet, velg databasen med --db FIL, "
            "eller lag en med naervaer demo eller naervaer import."
        )
    problem = file_problem(path)
    if problem is not None:
        raise problem
    # Folders are narrowed only where they are Nærvær's: one it makes now, the user's own
    # data folder; never a folder others share (say /tmp, sticky and open to all).
    ours = not path.parent.exists() or path.parent.resolve() == data_dir().resolve()
    make_folders(path.parent)
    _make_private(path, notice, ours)
    if not path.exists():
        # Create the file private from the first byte: no window where others can read it.
        # SQLite gives -wal and -shm the database file's permissions when it creates them.
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    encrypted = crypto.is_encrypted(path)
    if encrypted and passphrase is None:
        raise crypto.EncryptionError(
            f"Databasen {path} er kryptert. Oppgi passordet når Nærvær spør, "
            f"eller sett {crypto.PASSPHRASE_ENV}."
        )
    engine = make_engine(f"sqlite:///{path}", passphrase if encrypted else None)
    try:
        upgrade(engine, path)
    except BaseException as error:
        engine.dispose()  # no connection left holding the file of a refused database
        explained = explain(error, path) if isinstance(error, DBAPIError) else None
        if explained is not None:
            raise explained from error
        raise
    return engine


def _make_private(path: Path, notice: Callable[[str], None] | None, own_folder: bool) -> None:
    try:
        changed = make_private(path, backup_dir(path), own_folder=own_folder)
    except NotPrivate as error:
        names = ", ".join(str(p) for p in error.paths)
        raise DatabaseError(
            f"Andre brukere kan lese {names}, og Nærvær fikk ikke begrenset tilgangen. "
            "Flytt databasen til en mappe på din egen disk (med --db FIL)."
        ) from None
    if changed and notice is not None:
        notice(
            f"Andre brukere hadde tilgang til {len(changed)} av databasens filer og mapper i "
            f"{path.parent}. Nå har bare du det."
        )


@contextmanager
def in_sole_use(path: Path) -> Iterator[None]:
    """Hold the database for this process alone: while the app runs, or the file is rewritten.

    DatabaseError if another process holds it. Commands that only read or write rows need no
    such hold: SQLite serialises them. The kernel releases the lock if the process dies.
    """
    if os.name != "posix":  # flock is POSIX; elsewhere SQLite's own locking is all there is
        yield
        return
    import fcntl

    make_folders(path.parent)
    # A file of its own: SQLite's byte-range locks on the database must not meet this one.
    fd = os.open(f"{path}{LOCK_SUFFIX}", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseError(
                f"Databasen {path} er allerede åpen i Nærvær, i et annet vindu eller en annen "
                "terminal. Bruk den, eller lukk den først."
            ) from None
        yield
    finally:
        os.close(fd)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed at the end, or rolled back whole on any error."""
    with session_factory(engine)() as session, session.begin():
        yield session
