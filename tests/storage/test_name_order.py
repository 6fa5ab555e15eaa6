"""Units are listed in Norwegian order (… z æ ø å, case together) on both backends, whatever
the database's collation (the tests' server and SQLite both compare bytes)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine

from core.text import name_order
from storage.repos.staff import load_units
from storage.usecases.project import list_json, project_units
from storage.usecases.units import unit_list, unit_names
from tests.conftest import Builder, db_of, read
from tui.cli import main

pytestmark = pytest.mark.both_backends

D = dt.date
TODAY = D(2025, 11, 24)
# As stored: by id, neither in byte order nor in Norwegian order.
NAMES = ["Åsen skole", "Zeta barnehage", "ørnes sykehjem", "Ærfuglen", "alfa kontor", "Øya"]
NORWEGIAN = ["alfa kontor", "Zeta barnehage", "Ærfuglen", "ørnes sykehjem", "Øya", "Åsen skole"]


@pytest.fixture
def units(build: Builder) -> Builder:
    for number, name in enumerate(NAMES, start=1):
        build.unit(
            number, f"E{number}", name, project_joined_on=D(2025, 1, 1), baseline_quarter="2024Q4"
        )
        build.employee(number, f"{number}00", f"Ansatt {number}")
        build.employment(number, number, 100.0, D(2020, 1, 1))
    return build.refresh(TODAY)


def test_the_unit_list_and_the_units_by_name_are_in_norwegian_order(
    units: Builder, engine: Engine
) -> None:
    assert sorted(NAMES, key=name_order) == NORWEGIAN
    assert [row.name for row in unit_list(engine, TODAY)] == NORWEGIAN
    assert [name for _, name in unit_names(engine)] == NORWEGIAN
    assert read(load_units, engine)["name"].tolist() == NORWEGIAN
    assert [unit["name"] for unit in list_json(project_units(engine))["units"]] == NORWEGIAN


def test_the_status_overview_lists_its_units_in_norwegian_order(
    units: Builder, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--db", db_of(engine), "--as-of", TODAY.isoformat(), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    listed = [unit["name"] for group in document["groups"] for unit in group["units"]]
    assert sorted(listed, key=name_order) == listed
    assert sorted(listed) == sorted(NAMES)
