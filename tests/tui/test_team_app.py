"""The app on a team's server: opened by its URL as an advisor, with what the database lets
that login see, and nothing of a database file's own (no lock, no backup, no passphrase)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from storage.paths import data_dir
from tests.team import Team
from tests.tui.conftest import settle
from tui.app import NaervaerApp
from tui.screens.units import UnitsScreen
from tui.widgets.row_table import RowTable

pytest.importorskip("psycopg", reason="needs the server extra (psycopg)")


async def test_the_app_opens_a_server_as_an_advisor_with_the_people_of_their_units(crew: Team):
    url = crew.login_url(crew.anne)
    app = NaervaerApp(server=url, today=dt.date(2025, 6, 30))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.failure is None
        assert isinstance(app.screen, UnitsScreen)
        table = app.screen.query_one(RowTable)
        rows = [table.row_cells(i) for i in range(table.row_count)]
        # Every unit is listed with its figures and headcount (a figure per unit), though
        # only Lia's person is hers to see.
        assert {r[0]: r[1] for r in rows} == {"Lia sykehjem": "1", "Berg skole": "1"}
        database = crew.url.rsplit("/", 1)[1]
        where = f"{crew.server.root}:{crew.server.port}/{database}"
        assert app.title == f"Nærvær · Anne Rådgiver · {crew.anne}@{where}"
    assert not data_dir().exists()  # no backup, no file of any kind


async def test_the_app_says_in_norwegian_when_the_server_cannot_be_reached() -> None:
    app = NaervaerApp(server="postgresql+psycopg://anne@127.0.0.1:1/naervaer")
    async with app.run_test(size=(120, 40)):
        for _ in range(600):  # the app ends itself once the connection is refused
            if app.failure is not None:
                break
            await asyncio.sleep(0.05)
    assert app.return_value == 2  # what run_app returns as the exit status
    assert app.failure is not None
    assert app.failure.startswith("Får ikke kontakt med databaseserveren 127.0.0.1:1.")
