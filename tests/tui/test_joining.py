"""Units join the project the way a new user meets it: the templates filled in, imported, then
`project add` (or the app, or a `prosjekt_fra` column), and the status follows.

Hand-computed: five full-time people per unit, every one employed all along. In Alfa sykehjem
one person was sick all of 4th quarter 2024 (20,0 %) and one at 50 % all of 4th quarter 2025
(10,0 %); in Beta skole one person at 50 % all of 4th quarter 2024 (10,0 %), nobody in 2025.
Gamma barnehage had no sick leave. Joining on 15.03.2025 gives the baseline 4th quarter 2024.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pytest import approx

from core.project import Membership
from storage.db import open_database
from storage.repos.project import memberships
from tests.tui.conftest import settle
from tui.app import NaervaerApp
from tui.cli import EXIT_OK, EXIT_REJECTED, main
from tui.dialogs.forms import JoinForm
from tui.screens.status import StatusScreen
from tui.screens.unit import UnitScreen
from tui.screens.units import UnitsScreen
from tui.widgets.row_table import RowTable

D = dt.date
TODAY = D(2026, 1, 15)  # the 4th quarter of 2025 is complete: the same season a year later
UNITS = [("A1", "Alfa sykehjem"), ("B2", "Beta skole"), ("C3", "Gamma barnehage")]
SPELLS = [
    ("A1-1", "A1", "01.10.2024", "31.12.2024", "sykmelding", ""),
    ("A1-2", "A1", "01.10.2025", "31.12.2025", "sykmelding", "50"),
    ("B2-1", "B2", "01.10.2024", "31.12.2024", "sykmelding", "50"),
]


def fill(folder: Path, table: str, rows: list[tuple[str, ...]]) -> Path:
    """The template's own header line, then the rows, as Excel writes a Norwegian CSV file."""
    path = folder / f"{table}.csv"
    header = path.read_text(encoding="utf-8-sig").splitlines()[0]
    path.write_text("\n".join([header, *(";".join(row) for row in rows)]) + "\n", "utf-8-sig")
    return path


def units_file(folder: Path, project_from: dict[str, str] | None = None) -> Path:
    """enheter.csv from the template; `project_from` fills its prosjekt_fra column."""
    dates = project_from or {}
    return fill(folder, "enheter", [(c, n, "", "", dates.get(c, "")) for c, n in UNITS])


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "maler"
    assert main(["template", str(folder)]) == EXIT_OK
    units_file(folder)
    people = [(f"{c}-{i}", "", c, "100", "01.01.2022", "", "") for c, _ in UNITS for i in range(5)]
    fill(folder, "ansatte", people)
    fill(folder, "fravær", SPELLS)
    return folder


@pytest.fixture
def db(tmp_path: Path, templates: Path) -> Path:
    path = tmp_path / "naervaer.sqlite"
    files = [str(templates / f"{t}.csv") for t in ("enheter", "ansatte", "fravær")]
    assert main(["import", "--db", str(path), *files]) == EXIT_OK
    return path


def cells(table: RowTable) -> list[list[str]]:
    return [table.row_cells(i) for i in range(table.row_count)]


def project(db: Path, *args: str) -> int:
    return main(["project", *args, "--db", str(db)])


