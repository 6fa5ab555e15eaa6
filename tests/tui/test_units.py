"""The unit list and the unit overview, driven through the Pilot on a real database file."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.widgets import Input, Static

from storage.usecases import project
from tests.conftest import Builder
from tests.tui.conftest import TODAY as MEETING_DAY
from tui.app import NaervaerApp
from tui.screens.importing import ImportScreen
from tui.screens.unit import UnitScreen
from tui.screens.units import UnitsScreen
from tui.screens.welcome import WelcomeScreen
from tui.widgets.row_table import RowTable

D = dt.date
TODAY = D(2025, 11, 24)


@pytest.fixture
def town(build: Builder) -> Builder:
    joined = {"project_joined_on": D(2024, 10, 1), "baseline_quarter": "2024Q3"}
    build.unit(1, "E1", "Lia sykehjem", service_area="Helse og velferd", **joined)
    build.unit(2, "E2", "Berg skole", service_area="Oppvekst og utdanning")
    build.employee(1, "1001", "Kari Nordmann").employment(1, 1, 100.0, D(2020, 1, 1))
    build.employee(2, "1002", "Ola Hansen").employment(2, 2, 100.0, D(2020, 1, 1))
    build.spell(1, D(2024, 7, 1), D(2024, 7, 31))
    build.spell(1, D(2025, 7, 1), D(2025, 7, 4))
    build.spell(2, D(2025, 2, 3), D(2025, 2, 4), kind="egenmelding")
    return build.refresh(TODAY)


async def settle(app: NaervaerApp, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def cells(table: RowTable) -> list[list[str]]:
    return [table.row_cells(i) for i in range(table.row_count)]


async def test_unit_list_shows_every_unit_with_its_figures(town: Builder, engine: Engine):
    app = NaervaerApp(engine_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, UnitsScreen)
        table = app.screen.query_one(RowTable)
        rows = cells(table)
        assert [r[0] for r in rows] == ["Lia sykehjem", "Berg skole"]  # by 2-year average
        lia = rows[0]
        assert lia[1] == "1" and lia[6] == "ja"
        assert "%" in lia[2] and "p.p." in lia[4]

        await pilot.press("slash")
        await pilot.press(*"berg")
        assert cells(table)[0][0] == "Berg skole" and table.row_count == 1
        await pilot.press("escape")
        assert table.row_count == 2

        await pilot.press("p")  # project units only
        assert [r[0] for r in cells(table)] == ["Lia sykehjem"]
        reason = str(app.screen.query_one("#unit-reason", Static).render())
        assert "Målgruppe 3" in reason and "Nullpunkt 3. kv. 2024" in reason
        assert "Helse og velferd" in reason


async def test_sorting_by_a_column_and_back(town: Builder, engine: Engine):
    app = NaervaerApp(engine_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(RowTable)
        await pilot.press("s")  # next column after the average: last quarter
        await pilot.press("r")
        order = [r[0] for r in cells(table)]
        await pilot.press("r")
        assert [r[0] for r in cells(table)] == order[::-1]


async def test_enter_opens_the_unit_overview(town: Builder, engine: Engine):
    app = NaervaerApp(engine_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)
        figures = str(app.screen.query_one("#unit-figures", Static).render())
        assert "Lia sykehjem" in figures and "Nullpunkt 3. kv. 2024" in figures
        quarters = str(app.screen.query_one("#unit-quarters", Static).render()).splitlines()
        assert quarters[0].split() == ["Kvartal", "Fravær", "Egenm.", "Legem.", "Lang"]
        assert len(quarters) == 1 + 8 and quarters[-1].startswith("3. kv. 2025")
        await pilot.press("escape")
        assert isinstance(app.screen, UnitsScreen)

        # A unit outside the project has no baseline: it says so instead of failing.
        await pilot.press("down", "enter")
        await settle(app, pilot)
        figures = str(app.screen.query_one("#unit-figures", Static).render())
        assert "Berg skole" in figures and "ikke med i sykefraværsprosjektet" in figures


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_every_line_of_the_figures_is_in_their_box(
    unit: Builder, engine: Engine, size: tuple[int, int]
):
    """A unit in the project has the most lines (its share of the goal, the sector, the
    prognosis): none falls below the box's edge, none wraps."""
    project.join_project(engine, ["E1"], D(2026, 1, 1), "2025Q1")
    app = NaervaerApp(engine_path(engine), today=MEETING_DAY)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        box = app.screen.query_one("#unit-figures", Static)
        lines = str(box.render()).splitlines()
        assert lines[-2].startswith("Sektor: ") and lines[-1].startswith("Prognose ")
        width, height = box.content_region.width, box.content_region.height
        assert box.get_content_height(box.content_region, box.content_region, width) == len(lines)
        assert len(lines) <= height


async def test_the_start_collects_no_garbage_only_until_the_list_is_up(
    town: Builder, engine: Engine
):
    app = NaervaerApp(engine_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, UnitsScreen)
        # Collections run again; what the start loaded is left out of them.
        assert gc.isenabled() and gc.get_freeze_count() > 0
    # Closed: nothing held back from collection (one process runs many apps in the tests).
    assert gc.isenabled() and gc.get_freeze_count() == 0


async def test_empty_database_offers_the_demo(engine: Engine):
    app = NaervaerApp(engine_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.click("#small")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitsScreen)
        assert app.screen.query_one(RowTable).row_count > 5


async def test_the_welcome_fits_a_small_laptops_terminal(engine: Engine):
    """At 80×24 the box lies within the screen, which does not scroll (its scrollbar hid the
    box's right edge), and every choice in it can be scrolled to within the box."""
    app = NaervaerApp(engine_path(engine), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, WelcomeScreen)
        box = screen.query_one("#welcome-box")
        assert screen.max_scroll_y == 0 and screen.max_scroll_x == 0
        assert screen.scrollable_content_region.contains_region(box.region)
        for choice in ("import", "small", "municipality", "leave"):
            button = screen.query_one(f"#{choice}")
            button.focus()
            await settle(app, pilot)
            assert box.scrollable_content_region.contains_region(button.region), choice


