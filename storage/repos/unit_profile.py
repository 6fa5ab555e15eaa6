"""A unit's presence factors (nærværsfaktorer) and survey scores (kartlegging)."""

from __future__ import annotations

import datetime as dt
from typing import Final

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from core.vocabulary import FACTOR_KINDS, KS_FACTORS, SURVEYS
from storage.models import PresenceFactor, SurveyScore
from storage.repos import audit

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
    session: Session, unit_id: int, kind: str, position: int, text: str, now: dt.datetime
) -> int:
    """The factor's text, logged (storage.repos.audit); the row's version after."""
    key = {"unit_id": unit_id, "kind": kind, "position": position}
    table = PresenceFactor.__table__
    return audit.change_or_add(session.connection(), table, key, {"text": text}, None, now)  # type: ignore[arg-type]


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
    now: dt.datetime,
) -> int:
    """The score, logged (storage.repos.audit); the row's version after."""
    key = {"unit_id": unit_id, "survey": survey, "factor": factor}
    values = {"score": score, "measured_on": measured_on}
    table = SurveyScore.__table__
    return audit.change_or_add(session.connection(), table, key, values, None, now)  # type: ignore[arg-type]
