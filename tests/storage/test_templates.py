"""The import templates for the HR department: what they hold, and that they import cleanly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from storage.db import open_database
from storage.importer import import_files, load_mapping
from storage.templates import WORKBOOK_NAME, template_names, write_templates
from tests.storage.test_import import content, lines
from tui.cli import EXIT_OK, EXIT_REJECTED, main

CSV_NAMES = ["enheter.csv", "ansatte.csv", "fravær.csv"]


def test_the_csv_templates_are_what_norwegian_excel_opens(tmp_path: Path) -> None:
    write_templates(tmp_path)

    first_lines = {}
    for name in CSV_NAMES:
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
        header, example, rest = data[3:].decode("utf-8").split("\r\n")
        assert rest == ""  # one example row, Windows line ends
        first_lines[name] = (header, example)

    assert first_lines["enheter.csv"][0] == "enhet_id;enhet;tjenesteområde;leder;prosjekt_fra"
    assert first_lines["ansatte.csv"] == (
        "ansattnr;navn;enhet_id;stillingsprosent;startdato;sluttdato;stilling",
        "900001;Ola Eksempel;9001;62,5;01.01.2024;;Helsefagarbeider",
    )
    assert first_lines["fravær.csv"][0] == "ansattnr;enhet_id;fra_dato;til_dato;fraværstype;grad"


def test_the_workbook_has_a_sheet_per_table_with_date_cells(tmp_path: Path) -> None:
    write_templates(tmp_path)

    book = openpyxl.load_workbook(tmp_path / WORKBOOK_NAME)

    assert book.sheetnames == ["enheter", "ansatte", "fravær"]
    spells = book["fravær"]
    assert [cell.value for cell in spells[1]] == [
        "ansattnr",
        "enhet_id",
        "fra_dato",
        "til_dato",
        "fraværstype",
        "grad",
    ]
    assert spells["C2"].is_date and spells["C2"].value == dt.datetime(2025, 2, 3)
    assert spells["C2"].number_format == "dd.mm.yyyy"
    assert book["ansatte"]["D2"].value == 62.5
    assert book["ansatte"]["A2"].number_format == "@"  # codes as text: leading zeros survive
    assert spells["A1"].comment is not None and "Påkrevd" in spells["A1"].comment.text


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_templates_import_cleanly(engine: Engine, tmp_path: Path, kind: str) -> None:
    paths = write_templates(tmp_path / "maler")
    chosen = paths[:3] if kind == "csv" else [paths[3]]

    report = import_files(engine, chosen)

    assert report.ok, lines(report.errors)
    assert report.warnings == []
    assert report.counts is not None
    assert [report.counts.units.inserted, report.counts.spells.inserted] == [1, 1]
    assert content(engine)["spells"] == [
        ("900001", "9001", dt.date(2025, 2, 3), dt.date(2025, 2, 5), "egenmelding", 100.0)
    ]


def test_csv_and_workbook_templates_hold_the_same_data(tmp_path: Path) -> None:
    paths = write_templates(tmp_path / "maler")
    stored = []
    for index, chosen in enumerate((paths[:3], [paths[3]])):
        engine = open_database(tmp_path / f"db{index}.sqlite")
        try:
            assert import_files(engine, chosen).ok
            stored.append(content(engine))
        finally:
            engine.dispose()
    assert stored[0] == stored[1]


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
