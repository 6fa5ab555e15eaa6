"""A PostgreSQL server of the sync tests' own, which a test can stop and start again, with the
team of tests/team.py on it, and each advisor's replica."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from storage.usecases.sync import create_replica
from tests.pg import LOGIN, TEMPLATE, Server, usable_binaries
from tests.team import Team, staffed

_databases = itertools.count(1)


@pytest.fixture(scope="module")
def own_server() -> Iterator[Server]:
    """A server for this module's tests alone: stopping it stops no other test."""
    from storage.db import upgrade_server

    server = Server.start(usable_binaries(), own=True)
    try:
        upgrade_server(server.url(TEMPLATE))
        yield server
    finally:
        server.stop()


@dataclass
class Offline:
    """The team on the module's server, and a replica for Anne and for Bent."""

    server: Server
    team: Team
    owner_url: str
    anne: Engine
    bent: Engine
    anne_path: Path
    bent_path: Path


@pytest.fixture
def offline(
    own_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Iterator[Offline]:
    name = f"sync_{next(_databases)}"
    admin = own_server.admin()
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} OWNER {LOGIN}"))
    url = own_server.url(name)
    try:
        with staffed(own_server, url) as team:
            capsys.readouterr()
            anne_path, bent_path = (
                tmp_path / "anne" / "kopi.sqlite",
                tmp_path / "bent" / "kopi.sqlite",
            )
            anne = create_replica(anne_path, team.login_url(team.anne))
            bent = create_replica(bent_path, team.login_url(team.bent))
            try:
                yield Offline(own_server, team, url, anne, bent, anne_path, bent_path)
            finally:
                anne.dispose()
                bent.dispose()
                if not (own_server.root / "data" / "postmaster.pid").exists():
                    own_server.resume()
    finally:
        admin.dispose()  # its connection did not live through a stop of the server
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
