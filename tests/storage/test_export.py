"""Exported documents on a hand-built municipality: valid files, exact figures, no names leaked."""

from __future__ import annotations

import datetime as dt
import io
import re
import stat
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from core.calendar import default_calendar
from core.periods import Quarter
from storage.export.pdf import markdown_blocks, winansi
from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from storage.usecases.export import (
    UnsupportedFormat,
    export_status_report,
    export_summary,
    export_unit_report,
)
from storage.usecases.reports import stats_of
from storage.usecases.units import unit_overview
from tests.conftest import Builder, db_of
from tui.cli import main

pytestmark = pytest.mark.both_backends

D = dt.date
TODAY = D(2026, 11, 24)
LAST = Quarter(2026, 3)
# Every word of every name appears nowhere else in the documents.
LIA = {
    1: "Trine Vikestad",
    2: "Oskar Lindqvist",
    3: "Marte Solbakken",
    4: "Jonas Bergersen",
    5: "Sigrid Havnaas",
    6: "Eirik Tveten",
}
SMALL = {11: "Lise Fjellheim", 12: "Arne Storli", 13: "Berit Kvamsdal"}
BERG = {
    21: "Hedda Ulvestad",
    22: "Torbjørn Aasland",
    23: "Vilja Reistad",
    24: "Gaute Myrvold",
    25: "Ragna Tollefsrud",
}
NAME_WORDS = {word for names in (LIA, SMALL, BERG) for n in names.values() for word in n.split()}
FORMULA = '=HYPERLINK("http://example.invalid","klikk")'


def number(employee_id: int) -> str:
    return f"{100000 + employee_id}"


@pytest.fixture
def town(build: Builder) -> Builder:
    build.unit(
        1,
        "E1",
        "Lia sykehjem",
        service_area="Helse og velferd",
        leader="Liv Lederstad",
        project_joined_on=D(2024, 10, 1),
        baseline_quarter="2024Q3",
    )
    build.unit(2, "E2", "Lille kontor", service_area="Organisasjon og stab")
    build.unit(3, "E3", "Berg skole", service_area="Oppvekst og utdanning")
    for unit_id, people in ((1, LIA), (2, SMALL), (3, BERG)):
        for employee_id, name in people.items():
            build.employee(employee_id, number(employee_id), name)
            build.employment(employee_id, unit_id, 100.0, D(2020, 1, 1))
    (
        # Lia: a long absence in the baseline quarter, less now.
        build.spell(1, D(2024, 7, 1), D(2024, 8, 30))
        .spell(1, D(2026, 1, 5), D(2026, 1, 30))
        .spell(2, D(2026, 8, 3), D(2026, 8, 4), kind="egenmelding")
        .spell(3, D(2026, 9, 1), D(2026, 9, 30), grade=50.0)
        # The small unit: someone sick for all of the last quarter.
        .spell(11, D(2026, 7, 1), D(2026, 9, 30))
        .spell(21, D(2026, 8, 10), D(2026, 8, 14))
        .refresh(TODAY)
    )
    return build


@pytest.fixture
def session_id(town: Builder, engine: Engine) -> int:
    sid = sessions.start_session(engine, 1, "individuell_radgivning", TODAY, advisor="Rita Råd")
    for employee_id in (1, 2, 3):
        sessions.set_reviewed(engine, sid, employee_id, True)
    sessions.set_review_note(engine, sid, 1, "Trine Vikestad ønsker tett oppfølging")
    sessions.set_session_note(engine, sid, "Gikk gjennom alle. Oskar Lindqvist er tilbake.")
    measure_cases.add_measure(
        engine,
        1,
        "enkeltsak",
        "Samtale med Trine Vikestad om tilrettelegging",
        owner="Enhetsleder",
        due_date=D(2026, 12, 15),
        session_id=sid,
        employee_id=1,
    )
    measure_cases.add_measure(
        engine,
        1,
        "enhet",
        "Felles rutine for fraværssamtaler [*1. mai*]",
        owner="Verneombud",
        due_date=D(2027, 1, 31),
        session_id=sid,
    )
    measure_cases.add_measure(engine, 1, "lederrolle", FORMULA, owner="Enhetsleder", session_id=sid)
    return sid


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The folder documents go to: apart from the database beside it."""
    return tmp_path / "ut"


# --- reading the files back ----------------------------------------------------------------------


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", data))


def pdf_text(data: bytes) -> str:
    """The text drawn on the pages (fpdf2's Flate streams inflated) and the metadata."""
    parts = [data.decode("latin-1")]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(stream).decode("cp1252"))
        except zlib.error:
            parts.append(stream.decode("latin-1"))
    text = "\n".join(parts)
    shown = re.findall(r"\(((?:\\.|[^\\)])*)\) ?Tj", text)
    return "\n".join([re.sub(r"\\(.)", r"\1", s) for s in shown] + [text])


def xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def assert_no_names(text: str) -> None:
    leaked = sorted(word for word in NAME_WORDS if word in text)
    assert not leaked, f"names in a masked document: {leaked}"


def quarter_sums(engine: Engine, codes: list[str], quarter: Quarter) -> tuple[float, float]:
    """Σ lost, Σ possible of the units for the quarter, exact to the day (stats_of)."""
    with engine.connect() as conn:
        result = stats_of(conn, quarter.start, quarter.end, today=TODAY)
    rows = [row.figures for row in result.units if row.code in codes]
    return sum(r.lost for r in rows), sum(r.possible for r in rows)


# --- the session summary -------------------------------------------------------------------------


def test_masked_summary_pdf_has_the_figures_and_measures_and_no_names(
    session_id: int, engine: Engine, out: Path
) -> None:
    path = export_summary(engine, session_id, out, "pdf")
    assert path == out / "Oppsummering_Lia_sykehjem_2026-11-24.pdf"
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert pdf_pages(data) == 2
    text = pdf_text(data)
    assert_no_names(text)
    for expected in (
        "Oppsummering: Individuell rådgivning 24.11.2026",
        "Sykefraværet i enheten",
        "Sykefravær per måned, siste 24 måneder",
        "Nullpunkt 3. kv. 2024",
        "ansatt 100001: Samtale med ansatt 100001 om tilrettelegging",
        "Ansvarlig: Enhetsleder, frist: 15.12.2026",
        # User text is shown as typed, its Markdown escapes undone.
        "Felles rutine for fraværssamtaler [*1. mai*]",
        "ansatt 100001: ansatt 100001 ønsker tett oppfølging",
        "Notatene skal ikke inneholde helseopplysninger",
    ):
        assert expected in text, expected
    # The chart's month ticks: all of the 24 months up to September 2026.
    assert re.search(r"\(okt\) Tj.*\(sep\) Tj", text, re.S)


def test_summary_with_names_names_the_people(session_id: int, engine: Engine, out: Path) -> None:
    path = export_summary(engine, session_id, out, "pdf", masked=False)
    text = pdf_text(path.read_bytes())
    assert "Trine Vikestad (100001): Samtale med Trine Vikestad om tilrettelegging" in text


def test_summary_markdown_adds_the_figures_before_the_measures(
    session_id: int, engine: Engine, out: Path
) -> None:
    text = export_summary(engine, session_id, out, "md").read_text(encoding="utf-8")
    assert_no_names(text)
    figures = text.index("## Sykefraværet i enheten")
    assert text.index("**Enhet:** Lia sykehjem") < figures < text.index("## Tiltak vi ble enige")
    with engine.connect() as conn:
        overview = unit_overview(conn, 1, TODAY)
    september = overview.monthly.set_index("month").loc["2026-09-01", "pct"]
    assert f"{september:.1f}".replace(".", ",") in text
    assert "| 2024 |" in text and "| 2026 |" in text


def test_summary_comes_in_pdf_and_markdown_only(session_id: int, engine: Engine, out: Path) -> None:
    with pytest.raises(UnsupportedFormat, match="pdf eller md, ikke xlsx"):
        export_summary(engine, session_id, out, "xlsx")
    assert not out.exists()


# --- the unit report -----------------------------------------------------------------------------


