"""The leader's own page on a real SQLite file (storage.usecases.leader), by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from storage.usecases import measures as measure_cases
from storage.usecases import sessions
from storage.usecases.leader import leader_page
from tests.conftest import Builder
from tests.storage.test_effect_usecase import session

D = dt.date
TODAY = D(2025, 3, 1)


def build_leader(build: Builder) -> Engine:
    """Lise Lund leads Eika and Osp ("lise  LUND": case and spacing aside); Ask has another.

    At Eika employee 1 has been off since Monday 6 January 2025, open-ended: on 1 March the
    follow-up plan (due 2 February) and dialogue meeting 1 (23 February) are overdue, the
    activity requirement (2 March) not yet; 55 sick days. Employee 2 was off 1–10 January: the
    case has ended. At Osp employee 3 since 20 February: nothing overdue.
    """
    build.unit(1, "E1", "Eika", leader="Lise Lund").unit(2, "E2", "Osp", leader="lise  LUND")
    build.unit(3, "E3", "Ask", leader="Per Hansen")
    for person, unit in ((1, 1), (2, 1), (3, 2), (4, 3)):
        build.employee(person, f"100{person}", f"Person{person} Etternavn")
        build.employment(person, unit, 100.0, D(2023, 1, 1))
    build.spell(1, D(2025, 1, 6), None)
    build.spell(2, D(2025, 1, 1), D(2025, 1, 10))
    build.spell(3, D(2025, 2, 20), None)
    build.spell(4, D(2024, 6, 1), None)
    session(build, 1, 1, D(2025, 2, 3))
    engine = build.engine
    measure_cases.add_measure(
        engine, 1, "lederrolle", "Sparring med Person1 Etternavn", due_date=D(2025, 4, 1)
    )
    measure_cases.add_measure(engine, 1, "enhet", "Fagdag")  # the unit's, not the leader's
    measure_cases.add_measure(engine, 3, "lederrolle", "Ask sin leders tiltak")
    return engine


@pytest.fixture
def leader(build: Builder) -> Engine:
    return build_leader(build)


def test_the_units_that_share_a_leader_together(leader: Engine) -> None:
    page = leader_page(leader, 2, TODAY, masked=False)
    assert page.leader == "lise  LUND"
    assert [u.code for u in page.units] == ["E1", "E2"]
    eika, osp = page.units
    assert eika.last_session == D(2025, 2, 3) and osp.last_session is None
    [case] = eika.cases  # employee 2's case has ended
    assert (case.employee_id, case.start, case.sick_days) == (1, D(2025, 1, 6), 55)
    assert [(m.key, m.due) for m in case.overdue] == [
        ("followup_plan", D(2025, 2, 2)),
        ("dialogue_meeting_1", D(2025, 2, 23)),
    ]
    assert eika.overdue == 2 and osp.overdue == 0
    assert [c.start for c in osp.cases] == [D(2025, 2, 20)]
    assert [m.text for m in eika.measures] == ["Sparring med Person1 Etternavn"]
    assert eika.measures[0].due_date == D(2025, 4, 1) and eika.measures[0].status == "apen"
    assert osp.measures == ()
    assert eika.people[1] == "Person1 Etternavn"


def test_masked_by_default(leader: Engine) -> None:
    page = leader_page(leader, 1, TODAY)
    assert page.leader == "skjult"
    eika = page.units[0]
    assert eika.people[1] == "ansatt 1001"
    assert eika.measures[0].text == "Sparring med ansatt 1001"


def test_a_unit_without_a_leader_is_alone(build: Builder) -> None:
    build.unit(1, "E1", "Eika").unit(2, "E2", "Osp")
    page = leader_page(build.engine, 1, TODAY)
    assert page.leader is None and [u.code for u in page.units] == ["E1"]


def test_the_last_session_is_the_last_one_ended(leader: Engine) -> None:
    """A session begun and not ended (the meeting still going on, or left open) is no meeting
    held yet: the page says the last one that ended."""
    sessions.start_session(leader, 1, "statusmote", D(2025, 2, 20))
    sessions.start_session(leader, 2, "oppstartsmote", D(2025, 2, 25))
    eika, osp = leader_page(leader, 1, TODAY).units
    assert eika.last_session == D(2025, 2, 3) and osp.last_session is None
