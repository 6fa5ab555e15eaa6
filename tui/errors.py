"""Turning any error into one short Norwegian line, and logging where it happened."""

from __future__ import annotations

import datetime as dt
import errno
import traceback
from pathlib import Path


def log_error(error: BaseException) -> Path | None:
    """Log where it failed, not what with: an error's message can carry names or notes."""
    try:
        from storage.paths import log_file

        path = log_file()
        stack = "".join(traceback.format_tb(error.__traceback__))
        with path.open("a", encoding="utf-8") as out:
            out.write(f"{dt.datetime.now().isoformat()} {type(error).__name__}\n{stack}\n")
        return path
    except OSError:
        return None


def describe(error: BaseException) -> str:
    """The message for the user. Our own errors carry Norwegian text; others are logged."""
    from core.errors import InvalidInput
    from storage.db import DatabaseError, explain

    if isinstance(error, DatabaseError | InvalidInput):
        return str(error)
    explained = explain(error)  # a full disk, a read-only or damaged file, a lock
    if explained is not None:
        return str(explained)
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return "Disken er full. Frigjør plass og prøv igjen."
    if isinstance(error, PermissionError | FileNotFoundError | IsADirectoryError):
        return f"Får ikke tilgang til filen {error.filename}."
    where = log_error(error)
    hint = f" Detaljer er skrevet til {where}." if where else ""
    return f"Noe gikk galt ({type(error).__name__}).{hint}"