def test_unit_report_xlsx_has_the_figures_of_storage_reports(
    session_id: int, engine: Engine, out: Path
) -> None:
    path = export_unit_report(engine, 1, out, "xlsx", as_of=TODAY)
    assert path.name == "Enhetsrapport_E1_Lia_sykehjem_2026-11-24.xlsx"
    data = path.read_bytes()
    assert_no_names(xlsx_text(data))
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Nøkkeltall", "Kvartaler", "Måneder", "Tiltak"]
    with engine.connect() as conn:
        overview = unit_overview(conn, 1, TODAY)

    key = {row[0]: row[1] for row in workbook["Nøkkeltall"].iter_rows(min_row=4, values_only=True)}
    f = overview.last_quarter_figures
    assert key["Ansatte"] == 6
    assert key["Sykefravær 3. kv. 2026"] == pytest.approx(f.sick_leave_pct)
    assert key["Egenmeldt"] == pytest.approx(f.self_certified_pct)
    assert key["Gradert andel av fraværet"] == pytest.approx(f.graded_share_pct)
    assert key["Nullpunkt 3. kv. 2024"] == pytest.approx(overview.baseline_pct)
    assert key["Endring til 3. kv. 2026"] == pytest.approx(overview.change_pp)
    # By hand: 2 self-certified days and 22 September workdays at 50 % of 6 full-time people.
    workdays = default_calendar().count(LAST.start, LAST.end)
    assert f.sick_leave_pct == pytest.approx((2 + 0.5 * 22) / (6 * workdays) * 100)

    quarters = list(workbook["Kvartaler"].iter_rows(values_only=True))
    assert quarters[0][:4] == ("Kvartal", "Mulige dagsverk", "Tapte dagsverk", "Sykefravær")
    assert [row[0] for row in quarters[1:]] == [
        f"{q[-1]}. kv. {q[:4]}" for q in overview.quarters["quarter"]
    ]
    for row, expected in zip(quarters[1:], overview.quarters.itertuples(), strict=True):
        assert row[1] == pytest.approx(expected.possible)
        assert row[2] == pytest.approx(expected.lost)
        assert row[3] == pytest.approx(expected.pct)
    assert workbook["Kvartaler"]["D2"].number_format == '0.0" %"'

    months = list(workbook["Måneder"].iter_rows(min_row=2, values_only=True))
    assert len(months) == 24
    assert months[-1][0] == dt.datetime(2026, 9, 1)

    measures = list(workbook["Tiltak"].iter_rows(min_row=2, values_only=True))
    assert ("Enkeltsak", "ansatt 100001", "Samtale med ansatt 100001 om tilrettelegging") in [
        row[:3] for row in measures
    ]
    # Typed text that looks like a formula stays text.
    formula = next(c for row in workbook["Tiltak"].iter_rows() for c in row if c.value == FORMULA)
    assert formula.data_type == "s"


def test_unit_report_pdf(session_id: int, engine: Engine, out: Path) -> None:
    data = export_unit_report(engine, 1, out, "pdf", as_of=TODAY).read_bytes()
    assert data.startswith(b"%PDF-")
    assert pdf_pages(data) == 2
    text = pdf_text(data)
    assert_no_names(text)
    for expected in (
        "Enhetsrapport: Lia sykehjem",
        "Kvartaler",
        "3. kv. 2026",
        "Tiltak",
        "ansatt 100001",
        "Egenmeldt",
        "Langtid",
        "Gradert andel",
    ):
        assert expected in text, expected


def test_unit_report_with_names_shows_the_leader_and_the_employee(
    session_id: int, engine: Engine, out: Path
) -> None:
    path = export_unit_report(engine, 1, out, "xlsx", as_of=TODAY, masked=False)
    text = xlsx_text(path.read_bytes())
    assert "Liv Lederstad" in text and "Trine Vikestad (100001)" in text


# --- the status report ---------------------------------------------------------------------------


