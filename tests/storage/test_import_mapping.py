"""Column mapping files: an export's own headers and codes renamed to ours, bad files refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from storage.importer import load_mapping
from storage.importing.mapping import EXAMPLE
from storage.usecases.importing import import_files
from tests.storage.test_import import EXPECTED, content, dump, lines, write
from tui.cli import EXIT_OK, EXIT_REJECTED, main

pytestmark = pytest.mark.both_backends

# The standard data set as an HR system with its own names would export it.
OWN_UNITS = (
    "Org.enhet;Org.enhetsnavn;Sektor;Leder\n"
    "10;Lade helse- og velferdssenter;Helse og velferd;Kari Ås\n"
    "20;Byåsen barnehage;Oppvekst og utdanning;Per Ødegård\n"
)
OWN_EMPLOYMENTS = (
    "Ansattnummer;Navn;Org.enhet;Stillingsandel;Fra og med;Til og med;Stilling\n"
    "1001;Åse Bø;10;62,5;01.01.2024;;Helsefagarbeider\n"
    "1002;Øystein Ærø;20;100;01.05.2023;31.12.2025;Pedagog\n"
    "1002;Øystein Ærø;10;20;01.03.2024;;Vikar\n"
)
OWN_SPELLS = (
    "Ansattnummer;Org.enhet;Fra og med;Til og med;Fraværskode;Sykmeldingsgrad\n"
    "1001;10;03.02.2025;05.02.2025;EM;\n"
    "1001;;03.03.2025;30.03.2025;s;50\n"  # codes in any case
    "1002;20;06.01.2025;;SB;\n"
)


def own_export(folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return [
        write(folder, "org.csv", OWN_UNITS),
        write(folder, "stillinger.csv", OWN_EMPLOYMENTS),
        write(folder, "fravær.csv", OWN_SPELLS, "cp1252"),
    ]


def test_the_commented_example_maps_an_export_with_its_own_names(
    engine: Engine, tmp_path: Path
) -> None:
    mapping = write(tmp_path, "tilordning.toml", EXAMPLE)

    report = import_files(engine, own_export(tmp_path / "eksport"), mapping=mapping)

    assert report.ok, lines(report.errors)
    assert report.tables == {
        "org.csv": "enheter",
        "stillinger.csv": "ansatte",
        "fravær.csv": "fravær",
    }
    assert content(engine) == EXPECTED
    # The export's own header names the column in messages.
    bad = write(tmp_path, "feil.csv", OWN_SPELLS.replace("05.02.2025", "31.02.2025"))
    again = import_files(engine, [bad], mapping=mapping)
    assert lines(again.errors) == [
        "feil.csv linje 2, Til og med: 31.02.2025 er ikke en gyldig dato"
    ]


def test_a_mapping_renames_differently_per_table_and_works_for_workbooks(
    engine: Engine, tmp_path: Path
) -> None:
    mapping = write(
        tmp_path,
        "m.toml",
        '[enheter]\nKode = "enhet_id"\nNavn = "unit"\n\n'
        '[ansatte]\nKode = "enhet_id"\nNr = "ansattnr"\nProsent = "position_pct"\n'
        'Fra = "startdato"\n\n'
        '["fravær"]\nNr = "employee_id"\nFra = "fra_dato"\nType = "fraværstype"\n\n'
        '[fravaerstyper]\nSM = "sykmelding"\n',
    )
    book = openpyxl.Workbook()
    units = book.active
    units.title = "Ark1"
    units.append(["Kode", "Navn", "Tjenesteområde"])
    units.append(["A", "Avdeling A", "Helse"])
    people = book.create_sheet("Ark2")
    people.append(["Nr", "Kode", "Prosent", "Fra"])
    people.append(["7", "A", "80 %", "1.1.2024"])
    spells = book.create_sheet("Ark3")
    spells.append(["Nr", "Fra", "Type"])
    spells.append(["7", "2.1.2025", "SM"])
    path = tmp_path / "eksport.xlsx"
    book.save(path)

    report = import_files(engine, [path], mapping=mapping)

    assert report.ok, lines(report.errors)
    assert list(report.tables.values()) == ["enheter", "ansatte", "fravær"]
    assert content(engine)["spells"] == [
        ("7", None, dt.date(2025, 1, 2), None, "sykmelding", 100.0)
    ]


BAD_MAPPINGS = {
    "unknown table": (
        '["lønn"]\n"Trinn" = "grad"\n',
        [
            "m.toml linje 1: [lønn] er ikke en kjent tabell (bruk [enheter], [ansatte], [fravaer] "
            "eller [fravaerstyper])"
        ],
    ),
    "unknown target column": (
        '[fravaer]\n"Fom" = "fra_dato"\n"Tom" = "slutt"\n',
        [
            "m.toml linje 3, [fravaer] Tom: slutt er ikke en kolonne i fravær (kjente kolonner: "
            "ansattnr, enhet_id, fra_dato, til_dato, fraværstype, grad)"
        ],
    ),
    "unknown type": (
        '[fravaerstyper]\nS = "sykmelding"\nF = "ferie"\n',
        [
            "m.toml linje 3, [fravaerstyper] F: ferie er ikke en kjent fraværstype (bruk "
            "egenmelding, sykmelding, sykt barn eller annet)"
        ],
    ),
    "not a name on the right": (
        "[ansatte]\nProsent = 80\n",
        ["m.toml linje 2, [ansatte] Prosent: må ha et navn i anførselstegn på høyre side"],
    ),
    "a line outside any table": (
        'Fom = "fra_dato"\n',
        [
            "m.toml linje 1, Fom: står utenfor en tabell; skriv den under [enheter], [ansatte], "
            "[fravaer] eller [fravaerstyper]"
        ],
    ),
    "one header mapped twice": (
        '[enheter]\n"Kode" = "enhet_id"\n"KODE" = "enhet"\n',
        ["m.toml linje 3, [enheter] KODE: enhet står allerede for enhet_id i samme tabell"],
    ),
    "not TOML (æøå without quotes)": (
        '[fravær]\nFom = "fra_dato"\n',
        [
            "m.toml linje 1: er ikke en gyldig tilordningsfil (TOML): se etter manglende "
            "anførselstegn, likhetstegn eller hakeparenteser; navn med æøå må stå i anførselstegn, "
            'som ["fravær"]'
        ],
    ),
}


@pytest.mark.parametrize("case", BAD_MAPPINGS)
def test_bad_mapping_files_are_refused_in_norwegian_before_any_file_is_read(
    engine: Engine, tmp_path: Path, case: str
) -> None:
    text, expected = BAD_MAPPINGS[case]
    mapping = write(tmp_path, "m.toml", text)
    before = dump(engine)

    report = import_files(engine, own_export(tmp_path / "eksport"), mapping=mapping)

    assert not report.ok
    assert lines(report.errors) == expected
    assert report.tables == {}  # refused before reading
    assert dump(engine) == before


def test_a_missing_mapping_file_is_named(tmp_path: Path) -> None:
    mapping, problems = load_mapping(tmp_path / "borte.toml")

    assert mapping is None
    assert lines(problems) == ["borte.toml: tilordningsfilen finnes ikke"]


def test_the_command_line_takes_a_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(path) for path in own_export(tmp_path / "eksport")]
    db = str(tmp_path / "db.sqlite")
    good = write(tmp_path, "god.toml", EXAMPLE)
    bad = write(tmp_path, "feil.toml", '[fravaer]\nFom = "fra"\n')

    assert main(["import", "--db", db, "--mapping", str(bad), *files]) == EXIT_REJECTED
    assert "Feil: feil.toml linje 2, [fravaer] Fom: fra er ikke en kolonne i fravær" in (
        capsys.readouterr().err
    )
    assert main(["import", "--db", db, "--mapping", str(good), *files]) == EXIT_OK
    assert "fraværsperioder: 3 nye" in capsys.readouterr().out
