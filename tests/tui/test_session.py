"""A whole advisory session and the next one, through the keyboard, on a real database file."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, event, func, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select

from storage.models import MilestoneDone
from storage.repos import measures as measure_rows
from storage.repos import sessions as session_rows
from storage.usecases import measures as measure_cases
from storage.usecases import review as review_usecases
from storage.usecases import sessions
from tests.conftest import Builder, read
from tests.tui.conftest import NAMES, SURNAMES, TODAY, UNIT, D, db_path, screen_text, settle
from tui.app import NaervaerApp
from tui.dialogs.forms import ConfirmForm, MeasureDialog, TextForm
from tui.navigation import OpenReview
from tui.screens.agenda import AgendaScreen
from tui.screens.history import HistoryScreen
from tui.screens.measures import MeasuresScreen
from tui.screens.review import ReviewScreen
from tui.screens.summary import SummaryScreen
from tui.screens.unit import UnitScreen
from tui.screens.units import UnitsScreen


async def type_measure(app: NaervaerApp, pilot, text: str, level: str | None = None) -> None:  # type: ignore[no-untyped-def]
    dialog = app.screen
    assert isinstance(dialog, MeasureDialog)
    if level is not None:
        dialog.query_one(Select).value = level
    dialog.query_one("#text", Input).focus()
    await pilot.press(*text, "tab", *"Enhetsleder", "tab", *"31.12.2026", "enter")
    await settle(app, pilot)


async def test_a_session_and_the_next_one(unit: Builder, engine: Engine) -> None:
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, UnitsScreen)
        await pilot.press("slash", *"Lia", "enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)

        # Session 1: its agenda first; no earlier measures, so it goes on to the review.
        await pilot.press("i")
        await settle(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        await pilot.press("r", "r", "r")
        await settle(app, pilot)
        assert "3 av 5 gjennomgått" in screen_text(app)

        # Kari (ongoing case) is first in the list: back to her, mark her next milestone done.
        await pilot.press("p", "p", "p")
        assert review.current() is not None and review.current().employee_id == 1
        await pilot.press("d")
        await settle(app, pilot)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(MilestoneDone)).scalar() == 1

        await pilot.press("t")
        await type_measure(app, pilot, "Samtale om tilrettelegging")
        await pilot.press("T")
        await settle(app, pilot)
        assert isinstance(app.screen, MeasuresScreen)
        await pilot.press("n")
        await type_measure(app, pilot, "Felles rutine for fraværssamtaler")
        await pilot.press("n")
        await type_measure(app, pilot, "Leder tar ukentlige runder", level="lederrolle")
        table = app.screen.query_one("#measures", DataTable)
        assert table.row_count == 3

        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        summary = app.screen.markdown
        assert "3 av 5 ansatte gjennomgått" in summary
        assert "Samtale om tilrettelegging" in summary and "Leder tar ukentlige runder" in summary
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)
        first = read(session_rows.for_unit, engine, UNIT)[0]
        assert first.ended_at is not None and "3 av 5" in (first.summary or "")

        # Session 2 (the same day: asked first) opens on last time's open measures as the
        # checklist.
        await pilot.press("i")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmForm)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, MeasuresScreen)
        checklist = app.screen.query_one("#checklist", DataTable)
        assert checklist.row_count == 3
        checklist.focus()
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, TextForm)
        await pilot.press(*"Gjennomført i oktober", "enter")
        await settle(app, pilot)
        await pilot.press("f")
        await settle(app, pilot)
        second = read(session_rows.for_unit, engine, UNIT)[0]
        items = read(measure_rows.checklist, engine, second.id)
        closed = [item for item in items if item.status == "fullfort"]
        assert len(closed) == 1 and closed[0].comment == "Gjennomført i oktober"

        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryScreen)
        history = app.screen.query_one(DataTable)
        assert history.row_count == 2  # agreed in session 1, closed in session 2
        assert "Gjennomført i oktober" in screen_text(app)


async def test_masked_display_shows_no_name_on_any_screen(unit: Builder, engine: Engine):
    session_id = sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)
    measure_cases.add_measure(engine, UNIT, "enkeltsak", "Oppfølging", session_id=session_id,
                         employee_id=1)  # fmt: skip
    app = NaervaerApp(db_path(engine), today=TODAY)
    shots: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        shots.append(screen_text(app))
        await pilot.press("slash", *"Lia", "enter", "enter")
        await settle(app, pilot)
        shots.append(screen_text(app))
        await pilot.press("i")  # resumes the open session: its review
        await settle(app, pilot)
        shots.append(screen_text(app))
        for screen in (MeasuresScreen(UNIT, session_id), SummaryScreen(session_id, UNIT)):
            await app.push_screen(screen)
            await settle(app, pilot)
            shots.append(screen_text(app))
        for shot in shots:
            for word in SURNAMES:
                assert word not in shot
        await pilot.press("m")
        await settle(app, pilot)
        assert "Kari Nordmann" in screen_text(app)
    assert NAMES[1] == "Kari Nordmann"


def session_with_a_checklist(engine: Engine) -> int:
    """A second session, whose checklist is the measure agreed in the first."""
    first = sessions.start_session(engine, UNIT, "individuell_radgivning", D(2026, 10, 1))
    measure_cases.add_measure(engine, UNIT, "enhet", "Felles rutine", session_id=first)
    sessions.end_session(engine, first, "Første møte")
    return sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)


async def open_checklist(app: NaervaerApp, pilot: Pilot[int], session_id: int) -> MeasuresScreen:
    """The checklist as a session's start opens it: reading the review ahead."""
    await settle(app, pilot)
    await app.push_screen(MeasuresScreen(UNIT, session_id, read_ahead=True))
    await settle(app, pilot)
    assert isinstance(app.screen, MeasuresScreen)
    return app.screen


