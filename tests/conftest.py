"""Shared fixtures: a real SQLite file per test, and a small builder for hand-made data."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, insert

from storage.db import open_database, transaction
from storage.figures import refresh_figures
from storage.models import AbsenceSpell, Employee, Employment, ProjectMembership, Unit
from storage.usecases import reading

T = TypeVar("T")


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's data, log or documents folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for variable in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DOCUMENTS_DIR"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.delenv("NAERVAER_DB", raising=False)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_database(tmp_path / "naervaer.sqlite")
    yield engine
    engine.dispose()


class Builder:
    """Inserts units, people, employments and spells with ids the test chooses."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def unit(
        self,
        unit_id: int,
        code: str,
        name: str,
        *,
        project_joined_on: dt.date | None = None,
        baseline_quarter: str | None = None,
        **extra: object,
    ) -> Builder:
        """A unit; with `project_joined_on`, in the project from that day (group not recorded)."""
        self._insert(Unit, id=unit_id, code=code, name=name, **extra)
        if project_joined_on is not None:
            self._insert(
                ProjectMembership,
                unit_id=unit_id,
                joined_on=project_joined_on,
                baseline_quarter=baseline_quarter,
            )
        return self

    def employee(self, employee_id: int, number: str, name: str | None = None) -> Builder:
        return self._insert(Employee, id=employee_id, number=number, name=name)

    def employment(
        self,
        employee_id: int,
        unit_id: int,
        pct: float,
        start: dt.date,
        end: dt.date | None = None,
        title: str | None = None,
    ) -> Builder:
        return self._insert(
            Employment,
            employee_id=employee_id,
            unit_id=unit_id,
            position_pct=pct,
            start_date=start,
            end_date=end,
            title=title,
        )

    def spell(
        self,
        employee_id: int,
        start: dt.date,
        end: dt.date | None,
        kind: str = "sykmelding",
        grade: float = 100.0,
        unit_id: int | None = None,
    ) -> Builder:
        return self._insert(
            AbsenceSpell,
            employee_id=employee_id,
            unit_id=unit_id,
            from_date=start,
            to_date=end,
            absence_type=kind,
            grade_pct=grade,
        )

    def refresh(self, as_of: dt.date) -> Builder:
        with transaction(self.engine) as session:
            refresh_figures(session, as_of)
        return self

    def _insert(self, model: type, **values: object) -> Builder:
        with transaction(self.engine) as session:
            session.execute(insert(model), [values])
        return self


@pytest.fixture
def build(engine: Engine) -> Builder:
    return Builder(engine)


def unreadable_without_the_passphrase(path: Path) -> bool:
    """Whether plain sqlite3 fails to read the file (as it must an encrypted one)."""
    with closing(sqlite3.connect(path)) as conn:
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError:
            return True
    return False


def read(query: Callable[..., T], engine: Engine, *args: Any, **kwargs: Any) -> T:
    """A repository's read (storage.repos) on a snapshot of its own: what a test looks at."""
    with reading(engine) as conn:
        return query(conn, *args, **kwargs)
