"""What the app keeps out of the garbage collector's way, and gives back."""

from __future__ import annotations

import gc
import weakref

import pytest
from sqlalchemy import Engine
from textual.screen import Screen

from storage.usecases import sessions
from tests.conftest import Builder
from tests.tui.conftest import TODAY, UNIT, db_path, settle
from tui import memory
from tui.app import NaervaerApp
from tui.navigation import OpenReview, OpenUnit
from tui.screens.review import ReviewScreen
from tui.screens.summary import SummaryScreen
from tui.screens.unit import UnitScreen
from tui.screens.units import UnitsScreen


def test_a_release_asked_for_after_the_app_ended_holds_nothing():
    # A closing review asks for its release after the next screen is drawn: at the app's end
    # that may come after `end`, and must not freeze what the next app (or test) makes.
    memory.hold()
    memory.end()
    try:
        memory.release()
        assert gc.get_freeze_count() == 0
        assert gc.isenabled()
    finally:
        gc.unfreeze()


async def test_the_review_replaced_by_the_summary_is_released_once_the_summary_closes(
    unit: Builder, engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    """A full collection after the summary's first frame held up the advisor's first key on it:
    what the review held waits (frozen, as while it was open) until the summary is closed."""
    releases: list[type] = []
    release = memory.release

    def counted() -> None:
        releases.append(type(app.screen))
        release()

    monkeypatch.setattr(memory, "release", counted)
    session_id = sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.post_message(OpenReview(session_id, UNIT))
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)

        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert releases == []

        await pilot.press("escape")
        await settle(app, pilot)
        assert releases == [UnitsScreen]


async def test_quitting_on_the_summary_after_the_review_closes_cleanly(
    unit: Builder, engine: Engine
):
    session_id = sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.post_message(OpenReview(session_id, UNIT))
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.failure is None
    assert gc.get_freeze_count() == 0 and gc.isenabled()


async def test_a_closed_unit_overview_is_not_kept(unit: Builder, engine: Engine):
    """Names shown or hidden reach the open screens by a message: a watcher on the app's
    `masked` kept every unit overview opened, with all it read, for as long as the app ran."""
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for _ in range(3):
            app.post_message(OpenUnit(UNIT))
            await settle(app, pilot)
            assert isinstance(app.screen, UnitScreen)
            await pilot.press("escape")
            await settle(app, pilot)
        assert isinstance(app.screen, UnitsScreen)
        gc.collect()
        assert [o for o in gc.get_objects() if isinstance(o, UnitScreen)] == []


async def test_the_screens_of_a_meeting_are_not_kept_once_closed(unit: Builder, engine: Engine):
    """The same for every screen that shows names (the leader page, the effect of measures, the
    export dialog, the agenda, the review, the checklist, the summary): one that watched the
    app's `masked`, wrote anything through its write queue or had a note's text area was kept
    for as long as the app ran. Those of a first meeting are gone once a second one is held
    (the last screen closed may be held by Textual's context until another opens)."""
    app = NaervaerApp(db_path(engine), today=TODAY)

    async def meeting() -> list[tuple[str, weakref.ref[Screen[object]]]]:
        shown = []
        app.post_message(OpenUnit(UNIT))
        await settle(app, pilot)
        for key in ("l", "v", "r"):
            await pilot.press(key)
            await settle(app, pilot)
            shown.append((type(app.screen).__name__, weakref.ref(app.screen)))
            await pilot.press("escape")
            await settle(app, pilot)
        for key in ("i", "n", "T", "a"):  # from the agenda to the summary, past the checklist
            await pilot.press(key)
            await settle(app, pilot)
            shown.append((type(app.screen).__name__, weakref.ref(app.screen)))
        for _ in range(10):  # back to the unit list, a screen a key
            if isinstance(app.screen, UnitsScreen):
                break
            await pilot.press("escape")
            await settle(app, pilot)
        assert isinstance(app.screen, UnitsScreen)
        return shown

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        first = await meeting()
        assert [name for name, _ in first] == [
            "LeaderScreen", "EffectScreen", "ExportDialog",
            "AgendaScreen", "ReviewScreen", "MeasuresScreen", "SummaryScreen",
        ]  # fmt: skip
        await meeting()
        gc.unfreeze()  # what the app froze along the way is looked at too
        gc.collect()
        assert [name for name, ref in first if ref() is not None] == []
