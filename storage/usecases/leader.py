"""The leader's own page: the units that share a leader, read in one snapshot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from core.leader import OpenCase, open_cases
from core.masking import Masker, employee_placeholder, shown_leader
from core.vocabulary import MeasureLevel
from storage.repos.measure_history import measure_records
from storage.repos.reviews import milestones_done
from storage.repos.staff import known_people, load_employees, load_employments, load_spells
from storage.repos.units import last_sessions, unit_identities
from storage.usecases import reading


@dataclass(frozen=True, slots=True)
class LeaderMeasure:
    measure_id: int
    text: str  # masked when the page is
    due_date: dt.date | None
    status: str


@dataclass(frozen=True, slots=True)
class LeaderUnit:
    unit_id: int
    code: str
    name: str
    last_session: dt.date | None
    cases: tuple[OpenCase, ...]
    measures: tuple[LeaderMeasure, ...]  # the leader's own (level "lederrolle"), by id
    people: dict[int, str]  # employee id → as shown: the name, or `ansatt 100909` when masked

    @property
    def overdue(self) -> int:
        """The overdue milestones of the unit's open cases."""
        return sum(len(case.overdue) for case in self.cases)


@dataclass(frozen=True, slots=True)
class LeaderPage:
    leader: str | None  # as shown (masked: `leder (E1)`); None when no leader is recorded
    units: tuple[LeaderUnit, ...]  # the units the leader leads, by name


def _same(leader: str | None, other: str | None) -> bool:
    return (
        bool(leader and other)
        and " ".join(str(leader).split()).casefold() == " ".join(str(other).split()).casefold()
    )


def leader_page(engine: Engine, unit_id: int, today: dt.date, masked: bool = True) -> LeaderPage:
    """The page of the leader of the unit with `unit_id`: every unit with the same leader (the
    name, case and spacing aside); the unit alone when it has no leader recorded."""
    with reading(engine) as conn:
        identities = unit_identities(conn)
        (own,) = [u for u in identities if u.id == unit_id]
        led = [u for u in identities if u.id == unit_id or _same(own.leader, u.leader)]
        sessions = last_sessions(conn, ended=True)
        records = measure_records(conn, [u.id for u in led], (MeasureLevel.LEDERROLLE,))
        units = []
        for unit in led:
            employments = load_employments(conn, [unit.id])
            people = sorted(set(employments["employee_id"].tolist()))
            everyone = load_employments(conn, employee_ids=people)
            cases = open_cases(
                unit.id, today, everyone, load_spells(conn, people), milestones_done(conn, people)
            )
            shown = load_employees(conn, sorted({c.employee_id for c in cases}))
            masker = Masker(*known_people(conn, unit.id)) if masked else None
            units.append(
                LeaderUnit(
                    unit_id=unit.id,
                    code=unit.code,
                    name=unit.name,
                    last_session=sessions.get(unit.id),
                    cases=cases,
                    measures=tuple(
                        LeaderMeasure(
                            r.measure_id,
                            r.text if masker is None else masker.text(r.text),
                            r.due_date,
                            r.status,
                        )
                        for r in records
                        if r.unit_id == unit.id
                    ),
                    people={
                        int(e): employee_placeholder(str(n)) if masked or not name else str(name)
                        for e, n, name in zip(
                            shown["employee_id"], shown["number"], shown["name"], strict=True
                        )
                    },
                )
            )
    return LeaderPage(shown_leader(own.leader, masked), tuple(units))
