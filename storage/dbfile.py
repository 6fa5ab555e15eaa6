"""The database file itself: what its first bytes and SQLite's errors say of it, and holding
it for one process alone.

Below storage.db and storage.crypto, which both read files before connecting to them.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.paths import backup_dir, backups_of, make_folders

LOCK_SUFFIX = ".lock"
SQLITE_HEADER = b"SQLite format 3\x00"
# Bytes 21 to 23 of every SQLite file's header (payload fractions), after the 16-byte magic.
PAYLOAD_FRACTIONS = b"\x40\x20\x20"
# SQLCipher writes whole pages of a multiple of 512 bytes, with no readable header.
CIPHER_UNIT = 512


class DatabaseError(Exception):
    """A database problem explained in Norwegian for the user."""


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
