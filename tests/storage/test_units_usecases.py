"""The unit list, the unit overview and the project's use cases, on a real SQLite file."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, insert, update

from core.errors import InvalidInput
from core.periods import Quarter
from storage.db import open_database, transaction
from storage.models import Measure, Unit
from storage.models import Session as SessionRow
from storage.repos.figures import quarter_sums
from storage.usecases import reading
from storage.usecases.project import join_project, leave_project, project_units
from storage.usecases.units import open_unit, unit_list, unit_names
from tests.conftest import Builder

D = dt.date
TODAY = D(2026, 11, 24)


@pytest.fixture
def lia(build: Builder) -> Builder:
    # One full-time employee; sick Monday 30 September to Friday 4 October 2024: one workday
    # in the third quarter and four in the fourth.
    (
        build.unit(1, "E1", "Lia sykehjem", leader="Anne Leder")
        .unit(2, "E2", "Berg skole")
        .employee(1, "1001", "Kari Nordmann")
        .employment(1, 1, 100.0, D(2020, 1, 1))
        .spell(1, D(2024, 9, 30), D(2024, 10, 4))
        .refresh(TODAY)
    )
    return build


def test_quarter_sums_put_each_month_in_its_quarter(lia: Builder, engine: Engine) -> None:
    """Quarters by date bounds worked out in Python (no substr() on dates in SQL)."""
    with reading(engine) as conn:
        sums = quarter_sums(conn, Quarter(2024, 3), Quarter(2024, 4))
        one = quarter_sums(conn, Quarter(2024, 3), Quarter(2024, 4), unit_id=2)
    q3_lost, q3_possible = sums[(1, "2024Q3")]
    q4_lost, q4_possible = sums[(1, "2024Q4")]
    assert q3_lost == pytest.approx(1.0)  # Monday 30 September
    assert q4_lost == pytest.approx(4.0)  # Tuesday 1 to Friday 4 October
    assert q3_possible == pytest.approx(66.0)  # July–September 2024: 23 + 22 + 21 workdays
    assert q4_possible == pytest.approx(64.0)  # 23 + 21 + 22 weekdays, less 25 and 26 December
    assert all(unit == 2 for unit, _ in one)


def test_unit_list_rows_are_frozen_and_carry_the_activity(lia: Builder, engine: Engine) -> None:
    with transaction(engine) as session:
        session.execute(
            insert(Measure),
            [
                {
                    "unit_id": 1,
                    "level": "enhet",
                    "text": "Tett på",
                    "due_date": D(2026, 11, 1),
                    "status": "apen",
                },
                {
                    "unit_id": 1,
                    "level": "enhet",
                    "text": "Samtaler",
                    "due_date": D(2026, 12, 1),
                    "status": "pagar",
                },
                {
                    "unit_id": 1,
                    "level": "enhet",
                    "text": "Ferdig",
                    "due_date": D(2026, 1, 1),
                    "status": "fullfort",
                },
            ],
        )
        session.execute(
            insert(SessionRow),
            [{"unit_id": 1, "session_type": "statusmote", "held_on": D(2026, 10, 5)}],
        )
    rows = unit_list(engine, TODAY)
    assert isinstance(rows, tuple)
    assert [row.name for row in rows] == ["Berg skole", "Lia sykehjem"]
    lia_row = rows[1]
    assert (lia_row.open_measures, lia_row.overdue_measures) == (2, 1)
    assert lia_row.last_session == D(2026, 10, 5)
    assert lia_row.headcount == 1 and not lia_row.project
    assert rows[0].last_session is None and rows[0].avg_2y_pct is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        lia_row.headcount = 2  # type: ignore[misc]
    assert unit_names(engine) == ((2, "Berg skole"), (1, "Lia sykehjem"))


def test_the_overview_is_read_from_one_snapshot(lia: Builder, engine: Engine) -> None:
    """Another advisor's change committed while a unit is opened does not show in half of it.

    Before open_unit, the overview, the settings and the names were read over separate
    connections: the leader renamed between them came out new in one and old in the other.
    """
    other = open_database(Path(str(engine.url.database)))
    calls = 0

    def meanwhile(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        nonlocal calls
        if not statement.lstrip().upper().startswith("SELECT"):
            return
        calls += 1
        if calls == 1:  # after the overview's first query (the settings), before the unit's
            with other.begin() as conn:
                conn.execute(update(Unit).where(Unit.id == 1).values(leader="Nils Ny"))

    event.listen(engine, "after_cursor_execute", meanwhile)
    try:
        overview = open_unit(engine, 1, TODAY)
    finally:
        event.remove(engine, "after_cursor_execute", meanwhile)
        other.dispose()
    assert calls > 1
    assert overview.leader == "Anne Leder"
    assert overview.names.shown("Anne Leder var med", masked=True) != "Anne Leder var med"
    assert open_unit(engine, 1, TODAY).leader == "Nils Ny"  # the next opening sees it


def test_units_join_leave_and_list_the_project(lia: Builder, engine: Engine) -> None:
    added = join_project(engine, ["E1", "E2"], D(2025, 1, 6), "2024Q3")
    assert [m.baseline_quarter for m in added] == ["2024Q3", "2024Q3"]
    with pytest.raises(InvalidInput):
        join_project(engine, ["E1"], D(2025, 2, 1))  # in already: nothing written
    leave_project(engine, ["E2"], D(2025, 6, 1))
    leave_project(engine, ["E1"], D(2025, 6, 1))
    join_project(engine, ["E1"], D(2025, 9, 1), "2025Q2")
    leave_project(engine, ["E1"], D(2025, 9, 1))  # out the day it joined: the period goes
    listed = project_units(engine)
    assert [(u.code, len(u.periods)) for u in listed] == [("E2", 1), ("E1", 1)]
    (period,) = listed[1].periods
    assert (period.joined_on, period.left_on) == (D(2025, 1, 6), D(2025, 6, 1))
    assert isinstance(period.joined_on, dt.date)
