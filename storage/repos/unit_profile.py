"""A unit's presence factors (nærværsfaktorer) and survey scores (kartlegging)."""

from __future__ import annotations

import datetime as dt
from typing import Final

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from core.vocabulary import FACTOR_KINDS, KS_FACTORS, SURVEYS
from storage.dialects import upsert
from storage.models import PresenceFactor, SurveyScore

PRESENCE_POSITIONS: Final = 4


def presence_factors(conn: Connection, unit_id: int) -> dict[str, list[str]]:
    """{"styrke": [4 texts], "forbedring": [4 texts]}, "" where nothing is written."""
    factors = {kind: [""] * PRESENCE_POSITIONS for kind in FACTOR_KINDS}
    query = (
        select(PresenceFactor.kind, PresenceFactor.position, PresenceFactor.text)
        .where(PresenceFactor.unit_id == unit_id)
        .order_by(PresenceFactor.kind, PresenceFactor.position)
    )
    for kind, position, text in conn.execute(query):
        if kind in factors and 1 <= position <= PRESENCE_POSITIONS:
            factors[kind][position - 1] = text
    return factors


def set_presence_factor(
    session: Session, unit_id: int, kind: str, position: int, text: str
) -> None:
    row = {"unit_id": unit_id, "kind": kind, "position": position, "text": text}
    key = ("unit_id", "kind", "position")
    upsert(session.connection(), PresenceFactor.__table__, row, key)  # type: ignore[arg-type]


def survey_scores(conn: Connection, unit_id: int) -> dict[str, dict[str, float | None]]:
    """survey -> factor -> score for every survey and every KS factor, None where unset."""
    scores: dict[str, dict[str, float | None]] = {
        survey: dict.fromkeys(KS_FACTORS) for survey in SURVEYS
    }
    query = (
        select(SurveyScore.survey, SurveyScore.factor, SurveyScore.score)
        .where(SurveyScore.unit_id == unit_id)
        .order_by(SurveyScore.survey, SurveyScore.factor)
    )
    for survey, factor, score in conn.execute(query):
        if survey in scores and factor in scores[survey]:
            scores[survey][factor] = score
    return scores


def set_survey_score(
    session: Session,
    unit_id: int,
    survey: str,
    factor: str,
    score: float | None,
    measured_on: dt.date | None,
) -> None:
    row = {
        "unit_id": unit_id,
        "survey": survey,
        "factor": factor,
        "score": score,
        "measured_on": measured_on,
    }
    key = ("unit_id", "survey", "factor")
    upsert(session.connection(), SurveyScore.__table__, row, key)  # type: ignore[arg-type]
