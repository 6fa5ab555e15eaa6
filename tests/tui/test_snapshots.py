"""SVG snapshots of every screen at 120×40, and the busiest at 80×24, on the same small unit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from storage.usecases import measures as measure_cases
from storage.usecases import project, sessions
from tests.conftest import Builder
from tests.tui.conftest import TODAY, UNIT, db_path, settle
from tui.app import NaervaerApp
from tui.screens.measures import MeasuresScreen
from tui.screens.review import ReviewScreen
from tui.screens.summary import SummaryScreen

SIZE = (120, 40)
SMALL = (80, 24)  # a small laptop's terminal


@pytest.fixture
def session_id(unit: Builder, engine: Engine) -> int:
    earlier = sessions.start_session(engine, UNIT, "oppstartsmote", TODAY.replace(month=9))
    measure_cases.add_measure(engine, UNIT, "enhet", "Felles rutine for fraværssamtaler",
                         owner="Enhetsleder", due_date=TODAY.replace(month=10),
                         session_id=earlier)  # fmt: skip
    measure_cases.add_measure(engine, UNIT, "lederrolle", "Ukentlige runder i avdelingene",
                         owner="Enhetsleder", session_id=earlier)  # fmt: skip
    sessions.end_session(engine, earlier, "Oppstart med lederteamet.")
    return sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)


def snapshot_of(
    snap_compare: Any,
    engine: Engine,
    then: Callable[[Any], Awaitable[None]] | None = None,
    size: tuple[int, int] = SIZE,
) -> bool:
    app = NaervaerApp(db_path(engine), today=TODAY)

    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)
        if then is not None:
            await then(pilot)
            await settle(app, pilot)

    return bool(snap_compare(app, terminal_size=size, run_before=run_before))


def test_units(snap_compare: Any, session_id: int, engine: Engine) -> None:
    assert snapshot_of(snap_compare, engine)


def test_unit_overview(snap_compare: Any, session_id: int, engine: Engine) -> None:
    async def open_unit(pilot: Any) -> None:
        await pilot.press("slash", *"Lia", "enter", "enter")

    assert snapshot_of(snap_compare, engine, open_unit)


def test_join_dialog(snap_compare: Any, session_id: int, engine: Engine) -> None:
    """p on a unit outside the project: the date is today, the baseline the quarter before."""

    async def join(pilot: Any) -> None:
        await pilot.press("slash", *"Lia", "enter", "enter")
        await settle(pilot.app, pilot)
        await pilot.press("p")

    assert snapshot_of(snap_compare, engine, join)


def test_review(snap_compare: Any, session_id: int, engine: Engine) -> None:
    async def review(pilot: Any) -> None:
        await pilot.app.push_screen(ReviewScreen(session_id, UNIT))

    assert snapshot_of(snap_compare, engine, review)


def test_measures_checklist(snap_compare: Any, session_id: int, engine: Engine) -> None:
    async def checklist(pilot: Any) -> None:
        await pilot.app.push_screen(MeasuresScreen(UNIT, session_id))

    assert snapshot_of(snap_compare, engine, checklist)


def test_summary(snap_compare: Any, session_id: int, engine: Engine) -> None:
    async def summary(pilot: Any) -> None:
        await pilot.app.push_screen(SummaryScreen(session_id, UNIT))

    assert snapshot_of(snap_compare, engine, summary)


def test_help(snap_compare: Any, session_id: int, engine: Engine) -> None:
    async def help_screen(pilot: Any) -> None:
        await pilot.press("question_mark")

    assert snapshot_of(snap_compare, engine, help_screen)


def test_units_80x24(snap_compare: Any, session_id: int, engine: Engine) -> None:
    """Every column and filter in view, the name cut with …, the keys on two lines."""
    assert snapshot_of(snap_compare, engine, size=SMALL)


def test_unit_overview_80x24(snap_compare: Any, session_id: int, engine: Engine) -> None:
    async def open_unit(pilot: Any) -> None:
        await pilot.press("slash", *"Lia", "enter", "enter")

    assert snapshot_of(snap_compare, engine, open_unit, size=SMALL)


def test_measures_checklist_80x24(snap_compare: Any, session_id: int, engine: Engine) -> None:
    async def checklist(pilot: Any) -> None:
        await pilot.app.push_screen(MeasuresScreen(UNIT, session_id))

    assert snapshot_of(snap_compare, engine, checklist, size=SMALL)


def test_new_measure_80x24(snap_compare: Any, session_id: int, engine: Engine) -> None:
    """The dialog's fields scroll; its buttons stay in view."""

    async def new_measure(pilot: Any) -> None:
        await pilot.app.push_screen(MeasuresScreen(UNIT, session_id))
        await settle(pilot.app, pilot)
        await pilot.press("n")

    assert snapshot_of(snap_compare, engine, new_measure, size=SMALL)


def test_review_80x24(snap_compare: Any, session_id: int, engine: Engine) -> None:
    async def review(pilot: Any) -> None:
        await pilot.app.push_screen(ReviewScreen(session_id, UNIT))

    assert snapshot_of(snap_compare, engine, review, size=SMALL)


async def open_agenda(pilot: Any) -> None:
    """`i` goes on with today's session, through its agenda."""
    await pilot.press("slash", *"Lia", "enter", "enter")
    await settle(pilot.app, pilot)
    await pilot.press("i")


def test_agenda(snap_compare: Any, session_id: int, engine: Engine) -> None:
    assert snapshot_of(snap_compare, engine, open_agenda)


def test_agenda_80x24(snap_compare: Any, session_id: int, engine: Engine) -> None:
    """Stacked: since last time above the next 6 weeks, every line whole, wrapped."""
    assert snapshot_of(snap_compare, engine, open_agenda, size=SMALL)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_unit_overview_in_the_project(
    snap_compare: Any, session_id: int, engine: Engine, size: tuple[int, int]
) -> None:
    """A unit in the project has the most figures: every line of the box is in view."""
    project.join_project(engine, ["E1"], TODAY.replace(month=1, day=1), "2025Q1")

    async def open_unit(pilot: Any) -> None:
        await pilot.press("slash", *"Lia", "enter", "enter")

    assert snapshot_of(snap_compare, engine, open_unit, size=size)
