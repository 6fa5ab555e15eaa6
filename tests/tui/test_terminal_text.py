"""What reaches the terminal from the data: no control byte in any segment a screen draws."""

from __future__ import annotations

import re
from pathlib import Path

from rich.text import Text
from sqlalchemy import Engine
from textual.app import App, ComposeResult
from textual.content import Content

from tests.conftest import Builder
from tests.tui.conftest import TODAY, D, db_path, drawn_rows, settle
from tests.tui.test_import_screen import Host, enter_paths, listed
from tui.app import NaervaerApp
from tui.screens.units import UnitsScreen
from tui.widgets.line_list import LineList
from tui.widgets.row_table import RowTable, TableColumn
from tui.widgets.text_view import TextView

# Set the title, clear the screen, an 8-bit CSI, a right-to-left override: BEL aside (Rich
# drops it), each of these reaches a terminal unless the app takes it out.
HOSTILE = "\x1b]0;eid\x07\x1b[2J\x9b31m\u202e"
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def sent(app: App[None]) -> list[str]:
    """The texts of the segments the screen sends to the terminal that hold a control byte."""
    return [
        segment.text
        for strip in app.screen._compositor.render_strips()
        for segment in strip
        if CONTROL.search(segment.text)
    ]


async def test_the_unit_list_sends_no_escape_from_a_unit_name(build: Builder, engine: Engine):
    build.unit(1, "E1\x1b[2J", f"Lia{HOSTILE}", service_area=f"Helse{HOSTILE}", leader=HOSTILE)
    build.employee(1, "1001", f"Kari{HOSTILE}").employment(1, 1, 100.0, D(2020, 1, 1))
    build.refresh(TODAY)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, UnitsScreen)
        assert sent(app) == []


async def test_the_import_report_shows_hostile_values_written_out(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "eksport"
    folder.mkdir()
    (folder / f"enheter{HOSTILE}.csv").write_text(
        f"enhet_id\tenhet\nE1{HOSTILE}\tLia\nE2\t{HOSTILE}\n"
    )
    app = Host(engine)
    async with app.run_test(size=(160, 40)) as pilot:
        await enter_paths(app, pilot, str(folder))
        assert sent(app) == []
        shown = "\n".join(listed(app))
        assert (
            "linje 2, enhet_id: E1\\x1b]0;eid\\x07\\x1b[2J\\x9b31m\\u202e har kontrolltegn" in shown
        )
        assert "linje 3, enhet: \\x1b]0;eid" in shown
        assert "enheter\\x1b]0;eid\\x07\\x1b[2J\\x9b31m\\u202e.csv" in shown


class Widgets(App[None]):
    """Our three line-drawn widgets, each given a text that was never cleaned."""

    CSS = "RowTable, LineList, TextView { height: 3; width: 60; }"

    def compose(self) -> ComposeResult:
        yield RowTable()
        yield LineList()
        yield TextView()

    def on_mount(self) -> None:
        table = self.query_one(RowTable)
        table.set_columns([TableColumn("name", "Enhet", 40)])
        table.set_rows([[f"Lia{HOSTILE}"]], ["E1"])
        self.query_one(LineList).set_lines([Content(f"Kari{HOSTILE}")])
        self.query_one(TextView).update(Text(f"Notat{HOSTILE}"))


async def test_the_line_drawn_widgets_write_out_a_control_byte_they_are_given() -> None:
    app = Widgets()
    async with app.run_test(size=(80, 12)) as pilot:
        await pilot.pause()
        assert sent(app) == []
        # The row table gets a plain string, BEL and all; Rich drops BEL from Content and Text.
        assert (
            "Lia\\x1b]0;eid\\x07\\x1b[2J\\x9b31m\\u202e" in drawn_rows(app.query_one(RowTable))[1]
        )
        written = "\\x1b]0;eid\\x1b[2J\\x9b31m\\u202e"
        assert f"Kari{written}" in drawn_rows(app.query_one(LineList))[0]
        assert f"Notat{written}" in drawn_rows(app.query_one(TextView))[0]