async def test_empty_database_offers_the_import_screen(engine: Engine, tmp_path: Path):
    folder = tmp_path / "eksport"
    folder.mkdir()
    (folder / "enheter.csv").write_text("enhet_id;enhet\nE1;Lia sykehjem\n")
    (folder / "ansatte.csv").write_text(
        "ansattnr;enhet_id;stillingsprosent;startdato\n1001;E1;100;01.01.2020\n"
    )
    (folder / "fravær.csv").write_text(
        "ansattnr;fra_dato;til_dato;fraværstype\n1001;03.02.2025;07.02.2025;egenmelding\n"
    )
    app = NaervaerApp(engine_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.click("#import")
        await settle(app, pilot)
        assert isinstance(app.screen, ImportScreen)
        await pilot.press("escape")  # nothing imported: back to the welcome
        await settle(app, pilot)
        assert isinstance(app.screen, WelcomeScreen)

        await pilot.click("#import")
        await settle(app, pilot)
        paths = app.screen.query_one("#import-paths", Input)
        paths.value = str(folder)
        paths.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.click("#import-confirm")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitsScreen)
        assert [r[0] for r in cells(app.screen.query_one(RowTable))] == ["Lia sykehjem"]


async def test_search_field_takes_letters_that_are_also_keys(town: Builder, engine: Engine):
    app = NaervaerApp(engine_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"mps")
        assert app.screen.query_one("#search", Input).value == "mps"
        assert app.masked  # `m` typed in the search field does not unmask


def engine_path(engine: Engine):  # type: ignore[no-untyped-def]
    from pathlib import Path

    return Path(str(engine.url.database))


async def test_a_failing_screen_worker_is_told_in_norwegian(
    town: Builder, engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    import storage.usecases.units

    def broken(*_: object) -> None:
        raise RuntimeError("Kari Nordmann")  # an error text that must never be shown

    monkeypatch.setattr(storage.usecases.units, "unit_rows_with_activity", broken)
    app = NaervaerApp(engine_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        messages = [str(n.message) for n in app._notifications]
        assert any("Noe gikk galt (RuntimeError)" in m for m in messages)
        assert not any("Kari" in m for m in messages)


async def test_data_older_than_the_retention_period_is_pointed_out(build: Builder, engine: Engine):
    build.unit(1, "E1", "Lia").employee(1, "1001").employment(1, 1, 100.0, D(2015, 1, 1))
    build.spell(1, D(2016, 3, 1), D(2016, 3, 4)).refresh(TODAY)  # over 5 years before TODAY
    app = NaervaerApp(engine_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        messages = [str(n.message) for n in app._notifications]
        assert any("naervaer purge --older-than 5" in m for m in messages)


async def test_yesterdays_figures_are_shown_and_then_rebuilt_for_today(
    build: Builder, engine: Engine
):
    from storage.repos.figures import figures_as_of

    build.unit(1, "E1", "Lia").employee(1, "1001").employment(1, 1, 100.0, D(2020, 1, 1))
    build.spell(1, D(2025, 8, 4), D(2025, 8, 8)).refresh(TODAY - dt.timedelta(days=1))
    app = NaervaerApp(engine_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, UnitsScreen)
        assert app.screen.query_one(RowTable).row_count == 1
        messages = [str(n.message) for n in app._notifications]
        assert any("Tallene er fra en tidligere dag" in m for m in messages)
    with engine.connect() as conn:
        assert figures_as_of(conn) == TODAY


async def test_the_list_shows_what_a_meeting_changed_when_the_advisor_comes_back(
    town: Builder, engine: Engine
):
    from storage.usecases import measures as measure_cases
    from storage.usecases import sessions

    app = NaervaerApp(engine_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(RowTable)
        lia = cells(table)[0]
        assert (lia[0], lia[7], lia[8]) == ("Lia sykehjem", "0/0", "–")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)

        # The meeting, as its screens write it: two measures agreed, one done at once.
        assert app.engine is not None
        held = sessions.start_session(app.engine, 1, "individuell_radgivning", TODAY)
        first = measure_cases.add_measure(app.engine, 1, "enhet", "Felles rutine", session_id=held)
        measure_cases.add_measure(
            app.engine, 1, "lederrolle", "Faste samtaler", due_date=D(2025, 11, 1), session_id=held
        )
        measure_cases.update_measure(app.engine, first, status="fullfort")
        sessions.end_session(app.engine, held, "Oppsummering")

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitsScreen)
        lia = cells(table)[0]
        assert (lia[7], lia[8]) == ("1/1", "24.11.2025")


async def test_the_factors_written_in_their_dialog_show_on_the_overview(
    town: Builder, engine: Engine
):
    """f asks the app for the dialog (tui.navigation.EditFactors); back, the unit reads again."""
    from tui.screens.edit_unit import FactorsScreen
    from tui.widgets.autosave import AutosaveInput

    app = NaervaerApp(engine_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)
        assert "(ikke fylt ut)" in str(app.screen.query_one("#unit-factors", Static).render())
        await pilot.press("f")
        await settle(app, pilot)
        assert isinstance(app.screen, FactorsScreen)
        app.screen.query(AutosaveInput).first().focus()
        await pilot.press(*"Godt samhold")
        await pilot.press("escape")  # the field saves itself as the dialog closes
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)
        await settle(app, pilot)
        factors = str(app.screen.query_one("#unit-factors", Static).render())
        assert "1. Godt samhold" in factors
