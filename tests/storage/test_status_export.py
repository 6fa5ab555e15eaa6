"""The status report is the status screen's model: PDF, XLSX and `status --json` agree, by hand."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from storage.usecases.export import export_status_report
from tests.conftest import Builder, db_of
from tests.storage.test_export import pdf_text
from tests.storage.test_status import JOINED, LAST_YEAR, TODAY, build_scenario
from tui.cli import main

pytestmark = pytest.mark.both_backends

D = dt.date


def build_with_small_unit(build: Builder, engine: Engine) -> Engine:
    """The status scenario (Alfa, Beta in the project, Gamma outside) and Delta: 2 people."""
    build_scenario(build, engine)
    build.unit(4, "D4", "Delta kontor", **JOINED)
    for person in (31, 32):
        build.employee(person, f"{1000 + person}")
        build.employment(person, 4, 100.0, D(2020, 1, 1))
    build.spell(31, D(2024, 7, 1), D(2024, 9, 30))
    build.refresh(TODAY)
    return engine


@pytest.fixture
def with_small_unit(build: Builder, engine: Engine) -> Engine:
    return build_with_small_unit(build, engine)


def status_json(engine: Engine, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    db = db_of(engine)
    assert main(["status", "--db", db, "--as-of", TODAY.isoformat(), "--json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def xlsx_rows(path: Path) -> dict[str, dict[str, Any]]:
    sheet = load_workbook(io.BytesIO(path.read_bytes()))["Status"]
    rows = list(sheet.iter_rows(values_only=True))
    return {str(row[0]): dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def pdf_row(text: str, label: str, cells: int) -> list[str]:
    drawn = re.findall(r"\(((?:\\.|[^\\)])*)\) ?Tj", text)
    start = drawn.index(label)
    return [cell.replace("\xa0", " ") for cell in drawn[start + 1 : start + 1 + cells]]


def test_pdf_xlsx_and_json_render_the_same_status(
    with_small_unit: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Alfa: 1 of 5 off all of 2024Q3 (20 %), 33 of 330 days in 2025Q3 (10 %): −10 points,
    saving 10 / 100 × 5 × LAST_YEAR days × 4 200 kr. Delta's 2 people are hidden everywhere."""
    engine = with_small_unit
    document = status_json(engine, capsys)
    units = {u["name"]: u for g in document["groups"] for u in g["units"]}
    alfa, delta = units["Alfa sykehjem"], units["Delta kontor"]
    assert (alfa["baseline_pct"], alfa["current_pct"]) == (pytest.approx(20.0), pytest.approx(10.0))
    assert alfa["change_pp"] == pytest.approx(-10.0) and alfa["hidden"] is False
    assert alfa["headcount"] == 5 and alfa["target_group_at_start"] == 1
    assert delta["hidden"] is True
    assert delta["baseline_pct"] is None and delta["headcount"] is None
    # Alfa's share of the goal: 1,0 p.p. of 330 possible days in 2025Q3; 33 days achieved.
    assert alfa["goal_workdays"] == pytest.approx(3.3)
    assert alfa["goal_nok"] == pytest.approx(13_860.0)
    assert alfa["achieved_workdays"] == pytest.approx(33.0)
    assert alfa["to_go_workdays"] == 0.0 and alfa["to_go_nok"] == 0.0
    assert alfa["sector_pct"] == pytest.approx(8.3) and alfa["light"] == "rod"
    assert delta["goal_workdays"] is None and delta["light"] is None
    assert document["savings"]["fte"] == pytest.approx(25.0)  # 25 people full time
    assert document["savings"]["fte_source"] == "data"

    rows = xlsx_rows(export_status_report(engine, tmp_path, "xlsx", as_of=TODAY))
    saved = 10 / 100 * 5 * LAST_YEAR * 4200
    xa = rows["Alfa sykehjem"]
    assert (xa["Mgr"], xa["Ansatte"]) == (1, 5)
    assert (xa["Nullpunkt"], xa["Nå"]) == (pytest.approx(20.0), pytest.approx(10.0))
    assert xa["Endring"] == pytest.approx(-10.0) and xa["Mot mål"] == pytest.approx(10.0)
    assert xa["Besparelse"] == pytest.approx(saved)
    assert xa["Tiltak åpne"] == 2 and xa["Forfalt"] == 1
    assert xa["Mål dv/kv."] == pytest.approx(3.3) and xa["Igjen dv/kv."] == 0
    assert xa["Mot sektor"] == "rødt"
    assert rows["Delta kontor"]["Mot sektor"] == "***"
    assert rows["Prosjektet (2)"]["Mot sektor"] is None
    assert rows["Delta kontor"]["Nullpunkt"] == rows["Delta kontor"]["Ansatte"] == "***"
    # Group totals and units under them, then the project, the others and the municipality.
    # Delta's 2 people are in no total: they would show through the difference.
    assert list(rows)[-3:] == ["Prosjektet (2)", "Øvrige enheter (1)", "Kommunen (3)"]
    for label, key in (("Prosjektet (2)", "project"), ("Kommunen (3)", "municipality")):
        total = document[key]
        assert rows[label]["Nullpunkt"] == pytest.approx(total["baseline_pct"])
        assert rows[label]["Nå"] == pytest.approx(total["current_pct"])
        assert rows[label]["Prognose"] == pytest.approx(total["forecast_pct"])
    # The municipality's savings are the headline's (its årsverk), as on the savings panel.
    assert rows["Kommunen (3)"]["Besparelse"] == pytest.approx(document["savings"]["savings_nok"])
    for name, unit in units.items():
        if not unit["hidden"]:
            assert rows[name]["Siste 4 kv."] == pytest.approx(unit["last_four_pct"])
            assert rows[name]["Prognose"] == pytest.approx(unit["forecast_pct"])

    text = pdf_text(export_status_report(engine, tmp_path, "pdf", as_of=TODAY).read_bytes())
    assert pdf_row(text, "Alfa sykehjem", 5) == [
        "1",
        "5",
        "20,0 %",
        "10,0 %",
        "–10,0 p.p.",
    ]  # winansi: the minus as a dash
    assert pdf_row(text, "Delta kontor", 3)[1:] == ["***", "***"]
    assert "*** = færre enn 5 ansatte" in text
    assert "årsverk fra dataene" in text


def test_the_status_command_hides_small_units_and_says_why(
    with_small_unit: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    db = db_of(with_small_unit)
    assert main(["status", "--db", db, "--as-of", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out.replace("\xa0", " ")
    delta = next(line for line in out.splitlines() if "Delta kontor" in line)
    assert delta.split()[-3:] == ["***", "***", "***"]
    assert "*** = færre enn 5 ansatte" in out
    assert "(25 årsverk fra dataene)" in out


def test_a_hidden_unit_is_in_no_total(
    with_small_unit: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    """Delta's 2 people would show through the difference between a total and the units shown:
    every total is what it would be without Delta."""
    document = status_json(with_small_unit, capsys)
    assert main(["purge", "--unit", "D4", "--db", db_of(with_small_unit)]) == 0
    capsys.readouterr()
    without = status_json(with_small_unit, capsys)
    for key in ("project", "others", "municipality"):
        for figure in ("baseline_pct", "current_pct", "last_four_pct", "before_four_pct"):
            assert document[key][figure] == pytest.approx(without[key][figure]), (key, figure)
