"""Typed and imported text is shown as text: no markup read, no terminal escapes sent, no crash."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine
from textual.widgets import Input

from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from tests.conftest import Builder
from tests.tui.conftest import TODAY, D, db_path, screen_text, settle
from tui.app import NaervaerApp
from tui.screens.edit_unit import ScoresScreen
from tui.screens.measures import MeasuresScreen
from tui.screens.review import ReviewScreen
from tui.screens.summary import SummaryScreen
from tui.screens.unit import UnitScreen
from tui.screens.units import UnitsScreen
from tui.widgets.choice import Choice

# Control bytes and escape sequences a CSV export or a paste can carry: clear the screen, set
# the window title, write the clipboard (OSC 52), ring, backspace, an 8-bit CSI.
ESCAPES = "\x1b[2J\x1b]0;tittel\x07\x1b]52;c;aGVp\x07\x07\x08\x9b31m"
# Each field gets its own markup, so that the test sees which one went wrong; some of it is
# malformed ([/i] closes nothing), which Textual's markup parser rejects with an error.
UNIT = f"Enhet [bold]U[/bold]{ESCAPES}"
AREA = f"[link=https://evil.example]Område[/link]{ESCAPES}"
LEADER = f"[/i]Leder{ESCAPES}"
CODE = "[b]K1[/b]"
PERSON = f"[b]Ola[/b] {ESCAPES}Hansen"
TITLE = "[reverse]Tittel[/reverse]"
NOTE = f"[red]notat[/red] {ESCAPES}[/link]"
MEASURE = f"[bold]tiltak[/bold] {ESCAPES}"
OWNER = "[/b]eier"
FACTOR = f"[@click=app.quit]faktor[/]{ESCAPES}"
SUMMARY = f"[i]forrige[/i] {ESCAPES}"
LONG = "langt " * 2000

# What the screen must show: the markup as typed, with the control bytes gone.
SHOWN = {
    "unit": "Enhet [bold]U[/bold]",
    "area": "[link=https://evil.example]Område[/link]",
    "leader": "[/i]Leder",
    "code": "[b]K1[/b]",
    "person": "[b]Ola[/b] Hansen",
    "title": "[reverse]Tittel[/reverse]",
    "note": "[red]notat[/red] [/link]",
    "measure": "[bold]tiltak[/bold]",
    "owner": "[/b]eier",
    "factor": "[@click=app.quit]faktor[/]",
    "summary": "[i]forrige[/i]",
}
# Anything a terminal acts on rather than prints (tab and newline aside).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def hostile(build: Builder, engine: Engine) -> tuple[int, int]:
    """A unit whose every typed or imported text is hostile; returns (open session, unit)."""
    build.unit(1, CODE, UNIT, service_area=AREA, leader=LEADER)
    build.employee(1, "100001", PERSON)
    build.employment(1, 1, 100.0, D(2020, 1, 1), title=TITLE)
    build.employee(2, "100002", LONG).employment(2, 1, 100.0, D(2020, 1, 1), title=LONG)
    build.spell(1, D(2026, 9, 1), None)
    build.refresh(TODAY)
    before = sessions.start_session(engine, 1, "statusmote", D(2026, 10, 1), advisor=LEADER)
    sessions.end_session(engine, before, SUMMARY)
    sessions.set_presence_factor(engine, 1, "styrke", 1, FACTOR)
    sessions.set_presence_factor(engine, 1, "forbedring", 1, LONG)
    session_id = sessions.start_session(engine, 1, "individuell_radgivning", TODAY)
    sessions.set_review_note(engine, session_id, 1, NOTE)
    sessions.set_review_note(engine, session_id, 2, LONG)
    measure_cases.add_measure(
        engine, 1, "enkeltsak", MEASURE, owner=OWNER, session_id=session_id, employee_id=1
    )
    measure_cases.add_measure(engine, 1, "enhet", LONG, session_id=session_id)
    sessions.set_session_note(engine, session_id, NOTE)
    return session_id, 1


def assert_shown_as_text(app: NaervaerApp, *keys: str) -> None:
    assert app.is_running and app.failure is None
    svg = app.export_screenshot()
    control = CONTROL.search(svg)
    assert control is None, f"sent to the terminal: {svg[control.start() - 80 : control.end()]!r}"
    text = screen_text(app)
    for key in keys:
        assert SHOWN[key] in text, f"{key}: {SHOWN[key]!r} is not on the screen as typed"


async def test_every_screen_shows_hostile_text_as_typed(hostile: tuple[int, int], engine: Engine):
    session_id, unit_id = hostile
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, UnitsScreen)
        assert_shown_as_text(app, "unit", "area")
        area = app.screen.query_one("#area", Choice)
        area.value = next(value for value in area.values() if value != "alle")
        await settle(app, pilot)
        assert_shown_as_text(app, "unit", "area")

        await app.push_screen(UnitScreen(unit_id))
        await settle(app, pilot)
        await pilot.press("m")  # names (the leader's too) are masked until asked for
        await settle(app, pilot)
        assert_shown_as_text(app, "unit", "area", "leader", "code", "factor", "summary")

        await app.push_screen(ReviewScreen(session_id, unit_id))
        await settle(app, pilot)
        assert_shown_as_text(app, "unit", "person", "title", "note", "measure", "owner")
        await pilot.press("n")  # the one with the very long name, title and note
        await settle(app, pilot)
        assert_shown_as_text(app, "unit")

        await app.switch_screen(MeasuresScreen(unit_id, session_id))
        await settle(app, pilot)
        assert_shown_as_text(app, "unit", "person", "measure", "owner")

        await app.switch_screen(SummaryScreen(session_id, unit_id))
        await settle(app, pilot)
        assert_shown_as_text(app, "unit", "person", "measure", "owner", "note")


async def test_command_palette_lists_unit_names_as_typed(hostile: tuple[int, int], engine: Engine):
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert_shown_as_text(app, "unit")  # listed before anything is typed
        await pilot.press(*"enhet")
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert_shown_as_text(app, "unit")


async def test_text_typed_into_a_score_is_quoted_as_typed(hostile: tuple[int, int], engine: Engine):
    _, unit_id = hostile
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(200, 60), notifications=True) as pilot:
        await settle(app, pilot)
        await app.push_screen(ScoresScreen(unit_id, {}))
        await settle(app, pilot)
        score = app.screen.query(Input).first()
        score.focus()
        typed = "[/b][link=https://evil.example]x"
        await pilot.press(*typed, "tab")  # leaving the field saves it, or says why not
        await settle(app, pilot)
        assert app.is_running and app.failure is None
        assert f"«{typed}» er ikke et tall" in screen_text(app)
