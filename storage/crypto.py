"""Encryption at rest with SQLCipher: keyed connections, and rewriting a database either way."""

from __future__ import annotations

import os
import tempfile
from contextlib import closing
from pathlib import Path
from types import ModuleType
from typing import Any

from storage.dbfile import SQLITE_HEADER, DatabaseError, file_problem, in_sole_use

PASSPHRASE_ENV = "NAERVAER_PASSPHRASE"
IN_USE = "Databasen er i bruk. Lukk Nærvær og prøv igjen; ingenting er endret."
MIN_LENGTH = 8


class EncryptionError(DatabaseError):
    """Encryption cannot be done as asked; the message says why, in Norwegian."""


class WrongPassphrase(EncryptionError):
    """The passphrase does not open the database."""


def dbapi() -> ModuleType:
    """SQLCipher's DB-API module; it is an optional extra, so its absence is explained."""
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        raise EncryptionError(
            "Kryptering krever tillegget sqlcipher3. Installer det med "
            "«pip install 'naervaer[crypto]'» og prøv igjen."
        ) from None
    return dbapi2


def is_encrypted(path: Path) -> bool:
    """Whether the file at `path` holds an encrypted database: no SQLite header, and none of
    the signs of a damaged or foreign file (see `file_problem`).

    It reads the file: never call it on a database this process is connected to (see
    `storage.db.engine_passphrase`).
    """
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return False
    return bool(header) and header != SQLITE_HEADER and file_problem(path) is None


def passphrase_problem(passphrase: str) -> str | None:
    """Why `passphrase` cannot protect a database, or None if it can."""
    if len(passphrase) < MIN_LENGTH:
        return f"Passordet må ha minst {MIN_LENGTH} tegn."
    if "\x00" in passphrase:
        return "Passordet kan ikke inneholde NUL-tegn."
    return None


def _open(path: Path, passphrase: str | None, timeout: float) -> Any:
    module = dbapi()
    connection = module.connect(str(path), timeout=timeout, check_same_thread=False)
    # SQLCipher logs a failed decryption to stderr, where the app draws its screen.
    connection.execute("PRAGMA cipher_log_level = NONE")
    if passphrase is not None:
        if "\x00" in passphrase:
            connection.close()
            raise WrongPassphrase(_wrong(path))
        quoted = passphrase.replace("'", "''")
        connection.execute(f"PRAGMA key = '{quoted}'")
    return connection


def _wrong(path: Path) -> str:
    return f"Feil passord for databasen {path} (eller filen er skadet)."


def connect(path: Path, passphrase: str, *, timeout: float = 5.0) -> Any:
    """A DB-API connection to the encrypted database at `path`; WrongPassphrase if it is not."""
    module = dbapi()
    connection = _open(path, passphrase, timeout)
    try:
        # The key is only tried when the first page is read.
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except module.OperationalError:  # locked or unreadable: not a question of the passphrase
        connection.close()
        raise
    except module.DatabaseError:
        connection.close()
        raise WrongPassphrase(_wrong(path)) from None
    return connection


def fits_first_page(path: Path, passphrase: str) -> bool:
    """Whether `passphrase` decrypts the first page of `path`, however damaged the rest is.

    Every page carries a MAC, the first one too, so only the right key reads it: a file that
    fails `connect` but passes this is damaged, not locked with another passphrase.
    """
    module = dbapi()
    try:
        with closing(_open(path, passphrase, timeout=1.0)) as connection:
            connection.execute("PRAGMA user_version").fetchone()  # reads the first page only
    except (WrongPassphrase, module.DatabaseError):
        return False
    return True


def check_passphrase(path: Path, passphrase: str) -> None:
    """Raise WrongPassphrase unless `passphrase` opens the database at `path`."""
    connect(path, passphrase).close()


def encrypt(path: Path, passphrase: str) -> None:
    """Rewrite the plain database at `path` encrypted with `passphrase`."""
    problem = passphrase_problem(passphrase)
    if problem:
        raise EncryptionError(problem)
    if not path.is_file():
        raise EncryptionError(f"Fant ingen database på {path}.")
    if is_encrypted(path):
        raise EncryptionError(f"{path.name} er allerede kryptert.")
    _rewrite(path, None, passphrase)


def decrypt(path: Path, passphrase: str) -> None:
    """Rewrite the encrypted database at `path` as plain SQLite."""
    if not path.is_file():
        raise EncryptionError(f"Fant ingen database på {path}.")
    if not is_encrypted(path):
        raise EncryptionError(f"{path.name} er ikke kryptert.")
    _rewrite(path, passphrase, "")


def _rewrite(path: Path, source_key: str | None, target_key: str) -> None:
    """Export every table to a new file under `target_key` ('' for plain), then swap it in."""
    module = dbapi()
    # mkstemp makes the file 0600; it replaces the database only once complete and checked.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    rewritten = Path(name)
    try:
        with in_sole_use(path):
            with closing(_open(path, source_key, timeout=1.0)) as source:
                try:
                    # Folds the WAL into the file and removes it: a WAL left beside the new file
                    # would be replayed into it.
                    mode = source.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
                    if mode != "delete":
                        raise EncryptionError(IN_USE)
                    source.execute(
                        "ATTACH DATABASE ? AS target KEY ?", (str(rewritten), target_key)
                    )
                    source.execute("SELECT sqlcipher_export('target')")
                    source.execute("DETACH DATABASE target")
                except module.OperationalError as error:
                    raise EncryptionError(f"Kunne ikke skrive databasen om: {error}.") from error
                except module.DatabaseError:
                    raise WrongPassphrase(_wrong(path)) from None
            _check_copy(rewritten, target_key or None)
            with rewritten.open("rb+") as file:
                os.fsync(file.fileno())
            os.replace(rewritten, path)
    finally:
        rewritten.unlink(missing_ok=True)


def _check_copy(path: Path, passphrase: str | None) -> None:
    with closing(_open(path, passphrase, timeout=1.0)) as connection:
        if connection.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
            raise EncryptionError("Den omskrevne databasen var ikke hel; ingenting er endret.")


def plain_copies(db_path: Path, backup_folder: Path) -> list[Path]:
    """Unencrypted copies left beside the database: backups and the copies before upgrades."""
    beside = [p for p in db_path.parent.iterdir() if p.name.startswith(f"{db_path.name}.")]
    backups = list(backup_folder.iterdir()) if backup_folder.is_dir() else []
    return sorted(p for p in [*beside, *backups] if p.is_file() and _is_plain(p))


def _is_plain(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
