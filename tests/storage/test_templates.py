"""The import templates for the HR department: headers and hints, no row that could be imported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from storage.importer import load_mapping
from storage.templates import WORKBOOK_NAME, template_names, write_templates
from storage.usecases.importing import import_files
from tests.storage.test_import import content, lines
from tui.cli import EXIT_OK, EXIT_REJECTED, main

pytestmark = pytest.mark.both_backends

CSV_NAMES = ["enheter.csv", "ansatte.csv", "fravær.csv"]
# What HR types below the headers: one unit, one employee, one absence, as in the tests' files.
ROWS: dict[str, tuple[object, ...]] = {
    "enheter": ("9001", "Eksempelvik bo- og omsorgssenter", "Helse og velferd", "Kari Eksempel"),
    "ansatte": (
        "900001",
        "Ola Eksempel",
        "9001",
        62.5,
        dt.date(2024, 1, 1),
        None,
        "Helsefagarbeider",
    ),
    "fravær": ("900001", "9001", dt.date(2025, 2, 3), dt.date(2025, 2, 5), "egenmelding"),
}


def _written(value: object) -> str:
    """A value as Excel in Norwegian writes it to CSV: 62,5 and 03.02.2025."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def fill_templates(folder: Path) -> list[Path]:
    """The templates written to `folder` and filled in as HR would, in the CSV files and the
    workbook alike: the paths, as `write_templates` gives them."""
    paths = write_templates(folder)
    for table, row in ROWS.items():
        path = folder / f"{table}.csv"
        text = path.read_text(encoding="utf-8-sig")
        path.write_text(text + ";".join(map(_written, row)) + "\r\n", encoding="utf-8-sig")
    book = openpyxl.load_workbook(folder / WORKBOOK_NAME)
    for table, row in ROWS.items():
        book[table].append(list(row))
    book.save(folder / WORKBOOK_NAME)
    return paths


def test_the_csv_templates_are_what_norwegian_excel_opens(tmp_path: Path) -> None:
    write_templates(tmp_path)

    headers = {}
    for name in CSV_NAMES:
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
        header, rest = data[3:].decode("utf-8").split("\r\n")
        assert rest == ""  # the header alone, with Windows line ends: no example to import
        headers[name] = header

    assert headers == {
        "enheter.csv": "enhet_id;enhet;tjenesteområde;leder;prosjekt_fra",
        "ansatte.csv": "ansattnr;navn;enhet_id;stillingsprosent;startdato;sluttdato;stilling",
        "fravær.csv": "ansattnr;enhet_id;fra_dato;til_dato;fraværstype;grad",
    }


def test_the_workbook_has_a_sheet_per_table_with_hints_and_formats(tmp_path: Path) -> None:
    write_templates(tmp_path)

    book = openpyxl.load_workbook(tmp_path / WORKBOOK_NAME)

    assert book.sheetnames == ["enheter", "ansatte", "fravær"]
    spells = book["fravær"]
    assert [[cell.value for cell in row] for row in spells.iter_rows()] == [
        ["ansattnr", "enhet_id", "fra_dato", "til_dato", "fraværstype", "grad"]
    ]  # the header alone: no example row
    assert spells.column_dimensions["C"].number_format == "dd.mm.yyyy"
    assert book["ansatte"].column_dimensions["A"].number_format == "@"  # leading zeros kept
    assert spells["A1"].comment is not None and "Påkrevd" in spells["A1"].comment.text
    assert "62,5" in book["ansatte"]["D1"].comment.text  # the hint gives the example


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_templates_as_written_import_nothing(engine: Engine, tmp_path: Path, kind: str) -> None:
    paths = write_templates(tmp_path / "maler")
    chosen = paths[:3] if kind == "csv" else [paths[3]]

    report = import_files(engine, chosen)

    assert report.ok, lines(report.errors)
    assert report.counts is not None
    assert [report.counts.units.inserted, report.counts.spells.inserted] == [0, 0]
    assert content(engine)["spells"] == []


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_templates_filled_in_import_cleanly(engine: Engine, tmp_path: Path, kind: str) -> None:
    paths = fill_templates(tmp_path / "maler")
    chosen = paths[:3] if kind == "csv" else [paths[3]]

    report = import_files(engine, chosen)

    assert report.ok, lines(report.errors)
    assert report.warnings == []
    assert content(engine)["spells"] == [
        ("900001", "9001", dt.date(2025, 2, 3), dt.date(2025, 2, 5), "egenmelding", 100.0)
    ]


def test_the_example_mapping_beside_them_is_valid(tmp_path: Path) -> None:
    paths = write_templates(tmp_path)

    mapping, problems = load_mapping(paths[-1])

    assert problems == [] and mapping is not None
    assert mapping.type_code("em") == "egenmelding"


def test_existing_templates_are_kept_unless_asked(tmp_path: Path) -> None:
    write_templates(tmp_path)
    (tmp_path / "enheter.csv").write_text("mine egne endringer", encoding="utf-8")

    with pytest.raises(FileExistsError):
        write_templates(tmp_path)
    assert (tmp_path / "enheter.csv").read_text(encoding="utf-8") == "mine egne endringer"

    write_templates(tmp_path, overwrite=True)
    assert (tmp_path / "enheter.csv").read_bytes().startswith(b"\xef\xbb\xbfenhet_id")


def test_the_template_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "til HR"

    assert main(["template", str(folder)]) == EXIT_OK
    assert sorted(path.name for path in folder.iterdir()) == sorted(template_names())
    assert "Importmaler skrevet" in capsys.readouterr().out

    assert main(["template", str(folder)]) == EXIT_REJECTED
    assert "Bruk --force" in capsys.readouterr().err
    assert main(["template", str(folder), "--force"]) == EXIT_OK
