"""A small laptop's 80×24 terminal: every column, filter, panel, button and key within reach."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from textual.widgets import Button, DataTable

from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from storage.usecases.project import join_project
from tests.conftest import Builder
from tests.tui.conftest import TODAY, UNIT, D, db_path, drawn_rows, screen_text, settle
from tui.app import NaervaerApp
from tui.navigation import OpenReview
from tui.screens.measures import MeasuresScreen
from tui.screens.status import StatusScreen
from tui.widgets.charts import Chart
from tui.widgets.keybar import KeyBar
from tui.widgets.row_table import RowTable

SMALL = (80, 24)


def in_view(app: NaervaerApp, selector: str) -> bool:
    widget = app.screen.query_one(selector)
    region = widget.region
    return bool(widget.display and region.area and app.screen.region.contains_region(region))


async def test_the_unit_list_shows_every_column_and_filter(unit: Builder, engine: Engine):
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(RowTable)
        header = table.render_line(0).text
        for title in ("Enhet", "Ans.", "2 år", "Kv.", "Endr.", "Mg", "Pr", "Å/F", "Møte"):
            assert f" {title} " in header
        assert table.virtual_size.width <= table.scrollable_content_region.width
        for choice in ("#search", "#group", "#project", "#area"):
            assert in_view(app, choice)
        await pilot.resize_terminal(120, 40)  # room again: the headers in full
        await pilot.pause()
        assert "Tiltak åpne/forf." in table.render_line(0).text


async def test_the_status_screen_keeps_its_panel(unit: Builder, engine: Engine):
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await app.push_screen(StatusScreen())
        await settle(app, pilot)
        assert in_view(app, "#status-summary-box")
        assert in_view(app, "#status-group")


async def test_the_status_table_gets_the_room_of_a_short_terminal(unit: Builder, engine: Engine):
    """At 24 rows the summary and the filters are compact: the table shows six rows, not three
    (and at 120×24, where the chart stood beside the summary, not none)."""
    unit.spell(9, D(2025, 1, 6), D(2025, 1, 10)).refresh(TODAY)
    join_project(engine, ["E1", "E2"], D(2025, 10, 1), "2025Q3")
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await app.push_screen(StatusScreen())
        await settle(app, pilot)
        for size in ((120, 24), SMALL):
            await pilot.resize_terminal(*size)
            await settle(app, pilot)
            table = app.screen.query_one(RowTable)
            shown = [row for row in drawn_rows(table)[1:] if row.strip()]
            assert len(shown) >= 6, (size, shown)
            assert "Lia sykehjem" in "".join(shown)
            for selector in ("#status-summary-box", "#status-search", "#status-area"):
                assert in_view(app, selector)
            assert not app.screen.query_one(Chart).display
        await pilot.press("c")  # the chart, beside the summary
        await settle(app, pilot)
        assert in_view(app, "#status-chart") and in_view(app, "#status-table")


@pytest.mark.parametrize("size", [SMALL, (120, 24), (120, 40)])
async def test_c_shows_the_status_chart_where_it_is_hidden_and_hides_it_where_it_shows(
    unit: Builder, engine: Engine, size: tuple[int, int]
):
    """The key bar says "c Graf": on a small terminal, where the chart starts hidden, c shows
    it (it hid the summary instead); where it shows, c hides it with the summary, for the
    table's room; and c again brings both back."""
    join_project(engine, ["E1", "E2"], D(2025, 10, 1), "2025Q3")
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await app.push_screen(StatusScreen())
        await settle(app, pilot)
        shown = app.screen.query_one(Chart).display
        assert shown == (size == (120, 40))
        seen = []
        for _ in range(3):
            await pilot.press("c")
            await settle(app, pilot)
            seen.append((in_view(app, "#status-chart"), in_view(app, "#status-summary-box")))
        if shown:
            assert seen == [(False, False), (True, True), (False, False)]
        else:
            assert seen == [(True, True), (False, False), (True, True)]


async def test_the_new_measure_dialog_shows_its_buttons(unit: Builder, engine: Engine):
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await app.push_screen(MeasuresScreen(UNIT, None))
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        for button in app.screen.query(Button):
            assert app.screen.region.contains_region(button.region) and button.region.area
        assert "Lagre" in screen_text(app) and "Avbryt" in screen_text(app)


