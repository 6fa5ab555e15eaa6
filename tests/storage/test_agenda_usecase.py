"""The agenda use case on a real SQLite file: one snapshot gathers what core.agenda computes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from core.agenda import SinceLast
from core.errors import UnknownUnit
from core.flags import GRADED_REVIEW
from core.goal import Light
from storage.models import Measure, MeasureFollowUp, MilestoneDone
from storage.models import Session as SessionRow
from storage.usecases.agenda import unit_agenda
from tests.conftest import Builder

D = dt.date
AS_OF = D(2025, 3, 31)
NAMES = ("Kari Nordmann", "Ola Hansen", "Per Berg", "Liv Dahl", "Eva Lie")


def session(build: Builder, sid: int, held_on: D, ended: bool) -> None:
    start = dt.datetime.combine(held_on, dt.time(9))
    build._insert(
        SessionRow,
        id=sid,
        unit_id=1,
        session_type="individuell_radgivning",
        held_on=held_on,
        started_at=start,
        ended_at=start + dt.timedelta(hours=1) if ended else None,
        note="",
    )


def measure(build: Builder, mid: int, level: str, text: str, due: D, status: str, sid: int):
    build._insert(
        Measure,
        id=mid,
        unit_id=1,
        level=level,
        text=text,
        owner="",
        due_date=due,
        status=status,
        created_session_id=sid,
        created_at=dt.datetime(2025, 1, 1),
    )


def follow_up(build: Builder, mid: int, sid: int, status: str) -> None:
    build._insert(
        MeasureFollowUp,
        measure_id=mid,
        session_id=sid,
        checked=False,
        comment="",
        status=status,
        due_date=None,
        updated_at=dt.datetime(2025, 1, 1),
    )


@pytest.fixture
def unit(build: Builder) -> Engine:
    build.unit(
        1, "E1", "Eika sykehjem", project_joined_on=D(2024, 10, 1), baseline_quarter="2024Q3"
    )
    for i, name in enumerate(NAMES, start=1):
        build.employee(i, f"100{i}", name).employment(i, 1, 100.0, D(2024, 1, 1))
    build.spell(1, D(2025, 1, 6), None)  # 100 % since 6 January: graded sick leave worth a look
    build.spell(2, D(2024, 7, 1), D(2024, 9, 30))  # all of the baseline quarter
    build.spell(3, D(2024, 10, 1), D(2024, 12, 31))  # all of 2024 Q4
    session(build, 1, D(2025, 2, 28), ended=True)
    session(build, 2, D(2025, 3, 31), ended=False)  # today's, still going on
    session(build, 3, D(2025, 4, 15), ended=True)  # after the as-of date
    measure(build, 1, "enhet", "Holde fagdag med Kari", D(2025, 3, 15), "fullfort", 1)
    follow_up(build, 1, 1, "apen")
    follow_up(build, 1, 2, "fullfort")
    measure(build, 2, "lederrolle", "Sette av tid", D(2025, 3, 20), "apen", 1)
    follow_up(build, 2, 1, "apen")
    measure(build, 3, "enhet", "Ny rutine", D(2025, 4, 20), "apen", 2)
    build._insert(
        MilestoneDone,
        employee_id=1,
        case_start=D(2025, 1, 6),
        milestone="activity_requirement",
        done_on=D(2025, 3, 5),
    )
    build.refresh(D(2025, 10, 15))
    return build.engine


def test_agenda_since_the_last_ended_session(unit: Engine) -> None:
    result = unit_agenda(unit, "E1", AS_OF)
    agenda = result.agenda
    assert agenda.last_session == D(2025, 2, 28)
    assert agenda.since.start == D(2025, 3, 1)
    # Measure 1 completed today (session 2), 3 agreed today, 2 fell due on 20.03 and is open.
    assert agenda.since_last == SinceLast(completed=1, new=1, overdue=1)
    assert [m.measure_id for m in agenda.measures_came_due] == [1, 2]
    assert [m.measure_id for m in agenda.measures_ahead] == [3]
    assert [
        (m.employee_id, m.milestone.key, m.milestone.status, m.milestone.done_on)
        for m in agenda.milestones_passed
    ] == [(1, "activity_requirement", "done", D(2025, 3, 5))]
    assert [(f.employee_id, f.key) for f in agenda.new_flags] == [(1, GRADED_REVIEW)]


def test_masked_by_default(unit: Engine) -> None:
    masked = unit_agenda(unit, "E1", AS_OF)
    assert masked.person(1) == "ansatt 1001"
    assert masked.agenda.measures_came_due[0].text == "Holde fagdag med ansatt 1001"
    named = unit_agenda(unit, "E1", AS_OF, masked=False)
    assert named.person(1) == "Kari Nordmann"
    assert named.agenda.measures_came_due[0].text == "Holde fagdag med Kari"


def test_share_of_the_goal_and_the_light(unit: Engine) -> None:
    # On 31.03.2025 the latest complete quarter is 2024 Q4 (64 workdays, P = 5 × 64 = 320),
    # and no quarter of the baseline's season has come yet. Goal 1,0 p.p. of 320 = 3,2 days.
    early = unit_agenda(unit, "E1", AS_OF)
    assert early.goal is not None
    assert early.goal.baseline_pct == pytest.approx(20.0)
    assert early.goal.possible == pytest.approx(320.0)
    assert early.goal.goal_days == pytest.approx(3.2)
    assert early.goal.goal_kroner == pytest.approx(13_440.0)
    assert early.goal.achieved_days is None
    # 2024 Q4 at 20 % against the sector's 2023 Q4 estimate, 8,3 + 2,0 = 10,3 %: red.
    assert early.sector.unit_pct == pytest.approx(20.0)
    assert early.sector.sector_pct == pytest.approx(10.3)
    assert early.sector.light is Light.RED
    # On 15.10.2025: 2025 Q3 (66 workdays, P = 330) at 20 % too (employee 1 still off).
    later = unit_agenda(unit, "E1", D(2025, 10, 15))
    assert later.goal is not None and later.goal.compare_quarter == "2025Q3"
    assert later.goal.goal_days == pytest.approx(3.3)
    assert later.goal.achieved_days == pytest.approx(0.0)
    assert later.goal.to_go_days == pytest.approx(3.3)


def test_unknown_unit(unit: Engine) -> None:
    with pytest.raises(UnknownUnit):
        unit_agenda(unit, "E404", AS_OF)
