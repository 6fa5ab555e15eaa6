"""Statusoversikt, the savings panel and the settings, driven through the Pilot on real files."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import Engine, insert
from textual import events
from textual.widgets import Static

from core import fmt
from storage.db import transaction
from storage.figures import refresh_figures
from storage.models import AbsenceSpell, Employee, Employment, Unit
from storage.usecases.settings import change_setting, current_settings
from tests.conftest import Builder
from tests.storage.test_status import NB, TODAY, build_scenario
from tests.storage.test_status_export import build_with_small_unit
from tests.tui.conftest import db_path, screen_text, settle
from tui.app import NaervaerApp
from tui.cli import main
from tui.screens.savings import SavingsScreen
from tui.screens.settings import SettingsScreen
from tui.screens.status import StatusScreen, progress_bar
from tui.screens.unit import UnitScreen
from tui.widgets.row_table import RowTable

D = dt.date
SIZE = (120, 40)


def cells(table: RowTable) -> list[list[str]]:
    """The table's text, with the no-break spaces of `11,2 %` as plain spaces."""
    return [
        [str(c).replace("\u00a0", " ") for c in table.row_cells(i)] for i in range(table.row_count)
    ]


async def open_status(app: NaervaerApp, pilot: Any) -> StatusScreen:
    await settle(app, pilot)
    await app.push_screen(StatusScreen())
    await settle(app, pilot)
    assert isinstance(app.screen, StatusScreen)
    return app.screen


async def test_units_by_target_group_with_the_totals(build: Builder, engine: Engine) -> None:
    build_scenario(build, engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_status(app, pilot)
        table = screen.query_one(RowTable)
        rows = cells(table)
        assert [r[0] for r in rows] == [
            "Målgruppe 1 (1)",
            "Alfa sykehjem",
            "Målgruppe 2 (1)",
            "Beta barnehage",
            "Prosjektet (2)",
            "Øvrige enheter (1)",
            "Kommunen (3)",
        ]
        alfa = rows[1]
        assert alfa[1:5] == ["1", "20,0 %", "10,0 %", "−10,0 p.p."]
        assert alfa[5] == "█" * 10  # the goal reached, ten times over
        assert alfa[10:] == ["2/1", "23 d", "▲"]  # 10 % against the sector's 8,3 %: red
        assert rows[4][12] == ""  # a total has no light of its own
        project = rows[4]
        assert project[2:5] == ["15,4 %", "6,5 %", "−8,9 p.p."]  # 132/858 and 56/858
        assert rows[6][2:4] == ["13,0 %", "8,0 %"]  # 198/1518 and 122/1518

        text = screen_text(app)
        assert "Nullpunkt 3. kv. 2024: 15,4 % · mål −1,0 p.p." in text
        assert "Prognose 4. kv. 2025" in text and "Besparelse, kommunen:" in text
        assert "Kommunal sektor" in text

        await pilot.press("g")  # target group 1 only; the totals stay
        assert [r[0] for r in cells(table)][:3] == [
            "Målgruppe 1 (1)",
            "Alfa sykehjem",
            "Prosjektet (2)",
        ]

        table.move_cursor(1)
        await pilot.pause()
        detail = str(screen.query_one("#status-detail", Static).render())
        assert "Ved oppstart: Målgruppe 1" in detail and "i dag målgruppe 2" in detail
        assert (
            f"Del av målet 3,3 dagsverk/kv. (13{NB}860{NB}kr) · oppnådd 33,0 · igjen 0,0 "
            f"(0{NB}kr) · mot sektoren: rødt"
        ) in detail
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen) and app.screen.unit_id == 1
        # The unit overview shows the same share of the goal and light (core.goal.unit_goal).
        text = screen_text(app).replace(NB, " ")
        assert "Del av målet: 3,3 dagsverk/kv. (13 860 kr)" in text
        assert "Oppnådd 33,0 (138 600 kr) · igjen 0,0 (0 kr)" in text
        assert "Sektor: rødt (10,0 % mot sektorens 8,3 %, 3. kv. 2025)" in text