async def test_every_key_of_the_unit_overview_is_in_reach_at_120_columns(
    unit: Builder, engine: Engine
):
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"Lia", "enter", "enter")
        await settle(app, pilot)
        bar = app.screen.query_one(KeyBar)
        shown = "".join(bar.render_line(y).text for y in range(bar.size.height))
        for _display, description, _enabled, _key in bar.shown():
            assert description in shown


async def test_the_checklist_cuts_long_text_with_an_ellipsis_and_keeps_every_column(
    unit: Builder, engine: Engine
):
    first = sessions.start_session(engine, UNIT, "individuell_radgivning", D(2026, 10, 1))
    text = "Gjennomføre dialogmøte 1 og avklare tilrettelegging på arbeidsplassen"
    measure_cases.add_measure(engine, UNIT, "enhet", text, owner="Enhetsleder", session_id=first)
    sessions.end_session(engine, first, "Første møte")
    session_id = sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await app.push_screen(MeasuresScreen(UNIT, session_id))
        await settle(app, pilot)
        table = app.screen.query_one("#checklist", DataTable)
        header, row = drawn_rows(table)[:2]
        for title in ("Gjelder", "Tiltak", "Ansvarlig", "Frist", "Status"):
            assert f" {title} " in header
        assert "Gjennomføre dialogmøte" in row and "… " in row  # cut, and it says so
        assert "Enhetsleder" in row and "Åpen" in row  # the columns after it still there
        assert table.virtual_size.width <= table.scrollable_content_region.width

        await pilot.resize_terminal(120, 40)  # room again: the text whole
        await pilot.pause()
        assert text in drawn_rows(table)[1]


async def test_the_review_shows_the_list_a_chart_to_read_and_the_case(
    unit: Builder, engine: Engine
):
    session_id = sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        app.post_message(OpenReview(session_id, UNIT))
        await settle(app, pilot)
        detail = app.screen.query_one("#review-detail").content_region
        for part in ("#review-head", "#review-chart", "#review-text"):
            region = app.screen.query_one(part).region
            assert region.height and detail.contains_region(region), part
        assert in_view(app, "#review-list") and in_view(app, "#review-note")
        assert app.screen.query_one("#review-text").region.height >= 3
        chart = app.screen.query_one(Chart)
        assert chart.data is not None
        rows = drawn_rows(chart)
        ticks = [row for row in rows if "┤" in row]
        assert len(ticks) >= 3  # a scale to read the bars by
        assert chart.data.labels[0] in rows[-1]  # the months under the plot


@pytest.mark.parametrize(
    ("size", "classes"), [(SMALL, {"-narrow", "-short"}), ((160, 50), {"-wide", "-tall"})]
)
async def test_a_screen_is_made_with_the_classes_of_the_terminals_size(
    unit: Builder, engine: Engine, size: tuple[int, int], classes: set[str]
):
    """Styled for its size from the start: Textual adds the breakpoints' classes after the
    first layout, and a screen without them was styled a second time and laid out again."""
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = MeasuresScreen(UNIT, None)
        assert set(screen.classes) == classes
        await app.push_screen(screen)
        await settle(app, pilot)
        assert set(screen.classes) == classes  # what Textual gives it after its first layout


async def test_the_status_screen_opens_styled_for_the_terminals_size(unit: Builder, engine: Engine):
    """It has the size's classes before it is mounted: its widgets are not styled again, all of
    them, when its first resize would add them (a third of the CSS work of every o)."""
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        assert {"-narrow", "-short"} <= StatusScreen().classes
        await pilot.resize_terminal(120, 40)
        await settle(app, pilot)
        screen = StatusScreen()
        assert {"-wide", "-tall"} <= screen.classes and "-narrow" not in screen.classes
        await app.push_screen(screen)
        await settle(app, pilot)
        await pilot.resize_terminal(*SMALL)  # and a resize still changes them
        await settle(app, pilot)
        assert {"-narrow", "-short"} <= screen.classes and "-wide" not in screen.classes
