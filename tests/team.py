"""A team on the test session's PostgreSQL server: two units with a person each, two advisors
with a unit each and a lead, as login roles made by `naervaer team` (dropped at the end)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, insert, text

from storage.db import open_server
from storage.models import UnitMonthFigure
from tests.pg import Server
from tui.cli import EXIT_OK, main

_teams = itertools.count(1)


class Team:
    """A server database with two units and their people, and the logins of one test."""

    def __init__(self, server: Server, url: str) -> None:
        self.server = server
        self.url = url
        number = next(_teams)
        self.anne, self.bent, self.leah = (f"{who}_{number}" for who in ("anne", "bent", "leah"))
        self.engines: list[Engine] = []

    def login_url(self, login: str) -> str:
        """The URL of the database as `login`, on the server's socket (trusted: no password)."""
        database = self.url.rsplit("/", 1)[1]
        return (
            f"postgresql+psycopg://{login}@/{database}"
            f"?host={self.server.root}&port={self.server.port}"
        )

    def as_login(self, login: str) -> Engine:
        """An engine connected as `login`."""
        engine = create_engine(self.login_url(login))
        self.engines.append(engine)
        return engine

    def drop_logins(self) -> None:
        for engine in self.engines:
            engine.dispose()
        admin = self.server.admin()
        with admin.connect() as conn:
            for login in (self.anne, self.bent, self.leah):
                conn.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
        admin.dispose()


@contextmanager
def staffed(server: Server, url: str) -> Iterator[Team]:
    """Anne has Lia (E1), Bent has Berg (E2), Leah leads; one person and spell in each unit."""
    from tests.conftest import Builder  # which imports this module for its fixture

    owner = open_server(url)
    day = dt.date(2025, 1, 1)
    (
        Builder(owner)
        .unit(1, "E1", "Lia sykehjem")
        .unit(2, "E2", "Berg skole")
        .employee(1, "100001", "Ola Lia")
        .employee(2, "100002", "Kari Berg")
        .employment(1, 1, 100.0, day)
        .employment(2, 2, 100.0, day)
        .spell(1, dt.date(2025, 3, 3), dt.date(2025, 3, 7), unit_id=1)
        .spell(2, dt.date(2025, 3, 10), dt.date(2025, 3, 14), unit_id=2)
    )
    # The monthly figures of 2023 to June 2025 as an import makes them (written here: the
    # refresh is not yet portable): 5 of 21 workdays lost in March 2025, none in other months.
    months = [dt.date(year, month, 1) for year in (2023, 2024, 2025) for month in range(1, 13)]
    with owner.begin() as conn:
        zero = {"lost_self": 0.0, "lost_long": 0.0, "lost_graded": 0.0}
        conn.execute(
            insert(UnitMonthFigure),
            [
                {
                    "unit_id": unit,
                    "month": month,
                    "possible": 21.0,
                    **zero,
                    "lost": lost,
                    "lost_doctor": lost,
                    "lost_short": lost,
                }
                for unit in (1, 2)
                for month in months[:30]
                for lost in [5.0 if month == dt.date(2025, 3, 1) else 0.0]
            ],
        )
    owner.dispose()
    found = Team(server, url)
    try:
        for login, name, lead in (
            (found.anne, "Anne Rådgiver", []),
            (found.bent, "Bent Rådgiver", []),
            (found.leah, "Leah Leder", ["--lead"]),
        ):
            assert main(["--db", url, "team", "add", login, "--name", name, *lead]) == EXIT_OK
        assert main(["--db", url, "team", "assign", found.anne, "E1"]) == EXIT_OK
        assert main(["--db", url, "team", "assign", found.bent, "E2"]) == EXIT_OK
        yield found
    finally:
        found.drop_logins()


@pytest.fixture
def crew(pg_server: Server, pg_url: str, capsys: pytest.CaptureFixture[str]) -> Iterator[Team]:
    """Anne has Lia (E1), Bent has Berg (E2), Leah leads; one person and spell in each unit."""
    with staffed(pg_server, pg_url) as found:
        capsys.readouterr()
        yield found
