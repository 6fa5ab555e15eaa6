"""Exporting from the app: the summary (Markdown or PDF) and the unit report, masked as shown."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import Engine
from textual.widgets import Input, OptionList

from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from tests.conftest import Builder
from tests.tui.conftest import SURNAMES, TODAY, UNIT, db_path, settle
from tui.app import NaervaerApp
from tui.dialogs.export import ExportDialog
from tui.screens.summary import SummaryScreen
from tui.screens.unit import UnitScreen


async def test_summary_exports_pdf_and_markdown_to_the_documents_folder(
    unit: Builder, engine: Engine
) -> None:
    session_id = sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)
    measure_cases.add_measure(
        engine, UNIT, "enkeltsak", "Samtale med Kari Nordmann", session_id=session_id, employee_id=1
    )
    documents = Path.home() / "Documents"
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await app.push_screen(SummaryScreen(session_id, UNIT))
        await settle(app, pilot)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.query_one(Input).value == str(documents)
        await pilot.press("enter")  # PDF, the first choice
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        pdf = documents / "Oppsummering_Lia_sykehjem_2026-11-24.pdf"
        assert pdf.read_bytes().startswith(b"%PDF-")

        await pilot.press("ctrl+r", "down", "enter")
        await settle(app, pilot)
        text = (documents / "Oppsummering_Lia_sykehjem_2026-11-24.md").read_text(encoding="utf-8")
    assert "ansatt 100001: Samtale med ansatt 100001" in text
    assert not [name for name in SURNAMES if name in text]


async def test_unit_report_goes_to_the_folder_chosen(
    unit: Builder, engine: Engine, tmp_path: Path
) -> None:
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await app.push_screen(UnitScreen(UNIT))
        await settle(app, pilot)
        await pilot.press("m", "r")  # names shown, then the report
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one(Input).value = str(tmp_path / "rapporter")
        dialog.query_one(OptionList).focus()
        await pilot.press("down", "enter")  # Excel
        await settle(app, pilot)
    workbook = load_workbook(
        tmp_path / "rapporter" / "Enhetsrapport_E1_Lia_sykehjem_2026-11-24.xlsx"
    )
    assert workbook.sheetnames == ["Nøkkeltall", "Kvartaler", "Måneder", "Tiltak"]


async def test_the_status_report_is_exported_from_the_status_screen(
    build: Builder, engine: Engine, tmp_path: Path
) -> None:
    """`e` on the status overview writes the report of the figures it shows."""
    from tests.storage.test_status import TODAY as STATUS_DAY
    from tests.storage.test_status_export import build_with_small_unit
    from tui.screens.status import StatusScreen

    build_with_small_unit(build, engine)
    app = NaervaerApp(db_path(engine), today=STATUS_DAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await app.push_screen(StatusScreen())
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert "*** = færre enn 5 ansatte" in str(dialog.query_one("#export-names").render())
        dialog.query_one(Input).value = str(tmp_path)
        dialog.query_one(OptionList).focus()
        await pilot.press("down", "enter")  # Excel
        await settle(app, pilot)
        assert isinstance(app.screen, StatusScreen)
    sheet = load_workbook(tmp_path / "Statusrapport_2025-11-24.xlsx")["Status"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert rows["Alfa sykehjem"][3:6] == (20.0, 10.0, -10.0)
    assert rows["Delta kontor"][3] == "***"
