"""The app on a replica, as drawn: the header's sync state on every screen, and the conflicts
screen (both values, who and when, masked like every screen) at 120×40 and 80×24."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from textual.widgets import TextArea

from storage.usecases.names import everyone_masker
from storage.usecases.sync import SyncConflict, SyncStatus
from tests.conftest import Builder
from tests.tui.conftest import db_path, screen_text, settle
from tests.tui.test_snapshots import SIZE, SMALL
from tui.app import NaervaerApp
from tui.dialogs.forms import MergeForm
from tui.messages import SyncState
from tui.screens.conflicts import ConflictsPage, ConflictsScreen, load_page
from tui.screens.units import UnitsScreen
from tui.syncing import state_line

TODAY = dt.date(2026, 11, 24)
NB = "\xa0"


@pytest.fixture
def oslo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The clock the advisors read, whatever the machine's."""
    monkeypatch.setenv("TZ", "Europe/Oslo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def utc(hour: int, minute: int, day: dt.date | None = None) -> dt.datetime:
    """`hour.minute` on the local clock on `day` (today), as the replica stores it."""
    local = dt.datetime.combine(day or dt.date.today(), dt.time(hour, minute)).astimezone()
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def status(
    *, at: dt.datetime | None = None, pending: int = 0, conflicts: int = 0, error: str | None = None
) -> SyncStatus:
    return SyncStatus("ola@db.example:5432/naervaer", at, pending, conflicts, error)


def test_the_header_says_in_step_offline_and_conflicts(oslo: None) -> None:
    assert state_line(status(at=utc(10, 42))) == "Synkronisert 10.42"
    assert state_line(status(at=utc(9, 5), pending=1)) == "Synkronisert 09.05 – 1 endring venter"
    offline = status(at=utc(10, 42), pending=3, error="Får ikke kontakt med serveren")
    assert state_line(offline) == "Frakoblet – 3 endringer venter"
    assert state_line(status(at=utc(10, 42)), failed=True) == "Frakoblet"
    assert (
        state_line(status(at=utc(10, 42), conflicts=2)) == "Synkronisert 10.42 · 2 konflikter (K)"
    )
    assert state_line(status()) == "Ikke synkronisert ennå"
    yesterday = dt.date.today() - dt.timedelta(days=1)
    assert state_line(status(at=utc(16, 3, yesterday))) == (
        f"Synkronisert {yesterday:%d.%m.%Y} 16.03"
    )


def conflicts_of(engine: Engine) -> tuple[SyncConflict, ...]:
    """A measure's due date, a note naming a colleague (free text: mergeable)."""
    return (
        SyncConflict(
            1, "measures", "tiltak «Felles rutine for fraværssamtaler»", "frist",
            "20.12.2026", "15.01.2027", "Per Hansen", utc(9, 12, TODAY), False,
        ),
        SyncConflict(
            2, "employee_reviews", "notat for ansatt 100001", "notat",
            "«Kari Nordmann ønsker redusert stilling i to uker; ny samtale 02.12.»",
            "«Kari Nordmann er tilbake i full stilling fra mandag.»",
            "Per Hansen", utc(9, 30, TODAY), True,
        ),
    )  # fmt: skip


def page_of(engine: Engine, *, error: str | None = None) -> ConflictsPage:
    state = status(at=utc(10, 42), pending=1, conflicts=2, error=error)
    return ConflictsPage(state, conflicts_of(engine), everyone_masker(engine))


async def test_each_conflict_with_both_values_who_and_when_masked(
    unit: Builder, engine: Engine, oslo: None
) -> None:
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(ConflictsScreen(page_of(engine)))
        await settle(app, pilot)
        text = screen_text(app).replace(NB, " ")
        assert "Server: ola@db.example:5432/naervaer" in text
        assert "Siste forsøk" not in text
        assert "tiltak «Felles rutine for fraværssamtaler» · frist" in text
        assert "notat for ansatt 100001 · notat" in text
        assert "Din (på denne maskinen):" in text and "20.12.2026" in text
        assert f"Serverens (endret av Per Hansen {TODAY:%d.%m.%Y} kl. 09.12):" in text
        assert "15.01.2027" in text
        await pilot.press("down")
        text = screen_text(app).replace(NB, " ")
        # The note's names are hidden, as on every screen.
        assert "ansatt 100001 ønsker redusert stilling" in text
        assert "ansatt 100001 er tilbake i full stilling" in text
        assert "Nordmann" not in text
        await pilot.press("m")
        await settle(app, pilot)
        assert "Kari Nordmann er tilbake i full stilling" in screen_text(app)


async def test_only_free_text_merges(unit: Builder, engine: Engine, oslo: None) -> None:
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(ConflictsScreen(page_of(engine)))
        await settle(app, pilot)
        await pilot.press("s")  # a due date: nothing to merge
        await settle(app, pilot)
        assert isinstance(app.screen, ConflictsScreen)
        await pilot.press("down", "s")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, MergeForm)
        # As written, as while writing a note: the names as typed, no quotes around.
        assert "Kari Nordmann er tilbake i full stilling fra mandag." in screen_text(app)
        assert form.query_one(TextArea).text == (
            "Kari Nordmann ønsker redusert stilling i to uker; ny samtale 02.12."
        )
        await pilot.press("escape")  # nothing chosen: both stay
        await settle(app, pilot)
        assert isinstance(app.screen, ConflictsScreen)