def listed(db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert project(db, "list", "--json") == EXIT_OK
    return dict(json.loads(capsys.readouterr().out))


def periods(db: Path) -> dict[int, list[Membership]]:
    engine = open_database(db)
    with engine.connect() as conn:
        held = memberships(conn)
    engine.dispose()
    return held


def import_units(db: Path, folder: Path, project_from: dict[str, str]) -> int:
    return main(["import", "--db", str(db), str(units_file(folder, project_from))])


def test_project_add_and_the_status_shows_the_units_with_their_baselines(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    assert project(db, "add", "A1", "B2", "--joined", "15.03.2025") == EXIT_OK
    assert "2 enheter med i prosjektet fra 15.03.2025, nullpunkt 4. kv. 2024" in (
        capsys.readouterr().out
    )
    period = {"joined_on": "2025-03-15", "left_on": None, "baseline_quarter": "2024Q4",
              "target_group_at_joining": 3}  # fmt: skip
    assert listed(db, capsys) == {
        "units": [
            {"unit_id": "A1", "name": "Alfa sykehjem", "periods": [period]},
            {"unit_id": "B2", "name": "Beta skole", "periods": [period]},
        ]
    }

    out = tmp_path / "ut"
    command = ["export", "status", "--format", "xlsx", "--as-of", "15.01.2026", "--out", str(out)]
    assert main([*command, "--db", str(db)]) == EXIT_OK
    book = load_workbook(capsys.readouterr().out.strip())
    sheet = book["Status"]
    lines = list(sheet.iter_rows(values_only=True))
    rows = {row[0]: dict(zip(lines[0], row, strict=True)) for row in lines[1:]}
    # Each from its baseline, 4. kv. 2024, to the same quarter a year later.
    alfa, beta = rows["Alfa sykehjem"], rows["Beta skole"]
    assert (alfa["Nullpunkt"], alfa["Nå"], alfa["Endring"]) == (
        approx(20.0),
        approx(10.0),
        approx(-10.0),
    )
    assert (beta["Nullpunkt"], beta["Nå"], beta["Endring"]) == (
        approx(10.0),
        approx(0.0),
        approx(-10.0),
    )
    assert "Gamma" not in str(rows)  # not in the project: only in «Øvrige enheter (1)»
    assert "Øvrige enheter (1)" in rows


async def test_the_status_overview_shows_the_project_units_from_their_baselines(db: Path):
    assert project(db, "add", "A1", "B2", "--joined", "15.03.2025") == EXIT_OK
    app = NaervaerApp(db, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, StatusScreen)
        table = app.screen.query_one(RowTable)
        rows = [
            [str(c).replace("\u00a0", " ") for c in table.row_cells(i)]
            for i in range(table.row_count)
        ]
        names = [row[0] for row in rows]
        assert names == ["Målgruppe 3 (2)", "Alfa sykehjem", "Beta skole", "Prosjektet (2)",
                         "Øvrige enheter (1)", "Kommunen (3)"]  # fmt: skip
        # The group at joining, the baseline, now (the same quarter a year later), the change.
        assert rows[1][1:5] == ["3", "20,0 %", "10,0 %", "−10,0 p.p."]
        assert rows[2][1:5] == ["3", "10,0 %", "0,0 %", "−10,0 p.p."]
        assert rows[3][2:5] == ["15,0 %", "5,0 %", "−10,0 p.p."]
        assert "2 av 2 prosjektenheter" in str(table.border_title)


def test_status_json_is_the_status_overviews_model(db: Path, capsys: pytest.CaptureFixture[str]):
    assert project(db, "add", "A1", "B2", "--joined", "15.03.2025") == EXIT_OK
    capsys.readouterr()
    assert main(["status", "--as-of", "15.01.2026", "--json", "--db", str(db)]) == EXIT_OK
    document = json.loads(capsys.readouterr().out)
    assert (document["as_of"], document["last_quarter"]) == ("2026-01-15", "2025Q4")
    (group,) = document["groups"]
    assert group["target_group"] == 3
    shown = {
        unit["unit_id"]: (
            unit["joined_on"],
            unit["baseline_quarter"],
            unit["compare_quarter"],
            unit["target_group_at_start"],
            unit["baseline_pct"],
            unit["current_pct"],
            unit["change_pp"],
        )
        for unit in group["units"]
    }
    assert shown == {
        "A1": ("2025-03-15", "2024Q4", "2025Q4", 3, approx(20.0), approx(10.0), approx(-10.0)),
        "B2": ("2025-03-15", "2024Q4", "2025Q4", 3, approx(10.0), approx(0.0), approx(-10.0)),
    }
    project_total = document["project"]
    assert project_total["units"] == 2
    assert [project_total[k] for k in ("baseline_pct", "current_pct", "change_pp")] == [
        approx(15.0),
        approx(5.0),
        approx(-10.0),
    ]
    assert document["others"]["units"] == 1 and document["municipality"]["units"] == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "A1", "X9", "--joined", "15.03.2025"], "Fant ingen enhet med enhet_id X9."),
        (["add", "A1", "--baseline", "2024Q5"], "«2024Q5» er ikke et kvartal"),
        (["remove", "B2", "--left", "01.01.2025"], "B2: utmeldingsdatoen 01.01.2025 er før"),
        (["add", "B2", "--joined", "01.04.2025"], "B2 er allerede med i prosjektet"),
    ],
)
def test_a_refused_change_says_why_in_norwegian_and_writes_nothing(
    db: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
):
    assert project(db, "add", "B2", "--joined", "15.03.2025") == EXIT_OK
    before = periods(db)
    capsys.readouterr()
    assert project(db, *args) == EXIT_REJECTED
    error = capsys.readouterr().err
    assert message in error and "Ingenting er endret." in error and "Traceback" not in error
    assert periods(db) == before


