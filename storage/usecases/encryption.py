"""Whether a database file is encrypted, and its passphrase checked, before it is opened.

Every command on a file asks this first, so it loads nothing but storage.crypto: the backups,
the purge and encrypting a file (storage.usecases.maintenance) load the ORM and Alembic.
"""

from __future__ import annotations

from storage.crypto import (
    PASSPHRASE_ENV,
    WrongPassphrase,
    check_passphrase,
    is_encrypted,
    passphrase_problem,
)

__all__ = [
    "PASSPHRASE_ENV",
    "WrongPassphrase",
    "check_passphrase",
    "is_encrypted",
    "passphrase_problem",
]