async def test_on_a_file_that_is_no_replica_the_screen_says_so(
    unit: Builder, engine: Engine
) -> None:
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, UnitsScreen)
        await pilot.press("K")
        await settle(app, pilot)
        assert isinstance(app.screen, ConflictsScreen)
        assert app.screen.page == load_page(engine)
        assert "ingen lokal kopi av en server" in screen_text(app)
        assert app.title == "Nærvær"  # a file has no sync state
        await pilot.press("escape", "ctrl+p", *"konflikter")
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert "Ingen treff" in screen_text(app)  # nor the palette's command


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_conflicts_snapshot(
    snap_compare: Any, unit: Builder, engine: Engine, oslo: None, size: tuple[int, int]
) -> None:
    app = NaervaerApp(db_path(engine), today=TODAY)

    # On 80 columns, offline: the server's word on why, cut to the width.
    page = page_of(engine, error=None if size == SIZE else "Får ikke kontakt med serveren")
    assert page.status is not None
    line = state_line(page.status)

    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)
        app.post_message(SyncState(line))
        await app.push_screen(ConflictsScreen(page))
        await settle(app, pilot)
        await pilot.press("down")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize(
    ("size", "offline"), [(SIZE, True), (SMALL, False)], ids=["offline-120x40", "conflicts-80x24"]
)
def test_header_snapshot(
    snap_compare: Any,
    unit: Builder,
    engine: Engine,
    oslo: None,
    size: tuple[int, int],
    offline: bool,
) -> None:
    """The unit list's header on a replica: offline with edits waiting; conflicts to choose."""
    app = NaervaerApp(db_path(engine), today=TODAY)
    if offline:
        state = status(at=utc(10, 42), pending=3, error="Får ikke kontakt med serveren")
    else:
        state = status(at=utc(10, 42), conflicts=2)

    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)
        app.post_message(SyncState(state_line(state)))
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_every_screens_header_shows_the_state(
    unit: Builder, engine: Engine, oslo: None
) -> None:
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        offline = status(at=utc(10, 42), pending=3, error="Får ikke kontakt med serveren")
        app.post_message(SyncState(state_line(offline)))
        await pilot.press("slash", *"Lia", "enter", "enter")
        await settle(app, pilot)
        assert "Nærvær · Frakoblet – 3 endringer venter — Lia sykehjem" in screen_text(app)


async def test_a_sync_that_pulled_lets_the_prognosis_be_read_again(
    unit: Builder, engine: Engine
) -> None:
    """The server's rows (its figures and prognosis among them) came with the sync: the
    prognosis the app kept from before is not shown again."""
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        assert app.unit_forecast("E1") is not None  # read, and kept
        app.post_message(SyncState("Synkronisert 10.42", pulled=False))
        await settle(app, pilot)
        assert app.unit_forecast("E1", wait=False) is not None  # nothing new: still kept
        app.post_message(SyncState("Synkronisert 10.43", pulled=True))
        await settle(app, pilot)
        assert app.unit_forecast("E1", wait=False) is None  # to be read again when asked