def test_a_unit_leaves_and_rejoins_with_its_history_kept(
    db: Path, capsys: pytest.CaptureFixture[str]
):
    assert project(db, "add", "A1", "--joined", "15.03.2025") == EXIT_OK
    assert project(db, "remove", "A1", "--left", "01.06.2025") == EXIT_OK
    assert project(db, "add", "A1", "--joined", "01.05.2025") == EXIT_REJECTED  # while it was in
    assert project(db, "add", "A1", "--joined", "01.09.2025") == EXIT_OK
    (alfa,) = listed(db, capsys)["units"]
    assert [(p["joined_on"], p["left_on"], p["baseline_quarter"]) for p in alfa["periods"]] == [
        ("2025-03-15", "2025-06-01", "2024Q4"),
        ("2025-09-01", None, "2025Q2"),
    ]
    capsys.readouterr()
    assert project(db, "list") == EXIT_OK
    table = capsys.readouterr().out
    assert "15.03.2025  01.06.2025  4. kv. 2024" in table and "01.09.2025" in table


def test_the_import_takes_units_into_the_project_from_prosjekt_fra(
    db: Path, templates: Path, capsys: pytest.CaptureFixture[str]
):
    assert import_units(db, templates, {"A1": "15.03.2025", "B2": "2025-01-01"}) == EXIT_OK
    assert periods(db) == {
        1: [Membership(D(2025, 3, 15), "2024Q4", target_group=3)],
        2: [Membership(D(2025, 1, 1), "2024Q4", target_group=3)],
    }


def test_a_bad_prosjekt_fra_is_a_line_precise_error_and_nothing_is_written(
    db: Path, templates: Path, capsys: pytest.CaptureFixture[str]
):
    capsys.readouterr()
    assert import_units(db, templates, {"A1": "15.03.2025", "B2": "31.02.2025"}) == EXIT_REJECTED
    error = capsys.readouterr().err
    assert "enheter.csv linje 3, prosjekt_fra: 31.02.2025 er ikke en gyldig dato" in error
    assert periods(db) == {}


def test_re_import_keeps_what_the_advisor_set_in_the_app_unless_the_column_says_otherwise(
    db: Path, templates: Path, capsys: pytest.CaptureFixture[str]
):
    assert import_units(db, templates, {"A1": "15.03.2025", "B2": "15.03.2025"}) == EXIT_OK
    # In the app: Alfa measured from another quarter, Beta taken out, Gamma taken in.
    assert project(db, "remove", "A1", "--left", "15.03.2025") == EXIT_OK
    assert project(db, "add", "A1", "--joined", "15.03.2025", "--baseline", "2024Q2") == EXIT_OK
    assert project(db, "remove", "B2", "--left", "01.06.2025") == EXIT_OK
    assert project(db, "add", "C3", "--joined", "01.02.2025") == EXIT_OK
    held = periods(db)

    # The same file again, and one with the column empty: nothing changes.
    assert import_units(db, templates, {"A1": "15.03.2025", "B2": "15.03.2025"}) == EXIT_OK
    assert import_units(db, templates, {}) == EXIT_OK
    assert periods(db) == held

    # A new date says otherwise: Alfa's period moves, Beta comes back after it left.
    assert import_units(db, templates, {"A1": "01.04.2025", "B2": "01.09.2025"}) == EXIT_OK
    now = periods(db)
    assert now[1][-1] == Membership(D(2025, 4, 1), "2025Q1", target_group=3)
    assert [(p.joined_on, p.left_on) for p in now[2]] == [
        (D(2025, 3, 15), D(2025, 6, 1)),
        (D(2025, 9, 1), None),
    ]
    assert now[3] == held[3]

    # A date inside a period Beta has left is refused at its line: moving the start of the
    # ongoing period back into it, or starting a new one there.
    message = "enheter.csv linje 3, prosjekt_fra: 01.05.2025 B2 var med i prosjektet til 01.06.2025"
    capsys.readouterr()
    assert import_units(db, templates, {"B2": "01.05.2025"}) == EXIT_REJECTED
    assert message in capsys.readouterr().err
    assert project(db, "remove", "B2", "--left", "01.10.2025") == EXIT_OK
    capsys.readouterr()
    assert import_units(db, templates, {"B2": "01.05.2025"}) == EXIT_REJECTED
    error = capsys.readouterr().err
    assert "enheter.csv linje 3, prosjekt_fra: 01.05.2025 B2 var med i prosjektet til" in error


