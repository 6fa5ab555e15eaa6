"""Every screen that shows free text hides the names in it while masked, and shows it as
written after m: the review's note and measures, the checklist, the measures, the history, the
summary and its note, the unit overview's leader."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine, update
from textual.widgets import TextArea

from storage.models import Unit
from storage.repos import measures as measure_rows
from storage.repos import reviews as review_rows
from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from tests.conftest import Builder, read
from tests.tui.conftest import TODAY, UNIT, db_path, screen_text, settle
from tui.app import NaervaerApp
from tui.screens.measures import MeasuresScreen
from tui.screens.review import ReviewScreen
from tui.screens.summary import SummaryScreen
from tui.screens.unit import UnitScreen

LEADER = "Hanne Lie-Strand"
# On Kari Nordmann (100001): another employee by full name, one by first name alone and in the
# genitive, and the leader, whose surname is double-barrelled.
NOTE = "Per Bergersen tar vakter for Anne. Annes turnus endres, sier Hanne Lie-Strand."
MASKED_NOTE = "ansatt 100003 tar vakter for ansatt 100004. ansatt 100004s turnus endres, sier"
NAME_WORDS = ("Bergersen", "Anne", "Annes", "Hanne", "Lie", "Strand", "Emil", "Vikestad")


def leaked(text: str) -> list[str]:
    return [word for word in NAME_WORDS if re.search(rf"(?<![\w-]){word}(?![\w])", text)]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def session_id(unit: Builder, engine: Engine) -> int:
    with engine.begin() as conn:
        conn.execute(update(Unit).where(Unit.id == UNIT).values(leader=LEADER))
    earlier = sessions.start_session(engine, UNIT, "oppstartsmote", TODAY.replace(month=9))
    measure_cases.add_measure(
        engine, UNIT, "enkeltsak", "Emil Vikestad og Per prøver ny turnus", owner=LEADER,
        session_id=earlier, employee_id=1,
    )  # fmt: skip
    sessions.end_session(engine, earlier, "Oppstart.")
    sid = sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)
    sessions.set_review_note(engine, sid, 1, NOTE)
    sessions.set_session_note(engine, sid, "Emil er tilbake; Hanne følger opp.")
    measure = read(measure_rows.checklist, engine, sid)[0].measure
    measure_cases.follow_up(engine, measure.id, sid, comment="Snakket med Emil Vikestad.")
    return sid


async def shown_both_ways(app: NaervaerApp, pilot: object) -> tuple[str, str]:
    """The screen's text masked (the default), then after m."""
    masked = flat(screen_text(app))
    await pilot.press("m")  # type: ignore[attr-defined]
    await settle(app, pilot)  # type: ignore[arg-type]
    return masked, flat(screen_text(app))


async def test_review_note_and_measures(session_id: int, engine: Engine) -> None:
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await app.push_screen(ReviewScreen(session_id, UNIT))
        await settle(app, pilot)
        masked, named = await shown_both_ways(app, pilot)
        assert leaked(masked) == []
        assert MASKED_NOTE in masked
        assert "ansatt 100005 og ansatt 100003 prøver ny turnus – leder (E1)" in masked
        assert NOTE in named
        assert "Emil Vikestad og Per prøver ny turnus – Hanne Lie-Strand" in named
        # Masked again, the note is written as it is, and its text is never the masked one.
        await pilot.press("m", "e")
        await settle(app, pilot)
        note = app.screen.query_one("#review-note", TextArea)
        assert note.has_focus and note.display and note.text == NOTE
        await pilot.press("escape")
        await settle(app, pilot)
        assert MASKED_NOTE in flat(screen_text(app))
    assert read(review_rows.states, engine, session_id)[1] == (False, NOTE)


async def test_checklist_measures_and_history(session_id: int, engine: Engine) -> None:
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await app.push_screen(MeasuresScreen(UNIT, session_id))
        await settle(app, pilot)
        masked, named = await shown_both_ways(app, pilot)
        assert leaked(masked) == []
        assert "ansatt 100005 og ansatt 100003 prøver ny turnus" in masked
        assert "Ansvarlig: leder (E1)" in masked
        assert "Kommentar i dag: Snakket med ansatt 100005." in masked
        assert "Ansvarlig: Hanne Lie-Strand" in named
        await pilot.press("m", "h")
        await settle(app, pilot)
        history = flat(screen_text(app))
        assert leaked(history) == []
        assert "Snakket med ansatt 100005." in history and "ansvarlig leder (E1)" in history
        await pilot.press("escape", "m", "h")
        await settle(app, pilot)
        assert "Snakket med Emil Vikestad." in flat(screen_text(app))


async def test_summary_and_its_note(session_id: int, engine: Engine) -> None:
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await app.push_screen(SummaryScreen(session_id, UNIT))
        await settle(app, pilot)
        masked, named = await shown_both_ways(app, pilot)
        assert leaked(masked) == []
        assert "ansatt 100005 er tilbake; leder (E1) følger opp." in masked
        assert "Emil er tilbake; Hanne følger opp." in named


async def test_unit_overview_leader(session_id: int, engine: Engine) -> None:
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await app.push_screen(UnitScreen(UNIT))
        await settle(app, pilot)
        masked, named = await shown_both_ways(app, pilot)
        assert leaked(masked) == []
        assert "leder: skjult" in masked
        assert f"leder: {LEADER}" in named