async def test_enter_on_a_total_does_not_leave(build: Builder, engine: Engine) -> None:
    build_scenario(build, engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_status(app, pilot)
        screen.query_one(RowTable).move_cursor(0)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen


@pytest.fixture
def municipality_down_0_8(engine: Engine) -> Engine:
    """125 full-time employees: 2 off sick all of 2024Q3 (1.6 %), 1 all of 2025Q3 (0.8 %)."""
    people = range(1, 126)
    with transaction(engine) as session:
        session.execute(insert(Unit), [{"id": 1, "code": "E1", "name": "Stor enhet"}])
        session.execute(insert(Employee), [{"id": p, "number": f"{1000 + p}"} for p in people])
        session.execute(
            insert(Employment),
            [
                {"employee_id": p, "unit_id": 1, "position_pct": 100.0, "start_date": D(2020, 1, 1)}
                for p in people
            ],
        )
        session.execute(
            insert(AbsenceSpell),
            [
                {
                    "employee_id": p,
                    "from_date": start,
                    "to_date": end,
                    "grade_pct": 100.0,
                    "absence_type": "sykmelding",
                }
                for p, start, end in (
                    (1, D(2024, 7, 1), D(2024, 9, 30)),
                    (2, D(2024, 7, 1), D(2024, 9, 30)),
                    (1, D(2025, 7, 1), D(2025, 9, 30)),
                )
            ],
        )
        refresh_figures(session, TODAY)
    change_setting(engine, "fte", 15_000.0)  # the seed's slide: the whole municipality's årsverk
    return engine


def cli_savings(
    capsys: pytest.CaptureFixture[str], engine: Engine, reduction: str, *extra: str
) -> float:
    db = str(engine.url.database)
    assert main(["savings", "--db", db, "--reduction-pp", reduction, *extra, "--json"]) == 0
    savings: float = json.loads(capsys.readouterr().out)["savings_nok"]
    return savings


async def test_the_savings_panel_agrees_with_naervaer_savings(
    municipality_down_0_8: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = municipality_down_0_8
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        status = await open_status(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        assert isinstance(app.screen, SavingsScreen)
        text = screen_text(app)
        assert "Reduksjon:                    0,80 prosentpoeng" in text
        assert "Spart arbeidstid:             120,00 årsverk" in text
        assert "Kostnad per årsverk i fravær: 966 000 kr" in text
        assert "SINTEF/NAV/Falck" in text
        shown = str(app.screen.query_one("#savings-municipality", Static).render())
        assert "årsverk fra innstillingene" in shown
        shown = str(app.screen.query_one("#savings-municipality", Static).render())
        change = float(status.report.totals.set_index("key").loc["municipality", "change_pp"])

        # Another cost per day: the panel follows at once, and stores it for the command line.
        app.screen.query_one("#setting-cost_per_day").focus()
        await pilot.press("ctrl+a", "ctrl+k", *"2600")
        await pilot.pause()
        changed = str(app.screen.query_one("#savings-municipality", Static).render())
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is status

    assert "115\u00a0920\u00a0000\u00a0kr" in shown  # as core.fmt writes it
    assert change == pytest.approx(-0.8)
    # The same formula on the same figures: equal to the krone, also at full precision.
    exact = cli_savings(capsys, engine, repr(-change), "--cost-per-day", "4200")
    assert f"Anslått besparelse:           {fmt.kroner(exact)}" in shown
    assert fmt.kroner(exact) == "115\u00a0920\u00a0000\u00a0kr"
    assert "71\u00a0760\u00a0000\u00a0kr" in changed  # 120 årsverk × 2 600 kr × 230 days
    assert "NAVs kalkulator (SINTEF 2011)" in changed
    assert fmt.kroner(cli_savings(capsys, engine, "0,8")) == "71\u00a0760\u00a0000\u00a0kr"


async def test_settings_are_checked_saved_and_reset(build: Builder, engine: Engine) -> None:
    build_scenario(build, engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    closed: list[bool | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(SettingsScreen(), closed.append)
        await settle(app, pilot)
        await pilot.press("escape")  # nothing changed: nothing for the caller to reload
        await settle(app, pilot)
        await app.push_screen(SettingsScreen(), closed.append)
        await settle(app, pilot)
        text = screen_text(app)
        # The label, not the screen: with the advisor's name the list scrolls, and it wraps.
        defaults = [
            str(label.render()).replace("\xa0", " ")
            for label in app.screen.query(".setting-default")
        ]
        assert "standard: 4 200 kr (SINTEF/NAV/Falck)" in defaults
        assert "standard: 3. kv. 2024" in text and "standard: 01.10.2024" in text

        screen = app.screen
        screen.query_one("#setting-any_size_threshold_pct").focus()
        await pilot.press("ctrl+a", "ctrl+k", *"10")
        await pilot.pause()
        help_line = screen.query_one("#help-any_size_threshold_pct", Static)
        assert "kan ikke være lavere enn grensen for snittet" in str(help_line.render())
        assert help_line.has_class("-error")

        await pilot.press("ctrl+a", "ctrl+k", *"25")
        screen.query_one("#setting-cost_per_day").focus()
        await pilot.press("ctrl+a", "ctrl+k", *"3400")
        await pilot.pause()
        assert "NHO 2020" in str(screen.query_one("#help-cost_per_day", Static).render())
        await pilot.press("escape")
        await settle(app, pilot)
        assert closed == [False, True]
        stored = current_settings(engine)
        assert (stored.any_size_threshold_pct, stored.cost_per_day) == (25.0, 3400.0)

        await app.push_screen(SettingsScreen())
        await settle(app, pilot)
        await pilot.click("#reset-cost_per_day")
        await settle(app, pilot)
        assert app.screen.query_one("#setting-cost_per_day").value == "4200"  # type: ignore[attr-defined]
        assert current_settings(engine).cost_per_day == 4200.0


async def test_the_status_reloads_after_a_changed_setting(build: Builder, engine: Engine) -> None:
    build_scenario(build, engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_status(app, pilot)
        await app.push_screen(SettingsScreen())
        await settle(app, pilot)
        app.screen.query_one("#setting-any_size_threshold_pct").focus()
        await pilot.press("ctrl+a", "ctrl+k", *"25")
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        # Alfa's 20 % is no longer over the limit for any size: it joined in group 2.
        rows = [r[0] for r in cells(screen.query_one(RowTable))]
        assert rows[:3] == ["Målgruppe 2 (2)", "Beta barnehage", "Alfa sykehjem"]


def test_the_progress_bar_colours_its_filled_part_and_dims_only_the_rest():
    bar = progress_bar(0.5, width=4)
    assert bar.plain == "██░░"
    assert [(span.start, span.end, str(span.style)) for span in bar.spans] == [
        (0, 2, "yellow"),
        (2, 4, "dim"),
    ]
    assert not bar.style


NBSP = "\u00a0"


async def test_the_savings_headline_uses_the_datas_årsverk_and_says_so(
    build: Builder, engine: Engine
) -> None:
    """23 people full time: 23 årsverk; the fall of 76 / 1518 points saves 76 / 66 årsverk."""
    build_scenario(build, engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_status(app, pilot)
        text = str(app.screen.query_one("#status-summary", Static).render()).replace(NBSP, " ")
        assert (
            "Besparelse, kommunen: 1 112 364 kr (b: detaljer)\n  av 23 årsverk fra dataene" in text
        )
        await pilot.press("b")
        await settle(app, pilot)
        text = str(app.screen.query_one("#savings-municipality", Static).render())
        assert "Årsverk i kommunen:           23\n" in text.replace(NBSP, " ")
        assert "årsverk fra dataene" in text, text
        help_line = str(app.screen.query_one("#help-fte", Static).render())
        assert help_line == "standard: fra dataene (23) · i bruk: årsverk fra dataene"


async def test_the_screen_shows_what_the_status_report_shows(
    build: Builder, engine: Engine
) -> None:
    """Alfa's figures as in the PDF, the XLSX and `status --json` (tests/storage/
    test_status_export.py); Delta's 2 people hidden, and the screen says why."""
    build_with_small_unit(build, engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_status(app, pilot)
        table = screen.query_one(RowTable)
        rows = {r[0]: r for r in cells(table)}
        assert rows["Alfa sykehjem"][1:5] == ["1", "20,0 %", "10,0 %", "−10,0 p.p."]
        assert rows["Delta kontor"][2:5] == ["***", "***", "***"]
        assert "*** = færre enn 5 ansatte" in str(table.border_title)


async def test_the_table_has_the_focus_from_the_first_frame(build: Builder, engine: Engine) -> None:
    """`o` opens the overview with its table focused: no other widget is focused on the way
    (the summary, the first that can be, was; then the table and the summary were styled and
    drawn again)."""
    build_scenario(build, engine)
    focused: list[str] = []

    def hook(message: Any) -> None:
        if isinstance(message, events.DescendantFocus):
            focused.append(f"{type(message.widget).__name__}#{message.widget.id}")

    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(app, pilot)
        focused.clear()
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, StatusScreen)
        assert focused == ["RowTable#status-table"]
        assert app.screen.focused is app.screen.query_one(RowTable)
