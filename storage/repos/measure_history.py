"""Measures with their history across sessions: when each was agreed and what each session
recorded of it (the day a measure was completed is read off this history, core.effect)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from storage.models import Measure, MeasureFollowUp
from storage.models import Session as SessionRow


@dataclass(frozen=True, slots=True)
class MeasureRecord:
    measure_id: int
    unit_id: int
    level: str
    text: str
    employee_id: int | None
    due_date: dt.date | None
    status: str
    created_on: dt.date  # the day of the session it was agreed in, else the day it was written
    history: tuple[tuple[dt.date, str], ...]  # (session day, status recorded), oldest first


def measure_records(
    conn: Connection,
    unit_ids: Sequence[int] | None = None,
    levels: Sequence[str] | None = None,
) -> list[MeasureRecord]:
    """The measures of the units (all without `unit_ids`) at the levels, by unit and id."""
    created = aliased(SessionRow)
    query = (
        select(
            Measure.id,
            Measure.unit_id,
            Measure.level,
            Measure.text,
            Measure.employee_id,
            Measure.due_date,
            Measure.status,
            created.held_on,
            Measure.created_at,
        )
        .outerjoin(created, created.id == Measure.created_session_id)
        .order_by(Measure.unit_id, Measure.id)
    )
    history = (
        select(MeasureFollowUp.measure_id, SessionRow.held_on, MeasureFollowUp.status)
        .join(SessionRow, SessionRow.id == MeasureFollowUp.session_id)
        .join(Measure, Measure.id == MeasureFollowUp.measure_id)
        .order_by(
            MeasureFollowUp.measure_id, SessionRow.held_on, SessionRow.started_at, SessionRow.id
        )
    )
    if unit_ids is not None:
        query = query.where(Measure.unit_id.in_(list(unit_ids)))
        history = history.where(Measure.unit_id.in_(list(unit_ids)))
    if levels is not None:
        query = query.where(Measure.level.in_(list(levels)))
        history = history.where(Measure.level.in_(list(levels)))
    recorded: dict[int, list[tuple[dt.date, str]]] = {}
    for measure_id, held_on, status in conn.execute(history):
        recorded.setdefault(measure_id, []).append((held_on, status))
    return [
        MeasureRecord(
            measure_id=row.id,
            unit_id=row.unit_id,
            level=row.level,
            text=row.text,
            employee_id=row.employee_id,
            due_date=row.due_date,
            status=row.status,
            created_on=row.held_on or row.created_at.date(),
            history=tuple(recorded.get(row.id, ())),
        )
        for row in conn.execute(query)
    ]
