"""The stored monthly figures reach back as far as the project's units need them (issue 19)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, select

from storage.figures import figures_start, refresh_figures
from storage.models import UnitMonthFigure
from storage.repos.figures import figures_as_of
from storage.usecases import reading, writing
from storage.usecases.importing import load_demo
from storage.usecases.project import join_project
from storage.usecases.status import status_report

TODAY = dt.date(2025, 11, 24)


def stored(engine: Engine) -> list[Any]:
    with reading(engine) as conn:
        return [tuple(row) for row in conn.execute(select(UnitMonthFigure.__table__))]


def from_scratch(engine: Engine) -> list[Any]:
    """The figures refresh_figures computes now, for the day they are stored as of."""
    with writing(engine) as session:
        as_of = figures_as_of(session)
        start = figures_start(session, as_of)
        refresh_figures(session, as_of)
    rows = stored(engine)
    assert rows and min(row[1] for row in rows) <= start
    return rows


def test_the_demo_stores_the_figures_its_project_needs(engine: Engine) -> None:
    # The demo's units join after its figures are written: the eight quarters before their
    # baseline (their group at joining) were missing, and every status overview computed them.
    load_demo(engine, "small", 1, TODAY)
    after_demo = stored(engine)

    assert after_demo == from_scratch(engine)


def test_a_unit_joining_with_an_older_baseline_extends_the_figures(engine: Engine) -> None:
    load_demo(engine, "small", 1, TODAY)
    before = status_report(engine, TODAY)
    outside = before.units.loc[~before.units["project"], "code"].iloc[0]

    join_project(engine, [outside], dt.date(2022, 4, 1), "2022Q1")
    after_join = stored(engine)

    assert after_join == from_scratch(engine)
    assert min(row[1] for row in after_join) <= dt.date(2020, 4, 1)  # 2022Q1's eight before
