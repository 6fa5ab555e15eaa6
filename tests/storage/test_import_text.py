"""Import that must not store the wrong thing: encodings, keys, texts, headers and quotes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage.usecases.importing import ImportReport, import_files
from tests.storage.test_import import content, dump, lines
from tests.storage.test_import_xlsx import workbook

pytestmark = pytest.mark.both_backends

D = dt.date
UNITS = "enhet_id;enhet;tjenesteområde;leder\r\n"
EMPLOYMENTS = "ansattnr;navn;enhet_id;stillingsprosent;startdato\r\n"
SPELLS = "ansattnr;enhet_id;fra_dato;til_dato;fraværstype\r\n"


def run(engine: Engine, folder: Path, files: dict[str, bytes | str]) -> ImportReport:
    paths = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        paths.append(path)
    return import_files(engine, paths)


# --- encodings ----------------------------------------------------------------------------------


def test_a_windows_1252_line_in_a_utf8_file_is_refused_by_its_line(
    engine: Engine, tmp_path: Path
) -> None:
    data = (
        (UNITS + "E1;Lia sykehjem;Helse;Åse Ødegård\r\n").encode()
        + "E2;Ærlig Øystein;Helse;Kari\r\n".encode("cp1252")
        + "E3;Å;Helse;Per\r\n".encode()
    )
    before = dump(engine)
    report = run(engine, tmp_path, {"enheter.csv": data})
    assert not report.ok
    assert lines(report.errors) == [
        "enheter.csv linje 3: linjen er ikke UTF-8 som resten av filen (trolig Windows-1252, "
        "limt inn fra en annen fil); lagre filen på nytt som «CSV UTF-8» og prøv igjen"
    ]
    assert dump(engine) == before


def test_a_windows_1252_line_after_a_bom_is_refused_too(engine: Engine, tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + UNITS.encode() + "E1;Ærlig Øystein;;\r\n".encode("cp1252")
    report = run(engine, tmp_path, {"enheter.csv": data})
    assert [(p.line, p.message[:24]) for p in report.errors] == [(2, "linjen er ikke UTF-8 som")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_aeoeaa_survive_each_encoding(engine: Engine, tmp_path: Path, encoding: str) -> None:
    text = UNITS + "E1;Ærlig Øystein;Helse og omsorg;Åse Ødegård\r\n"
    report = run(engine, tmp_path, {"enheter.csv": text.encode(encoding)})
    assert report.ok, lines(report.errors)
    assert content(engine)["units"] == [("E1", "Ærlig Øystein", "Helse og omsorg", "Åse Ødegård")]


# --- a header repeated inside the data ---------------------------------------------------------


def test_a_repeated_header_row_is_skipped_with_a_warning(engine: Engine, tmp_path: Path) -> None:
    # Two exports put one after the other; the second's header in other case and without æøå.
    text = (
        UNITS
        + "E1;Lia;Helse;Kari\r\n"
        + "Enhet_ID;Enhet;Tjenesteomrade;LEDER\r\n"
        + "E2;Moholt;;\r\n"
    )
    report = run(engine, tmp_path, {"enheter.csv": text})
    assert report.ok, lines(report.errors)
    assert [code for code, *_ in content(engine)["units"]] == ["E1", "E2"]
    assert lines(report.warnings) == [
        "enheter.csv linje 3: gjentar overskriftsraden (to eksporter satt sammen?); "
        "raden er hoppet over"
    ]
    assert report.rows["enheter.csv"] == 2


# --- keys: the same key in every table, whatever cannot be seen ----------------------------------


def test_invisible_characters_in_keys_make_no_second_key(engine: Engine, tmp_path: Path) -> None:
    report = run(
        engine,
        tmp_path,
        {
            "enheter.csv": UNITS + "\ufeffE1;Lia;;\r\nE2\u200b;Moholt;;\r\n",
            "ansatte.csv": EMPLOYMENTS
            + "1001\u00ad;Kari;E1\u00a0;80;01.01.2020\r\n1002;Per;\u2060E2;100;01.01.2020\r\n",
            "fravær.csv": SPELLS + "\u00a01001;E1\u200b;03.02.2025;07.02.2025;L\r\n",
        },
    )
    assert report.ok, lines(report.errors)
    stored = content(engine)
    assert [code for code, *_ in stored["units"]] == ["E1", "E2"]
    assert stored["employees"] == [("1001", "Kari"), ("1002", "Per")]
    assert stored["spells"] == [("1001", "E1", D(2025, 2, 3), D(2025, 2, 7), "sykmelding", 100.0)]


def test_keys_the_same_but_for_invisible_characters_are_duplicates(
    engine: Engine, tmp_path: Path
) -> None:
    report = run(engine, tmp_path, {"enheter.csv": UNITS + "E1;Lia;;\r\n\ufeffE1;Lia 2;;\r\n"})
    assert lines(report.errors) == ["enheter.csv linje 3, enhet_id: E1 finnes også på linje 2"]


def test_a_key_with_control_characters_is_refused(engine: Engine, tmp_path: Path) -> None:
    report = run(engine, tmp_path, {"enheter.csv": UNITS + "E1\x1b[2J;Lia;;\r\n"})
    assert lines(report.errors) == [
        "enheter.csv linje 2, enhet_id: E1\x1b[2J har kontrolltegn eller skjulte styretegn; "
        "rett nøkkelen i kildesystemet og eksporter på nytt"
    ]


# --- texts: cleaned, with a warning that names the line ----------------------------------------


def test_control_characters_in_names_are_removed_with_a_warning(
    engine: Engine, tmp_path: Path
) -> None:
    title = "\x1b]0;eid\x07"
    report = run(
        engine,
        tmp_path,
        {
            "enheter.csv": UNITS + f'E1;"Lia{title} sykehjem\x1b[2J";Helse\u202e;Kari\x9b31m\r\n',
            "ansatte.csv": EMPLOYMENTS + "1001;A\u030ase\x07;E1;80;01.01.2020\r\n",
        },
    )
    assert report.ok, lines(report.errors)
    stored = content(engine)
    assert stored["units"] == [("E1", "Lia sykehjem", "Helse", "Kari")]
    assert stored["employees"] == [("1001", "Åse")]
    assert lines(report.warnings) == [
        f"enheter.csv linje 2, enhet: Lia{title} sykehjem\x1b[2J hadde kontrolltegn eller "
        "skjulte styretegn, som er fjernet; lagret som «Lia sykehjem»",
        "enheter.csv linje 2, tjenesteområde: Helse\u202e hadde kontrolltegn eller skjulte "
        "styretegn, som er fjernet; lagret som «Helse»",
        "enheter.csv linje 2, leder: Kari\x9b31m hadde kontrolltegn eller skjulte styretegn, "
        "som er fjernet; lagret som «Kari»",
        "ansatte.csv linje 2, navn: A\u030ase\x07 hadde kontrolltegn eller skjulte styretegn, "
        "som er fjernet; lagret som «Åse»",
    ]


def test_a_name_of_nothing_but_control_characters_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    report = run(engine, tmp_path, {"enheter.csv": UNITS + "E1;\x1b[2J\x07;;\r\n"})
    assert lines(report.errors) == [
        "enheter.csv linje 2, enhet: \x1b[2J\x07 består bare av kontrolltegn eller skjulte "
        "styretegn"
    ]


# --- a quote left open -------------------------------------------------------------------------


def test_an_unclosed_quote_is_named_by_the_line_where_it_opens(
    engine: Engine, tmp_path: Path
) -> None:
    rows = [f"{1000 + n};Navn {n};E1;80;01.01.2020\r\n" for n in range(1, 9)]
    rows[5] = '1006;"Navn 6;E1;80;01.01.2020\r\n'  # line 7
    report = run(
        engine,
        tmp_path,
        {"enheter.csv": UNITS + "E1;Lia;;\r\n", "ansatte.csv": EMPLOYMENTS + "".join(rows)},
    )
    assert lines(report.errors) == [
        'ansatte.csv linje 7: et anførselstegn (") åpnes men lukkes aldri'
    ]


def test_a_quote_closed_lines_later_is_named_by_both_lines(engine: Engine, tmp_path: Path) -> None:
    rows = [f"{1000 + n};Navn {n};E1;80;01.01.2020\r\n" for n in range(1, 9)]
    rows[1] = '1002;"Navn 2;E1;80;01.01.2020\r\n'  # line 3
    rows[4] = '1005;Navn 5";E1;80;01.01.2020\r\n'  # line 6
    report = run(
        engine,
        tmp_path,
        {"enheter.csv": UNITS + "E1;Lia;;\r\n", "ansatte.csv": EMPLOYMENTS + "".join(rows)},
    )
    assert lines(report.errors) == [
        'ansatte.csv linje 3: et anførselstegn (") åpnes, og lukkes først på linje 6; '
        "alt imellom ble lest som én verdi"
    ]


def test_a_line_break_typed_in_a_quoted_cell_is_still_read(engine: Engine, tmp_path: Path) -> None:
    text = EMPLOYMENTS + '1001;"Kari\r\nNordmann";E1;80;01.01.2020\r\n1002;Per;E1;80;01.01.2020\r\n'
    report = run(engine, tmp_path, {"enheter.csv": UNITS + "E1;Lia;;\r\n", "ansatte.csv": text})
    assert report.ok, lines(report.errors)
    assert content(engine)["employees"] == [("1001", "Kari Nordmann"), ("1002", "Per")]


def test_a_workbook_follows_the_same_rules(engine: Engine, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "data.xlsx",
        {
            "enheter": [
                ["\ufeffE1", "Lia\u202e sykehjem", None, None],
                ["Enhet_id", "ENHET", "Tjenesteomrade", "leder"],  # a second export's header
                ["E2", "Moholt", None, None],
            ],
            "ansatte": [["1001\u200b", "Kari", "E1\u00a0", 80, D(2020, 1, 1), None, None]],
        },
    )
    report = import_files(engine, [path])
    assert report.ok, lines(report.errors)
    stored = content(engine)
    assert stored["units"] == [("E1", "Lia sykehjem", None, None), ("E2", "Moholt", None, None)]
    assert stored["employees"] == [("1001", "Kari")]
    assert lines(report.warnings) == [
        "data.xlsx, ark enheter rad 2, enhet: Lia\u202e sykehjem hadde kontrolltegn eller skjulte "
        "styretegn, som er fjernet; lagret som «Lia sykehjem»",
        "data.xlsx, ark enheter rad 3: gjentar overskriftsraden (to eksporter satt sammen?); "
        "raden er hoppet over",
    ]
