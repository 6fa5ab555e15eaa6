"""A PostgreSQL server of the test session's own, for the tests that run on both backends.

Started from the PostgreSQL binaries (`initdb`, `pg_ctl`) in a temporary folder, on 127.0.0.1
and a free port, with its socket in that folder and without fsync; stopped at the end of the
session. One template database is migrated once; every test gets a fresh copy of it.
Without the binaries the PostgreSQL cases skip, unless $NAERVAER_TEST_PG is `required` (CI);
`NAERVAER_TEST_PG=skip` skips them on purpose.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

# "required" (CI): a missing server fails the tests, never skips; "skip": no server is started.
REQUIRED_ENV = "NAERVAER_TEST_PG"
BIN_ENV = "NAERVAER_PG_BIN"  # the folder with initdb and pg_ctl, if not found by itself
DIR_ENV = "NAERVAER_TEST_PG_DIR"  # where the server's files go (CI stops it there in a trap)
LOGIN = "naervaer"  # the tests' login: owns its databases, no superuser
TEMPLATE = "naervaer_template"


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: $NAERVAER_PG_BIN, PATH, or Debian's newest."""
    candidates = [Path(os.environ[BIN_ENV])] if os.environ.get(BIN_ENV) else []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True)
    usable = (c for c in candidates if (c / "initdb").is_file() and (c / "pg_ctl").is_file())
    return next(usable, None)


def _version(folder: Path) -> int:
    name = folder.parent.name
    return int(name) if name.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running server: `url(name)` for the tests' login, `admin` for the superuser."""

    bin: Path
    root: Path
    port: int
    password: str
    user: str | None  # the system user the server runs as (root may not run it)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{LOGIN}:{self.password}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> Engine:
        """The superuser on the server's socket, each statement on its own (CREATE DATABASE)."""
        return create_engine(
            f"postgresql+psycopg://postgres@/postgres?host={self.root}&port={self.port}",
            isolation_level="AUTOCOMMIT",
        )

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            user=self.user,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:1])} failed: {done.stderr}{done.stdout}{tail}")

    @classmethod
    def start(cls, bin: Path, *, own: bool = False) -> Server:
        """A new server; `own`: in a folder of its own, never $NAERVAER_TEST_PG_DIR (a test's
        server beside the session's)."""
        given = None if own else os.environ.get(DIR_ENV)
        root = Path(given) if given else Path(tempfile.mkdtemp(prefix="naervaer-pg-"))
        root.mkdir(parents=True, exist_ok=True)
        user = None
        if os.geteuid() == 0:  # initdb refuses root: the server runs as Debian's postgres
            user = "postgres"
            account = pwd.getpwnam(user)
            os.chown(root, account.pw_uid, account.pw_gid)
        root.chmod(0o700)
        server = cls(bin, root, _free_port(), secrets.token_hex(16), user)
        password_file = root / "password"
        password_file.write_text(server.password)
        if user is not None:
            os.chown(password_file, pwd.getpwnam(user).pw_uid, -1)
        server._run(
            "initdb",
            "-D",
            str(root / "data"),
            "-U",
            "postgres",
            f"--pwfile={password_file}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )
        try:
            server.resume()
            admin = server.admin()
            with admin.connect() as conn:
                login = (
                    f"CREATE ROLE {LOGIN} LOGIN CREATEDB CREATEROLE PASSWORD '{server.password}'"
                )
                conn.execute(text(login))
                conn.execute(text(f"CREATE DATABASE {TEMPLATE} OWNER {LOGIN}"))
            admin.dispose()
        except BaseException:
            server.stop()
            raise
        return server

    def resume(self) -> None:
        """Start the server on its folder (again, after `halt`)."""
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run(
            "pg_ctl", "-D", str(self.root / "data"), "-l", str(self.root / "server.log"), "-o",
            options, "-w", "start"
        )  # fmt: skip

    def halt(self) -> None:
        """Stop the server, ending every connection and its transaction as a cut would,
        keeping its data for `resume`. Not "immediate": without synchronous commits (see
        `resume`) that would also lose the last transactions it had committed."""
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        if (self.root / "data" / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """The session's server, with the template migrated to the newest schema once."""
    from storage.db import upgrade_server

    server = Server.start(usable_binaries())
    try:
        upgrade_server(server.url(TEMPLATE))
        yield server
    finally:
        server.stop()


def usable_binaries() -> Path:
    """PostgreSQL's binaries, or the test skips (fails, where they are required) saying why."""
    if os.environ.get(REQUIRED_ENV) == "skip":
        pytest.skip(f"{REQUIRED_ENV}=skip: the PostgreSQL cases are not run")
    found = binaries()
    reason = None
    if found is None:
        reason = (
            "PostgreSQL is not installed here (no initdb/pg_ctl on PATH, in $NAERVAER_PG_BIN or "
            "/usr/lib/postgresql/*/bin); `apt-get install postgresql` runs these cases"
        )
    elif importlib.util.find_spec("psycopg") is None:
        reason = "psycopg is not installed: pip install -e '.[test]' installs it"
    if reason is not None:
        if os.environ.get(REQUIRED_ENV) == "required":
            pytest.fail(f"{REQUIRED_ENV}=required, but {reason}")
        pytest.skip(reason)
    assert found is not None
    return found


_numbers = itertools.count(1)


@pytest.fixture
def pg_url(pg_server: Server) -> Iterator[str]:
    """The URL of a database of this test's own: a copy of the migrated template."""
    name = f"test_{next(_numbers)}"
    admin = pg_server.admin()
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} OWNER {LOGIN}"))
    try:
        yield pg_server.url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()
