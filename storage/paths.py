"""Where the database lives: the user's data folder, unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "naervaer"
DB_ENV = "NAERVAER_DB"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "naervaer.sqlite"


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--db PATH` first, then $NAERVAER_DB, then the user's data folder."""
    if explicit:
        return Path(explicit).expanduser().absolute()
    from_env = os.environ.get(DB_ENV)
    if from_env:
        return Path(from_env).expanduser().absolute()
    return default_db_path()


def ensure_private_dir(folder: Path) -> None:
    """Create the folder readable by the user alone (0700)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        folder.chmod(0o700)


def log_file() -> Path:
    """The error log: tracebacks only, never names or notes (see tui.cli)."""
    folder = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    ensure_private_dir(folder)
    return folder / "naervaer.log"