async def test_the_unit_overview_takes_the_unit_in_and_out_with_p(db: Path):
    app = NaervaerApp(db, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"Alfa", "enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, JoinForm)
        await pilot.press(*["backspace"] * 10, *"15.03.2025")
        await pilot.pause()
        assert app.screen.query_one("#baseline").value == "4. kv. 2024"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)
        figures = str(app.screen.query_one("#unit-figures").render())
        assert "Med i prosjektet fra 15.03.2025 · målgruppe 3 ved oppstart" in figures
        assert "Nullpunkt 4. kv. 2024: 20,0\u00a0%" in figures

        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press(*["backspace"] * 10, *"01.01.2026", "enter")
        await settle(app, pilot)
        figures = str(app.screen.query_one("#unit-figures").render())
        assert "Ute av prosjektet fra 01.01.2026 (med fra 15.03.2025" in figures
        assert "Nullpunkt" not in figures

        # The list behind it followed at once: Alfa is no project unit any longer.
        await pilot.press("escape")
        await settle(app, pilot)
        table = app.screen.query_one(RowTable)
        alfa = next(row for row in cells(table) if row[0] == "Alfa sykehjem")
        assert alfa[6] == ""  # the project column
    assert periods(db) == {1: [Membership(D(2025, 3, 15), "2024Q4", D(2026, 1, 1), 3)]}


async def test_marked_units_join_together_from_the_unit_list(db: Path):
    app = NaervaerApp(db, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, UnitsScreen)
        await pilot.press("space")  # Alfa sykehjem, first by the 2-year average; on to Beta
        await pilot.press("space")
        await pilot.pause()
        table = screen.query_one(RowTable)
        assert "2 merket" in table.border_title
        assert [row[0] for row in cells(table)] == [
            "✓ Alfa sykehjem",
            "✓ Beta skole",
            "Gamma barnehage",
        ]
        await pilot.press("j")
        await settle(app, pilot)
        assert isinstance(app.screen, JoinForm)
        await pilot.press(*["backspace"] * 10, *"15.03.2025", "enter")
        await settle(app, pilot)
        assert app.screen is screen and "merket" not in table.border_title
        assert [(row[0], row[6]) for row in cells(table)] == [
            ("Alfa sykehjem", "ja"),
            ("Beta skole", "ja"),
            ("Gamma barnehage", ""),
        ]
        await pilot.press("p")  # the project filter finds them
        await settle(app, pilot)
        assert "2 av 3 enheter · Prosjektenheter" in table.border_title
    joined = Membership(D(2025, 3, 15), "2024Q4", target_group=3)
    assert periods(db) == {1: [joined], 2: [joined]}


async def test_the_status_overview_follows_a_unit_taken_out_from_it(db: Path):
    """Opened from the status overview, a unit leaves; back there, it is gone from the project."""
    assert project(db, "add", "A1", "B2", "--joined", "15.03.2025") == EXIT_OK
    app = NaervaerApp(db, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        status = app.screen
        table = status.query_one(RowTable)
        assert "2 av 2 prosjektenheter" in str(table.border_title)
        table.move_cursor(1)  # Alfa sykehjem, under its group's total
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitScreen)
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("enter")  # out from today
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is status
        assert "1 av 1 prosjektenheter" in str(table.border_title)
        names = [str(table.row_cells(i)[0]) for i in range(table.row_count)]
        assert "Alfa sykehjem" not in names and "Beta skole" in names
