"""A database file copied whole through SQLite, private and checked: what a backup, a restore
and the copy before an upgrade share. Below storage.db and storage.maintenance, which both copy.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any

from storage import crypto
from storage import sqlite as sqlite_file
from storage.dbfile import DatabaseError, restore_hint, sqlite_problem


def connect(path: Path, passphrase: str | None = None, timeout: float = 5.0) -> Any:
    """A connection to the file at `path`: keyed on SQLCipher with `passphrase`, else plain."""
    if passphrase is not None:
        # Checks the key at once: WrongPassphrase rather than an error halfway through a copy.
        return crypto.connect(path, passphrase, timeout=timeout)
    return sqlite_file.connect_file(path, timeout)


def sqlite_errors(encrypted: bool, *more: type[Exception]) -> tuple[type[Exception], ...]:
    """The errors SQLite raises on a file it copies or checks: sqlcipher3's are not
    subclasses of sqlite3's."""
    if encrypted:
        return (sqlite3.Error, crypto.dbapi().Error, *more)
    return (sqlite3.Error, *more)


def copy_private(source: Path, target: Path, key: str | None, *, checked: bool = True) -> None:
    """Copy `source` to `target`, private and self-contained. With `checked`, the copy (a
    snapshot of the source) is kept only if it passes SQLite's checks: a backup of a damaged
    database would be kept in place of a good one."""
    # mkstemp creates the file 0600, so no one else can read it at any point; the copy is
    # renamed into place only when complete, so a crash never leaves a half backup behind.
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    partial = Path(name)
    try:
        # The copy is keyed before the first page is written: SQLCipher encrypts every page
        # of it with the same passphrase (under a salt of its own).
        with closing(connect(source, key)) as src, closing(connect(partial, key)) as dst:
            sqlite_file.copy_into(src, dst)
            # The copy keeps the source's WAL flag; a backup should be one self-contained file.
            sqlite_file.leave_wal(dst)
            damage = sqlite_file.damage(dst, key is not None) if checked else None
        if damage is not None:
            raise DatabaseError(_damaged(source, damage))
        if key is not None and not crypto.is_encrypted(partial):
            raise DatabaseError("Sikkerhetskopien ble ikke kryptert, så den er slettet igjen.")
        os.replace(partial, target)
    except sqlite_errors(key is not None, OSError) as error:
        raise _copy_failed(source, error) from error
    finally:
        partial.unlink(missing_ok=True)  # gone already when the copy was renamed into place


def _damaged(source: Path, detail: str) -> str:
    return (
        f"Databasen {source} er skadet ({detail}). Ingen ny sikkerhetskopi er tatt, og de "
        f"eldre er beholdt. {restore_hint(source)}"
    )


def _copy_failed(source: Path, error: Exception) -> DatabaseError:
    kind = sqlite_problem(error)
    if kind == "damaged":
        return DatabaseError(_damaged(source, str(error)))
    if kind == "full" or getattr(error, "errno", None) == errno.ENOSPC:
        return DatabaseError(
            "Disken er full, så sikkerhetskopien kunne ikke tas. Frigjør plass og prøv igjen."
        )
    return DatabaseError(f"Sikkerhetskopien kunne ikke tas: {error}")