def test_imported_text_stays_text(build: Builder, engine: Engine, out: Path) -> None:
    """A unit's name that looks like a formula or carries terminal escapes is only text."""
    name = '=cmd|"/c calc"!A1\x1b[2J\x07 Sjø'
    joined = {"project_joined_on": D(2025, 10, 1), "baseline_quarter": "2025Q3"}
    build.unit(1, "E1", name, service_area="Helse", **joined).refresh(TODAY)
    workbook = load_workbook(export_status_report(engine, out, "xlsx", as_of=TODAY))
    cell = workbook["Status"]["A3"]  # under its target group's total
    assert (cell.value, cell.data_type) == ('=cmd|"/c calc"!A1 Sjø', "s")
    data = export_status_report(engine, out, "pdf", as_of=TODAY).read_bytes()
    drawn = re.findall(r"\(((?:\\.|[^\\)])*)\) ?Tj", pdf_text(data))
    assert '=cmd|"/c calc"!A1 Sjø' in drawn
    assert not [text for text in drawn if re.search(r"[\x00-\x1f]", text)]


# --- files and the command line ------------------------------------------------------------------


def test_documents_are_private_and_written_whole(town: Builder, engine: Engine, out: Path) -> None:
    first = export_status_report(engine, out, "pdf", as_of=TODAY)
    second = export_status_report(engine, out, "pdf", as_of=TODAY)
    # No temporary file left beside them.
    assert sorted(p.name for p in out.iterdir()) == sorted([first.name, second.name])
    assert {stat.S_IMODE(p.stat().st_mode) for p in (first, second)} == {0o600}


def test_export_from_the_command_line(
    session_id: int, engine: Engine, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = db_of(engine)
    status = ["export", "status", "--db", db, "--as-of", "24.11.2026", "--format", "xlsx"]
    assert main([*status, "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out / "Statusrapport_2026-11-24.xlsx")
    assert main(["export", "unit", "--db", db, "--unit", "E1", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip().endswith(".pdf")
    summary = ["export", "summary", "--db", db, "--session", str(session_id), "--format", "md"]
    assert main([*summary, "--out", str(out), "--names"]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert "Trine Vikestad (100001)" in written.read_text(encoding="utf-8")

    assert main(["export", "summary", "--db", db, "--out", str(out)]) == 2
    assert "trenger --session" in capsys.readouterr().err
    assert main(["export", "status", "--db", db, "--format", "md", "--out", str(out)]) == 2
    assert "pdf eller xlsx" in capsys.readouterr().err
    assert main(["export", "unit", "--db", db, "--unit", "E9", "--out", str(out)]) == 2
    assert len(list(out.iterdir())) == 3


def test_export_goes_to_the_documents_folder_by_default(
    town: Builder, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "status", "--db", db_of(engine)]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written.parent == Path.home() / "Documents" and written.suffix == ".pdf"


# --- the pieces ----------------------------------------------------------------------------------


def test_text_for_the_core_fonts() -> None:
    assert winansi("−1,0\u00a0p.p. – æøå ÆØÅ «sitat»") == "–1,0\u00a0p.p. – æøå ÆØÅ «sitat»"
    assert winansi("Nguyễn Łukasz\u2009x") == "Nguyen ?ukasz x"


def test_markdown_blocks_undo_escapes_and_keep_items_whole() -> None:
    blocks = markdown_blocks(
        "# Oppsummering\n\n**Enhet:** Lia \\*sykehjem\\*\\\n\n- Tiltak 1\\. mai\\\\. Frist.\n"
        "  Kommentar: linje én\\\n  linje to\n\n\\- ikke et punkt\n\n_Påminnelse_\n"
    )
    assert [(b.kind, b.label, b.text) for b in blocks if b.kind != "gap"] == [
        ("h1", "", "Oppsummering"),
        ("field", "Enhet", "Lia *sykehjem*"),
        ("bullet", "", "Tiltak 1. mai\\. Frist.\nKommentar: linje én\nlinje to"),
        ("para", "", "- ikke et punkt"),
        ("note", "", "Påminnelse"),
    ]


def test_a_second_export_the_same_day_keeps_the_first(
    town: Builder, engine: Engine, out: Path
) -> None:
    first = export_status_report(engine, out, "xlsx", as_of=TODAY)
    made = first.read_bytes()
    second = export_status_report(engine, out, "xlsx", as_of=TODAY)
    third = export_status_report(engine, out, "xlsx", as_of=TODAY)
    assert [first.name, second.name, third.name] == [
        "Statusrapport_2026-11-24.xlsx",
        "Statusrapport_2026-11-24-2.xlsx",
        "Statusrapport_2026-11-24-3.xlsx",
    ]
    assert first.read_bytes() == made
