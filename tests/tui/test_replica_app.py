"""The app on a replica against a real server (this module's own, stopped for the offline
state): the header follows each sync, an edit made offline waits and reaches the server once it
is back, a failing sync changes nothing but the header, and no sync runs on the UI thread."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from textual.widgets import TextArea

from core import fmt
from storage.usecases import measures, sessions
from storage.usecases import sync as sync_cases
from tests.storage.sync_fixtures import Offline, offline, own_server
from tests.storage.test_sync import first_on, measure, measure_id, review_note, shared
from tests.tui.conftest import screen_text, settle
from tui import syncing
from tui.app import NaervaerApp
from tui.dialogs.forms import MergeForm
from tui.screens.agenda import AgendaScreen
from tui.screens.conflicts import ConflictsScreen
from tui.screens.units import UnitsScreen

__all__ = ["offline", "own_server"]

IN_STEP = re.compile(r"Synkronisert \d\d\.\d\d")


@pytest.fixture
def often(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sync every half second, and just after an edit: the test need not wait a minute."""
    monkeypatch.setattr(syncing, "EVERY", 0.5)
    monkeypatch.setattr(syncing, "AFTER_EDIT", 0.1)


async def until(app: NaervaerApp, pilot: Any, holds: Callable[[], object], what: str) -> None:
    """Wait (a minute at most) for the background sync to bring the app to `holds`."""
    for _ in range(600):
        if holds():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"never {what}; the header says {app.sync_line!r}")


def sessions_on_server(offline: Offline) -> int:
    owner = offline.team.as_login(offline.team.leah)
    with owner.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM sessions")).scalar_one())


async def test_offline_an_edit_waits_and_reaches_the_server_when_it_is_back(
    offline: Offline, often: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    real_sync = sync_cases.sync

    def sync(engine: Any, server_url: str | None = None) -> sync_cases.SyncResult:
        threads.append(threading.current_thread())
        return real_sync(engine, server_url)

    monkeypatch.setattr(sync_cases, "sync", sync)
    before = sessions_on_server(offline)
    app = NaervaerApp(offline.anne_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, UnitsScreen)
        await until(app, pilot, lambda: IN_STEP.fullmatch(app.sync_line or ""), "in step")
        assert app.title == f"Nærvær · {app.sync_line}"

        offline.server.halt()
        await pilot.press("slash", *"Lia", "enter", "enter")
        await settle(app, pilot)
        await pilot.press("o")  # an oppstartsmøte: a session written on the replica
        await settle(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
        await until(app, pilot, lambda: (app.sync_line or "").startswith("Frakoblet – "), "off")
        waiting = sync_cases.sync_status(offline.anne)
        assert waiting is not None and waiting.pending >= 1 and waiting.last_error
        count = fmt.count(waiting.pending, "endring venter", "endringer venter")
        assert app.sync_line == f"Frakoblet – {count}"
        # Nothing but the header: no message, and the advisor is where they were.
        assert isinstance(app.screen, AgendaScreen)
        assert not app._notifications

        offline.server.resume()
        await until(app, pilot, lambda: IN_STEP.fullmatch(app.sync_line or ""), "back in step")
        assert isinstance(app.screen, AgendaScreen)

        # The palette has the conflicts (none) on a replica, from wherever the advisor is.
        await pilot.press("ctrl+p", *"konflikter")
        await pilot.pause(0.5)
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ConflictsScreen)
        assert "Ingen konflikter" in screen_text(app)
    assert sessions_on_server(offline) == before + 1
    ui = threading.main_thread()
    assert threads and ui not in threads


async def test_the_advisor_takes_the_servers_date_and_merges_the_notes(
    offline: Offline, often: None
) -> None:
    """Anne and Bent both moved the routine's due date and wrote the note on Ola Lia; Anne
    synced first. On Bent's replica: both conflicts, masked; his choices reach Anne."""
    first = shared(offline)
    anne, bent = offline.anne, offline.bent
    measures.update_measure(anne, measure_id(anne, "Felles rutine"), due_date=dt.date(2025, 9, 15))
    sessions.set_review_note(anne, first, 1, "Ola Lia er tilbake fra mandag.")
    measures.update_measure(bent, measure_id(bent, "Felles rutine"), due_date=dt.date(2025, 10, 1))
    sessions.set_review_note(bent, first_on(bent), 1, "Ola Lia ønsker kortere vakter.")
    sync_cases.sync(anne)
    assert sync_cases.sync(bent).conflicts == 2

    app = NaervaerApp(offline.bent_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await until(app, pilot, lambda: (app.sync_line or "").endswith("2 konflikter (K)"), "2")
        await pilot.press("K")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        text = screen_text(app).replace("\xa0", " ")
        assert "tiltak «Felles rutine» · frist" in text
        assert "notat for ansatt 100001 · notat" in text
        fields = [c.field for c in screen.page.conflicts]
        for _ in range(fields.index("frist")):
            await pilot.press("down")
        assert "Serverens (endret av" in screen_text(app)
        await pilot.press("t")  # the server's date
        await settle(app, pilot)
        assert [c.field for c in screen.page.conflicts] == ["notat"]
        assert (app.sync_line or "").endswith("1 konflikt (K)")  # the header counts with it
        text = screen_text(app)
        assert "«ansatt 100001 ønsker kortere vakter.»" in text  # masked, as every screen
        assert "«ansatt 100001 er tilbake fra mandag.»" in text
        assert "Ola Lia" not in text

        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, MergeForm)
        area = app.screen.query_one(TextArea)
        assert area.text == "Ola Lia ønsker kortere vakter."  # as written, to merge
        area.move_cursor(area.document.end)
        await pilot.press("space", *"Tilbake", "space", *"mandag.", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen and screen.page.conflicts == ()
        assert "Ingen konflikter" in screen_text(app)
        await until(app, pilot, lambda: IN_STEP.fullmatch(app.sync_line or ""), "in step")

    merged = "Ola Lia ønsker kortere vakter. Tilbake mandag."
    assert review_note(bent) == merged
    sync_cases.sync(anne)
    assert review_note(anne) == merged
    assert measure(anne, "Felles rutine")["due_date"] == dt.date(2025, 9, 15)
    assert measure(bent, "Felles rutine")["due_date"] == dt.date(2025, 9, 15)
