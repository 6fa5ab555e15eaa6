"""The import screen through the Pilot: check first, confirm, progress, and no traceback ever."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select
from textual.app import App
from textual.widgets import Button, Input, OptionList, ProgressBar, Static

from storage.models import AbsenceSpell, Unit
from tests.storage.test_templates import fill_templates
from tui.screens import importing
from tui.screens.importing import ImportScreen, parse_paths


class Host(App[None]):
    """Stands in for the Nærvær app: an engine, and the screen's result."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.results: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(ImportScreen(), self.results.append)


async def settle(app: App[None], pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def status(app: App[None]) -> str:
    return str(app.screen.query_one("#import-status", Static).render())


def listed(app: App[None]) -> list[str]:
    problems = app.screen.query_one("#import-problems", OptionList)
    return [str(problems.get_option_at_index(i).prompt) for i in range(problems.option_count)]


async def enter_paths(app: App[None], pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    field = app.screen.query_one("#import-paths", Input)
    field.value = text
    field.focus()
    await pilot.press("enter")
    await settle(app, pilot)


async def test_a_folder_is_checked_first_then_imported_on_confirmation(
    engine: Engine, tmp_path: Path
) -> None:
    fill_templates(tmp_path / "maler")
    (tmp_path / "maler" / "naervaer-mal.xlsx").unlink()  # the CSV files only, not twice
    app = Host(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        confirm = app.screen.query_one("#import-confirm", Button)
        assert confirm.disabled

        await enter_paths(app, pilot, str(tmp_path / "maler"))

        assert "ingen feil" in status(app) and "Ville lagret" in status(app)
        assert count(engine, Unit) == 0  # the check wrote nothing
        assert not confirm.disabled

        await pilot.click("#import-confirm")
        await settle(app, pilot)

        assert count(engine, Unit) == 1 and count(engine, AbsenceSpell) == 1
        assert "Importen er ferdig" in status(app)
        assert confirm.disabled  # the same files are not imported twice by a second press
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [True]


async def test_errors_are_listed_by_file_and_line_and_nothing_can_be_imported(
    engine: Engine, tmp_path: Path
) -> None:
    bad = tmp_path / "fravær.csv"
    bad.write_text(
        "ansattnr;enhet_id;fra_dato;til_dato;fraværstype;grad\n"
        "1001;;01.02.2025;31.02.2025;E;\n"
        "1001;;01.03.2025;;ferie;\n",
        encoding="utf-8",
    )
    app = Host(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await enter_paths(app, pilot, str(bad))

        assert "Importen er avvist: 4 feil" in status(app)  # 1001 is unknown too
        lines = listed(app)
        assert lines[0] == "fravær.csv"
        assert "✗ feil: linje 2, til_dato: 31.02.2025 er ikke en gyldig dato" in lines[1]
        assert any("linje 3, fraværstype: ferie" in line for line in lines)
        assert app.screen.query_one("#import-confirm", Button).disabled
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [False]
    assert count(engine, Unit) == 0


async def test_changing_the_path_after_a_check_asks_for_a_new_check(
    engine: Engine, tmp_path: Path
) -> None:
    fill_templates(tmp_path)
    app = Host(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await enter_paths(app, pilot, str(tmp_path / "naervaer-mal.xlsx"))
        confirm = app.screen.query_one("#import-confirm", Button)
        assert not confirm.disabled

        app.screen.query_one("#import-paths", Input).value = str(tmp_path / "enheter.csv")
        await pilot.pause()

        assert confirm.disabled
        assert "kontroller på nytt" in status(app)


async def test_an_unexpected_error_becomes_a_norwegian_message(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("internal detail")

    monkeypatch.setattr(importing, "import_files", broken)
    fill_templates(tmp_path)
    app = Host(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await enter_paths(app, pilot, str(tmp_path / "enheter.csv"))

        assert "Noe gikk galt" in status(app) and "RuntimeError" in status(app)
        assert "internal detail" not in status(app)
        assert not app.screen.query_one("#import-check", Button).disabled  # can try again
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [False]


async def test_a_large_file_shows_its_progress(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    original = ImportScreen.show_progress

    def show_progress(screen: ImportScreen, label: str, done: int, total: int) -> None:
        original(screen, label, done, total)
        bar = screen.query_one(ProgressBar)
        assert bar.display and (bar.progress, bar.total) == (done, total)
        shown.append(str(screen.query_one("#import-progress-label", Static).render()))

    monkeypatch.setattr(ImportScreen, "show_progress", show_progress)
    fill_templates(tmp_path)
    days = pd.date_range("1990-01-01", periods=25_000, freq="D")
    spells = tmp_path / "mange.csv"
    spells.write_text(
        "ansattnr;enhet_id;fra_dato;til_dato;fraværstype;grad\n"
        + "".join(f"900001;9001;{day:%d.%m.%Y};{day:%d.%m.%Y};annet;\n" for day in days),
        encoding="utf-8",
    )
    paths = f"{tmp_path / 'enheter.csv'} {tmp_path / 'ansatte.csv'} {spells}"
    app = Host(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await enter_paths(app, pilot, paths)
        await pilot.click("#import-confirm")
        await settle(app, pilot)

        assert not app.screen.query_one(ProgressBar).display  # the report has the last word
    lines = [line.replace("\xa0", " ") for line in shown]
    assert "mange.csv: 25 000 av 25 000 rader" in lines
    writing = [line for line in lines if line.startswith("lagrer i databasen")]
    # The spells, and one unit, employee and employment: in chunks of 10,000 rows.
    assert len(writing) >= 3 and writing[-1] == "lagrer i databasen: 25 003 av 25 003 rader"
    assert count(engine, AbsenceSpell) == 25_000


def test_paths_are_read_as_typed_or_dropped_into_the_terminal(tmp_path: Path) -> None:
    spaced = tmp_path / "min eksport.csv"
    spaced.write_text("x", encoding="utf-8")

    assert parse_paths(f"  {spaced}  ") == [spaced]
    assert parse_paths(f"'{spaced}' {tmp_path / 'b.csv'}") == [spaced, tmp_path / "b.csv"]
    assert parse_paths("") == []
    with pytest.raises(ValueError, match="anførselstegn"):
        parse_paths("'ikke lukket")


async def test_the_whole_report_can_be_read(engine: Engine, tmp_path: Path) -> None:
    fill_templates(tmp_path / "maler")
    (tmp_path / "maler" / "naervaer-mal.xlsx").unlink()
    app = Host(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await enter_paths(app, pilot, str(tmp_path / "maler"))
        await pilot.click("#import-confirm")
        await settle(app, pilot)
        report = app.screen.query_one("#import-status", Static)
        lines = status(app).splitlines()
        assert len(lines) > 6 and lines[-1].startswith("  fraværsperioder: 1 nye")
        shown = report.region.intersection(app.screen.query_one("#import-report").region)
        assert shown.height == len(lines)  # every line in view, none cut off
