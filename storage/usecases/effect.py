"""Before and after the completed measures at unit and leader level: one read snapshot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from core.effect import (
    COMPLETED,
    EFFECT_LEVELS,
    CompletedMeasure,
    Figure,
    KindSummary,
    MeasureEffect,
    completed_on,
    kind_summaries,
    measure_effect,
)
from core.masking import Masker
from core.status import too_few
from storage.repos.measure_history import measure_records
from storage.repos.staff import known_people, load_employments, load_spells, load_units
from storage.repos.unit_lookup import unit_by_code
from storage.usecases import reading


@dataclass(frozen=True, slots=True)
class UnitMeasureEffect:
    code: str
    name: str
    effect: MeasureEffect


@dataclass(frozen=True, slots=True)
class EffectReport:
    as_of: dt.date
    measures: tuple[UnitMeasureEffect, ...]  # by unit, then by the day completed
    kinds: tuple[KindSummary, ...]
    undated: int  # completed, but in no session's record: no day to measure from


def measure_effects(
    engine: Engine, as_of: dt.date, unit_code: str | None = None, masked: bool = True
) -> EffectReport:
    """Every completed measure at unit or leader level (of one unit, if given), before and
    after, and the kinds across units (core.effect). Measure texts masked when asked for."""
    with reading(engine) as conn:
        unit_ids = None if unit_code is None else [unit_by_code(conn, unit_code)[0]]
        completed: list[CompletedMeasure] = []
        undated = 0
        for record in measure_records(conn, unit_ids, EFFECT_LEVELS):
            day = completed_on(record.history, as_of)
            if day is not None:
                completed.append(
                    CompletedMeasure(
                        record.measure_id, record.unit_id, record.level, record.text, day
                    )
                )
            elif record.status == COMPLETED and all(s != COMPLETED for _, s in record.history):
                undated += 1
        units = load_units(conn).set_index("unit_id")
        frames = {}
        for unit_id in sorted({m.unit_id for m in completed}):
            employments = load_employments(conn, [unit_id])
            spells = load_spells(conn, sorted(set(employments["employee_id"].tolist())))
            masker = Masker(*known_people(conn, unit_id)) if masked else None
            frames[unit_id] = (employments, spells, masker)

    rows = []
    for measure in completed:
        employments, spells, masker = frames[measure.unit_id]
        if masker is not None:
            measure = CompletedMeasure(
                measure.measure_id,
                measure.unit_id,
                measure.level,
                masker.text(measure.text),
                measure.completed_on,
            )
        unit = units.loc[measure.unit_id]
        rows.append(
            UnitMeasureEffect(
                str(unit["code"]),
                str(unit["name"]),
                measure_effect(measure, employments, spells, as_of),
            )
        )
    rows.sort(key=lambda r: (r.name, r.effect.measure.completed_on, r.effect.measure.measure_id))
    return EffectReport(as_of, tuple(rows), kind_summaries(r.effect for r in rows), undated)


def figure_json(figure: Figure | None) -> dict[str, Any] | None:
    """A figure for `--json`: its days, the % (null when too few to show) and the persons."""
    if figure is None:
        return None
    return {
        "from": figure.span.start.isoformat(),
        "to": figure.span.end.isoformat(),
        "pct": figure.pct,
        "persons": figure.persons,
        "hidden": too_few(figure.persons),
    }


def effect_json(report: EffectReport) -> dict[str, Any]:
    """`naervaer effect --json` (README.md "What --json prints")."""
    return {
        "as_of": report.as_of.isoformat(),
        "measures": [
            {
                "unit_id": row.code,
                "name": row.name,
                "measure_id": row.effect.measure.measure_id,
                "level": row.effect.measure.level,
                "text": row.effect.measure.text,
                "completed_on": row.effect.measure.completed_on.isoformat(),
                "before": figure_json(row.effect.before),
                "after": [
                    {
                        "months": c.months,
                        "after": figure_json(c.after),
                        "year_before": figure_json(c.year_before),
                        "verdict": c.verdict,
                        "change_vs_year_pp": c.change_vs_year_pp,
                        "change_vs_before_pp": c.change_vs_before_pp,
                    }
                    for c in row.effect.comparisons
                ],
            }
            for row in report.measures
        ],
        "kinds": [
            {
                "level": kind.level,
                "text": kind.text,
                "units": kind.units,
                "measures": kind.measures,
                "compared": kind.compared,
                "median_change_pp": kind.median_change_pp,
            }
            for kind in report.kinds
        ],
        "undated": report.undated,
    }
