"""The database as a whole: backups and restoring one, purging personal data, encryption."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from storage import crypto, maintenance
from storage.db import open_database
from storage.maintenance import (
    PurgeReport,
    backup,
    check_purge,
    clean_file,
    cutoff_date,
    daily_backup,
    ended_before,
    renew_daily_backups,
    retention_text,
)
from storage.paths import backup_dir
from storage.sync.state import refuse_servers_work
from storage.usecases import reading, writing
from storage.usecases.status import store_status

__all__ = [
    "PurgeReport",
    "backup",
    "check_purge",
    "clean_file",
    "daily_backup",
    "decrypt",
    "encrypt",
    "encryption_available",
    "purge",
    "restore",
    "retention_reminder",
]


def purge(
    engine: Engine,
    *,
    unit_code: str | None = None,
    employee_number: str | None = None,
    older_than_years: int | None = None,
    today: dt.date | None = None,
) -> PurgeReport:
    """Delete one unit, one person, or what ended more than N years ago, in one transaction;
    then clean the file and renew its automatic backups, so that nothing deleted is left
    readable in them."""
    check_purge(unit_code, employee_number, older_than_years)
    with writing(engine) as session:
        refuse_servers_work(session.connection(), "Sletting")
        removed, still_named_in = maintenance.delete_data(
            session,
            unit_code=unit_code,
            employee_number=employee_number,
            older_than_years=older_than_years,
            today=today or dt.date.today(),
        )
        store_status(session.connection())
    cleaned = clean_file(engine)
    if engine.dialect.name == "sqlite":
        renew_daily_backups(engine)  # the app's copies of the day held what was removed
    return PurgeReport(removed, cleaned, still_named_in)


def restore(source: Path, db_path: Path, passphrase: str | None = None) -> Path | None:
    """Replace the database with the backup `source` and bring it to the newest schema (an
    older backup is upgraded, and copied first); returns the copy of what was there (None if
    there was no database). See storage.maintenance.restore for what is refused."""
    safety = maintenance.restore(source, db_path, passphrase)
    # The passphrase is the backup's.
    open_database(db_path, passphrase).dispose()
    return safety


def encryption_available() -> None:
    """EncryptionError, saying how to install it, unless SQLCipher is there."""
    crypto.dbapi()


def encrypt(path: Path, passphrase: str) -> tuple[Path, ...]:
    """Rewrite the plain database at `path` encrypted with `passphrase`; returns the copies
    of the database left beside it unencrypted (backups, copies before upgrades)."""
    crypto.encrypt(path, passphrase)
    return tuple(crypto.plain_copies(path, backup_dir(path)))


def decrypt(path: Path, passphrase: str) -> None:
    """Rewrite the encrypted database at `path` as plain SQLite."""
    crypto.decrypt(path, passphrase)


def retention_reminder(engine: Engine, years: int, today: dt.date) -> str | None:
    """A one-line reminder when spells or employments ended more than `years` years ago."""
    cutoff = cutoff_date(today, years)
    with reading(engine) as conn:
        counts = ended_before(conn, cutoff)
    return retention_text(counts, cutoff, years)
