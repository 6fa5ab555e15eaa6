"""The session summary ends with the agenda: since last time, and the points not taken up.

A small unit on a real SQLite file, every item computed by hand from DOMAIN.md's rules.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.agenda import BEGAN, MEASURES_AHEAD, MEASURES_DUE, MILESTONES_PASSED, NEW_FLAGS
from core.summary import summary_markdown
from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from storage.usecases.agenda import session_agenda
from storage.usecases.export import export_summary
from tests.conftest import Builder
from tests.storage.test_export import pdf_text

D = dt.date
TODAY = D(2026, 11, 24)
NAMES = {1: "Kari Nordmann", 2: "Ola Hansen", 3: "Per Bergersen"}


@pytest.fixture
def held(build: Builder, engine: Engine) -> tuple[int, int, int]:
    """(today's session, the measure due in it, the measure due after it).

    The last session was held 15.10.2026: since last time is 16.10–24.11.2026, the next 6 weeks
    25.11.2026–05.01.2027. Kari's case began 01.09.2026: dialogmøte 1 fell due 19.10 and
    aktivitetskrav 26.10 (S + 48, S + 55), both missed; it has run 85 days at grade 100 (45 on
    15.10): "vurder gradert sykmelding" is new. Ola's four short cases were four on 15.10 too.
    """
    build.unit(1, "E1", "Lia sykehjem")
    for employee_id, name in NAMES.items():
        build.employee(employee_id, f"10000{employee_id}", name)
        build.employment(employee_id, 1, 100.0, D(2020, 1, 1))
    build.spell(1, D(2026, 9, 1), None)
    for month in (2, 4, 6, 9):
        build.spell(2, D(2026, month, 2), D(2026, month, 4), kind="egenmelding")
    build.refresh(TODAY)
    last = sessions.start_session(engine, 1, "individuell_radgivning", D(2026, 10, 15))
    due = measure_cases.add_measure(
        engine, 1, "enhet", "Felles rutine med Kari", due_date=D(2026, 11, 1), session_id=last
    )
    later = measure_cases.add_measure(
        engine, 1, "lederrolle", "Ukentlige runder", due_date=D(2026, 12, 10), session_id=last
    )
    sessions.end_session(engine, last, "Forrige møte")
    return sessions.start_session(engine, 1, "individuell_radgivning", TODAY), due, later


def test_a_session_that_took_nothing_up_leaves_every_point_of_its_agenda(
    held: tuple[int, int, int], engine: Engine
) -> None:
    session_id, _, _ = held
    summary = sessions.session_summary(engine, session_id)
    # Nothing completed, nothing agreed since 15.10, one measure fell due 01.11 still open.
    assert summary.since_last == "siden sist: 0 fullført, 0 nye, 1 forfalt"
    lines = [
        (line.heading, line.employee_number, line.text, line.measure_text)
        for line in summary.agenda_untouched
    ]
    assert lines == [
        (MILESTONES_PASSED, "100001", "Dialogmøte 1, frist 19.10.2026: forfalt", ""),
        (MILESTONES_PASSED, "100001", "Aktivitetskrav, frist 26.10.2026: forfalt", ""),
        (
            NEW_FLAGS,
            "100001",
            "Vurder gradert sykmelding: 100\u00a0% sykmeldt i 85 dager (fra 01.09.2026), over 8 "
            "uker uten gradering",
            "",
        ),
        (MEASURES_DUE, None, "enhet, frist 01.11.2026, åpen", "Felles rutine med Kari"),
        (MEASURES_AHEAD, None, "lederrolle, frist 10.12.2026, åpen", "Ukentlige runder"),
    ]
    # The screen's agenda is the same one.
    agenda = session_agenda(engine, session_id).agenda
    assert (agenda.since.start, agenda.since.end) == (D(2026, 10, 16), TODAY)
    assert agenda.since_last.line == summary.since_last

    masked = summary_markdown(summary, masked=True)
    section = masked[masked.index("## Siden sist") :]
    assert "Tiltak siden sist: 0 fullført, 0 nye, 1 forfalt." in section
    assert "- ansatt 100001: Dialogmøte 1, frist 19.10.2026: forfalt." in section
    assert "- Felles rutine med ansatt 100001 (enhet, frist 01.11.2026, åpen)." in section
    assert "Kari" not in masked and "Nordmann" not in masked
    named = summary_markdown(summary, masked=False)
    assert "- Kari Nordmann (100001): Aktivitetskrav, frist 26.10.2026: forfalt." in named


def test_points_taken_up_in_the_session_leave_the_summary(
    held: tuple[int, int, int], engine: Engine
) -> None:
    """Kari gone through: her milestones and her flag are touched; the measure due is ticked on
    the checklist; the one due later was not taken up."""
    session_id, due, _ = held
    sessions.set_reviewed(engine, session_id, 1, True)
    measure_cases.follow_up(engine, due, session_id, checked=True)
    summary = sessions.session_summary(engine, session_id)
    assert [(line.heading, line.measure_text) for line in summary.agenda_untouched] == [
        (MEASURES_AHEAD, "Ukentlige runder")
    ]

    measure_cases.follow_up(engine, held[2], session_id, comment="Godt i gang")
    summary = sessions.session_summary(engine, session_id)
    assert summary.agenda_untouched == ()
    text = summary_markdown(summary, masked=True)
    assert "Alle punktene på agendaen ble tatt opp." in text


def test_a_milestone_marked_touches_its_employee(
    held: tuple[int, int, int], engine: Engine
) -> None:
    session_id, _, _ = held
    sessions.set_milestone_done(
        engine, 1, D(2026, 9, 1), "dialogue_meeting_1", True, TODAY, session_id
    )
    summary = sessions.session_summary(engine, session_id)
    assert [line.employee_number for line in summary.agenda_untouched] == [None, None]


def test_the_summary_built_on_the_agenda_read_as_the_session_opened_has_its_records_anew(
    held: tuple[int, int, int], engine: Engine
) -> None:
    """The agenda kept from the session's start (the app's) gives its cases, flags and figures;
    what was written since (a milestone marked, a measure's words) is read again."""
    session_id, _, later = held
    kept = session_agenda(engine, session_id).read
    # Not in the session: nobody is touched, but the milestone is settled and the text new.
    sessions.set_milestone_done(engine, 1, D(2026, 9, 1), "dialogue_meeting_1", True, TODAY, None)
    measure_cases.update_measure(engine, later, text="Ukentlige runder hver mandag")
    summary = sessions.session_summary(engine, session_id, kept)
    assert summary == sessions.session_summary(engine, session_id)
    assert [(line.heading, line.text) for line in summary.agenda_untouched] == [
        (MILESTONES_PASSED, "Aktivitetskrav, frist 26.10.2026: forfalt"),
        (NEW_FLAGS, summary.agenda_untouched[1].text),
        (MEASURES_DUE, "enhet, frist 01.11.2026, åpen"),
        (MEASURES_AHEAD, "lederrolle, frist 10.12.2026, åpen"),
    ]
    assert summary.agenda_untouched[3].measure_text == "Ukentlige runder hver mandag"


def test_an_agenda_kept_from_before_the_spells_changed_is_not_built_on(
    held: tuple[int, int, int], build: Builder, engine: Engine
) -> None:
    """A spell imported since the session's agenda was read: the summary has Per's new case,
    as read afresh, never the agenda as it was."""
    session_id, _, _ = held
    kept = session_agenda(engine, session_id).read
    build.spell(3, D(2026, 11, 20), None)
    summary = sessions.session_summary(engine, session_id, kept)
    assert summary == sessions.session_summary(engine, session_id)
    assert (BEGAN, "100003", "fra 20.11.2026, pågår, 5 sykedager") in [
        (line.heading, line.employee_number, line.text) for line in summary.agenda_untouched
    ]


@pytest.mark.parametrize("form", ["pdf", "md"])
def test_the_exports_end_with_the_agenda(
    held: tuple[int, int, int], engine: Engine, tmp_path: Path, form: str
) -> None:
    session_id, _, _ = held
    path = export_summary(engine, session_id, tmp_path, form)
    data = path.read_bytes()
    text = pdf_text(data) if form == "pdf" else data.decode("utf-8")
    for expected in (
        "Siden sist",
        "Tiltak siden sist: 0 fullført, 0 nye, 1 forfalt.",
        "Fra agendaen, ikke tatt opp i møtet:",
        MILESTONES_PASSED,
        "ansatt 100001: Dialogmøte 1, frist 19.10.2026: forfalt.",
        "Ukentlige runder (lederrolle, frist 10.12.2026, åpen).",
    ):
        assert expected in text, expected
    assert "Kari" not in text and "Nordmann" not in text
