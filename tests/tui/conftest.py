"""A small unit with people whose names appear nowhere else, for the screens' tests."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widget import Widget

from tests.conftest import Builder
from tui.app import NaervaerApp

D = dt.date
TODAY = D(2026, 11, 24)
UNIT = 1
# Every name is a word that appears nowhere else on the screen; one tries to be markup.
NAMES = {
    1: "Kari Nordmann",
    2: "[bold]Ola[/bold] Hansen",
    3: "Per Bergersen",
    4: "Anne Lindqvist",
    5: "Emil Vikestad",
}
SURNAMES = ("Kari", "Nordmann", "Ola", "Hansen", "Bergersen", "Lindqvist", "Vikestad")


@pytest.fixture
def unit(build: Builder) -> Builder:
    build.unit(UNIT, "E1", "Lia sykehjem", service_area="Helse og velferd")
    build.unit(2, "E2", "Berg skole")
    for employee_id, name in NAMES.items():
        build.employee(employee_id, f"10000{employee_id}", name)
        build.employment(employee_id, UNIT, 100.0, D(2020, 1, 1), title="Helsefagarbeider")
    build.employee(9, "100009", "Elsewhere Person").employment(9, 2, 100.0, D(2020, 1, 1))
    # Kari: an ongoing case since 1 September, several milestones overdue.
    build.spell(1, D(2026, 9, 1), None)
    # Ola: four short self-certified absences in a year: the frequent-absence flag.
    for month in (2, 4, 6, 9):
        build.spell(2, D(2026, month, 2), D(2026, month, 4), kind="egenmelding")
    # Per: a graded sick note in the spring, over.
    build.spell(3, D(2026, 3, 2), D(2026, 4, 30), grade=50.0)
    return build.refresh(TODAY)


def db_path(engine: Engine) -> Path:
    return Path(str(engine.url.database))


async def settle(app: NaervaerApp, pilot: Pilot[int]) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def drawn_rows(widget: Widget) -> list[str]:
    """Each row a line-drawn widget draws, as text."""
    return [widget.render_line(y).text for y in range(widget.size.height)]


def screen_text(app: NaervaerApp) -> str:
    """What the screen shows, as text (from the SVG screenshot)."""
    svg = app.export_screenshot()
    text = html.unescape(re.sub(r"<[^>]+>", "", svg))
    return text.replace("\u00a0", " ")
