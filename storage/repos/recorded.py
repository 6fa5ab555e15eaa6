"""Employments and sick spells as recorded, for a window of days: what the prognosis reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, select

from core.sickleave import SICK_KINDS
from storage.models import AbsenceSpell, Employment
from storage.repos.frames import dates, frame, iso


@dataclass(frozen=True, slots=True)
class Recorded:
    """Employments and sick spells as recorded on a day, from the first day that matters on."""

    employments: pd.DataFrame
    spells: pd.DataFrame

    def known_on(self, day: dt.date) -> Recorded:
        """What had begun by `day`: later hires and later sick notes were not known yet."""
        stamp = pd.Timestamp(day)
        return Recorded(
            self.employments[self.employments["start"] <= stamp],
            self.spells[self.spells["start"] <= stamp],
        )


def load_recorded(conn: Connection, first: dt.date, as_of: dt.date) -> Recorded:
    """Employments and sick spells begun by `as_of` that reach `first` or later.

    Only this window is read (dates cast to ISO text in SQL and parsed in bulk, as the repository
    does): at municipality scale that is a small part of a quarter of a million spells.
    """
    employments = frame(
        conn,
        select(
            Employment.id,
            Employment.employee_id,
            Employment.unit_id,
            Employment.position_pct,
            iso(Employment.start_date),
            iso(Employment.end_date),
        )
        .where(Employment.start_date <= as_of)
        .where(Employment.end_date.is_(None) | (Employment.end_date >= first))
        .order_by(Employment.id),
        ["employment_id", "employee_id", "unit_id", "position_pct", "start", "end"],
    )
    employments["position_pct"] = employments["position_pct"].astype(float)
    spells = frame(
        conn,
        select(
            AbsenceSpell.employee_id,
            AbsenceSpell.unit_id,
            iso(AbsenceSpell.from_date),
            iso(AbsenceSpell.to_date),
            AbsenceSpell.absence_type,
            AbsenceSpell.grade_pct,
        )
        .where(AbsenceSpell.absence_type.in_(SICK_KINDS))
        .where(AbsenceSpell.from_date <= as_of)
        .where(AbsenceSpell.to_date.is_(None) | (AbsenceSpell.to_date >= first))
        .order_by(AbsenceSpell.id),
        ["employee_id", "unit_id", "start", "end", "kind", "grade"],
    )
    spells["unit_id"] = pd.to_numeric(spells["unit_id"], errors="coerce").astype(float)
    spells["grade"] = spells["grade"].astype(float)
    for table in (employments, spells):
        table["start"] = dates(table["start"])
        table["end"] = dates(table["end"])
    return Recorded(employments, spells)
