"""Hostile workbooks: sizes a sheet only declares, or that unpack far beyond what they say, are
refused before any reader is given them; hidden sheets are not taken in unseen."""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from storage.importing import workbook as workbook_module
from storage.usecases.importing import import_files
from tests.storage.test_import import EXPECTED, content, dump, lines
from tests.storage.test_import_xlsx import STANDARD, workbook
from tui.cli import main

pytestmark = pytest.mark.both_backends

SHEET = "xl/worksheets/sheet1.xml"  # openpyxl's first sheet


class _NoCalamine:
    """Stands in for python-calamine where a workbook must be refused before it is read."""

    @staticmethod
    def from_filelike(_: object) -> None:
        raise AssertionError("the workbook was handed to calamine")


@pytest.fixture
def no_calamine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook_module, "CalamineWorkbook", _NoCalamine)


def far_cell(path: Path) -> Path:
    """An ansatte sheet with its header and one value in the last cell Excel has."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "ansatte"
    sheet.append(["ansattnr", "enhet_id", "stillingsprosent", "startdato"])
    sheet["XFD1048576"] = 1
    book.save(path)
    return path


def rewritten(path: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    """The workbook with one part changed, written anew (sizes and CRC as zipfile makes them)."""
    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts:
            target.writestr(name, change(data) if name == member else data)
    return path


def declared(path: Path, member: str, size: int) -> Path:
    """The workbook with `member`'s unpacked size said to be `size`, in both of its headers."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    # (signature, offset of the size field, offset of the name) of the local and central headers
    for signature, field, start in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while at >= 0:
            if data[at + start : at + start + len(name)] == name:
                struct.pack_into("<I", data, at + field, size)
            at = data.find(signature, at + 1)
    path.write_bytes(data)
    return path


def refused(engine: Engine, path: Path) -> list[str]:
    before = dump(engine)
    report = import_files(engine, [path])
    assert not report.ok
    assert dump(engine) == before
    return lines(report.errors)


def test_a_value_in_the_last_cell_is_refused_before_calamine_sees_it(
    engine: Engine, tmp_path: Path, no_calamine: None
) -> None:
    path = far_cell(tmp_path / "langt ute.xlsx")

    assert refused(engine, path) == [
        "langt ute.xlsx, ark ansatte: arket er for stort (1\u00a0048\u00a0576 rader × 16\u00a0384 "
        "kolonner, "
        "ut til celle XFD1048576); slett innhold langt ute i arket og prøv igjen"
    ]


