"""What a meeting leaves in the record: why a measure was cancelled, a new meeting the same day
asked about first, the milestones done and the checklist's open measures in the summary."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from textual.widgets import DataTable, Input

from core.summary import summary_markdown
from storage.repos import measures as measure_rows
from storage.repos import sessions as session_rows
from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from tests.conftest import Builder, read
from tests.tui.conftest import TODAY, UNIT, D, db_path, screen_text, settle
from tests.tui.test_session import open_checklist, session_with_a_checklist
from tui.app import NaervaerApp
from tui.dialogs.forms import ConfirmForm, TextForm
from tui.navigation import OpenReview
from tui.screens.history import HistoryScreen
from tui.screens.measures import MeasuresScreen
from tui.screens.review import ReviewScreen
from tui.screens.unit import UnitScreen


def statuses(engine: Engine) -> list[str]:
    return [m.status for m in read(measure_rows.for_unit, engine, UNIT)]


async def test_x_asks_why_a_measure_is_cancelled_and_keeps_the_reason_in_its_history(
    unit: Builder, engine: Engine
):
    session_id = session_with_a_checklist(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        checklist = await open_checklist(app, pilot, session_id)
        checklist.query_one("#checklist", DataTable).focus()

        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, TextForm)
        await pilot.press("escape")  # Esc: the measure stays as it was
        await settle(app, pilot)
        assert app.screen is checklist and statuses(engine) == ["apen"]

        await pilot.press("x")
        await settle(app, pilot)
        await pilot.press("enter")  # no reason: refused, said in Norwegian
        await settle(app, pilot)
        assert isinstance(app.screen, TextForm)
        assert "Skriv hvorfor tiltaket avbrytes" in screen_text(app)
        assert statuses(engine) == ["apen"]

        app.screen.query_one("#value", Input).focus()
        await pilot.press(*"Rutinen er erstattet", "enter")
        await settle(app, pilot)
        assert app.screen is checklist and statuses(engine) == ["avbrutt"]
        [item] = read(measure_rows.checklist, engine, session_id)
        assert item.checked and item.comment == "Avbrutt: Rutinen er erstattet"

        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert "Avbrutt: Rutinen er erstattet" in screen_text(app)


async def test_x_outside_a_meeting_keeps_the_reason_in_the_history_with_its_date(
    unit: Builder, engine: Engine
):
    first = sessions.start_session(engine, UNIT, "individuell_radgivning", D(2026, 10, 1))
    measure = measure_cases.add_measure(engine, UNIT, "enhet", "Felles rutine", session_id=first)
    other = measure_cases.add_measure(engine, UNIT, "lederrolle", "Fast tid", session_id=first)
    sessions.end_session(engine, first, "Første møte")
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await app.push_screen(MeasuresScreen(UNIT, None))  # the unit overview's measures
        await settle(app, pilot)
        before = dt.date.today()
        await pilot.press("x", *"Ikke aktuelt", "enter")
        await settle(app, pilot)
        after = dt.date.today()
        assert statuses(engine) == ["apen", "avbrutt"]
        history = measure_cases.measure_history(engine, measure)
        assert [(h.session_id, h.status, h.comment) for h in history] == [
            (first, "apen", ""),
            (None, "avbrutt", "Avbrutt: Ikke aktuelt"),
        ]
        day = history[-1].held_on
        assert before <= day <= after

        table = app.screen.query_one("#measures", DataTable)
        table.move_cursor(row=1)  # the cancelled measure, sorted after the open one
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryScreen)
        text = screen_text(app)
        assert f"Utenfor møte            {day:%d.%m.%Y}" in text
        assert "Avbrutt: Ikke aktuelt" in text

    # With a meeting open for the unit, the reason goes into that meeting's record.
    today = sessions.start_session(engine, UNIT, "statusmote", TODAY)
    measure_cases.cancel_measure(engine, other, "  Ikke lenger aktuelt  ")
    assert statuses(engine) == ["avbrutt", "avbrutt"]
    history = measure_cases.measure_history(engine, other)
    assert [(h.session_id, h.status, h.comment) for h in history] == [
        (first, "apen", ""),
        (today, "avbrutt", "Avbrutt: Ikke lenger aktuelt"),
    ]


async def test_a_milestone_done_shows_the_day_it_was_done_not_its_due_date(
    unit: Builder, engine: Engine
):
    session_id = sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)
    # Kari's case began 1 September: the follow-up plan fell due 28.09.2026.
    sessions.set_milestone_done(
        engine, 1, D(2026, 9, 1), "followup_plan", True, D(2026, 11, 20), session_id
    )
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.post_message(OpenReview(session_id, UNIT))
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen) and app.screen.selected == 1
        text = screen_text(app)
        assert "utført   20.11.2026  Oppfølgingsplan" in text
        assert "28.09.2026" not in text

        await pilot.press("d")  # the next one, done today
        await settle(app, pilot)
        text = screen_text(app)
        assert "utført   20.11.2026  Oppfølgingsplan" in text
        assert f"utført   {TODAY:%d.%m.%Y}" in text


async def test_a_new_meeting_the_same_day_is_asked_about_first(unit: Builder, engine: Engine):
    for _ in range(2):
        held = sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)
        sessions.end_session(engine, held, "Holdt i dag")
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"Lia", "enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmForm)
        assert "Det er allerede holdt 2 møter med enheten i dag. Starte et nytt?" in screen_text(
            app
        )
        await pilot.press("escape")  # no third meeting
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)
        assert len(read(session_rows.for_unit, engine, UNIT)) == 2

        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmForm)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("enter")  # past the agenda
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        newest = read(session_rows.for_unit, engine, UNIT)[0]
        assert len(read(session_rows.for_unit, engine, UNIT)) == 3
        assert newest.session_type == "statusmote" and newest.ended_at is None

        # Going on with the meeting still open asks nothing.
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("enter")  # past the agenda
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert len(read(session_rows.for_unit, engine, UNIT)) == 3


def test_the_summary_lists_milestones_done_and_the_open_measures_ticked_or_not_taken_up(
    unit: Builder, engine: Engine
):
    first = sessions.start_session(engine, UNIT, "individuell_radgivning", D(2026, 10, 1))
    ticked, _untouched, closed = (
        measure_cases.add_measure(engine, UNIT, "enhet", text, session_id=first)
        for text in ("Felles rutine", "Ukentlige runder", "Ny turnus")
    )
    sessions.end_session(engine, first, "Første møte")
    second = sessions.start_session(engine, UNIT, "statusmote", TODAY)
    measure_cases.follow_up(engine, ticked, second, checked=True)
    measure_cases.follow_up(engine, closed, second, checked=True, status="fullfort")
    sessions.set_milestone_done(
        engine, 1, D(2026, 9, 1), "followup_plan", True, D(2026, 11, 24), second
    )
    # Done in another meeting: not this one's.
    sessions.set_milestone_done(
        engine, 1, D(2026, 9, 1), "dialogue_meeting_1", True, D(2026, 10, 1), first
    )
    sessions.end_session(
        engine, second, summary_markdown(sessions.session_summary(engine, second), masked=True)
    )

    stored = sessions.session_info(engine, second).summary or ""
    lines = stored.splitlines()
    milestones = lines.index("## Milepæler utført i møtet")
    assert lines[milestones + 2 : milestones + 4] == [
        "- ansatt 100001: Oppfølgingsplan, utført 24.11.2026.",
        "",
    ]
    ticked_at = lines.index("## Gått gjennom, fortsatt åpne")
    assert lines[ticked_at + 2 : ticked_at + 4] == [
        "- Felles rutine. Ingen frist, status: Åpen.",
        "",
    ]
    untouched_at = lines.index("## Åpne tiltak som ikke ble tatt opp")
    assert lines[untouched_at + 2 : untouched_at + 4] == [
        "- Ukentlige runder. Ingen frist, status: Åpen.",
        "",
    ]
    closed_at = lines.index("## Avsluttede tiltak")
    assert lines[closed_at + 2].startswith("- Ny turnus.")
    assert "Dialogmøte 1" not in stored and "Kari" not in stored


async def test_the_meetings_panel_shows_the_last_summary_as_text_not_markdown(
    unit: Builder, engine: Engine
):
    held = sessions.start_session(engine, UNIT, "individuell_radgivning", D(2026, 11, 2))
    sessions.end_session(
        engine, held, summary_markdown(sessions.session_summary(engine, held), masked=True)
    )
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"Lia", "enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)
        panel = str(app.screen.query_one("#unit-last-session").render())
    assert "Oppsummering: Individuell rådgivning 02.11.2026" in panel
    assert "Enhet: Lia sykehjem" in panel
    assert "# Oppsummering" not in panel and "**" not in panel and "\\" not in panel


async def test_the_history_shows_the_reason_whole_at_80_columns(unit: Builder, engine: Engine):
    first = sessions.start_session(engine, UNIT, "individuell_radgivning", D(2026, 10, 1))
    measure = measure_cases.add_measure(engine, UNIT, "enhet", "Felles rutine", session_id=first)
    sessions.end_session(engine, first, "Første møte")
    reason = "Rutinen er erstattet av kommunens nye retningslinje for oppfølging"
    measure_cases.cancel_measure(engine, measure, reason)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(MeasuresScreen(UNIT, None))
        await settle(app, pilot)
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryScreen)
        box = app.screen.query_one(".dialog")
        assert app.screen.region.contains_region(box.region)
        text = " ".join(screen_text(app).replace("│", " ").split())
        for word in f"Avbrutt: {reason}".split():
            assert word in text
