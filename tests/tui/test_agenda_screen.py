"""The agenda that opens a session: shown at the start, skipped with one key, masked."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import DataTable

from core.masking import Masker
from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from tests.conftest import Builder
from tests.tui.conftest import TODAY, UNIT, D, db_path, screen_text, settle
from tui.app import NaervaerApp
from tui.screens import measures as measures_screen
from tui.screens.agenda import AgendaScreen
from tui.screens.measures import MeasuresScreen
from tui.screens.review import ReviewScreen
from tui.screens.summary import SummaryScreen
from tui.screens.unit import UnitScreen


@pytest.fixture
def last_time(unit: Builder, engine: Engine) -> None:
    """The last session was held 15.10.2026, with a measure due 01.11 and one due 10.12."""
    last = sessions.start_session(engine, UNIT, "individuell_radgivning", D(2026, 10, 15))
    measure_cases.add_measure(
        engine, UNIT, "enhet", "Felles rutine med Kari", due_date=D(2026, 11, 1), session_id=last
    )
    measure_cases.add_measure(
        engine, UNIT, "lederrolle", "Ukentlige runder", due_date=D(2026, 12, 10), session_id=last
    )
    sessions.end_session(engine, last, "Forrige møte")


def on_one_line(text: str, *parts: str) -> bool:
    """Whether one line of the screen shows every part, in order (its cells are apart)."""
    return any(
        all(part in line for part in parts) and line.index(parts[0]) < line.index(parts[-1])
        for line in text.splitlines()
    )


async def start_session(app: NaervaerApp, pilot: Pilot[int], key: str = "i") -> None:
    await settle(app, pilot)
    await pilot.press("slash", *"Lia", "enter", "enter")
    await settle(app, pilot)
    assert isinstance(app.screen, UnitScreen)
    await pilot.press(key)
    await settle(app, pilot)


async def test_a_session_opens_on_its_agenda_and_one_key_goes_on_to_the_checklist(
    last_time: None, engine: Engine
) -> None:
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_session(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
        text = screen_text(app)
        # Since 16.10 (the day after the last session) up to today; the next 42 days after.
        for expected in (
            "Siden sist: etter møtet 15.10.2026 (16.10.2026–24.11.2026)",
            "De neste 6 ukene (25.11.2026–05.01.2027)",
            "Tiltak siden sist: 0 fullført, 0 nye, 1 forfalt",
            # Kari's case began 01.09.2026: S + 48 and S + 55 fell in the window, not done.
            "Milepæler med frist i perioden (2)",
            "Dialogmøte 1, frist 19.10.2026: forfalt",
            "Aktivitetskrav, frist 26.10.2026: forfalt",
            "Nye flagg (1)",
            "Vurder gradert sykmelding: 100 % sykmeldt i 85 dager",
            "Tiltak med frist i perioden (1)",
            "Felles rutine med ansatt 100001",
            "enhet, frist 01.11.2026, åpen",
            "Tiltak med frist de neste 6 ukene (1)",
            "Ukentlige runder",
            "lederrolle, frist 10.12.2026, åpen",
            "Fraværstilfeller som startet: ingen",
            "Milepæler de neste 6 ukene: ingen",
            "Enter eller n: videre til sjekklisten.",
        ):
            assert expected in text, expected
        assert on_one_line(text, "Ansatt 100001", "Dialogmøte 1, frist 19.10.2026")
        assert "Kari" not in text and "Nordmann" not in text  # masked by default

        await pilot.press("m")
        await settle(app, pilot)
        text = screen_text(app)
        assert on_one_line(text, "Kari Nordmann (100001)", "Dialogmøte 1, frist 19.10.2026")
        assert "Felles rutine med Kari" in text

        await pilot.press("n")
        await settle(app, pilot)
        checklist = app.screen
        assert isinstance(checklist, MeasuresScreen)
        assert len(checklist.checklist) == 2

        # Back from the checklist is the unit, as before the agenda was there.
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)


async def test_enter_goes_on_to_the_review_when_there_is_no_checklist(
    unit: Builder, engine: Engine
) -> None:
    """A first session: the last 8 weeks, 30.09–24.11.2026 (56 days up to today)."""
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_session(app, pilot, "o")
        assert isinstance(app.screen, AgendaScreen)
        text = screen_text(app)
        assert "Siden sist: første møte, de siste 8 ukene (30.09.2026–24.11.2026)" in text
        assert "videre til gjennomgangen" in text
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)


async def test_escape_leaves_the_agenda_for_the_unit(last_time: None, engine: Engine) -> None:
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_session(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)


async def test_the_checklist_fills_its_tables_once_as_it_opens(
    last_time: None, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled: list[str | None] = []
    refill = measures_screen._refill

    def counted(table: DataTable[Any], *args: Any) -> None:
        filled.append(table.id)
        refill(table, *args)

    monkeypatch.setattr(measures_screen, "_refill", counted)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_session(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        checklist = app.screen
        assert isinstance(checklist, MeasuresScreen) and len(checklist.checklist) == 2
        # Once each, not again for the resize that comes as a screen opens (to the same width).
        assert sorted(map(str, filled)) == ["checklist", "measures"]
        # The review's employees are read ahead once the checklist is drawn.
        assert len(checklist.review_ahead.result(timeout=10)) == 5
        await pilot.resize_terminal(100, 40)
        await settle(app, pilot)
        assert sorted(map(str, filled)) == ["checklist", "checklist", "measures", "measures"]


async def test_the_summary_has_a_case_begun_after_the_agenda_was_read(
    last_time: None, unit: Builder, engine: Engine
) -> None:
    """The app keeps the session's agenda for its summary: a spell imported meanwhile (from
    another terminal) is in the summary all the same."""
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_session(app, pilot)
        assert isinstance(app.screen, AgendaScreen)
        assert "Fraværstilfeller som startet: ingen" in screen_text(app)
        unit.spell(3, D(2026, 11, 20), None)
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert "- ansatt 100003: fra 20.11.2026, pågår, 5 sykedager." in app.screen.markdown


async def test_the_summary_has_the_sessions_unit_in_its_title_bar(
    last_time: None, engine: Engine
) -> None:
    """As the agenda and the checklist of the session have, not the app's masking line."""
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_session(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        checklist_title = app.screen.sub_title
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        title = "Lia sykehjem · Individuell rådgivning 24.11.2026"
        assert app.screen.sub_title == checklist_title == title
        assert f"Nærvær — {title}" in screen_text(app)


async def test_the_units_masker_is_made_once_as_a_session_goes_from_screen_to_screen(
    last_time: None, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each screen reads whom the unit knows anew; a masker of the same people is not made
    again (core.masking.masker_of): some milliseconds at each of i, g and a."""
    made: list[int] = []
    make = Masker.__init__

    def counted(masker: Masker, *args: Any, **kwargs: Any) -> None:
        made.append(1)
        make(masker, *args, **kwargs)

    monkeypatch.setattr(Masker, "__init__", counted)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"Lia", "enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)  # with the unit's masker
        opened = len(made)
        for key in ("i", "n", "g", "a"):
            await pilot.press(key)
            await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert "Felles rutine med ansatt 100001" in app.screen.markdown  # masked all the same
        assert len(made) == opened
