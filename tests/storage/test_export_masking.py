"""Masked exports hide every name known to the database in free text, each by its placeholder."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from storage.usecases.export import export_summary, export_unit_report
from tests.conftest import Builder
from tests.storage.test_export import pdf_text

pytestmark = pytest.mark.both_backends

D = dt.date
TODAY = D(2026, 11, 24)
STAFF = {
    909: "Kari Nordmann",
    921: "Per Olsen",
    933: "Øyvind Sæther",
    940: "Kari Lie",
    950: "Åse Bjørnstad",  # left the unit last year
}
LEADER = "Hanne Olsen-Berg"
NAMES = {word for name in [*STAFF.values(), LEADER] for word in re.split(r"[\s-]", name)}
# The demo case: a note on one employee naming two others (full name, first name alone, a
# genitive), a first name two people share, a leader with a double-barrelled surname.
NOTE = "Per Olsen tar vakter for Øyvind. Øyvinds turnus endres. Kari har snakket med Hanne."
SESSION_NOTE = "Hanne Olsen-Berg ledet. Åse kom innom; Karianne fra bemanningen var med."
EXPECTED = [
    "ansatt 100921 tar vakter for ansatt 100933. ansatt 100933s turnus endres. [navn] har "
    "snakket med leder (E1).",
    "leder (E1) ledet. ansatt 100950 kom innom; Karianne fra bemanningen var med.",
]


@pytest.fixture
def session_id(build: Builder, engine: Engine) -> int:
    build.unit(
        1,
        "E1",
        "Lia sykehjem",
        leader=LEADER,
        project_joined_on=D(2024, 10, 1),
        baseline_quarter="2024Q3",
    )
    build.unit(2, "E2", "Berg skole", leader="Liv Lederstad")
    for employee_id, name in STAFF.items():
        build.employee(employee_id, f"100{employee_id}", name)
        end = D(2025, 6, 30) if employee_id == 950 else None
        build.employment(employee_id, 1, 100.0, D(2020, 1, 1), end)
    build.spell(909, D(2026, 8, 3), D(2026, 8, 14)).refresh(TODAY)
    sid = sessions.start_session(engine, 1, "individuell_radgivning", TODAY)
    sessions.set_reviewed(engine, sid, 909, True)
    sessions.set_review_note(engine, sid, 909, NOTE)
    sessions.set_session_note(engine, sid, SESSION_NOTE)
    measure_cases.add_measure(
        engine, 1, "enhet", "Kari Lie og Liv Lederstad lager ny turnus", owner=LEADER,
        session_id=sid,
    )  # fmt: skip
    return sid


def leaked(text: str) -> list[str]:
    return sorted(name for name in NAMES if re.search(rf"(?<!\w){name}(?!\w)", text))


def flat(text: str) -> str:
    """Text without line breaks, Markdown escapes or hard-break backslashes."""
    return " ".join(re.sub(r"\\(.)", r"\1", text).replace("\\\n", " ").split())


def test_masked_summary_markdown_names_no_one(session_id: int, engine: Engine, out: Path) -> None:
    text = flat(export_summary(engine, session_id, out, "md").read_text("utf-8"))
    assert leaked(text) == []
    for expected in EXPECTED:
        assert expected in text, expected
    assert "ansatt 100940 og leder (E2) lager ny turnus. Ansvarlig: leder (E1)" in text


def test_summary_with_names_keeps_the_text_as_written(
    session_id: int, engine: Engine, out: Path
) -> None:
    text = flat(export_summary(engine, session_id, out, "md", masked=False).read_text("utf-8"))
    assert NOTE in text and SESSION_NOTE in text
    assert f"Ansvarlig: {LEADER}" in text


def test_masked_summary_pdf_names_no_one(session_id: int, engine: Engine, out: Path) -> None:
    text = pdf_text(export_summary(engine, session_id, out, "pdf").read_bytes())
    assert leaked(text) == []
    assert "[navn]" in text and "ansatt 100933s turnus" in text


def test_masked_unit_report_names_no_one(session_id: int, engine: Engine, out: Path) -> None:
    pdf = pdf_text(export_unit_report(engine, 1, out, "pdf", as_of=TODAY).read_bytes())
    assert leaked(pdf) == []
    assert "leder: skjult" in pdf
    book = load_workbook(export_unit_report(engine, 1, out, "xlsx", as_of=TODAY))
    cells = [
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
        for cell in row if cell is not None
    ]  # fmt: skip
    assert leaked("\n".join(cells)) == []
    assert "ansatt 100940 og leder (E2) lager ny turnus" in cells
    assert "leder (E1)" in cells
    named = load_workbook(export_unit_report(engine, 1, out, "xlsx", as_of=TODAY, masked=False))
    values = {cell for sheet in named.worksheets for row in sheet.iter_rows(values_only=True)
              for cell in row}  # fmt: skip
    assert LEADER in values and "Kari Lie og Liv Lederstad lager ny turnus" in values


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "ut"
