"""Where the database lives, and keeping its folder and files readable by the user alone."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path

import platformdirs

APP_NAME = "naervaer"
DB_ENV = "NAERVAER_DB"
BACKUP_FOLDER = "backups"
# Group and others: any of these bits lets someone besides the user at the data.
SHARED_BITS = stat.S_IRWXG | stat.S_IRWXO


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "naervaer.sqlite"


def is_url(text: str | os.PathLike[str]) -> bool:
    """Anything with `://` names a database server by its URL, never a file."""
    return "://" in str(text)


def given_url(explicit: str | os.PathLike[str] | None = None) -> str | None:
    """The server URL that `--db` (first) or $NAERVAER_DB names; None where they name a file."""
    given = str(explicit or os.environ.get(DB_ENV) or "")
    return given if is_url(given) else None


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--db PATH` first, then $NAERVAER_DB, then the user's data folder.

    Never called for a server: ask `given_url` first (a URL read as a path would make folders
    named after it).
    """
    if given_url(explicit) is not None:
        raise ValueError("a server URL is no path")
    if explicit:
        return Path(explicit).expanduser().absolute()
    from_env = os.environ.get(DB_ENV)
    if from_env:
        return Path(from_env).expanduser().absolute()
    return default_db_path()


def backup_dir(db_path: Path) -> Path:
    """Where the database's backups are kept: a folder beside it."""
    return db_path.parent / BACKUP_FOLDER


def backups_of(db_path: Path) -> list[Path]:
    """The backups Nærvær took of the database (by hand and daily), oldest first.

    Only copies that passed the check when taken; not the copies of what was there before a
    restore, which are kept as they were, damaged or not.
    """
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    name = re.compile(rf"(?:auto-)?{re.escape(db_path.stem)}-(\d{{8}}-\d{{6}})(?:-(\d+))?\.sqlite")
    found = [(m[1], int(m[2] or 1), p) for p in folder.iterdir() if (m := name.fullmatch(p.name))]
    return [path for *_, path in sorted(found)]


def make_folders(folder: Path) -> None:
    """Create `folder` and its missing parents, each readable by the user alone (0700) under
    any umask; folders that exist keep their mode (they may be shared on purpose)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        made.mkdir(mode=0o700, exist_ok=True)


def ensure_private_dir(folder: Path) -> None:
    """Create the folder readable by the user alone (0700), or narrow it: it is Nærvær's."""
    make_folders(folder)
    if os.name == "posix":
        folder.chmod(0o700)


def free_path(path: Path) -> Path:
    """`path`, or the first of `name-2.ext`, `name-3.ext` … that does not exist yet: a file
    written there never replaces one made before (two exports or backups the same day)."""
    target, number = path, 2
    while target.exists():
        target = path.with_name(f"{path.stem}-{number}{path.suffix}")
        number += 1
    return target


def write_private(path: Path, content: bytes) -> Path:
    """Write `path` whole or not at all (its folders made as `make_folders` does), readable by
    the user alone (0600) whatever the umask, until the user shares it."""
    make_folders(path.parent)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


class NotPrivate(Exception):
    """Files others can read whose permissions could not be narrowed; names them in `paths`."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__(f"{len(paths)} files others can read")
        self.paths = paths


def make_private(db_path: Path, backup_folder: Path, *, own_folder: bool = True) -> list[Path]:
    """Narrow the database's folders (0700) and files (0600); returns what had to be changed.

    The backup folder is always Nærvær's; the database's folder only if `own_folder` (one
    Nærvær made, or the user's data folder): a folder others share keeps its mode.

    The files are the database and everything SQLite and Nærvær keep beside it under its name
    (-wal, -shm, -journal, copies before upgrades) and every backup. Raises NotPrivate when a
    change does not take, as on file systems without Unix permissions. Windows uses ACLs, which
    the user's profile folder already keeps private, so nothing is done there.
    """
    if os.name != "posix":
        return []
    folders = [db_path.parent, backup_folder] if own_folder else [backup_folder]
    files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name) and p.is_file()]
    if backup_folder.is_dir():
        files += [p for p in backup_folder.iterdir() if p.is_file()]
    changed: list[Path] = []
    stuck: list[Path] = []
    for path, mode in [*[(f, 0o700) for f in folders if f.is_dir()], *[(f, 0o600) for f in files]]:
        if not path.stat().st_mode & SHARED_BITS:
            continue
        try:
            path.chmod(mode)
        except OSError:
            stuck.append(path)
            continue
        # Some file systems (FAT, network shares) accept chmod and ignore it.
        (stuck if path.stat().st_mode & SHARED_BITS else changed).append(path)
    if stuck:
        raise NotPrivate(stuck)
    return changed


def log_file() -> Path:
    """The error log, private like the data: tracebacks only, never names or notes."""
    folder = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    ensure_private_dir(folder)
    path = folder / "naervaer.log"
    # Created 0600 here, before anyone appends to it with the default (umask) mode.
    os.close(os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))
    return path