async def test_the_checklist_reads_the_review_ahead_and_g_opens_it_on_that(
    unit: Builder, engine: Engine
):
    session_id = session_with_a_checklist(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        checklist = await open_checklist(app, pilot, session_id)
        assert checklist.review_ahead.done()
        spells_read: list[str] = []
        assert app.engine is not None
        event.listen(
            app.engine,
            "before_cursor_execute",
            lambda *args: spells_read.append(args[2]) if "spells" in args[2] else None,
        )

        await pilot.press("g")
        await settle(app, pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert [d.employee_id for d in review.details][:3] == [1, 2, 3]
        assert review.details is checklist.review_ahead.result()
        assert spells_read == []  # nothing of the employees' absence was read again


async def test_g_opens_the_review_on_the_checklists_masker(unit: Builder, engine: Engine):
    """The unit's people (whose names are hidden) were read with the checklist: the review
    masks with those, not with a masker built again."""
    session_id = session_with_a_checklist(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        checklist = await open_checklist(app, pilot, session_id)
        await pilot.press("g")
        await settle(app, pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.names is checklist.names
        assert review.names.shown("Kari Nordmann", masked=True) != "Kari Nordmann"


async def test_a_failed_read_ahead_is_read_again_when_the_review_opens(
    unit: Builder, engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    session_id = session_with_a_checklist(engine)

    def broken(*args: object) -> None:
        raise OSError("disk I/O error")

    monkeypatch.setattr(review_usecases, "employee_details", broken)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        checklist = await open_checklist(app, pilot, session_id)
        assert isinstance(checklist.review_ahead.exception(), OSError)
        monkeypatch.undo()

        await pilot.press("g")
        await settle(app, pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen) and len(review.details) == 5
        assert app.failure is None


async def test_a_session_opens_on_its_checklist_read_before_it_is_drawn(
    unit: Builder, engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    session_id = session_with_a_checklist(engine)
    loads: list[MeasuresScreen] = []
    monkeypatch.setattr(MeasuresScreen, "load", lambda screen: loads.append(screen))
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"Lia", "enter", "enter")
        await settle(app, pilot)
        await pilot.press("i")  # goes on with the session started today
        await settle(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        checklist = app.screen
        assert isinstance(checklist, MeasuresScreen) and checklist.session_id == session_id
        assert checklist.query_one("#checklist", DataTable).row_count == 1
        assert loads == []  # drawn with what was read when the session started


async def test_the_checklist_opened_from_the_review_leaves_the_review_to_read_afresh(
    unit: Builder, engine: Engine
):
    """The review's last writes may still be on their way: reading ahead could miss them."""
    session_id = session_with_a_checklist(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.post_message(OpenReview(session_id, UNIT))
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen) and app.screen.selected == 1
        await pilot.press("d", "T")  # Kari's next milestone done, and on to the checklist at once
        await settle(app, pilot)
        checklist = app.screen
        assert isinstance(checklist, MeasuresScreen)
        assert not checklist.review_ahead.running() and not checklist.review_ahead.done()

        await pilot.press("g")
        await settle(app, pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        kari = review.current()
        assert kari is not None and kari.case is not None
        assert [m.key for m in kari.case.milestones if m.status == "done"] == ["followup_plan"]


async def test_the_cursor_follows_the_measure_when_a_new_due_date_moves_it(
    unit: Builder, engine: Engine
):
    """`d` re-sorts the checklist: the next `f` must close the measure just given a new date."""
    first = sessions.start_session(engine, UNIT, "individuell_radgivning", D(2026, 10, 1))
    early = measure_cases.add_measure(
        engine, UNIT, "enhet", "Oppdatere rutinen", due_date=D(2027, 1, 31), session_id=first
    )
    late = measure_cases.add_measure(
        engine, UNIT, "enhet", "Faste nærværssamtaler", due_date=D(2027, 2, 15), session_id=first
    )
    sessions.end_session(engine, first, "Første møte")
    session_id = sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        checklist = await open_checklist(app, pilot, session_id)
        assert [item.measure.id for item in checklist.checklist] == [early, late]
        assert checklist.selected()[1].id == early

        await pilot.press("d", "ctrl+u", *"28.02.2027", "enter")
        await settle(app, pilot)
        assert [item.measure.id for item in checklist.checklist] == [late, early]
        assert checklist.selected()[1].id == early  # the cursor went along

        await pilot.press("f")
        await settle(app, pilot)
    statuses = {m.id: m.status for m in read(measure_rows.for_unit, engine, UNIT)}
    assert statuses == {early: "fullfort", late: "apen"}