def test_the_command_refuses_it_with_exit_2_and_writes_nothing(
    tmp_path: Path, no_calamine: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = far_cell(tmp_path / "langt ute.xlsx")
    db = tmp_path / "db.sqlite"

    assert main(["import", "--db", str(db), str(path)]) == 2

    err = capsys.readouterr().err
    assert "Feil: langt ute.xlsx, ark ansatte: arket er for stort" in err
    assert "Ingenting er skrevet" in err


def test_a_cell_without_its_reference_is_placed_by_counting(
    engine: Engine, tmp_path: Path, no_calamine: None
) -> None:
    path = far_cell(tmp_path / "langt ute.xlsx")
    # The last row holds 300 cells without references: the row's number and their count
    # place them.
    rewritten(
        path,
        SHEET,
        lambda xml: re.sub(rb'<c r="XFD1048576".*?</c>', b"<c><v>1</v></c>" * 300, xml),
    )

    assert refused(engine, path) == [
        "langt ute.xlsx, ark ansatte: arket er for stort (1\u00a0048\u00a0576 rader × 300 "
        "kolonner, ut til celle KN1048576); slett innhold langt ute i arket og prøv igjen"
    ]


def test_a_workbook_whose_cells_have_no_references_still_imports(
    engine: Engine, tmp_path: Path
) -> None:
    # Some writers leave the references out: each cell follows the one before it.
    path = workbook(tmp_path / "enheter.xlsx", {"enheter": STANDARD["enheter"]})
    rewritten(path, SHEET, lambda xml: re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", xml))

    report = import_files(engine, [path])

    assert report.ok, lines(report.errors)
    assert content(engine)["units"] == EXPECTED["units"]


def test_an_empty_styled_cell_far_out_is_no_reason_to_refuse(
    engine: Engine, tmp_path: Path
) -> None:
    # Readers pass `<c …/>` by: it holds nothing and does not widen the sheet.
    path = workbook(tmp_path / "eksport.xlsx", STANDARD)
    rewritten(
        path,
        SHEET,
        lambda xml: xml.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'
        ),
    )

    report = import_files(engine, [path])

    assert report.ok, lines(report.errors)
    assert content(engine) == EXPECTED


def test_a_sheet_padded_with_whitespace_is_refused_before_calamine_sees_it(
    engine: Engine, tmp_path: Path, no_calamine: None
) -> None:
    path = workbook(tmp_path / "fyll.xlsx", {"ansatte": STANDARD["ansatte"]})
    # 2 MB of spaces between two rows: a few kilobytes packed.
    rewritten(path, SHEET, lambda xml: xml.replace(b"</row>", b"</row>" + b" " * (2 << 20), 1))

    assert refused(engine, path) == [
        f"fyll.xlsx, ark ansatte: delen {SHEET} har over 1 MB tomrom eller tekst uten en eneste "
        "celle; filen er skadet eller laget for å fylle minnet"
    ]


def test_a_part_that_unpacks_beyond_its_declared_size_is_refused(
    engine: Engine, tmp_path: Path, no_calamine: None
) -> None:
    path = workbook(tmp_path / "bombe.xlsx", {"ansatte": STANDARD["ansatte"]})
    with zipfile.ZipFile(path) as archive:
        size = archive.getinfo(SHEET).file_size
    # The deflate stream goes on for 8 MB past the size both headers give (the CRC is right).
    rewritten(
        path, SHEET, lambda xml: xml.replace(b"</sheetData>", b"<x/>" * (2 << 20) + b"</sheetData>")
    )
    declared(path, SHEET, size)

    assert refused(engine, path) == [
        f"bombe.xlsx, ark ansatte: arbeidsboken er skadet (delen {SHEET} er ikke så stor som "
        "zip-filen oppgir); åpne den i Excel og lagre den på nytt, eller lagre arket som CSV"
    ]


def test_a_part_declared_larger_than_any_export_is_refused_unread(
    engine: Engine, tmp_path: Path, no_calamine: None
) -> None:
    path = workbook(tmp_path / "stor.xlsx", {"ansatte": STANDARD["ansatte"]})
    declared(path, SHEET, 3 << 30)

    assert refused(engine, path) == [
        f"stor.xlsx, ark ansatte: delen {SHEET} i arbeidsboken blir over 1\u00a0024 MB når den "
        "pakkes ut, mer enn en eksport kan bli; filen er skadet eller laget for å fylle minnet"
    ]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_is_skipped_with_a_warning_naming_it(
    engine: Engine, tmp_path: Path, state: str
) -> None:
    path = tmp_path / "eksport.xlsx"
    workbook(path, {**STANDARD, "fravær": []}, {"fravær": "fravær"})
    # The same export with a second, hidden copy of the absence sheet holding other rows.
    book = openpyxl.load_workbook(path)
    hidden = book.copy_worksheet(book["fravær"])
    hidden.title = "gammelt fravær"
    hidden.append([1001, 10, "03.02.2025", "05.02.2025", "egenmelding", None])
    hidden.sheet_state = state
    book.save(path)

    report = import_files(engine, [path])

    assert report.ok, lines(report.errors)
    assert lines(report.warnings) == [
        "eksport.xlsx, ark gammelt fravær: arket er skjult i Excel og blir ikke lest; vis arket "
        "(høyreklikk på en arkfane, Vis) og importer på nytt hvis det skal være med",
        "eksport.xlsx, ark fravær: arket har ingen rader",
    ]
    assert content(engine)["spells"] == []


def test_a_zip_that_cannot_be_looked_into_is_refused_unread(
    engine: Engine, tmp_path: Path, no_calamine: None
) -> None:
    path = workbook(tmp_path / "ny.xlsx", {"ansatte": STANDARD["ansatte"]})
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:  # each entry "needs" zip version 6.4 to be unpacked
        struct.pack_into("<H", data, at + 6, 64)
        at = data.find(b"PK\x01\x02", at + 1)
    path.write_bytes(data)

    assert refused(engine, path) == [
        "ny.xlsx: filen kan ikke leses som Excel-arbeidsbok (den kan være skadet, eller lagret i "
        "et annet format; prøv å lagre den på nytt som .xlsx eller CSV)"
    ]
