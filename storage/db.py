"""Opening the database: private files, pragmas, migrations (copied first), sole use, keys;
or a PostgreSQL server by its URL, whose schema its owner upgrades (`naervaer db upgrade`)."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, ProgrammingError

from storage import crypto, filecopy
from storage.dbfile import DatabaseError as DatabaseError
from storage.dbfile import file_problem as file_problem
from storage.dbfile import in_sole_use as in_sole_use
from storage.dbfile import restore_hint, sqlite_problem
from storage.dialects import configure
from storage.paths import NotPrivate, backup_dir, data_dir, make_folders, make_private

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision. A database already at it opens without loading alembic (a
# large part of a start); tests/storage/test_upgrades.py checks it against the migrations.
SCHEMA_REVISION = "0010"
# The passphrase of each engine made for an encrypted file (see `engine_passphrase`).
_PASSPHRASES: WeakKeyDictionary[Engine, str] = WeakKeyDictionary()


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


def make_engine(url: str | URL, passphrase: str | None = None) -> Engine:
    """An engine for `url`; with `passphrase`, on SQLCipher, for an encrypted database file."""
    if passphrase is None:
        engine = create_engine(url)
    else:
        database = Path(str(make_url(url).database))
        # The key must be the first statement on every connection, before SQLAlchemy's own.
        engine = create_engine(
            url, module=crypto.dbapi(), creator=partial(crypto.connect, database, passphrase)
        )
        _PASSPHRASES[engine] = passphrase
    configure(engine)
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
        # No such table: nothing was ever migrated (SQLite says so as an OperationalError,
        # PostgreSQL as a ProgrammingError).
        except (OperationalError, ProgrammingError):
            return None


def known_revisions() -> set[str]:
    """Every schema revision this version of Nærvær has a migration for."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}


def _revisions(engine: Engine) -> tuple[str | None, str]:
    from alembic.runtime.migration import MigrationContext

    head = SCHEMA_REVISION
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current is not None and current not in known_revisions():
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
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        copy = db_file.with_name(f"{db_file.name}.før-oppgradering-{current}-{stamp}")
        # Through SQLite, never by copying the file: see `engine_passphrase`.
        filecopy.copy_private(db_file, copy, engine_passphrase(engine))
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
        copy = upgrade(engine, path)
        _prepare_replica(engine, renew=copy is not None)
    except BaseException as error:
        engine.dispose()  # no connection left holding the file of a refused database
        explained = explain(error, path) if isinstance(error, DBAPIError) else None
        if explained is not None:
            raise explained from error
        raise
    return engine


def _prepare_replica(engine: Engine, *, renew: bool) -> None:
    """A replica of a server (storage/sync): its outbox's triggers, made anew after an upgrade
    (`renew`) or where one is missing, and its deleted rows overwritten."""
    from storage.sync.state import is_replica, overwrite_deleted, triggers_missing

    with engine.begin() as conn:
        if not is_replica(conn):
            return
        if renew or triggers_missing(conn):
            from storage.sync.tables import install  # the ORM's models: only then

            install(conn)
    overwrite_deleted(engine)


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


# ---- A PostgreSQL server: the team's shared database, named by a URL.

SERVER_DRIVER = "postgresql+psycopg"
# What libpq and PostgreSQL say (in English, the clients' and servers' default) -> the problem.
SERVER_PROBLEMS = (
    (r"password authentication failed|no password supplied", "password"),
    (r'role ".*" does not exist', "login"),
    (r'database ".*" does not exist', "database"),
    (r"permission denied|must be owner", "rights"),
    (
        r"connection refused|could not connect|failed to resolve host|could not translate host"
        r"|name or service not known|timeout expired|no route to host|server closed the "
        r"connection|terminating connection|no such file or directory",
        "unreachable",
    ),
)


def shown_url(url: str | URL) -> str:
    """The URL as every message shows it: with the password, if it holds one, hidden."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except (ArgumentError, ValueError):  # not a URL, or a port that is no number
        return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", str(url))
    return parsed.render_as_string(hide_password=True)


def server_url(url: str) -> URL:
    """The SQLAlchemy URL of the PostgreSQL server `url` names, on psycopg 3 whatever driver it
    names; DatabaseError for what is no PostgreSQL URL."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # not a URL, or a port that is no number
        raise DatabaseError(
            f"{shown_url(url)} er ingen gyldig database-URL. Skriv den som "
            "postgresql+psycopg://BRUKER@VERT/DATABASE, eller oppgi en fil med --db FIL."
        ) from None
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseError(
            f"Nærvær bruker en databasefil eller en PostgreSQL-server, ikke "
            f"{parsed.get_backend_name()} ({shown_url(url)}). Skriv serverens adresse som "
            "postgresql+psycopg://BRUKER@VERT/DATABASE."
        )
    return parsed.set(drivername=SERVER_DRIVER)


def _server_place(parsed: URL) -> str:
    """host:port of the server, as libpq finds it: the host (a socket's folder, say) and the
    port may also come from the URL's query."""
    host = parsed.host or parsed.query.get("host") or "localhost"
    port = parsed.port or parsed.query.get("port") or 5432
    return f"{host}:{port}"


def server_name(url: str) -> str:
    """Where the server's database is, as the app's title shows it: host:port/database."""
    parsed = server_url(url)
    return f"{_server_place(parsed)}/{parsed.database or ''}"


