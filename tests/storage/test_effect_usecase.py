"""Before and after completed measures on a real SQLite file (storage.usecases.effect)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from core.effect import TOO_FEW
from storage.models import Measure, MeasureFollowUp
from storage.models import Session as SessionRow
from storage.usecases.effect import measure_effects
from tests.conftest import Builder

D = dt.date
C = D(2025, 3, 31)  # the session in which the measures were recorded completed


def session(build: Builder, sid: int, unit_id: int, held_on: D) -> None:
    start = dt.datetime.combine(held_on, dt.time(9))
    build._insert(
        SessionRow,
        id=sid,
        unit_id=unit_id,
        session_type="individuell_radgivning",
        held_on=held_on,
        started_at=start,
        ended_at=start + dt.timedelta(hours=1),
        note="",
    )


def measure(
    build: Builder, mid: int, unit_id: int, level: str, text: str, history: list[tuple[int, str]]
) -> None:
    build._insert(
        Measure,
        id=mid,
        unit_id=unit_id,
        level=level,
        employee_id=1 if level == "enkeltsak" else None,
        text=text,
        owner="",
        due_date=None,
        status="fullfort",
        created_session_id=history[0][0] if history else None,
        created_at=dt.datetime(2025, 1, 1),
    )
    for sid, status in history:
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
def units(build: Builder) -> Engine:
    return build_units(build)


def build_units(build: Builder) -> Engine:
    # Unit 1: five full-time employees. Employee 1 off all of 2025 Q1 (before: 20 %), employee
    # 2 April–September 2024 (a year earlier: 20 %), employee 3 at 50 % April–September 2025
    # (after: 10 %), as in tests/core/test_effect.py. Unit 2: four employees, too few.
    build.unit(1, "E1", "Eika", leader="Lise Lund").unit(2, "E2", "Bjørka")
    for i in range(1, 10):
        build.employee(i, f"100{i}", f"Person{i} Etternavn")
        build.employment(i, 1 if i <= 5 else 2, 100.0, D(2023, 1, 1))
    build.spell(1, D(2025, 1, 1), D(2025, 3, 31))
    build.spell(2, D(2024, 4, 1), D(2024, 9, 30))
    build.spell(3, D(2025, 4, 1), D(2025, 9, 30), grade=50.0)
    session(build, 1, 1, D(2025, 1, 15))
    session(build, 2, 1, C)
    session(build, 3, 2, D(2025, 1, 15))
    session(build, 4, 2, C)
    measure(build, 1, 1, "enhet", "Holde fagdag om nærvær", [(1, "apen"), (2, "fullfort")])
    measure(build, 2, 2, "enhet", "holde  fagdag om Nærvær", [(3, "pagar"), (4, "fullfort")])
    measure(build, 3, 1, "lederrolle", "Be Lise Lund om sparring", [])  # no session says when
    measure(build, 4, 1, "enkeltsak", "Samtale", [(1, "apen"), (2, "fullfort")])  # one person's
    return build.engine


def test_before_and_after_per_measure_and_per_kind(units: Engine) -> None:
    report = measure_effects(units, D(2025, 10, 15))
    assert [(r.code, r.effect.measure.measure_id) for r in report.measures] == [
        ("E2", 2),
        ("E1", 1),
    ]
    eika = report.measures[1].effect
    assert eika.measure.completed_on == C
    assert eika.before.pct == pytest.approx(20.0) and eika.before.persons == 5
    six = eika.after(6)
    assert six.after is not None and six.after.pct == pytest.approx(10.0)
    assert six.change_vs_year_pp == pytest.approx(-10.0)
    assert report.measures[0].effect.after(6).verdict == TOO_FEW
    assert report.undated == 1
    [kind] = report.kinds
    assert (kind.units, kind.measures, kind.compared) == (2, 2, 1)
    assert kind.median_change_pp == pytest.approx(-10.0)


def test_nothing_completed_before_the_as_of_date(units: Engine) -> None:
    report = measure_effects(units, D(2025, 3, 30))
    assert report.measures == () and report.kinds == ()


def test_one_unit_and_masked_texts(units: Engine, build: Builder) -> None:
    report = measure_effects(units, D(2025, 10, 15), unit_code="E1")
    assert [r.code for r in report.measures] == ["E1"]
    measure(build, 5, 1, "lederrolle", "Be Lise om hjelp", [(2, "fullfort")])
    masked = measure_effects(units, D(2025, 10, 15), unit_code="E1")
    assert [r.effect.measure.text for r in masked.measures][-1] == "Be leder (E1) om hjelp"
    named = measure_effects(units, D(2025, 10, 15), unit_code="E1", masked=False)
    assert [r.effect.measure.text for r in named.measures][-1] == "Be Lise om hjelp"