def explain_server(error: BaseException, url: str) -> DatabaseError | None:
    """The Norwegian message for a server error about the connection or its rights; None for
    any other error. The password is never in it: libpq does not repeat it, nor do we."""
    error = getattr(error, "orig", None) or error
    if not type(error).__module__.startswith("psycopg"):
        return None
    text = str(error).lower()
    kind = next((kind for words, kind in SERVER_PROBLEMS if re.search(words, text)), None)
    parsed = server_url(url)
    where = _server_place(parsed)
    login = parsed.username or _default_login()
    upgrade = f"naervaer --db {shown_url(url)} db upgrade"
    if kind == "unreachable":
        return DatabaseError(
            f"Får ikke kontakt med databaseserveren {where}. Sjekk at serveren kjører, at "
            f"adressen {shown_url(url)} er riktig, og at nettverket slipper deg fram."
        )
    if kind == "password":
        return DatabaseError(
            f"Databaseserveren {where} avviste innloggingen som {login}: passordet er feil eller "
            "mangler. Oppgi det i PGPASSWORD eller i ~/.pgpass (da står det ikke i "
            "kommandolinjen), eller be databaseeieren sjekke brukeren."
        )
    if kind == "login":
        return DatabaseError(
            f"Databaseserveren {where} kjenner ingen bruker {login}. Be databaseeieren opprette "
            "den, eller skriv riktig bruker i adressen."
        )
    if kind == "database":
        return DatabaseError(
            f"Databasen {parsed.database} finnes ikke på serveren {where}. Databaseeieren må "
            f"opprette den (createdb) og så kjøre: {upgrade}"
        )
    if kind == "rights":
        return DatabaseError(
            f"Brukeren {login} har ikke rettighetene dette krever på serveren {where}. Be "
            "prosjektlederen eller databaseeieren gjøre det, eller gi deg rettighetene "
            f"(skjemaet oppgraderes bare av databaseeieren: {upgrade})."
        )
    return None


def _default_login() -> str:
    """The login libpq uses when the URL names none: $PGUSER, else the user's own."""
    import getpass

    return os.environ.get("PGUSER") or getpass.getuser()


@contextmanager
def _explained(url: str) -> Iterator[None]:
    try:
        yield
    except DBAPIError as error:
        explained = explain_server(error, url)
        if explained is None:
            raise
        raise explained from None


def _server_engine(url: str) -> Engine:
    try:
        return make_engine(server_url(url))
    except ImportError:
        raise DatabaseError(
            "PostgreSQL-støtten er ikke installert. Installer den med "
            "pip install -e '.[server]' der Nærvær er installert fra kildekoden."
        ) from None


def open_server(url: str) -> Engine:
    """An engine for the PostgreSQL server `url` names, whose schema is this version's.

    Nothing is created or migrated here: the schema is the database owner's to upgrade, so
    a server behind or ahead is refused with a DatabaseError saying who must run what.
    """
    engine = _server_engine(url)
    try:
        with _explained(url):
            current = stored_revision(engine)
        if current != SCHEMA_REVISION:
            raise _schema_mismatch(current, url)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _schema_mismatch(current: str | None, url: str) -> DatabaseError:
    owner = f"Databaseeieren må kjøre: naervaer --db {shown_url(url)} db upgrade"
    if current is None:
        return DatabaseError(f"Databasen på serveren har ikke Nærværs skjema ennå. {owner}")
    if current in known_revisions():
        return DatabaseError(
            f"Databasen på serveren har skjemaversjon {current}, denne versjonen av Nærvær "
            f"trenger {SCHEMA_REVISION}. {owner}"
        )
    return DatabaseError(
        f"Databasen på serveren har skjemaversjon {current}, som er nyere enn denne versjonen "
        f"av Nærvær ({SCHEMA_REVISION}). Oppgrader Nærvær på denne maskinen; databasen er ikke "
        "endret."
    )


def upgrade_server(url: str) -> tuple[str | None, str]:
    """Migrate the server's schema to this version's, as its owner (`naervaer db upgrade`).

    Returns the revision before and after. PostgreSQL runs the migrations in one transaction:
    a failed upgrade leaves the schema as it was. A schema newer than this version knows is
    left alone.
    """
    engine = _server_engine(url)
    try:
        with _explained(url):
            before = stored_revision(engine)
            if before is not None and before not in known_revisions():
                raise _schema_mismatch(before, url)
            if before != SCHEMA_REVISION:
                from alembic import command

                command.upgrade(alembic_config(engine), "head")
    finally:
        engine.dispose()
    return before, SCHEMA_REVISION


def file_only(command: str, url: str) -> DatabaseError:
    """The refusal of a command that works on a database file (backup, restore, encrypt,
    decrypt) when `--db` names a server: the server has its own tools for it."""
    return DatabaseError(
        f"naervaer {command} gjelder en databasefil, ikke en server ({shown_url(url)}). "
        "En database på en server sikkerhetskopieres og gjenopprettes med serverens egne verktøy "
        "(pg_dump og pg_restore, eller serverens sikkerhetskopiering), og krypteres av serveren "
        "og disken den ligger på. Snakk med databaseeieren."
    )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed at the end, or rolled back whole on any error."""
    with session_factory(engine)() as session, session.begin():
        yield session


def on_commit(engine: Engine, callback: Callable[[], None]) -> None:
    """Call `callback` after each commit on the engine, in whichever thread committed."""
    event.listen(engine, "commit", lambda _connection: callback())
