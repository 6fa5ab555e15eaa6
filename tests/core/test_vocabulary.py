"""The codes: each a StrEnum member equal to the string stored, each with its Norwegian label."""

from __future__ import annotations

from enum import StrEnum

import pytest

from core.vocabulary import (
    ABSENCE_TYPES,
    FACTOR_KINDS,
    MEASURE_LEVELS,
    MEASURE_STATUSES,
    OPEN_STATUSES,
    SESSION_TYPES,
    SICK_KINDS,
    SURVEYS,
    AbsenceType,
    FactorKind,
    MeasureLevel,
    MeasureStatus,
    SessionType,
    Survey,
)

PAIRS = [
    (AbsenceType, ABSENCE_TYPES),
    (SessionType, SESSION_TYPES),
    (MeasureLevel, MEASURE_LEVELS),
    (MeasureStatus, MEASURE_STATUSES),
    (Survey, SURVEYS),
    (FactorKind, FACTOR_KINDS),
]


@pytest.mark.parametrize(("codes", "labels"), PAIRS)
def test_every_code_has_its_label_in_the_members_order(
    codes: type[StrEnum], labels: dict[str, str]
) -> None:
    assert list(labels) == list(codes)
    for code in codes:
        assert labels[str(code.value)] == code.label  # type: ignore[attr-defined]


def test_a_code_is_the_string_stored() -> None:
    assert SessionType("statusmote") is SessionType.STATUSMOTE
    assert SESSION_TYPES["statusmote"] == "Statusmøte"
    assert f"{MeasureStatus.PAGAR}" == "pagar"
    assert "pagar" in OPEN_STATUSES and "fullfort" not in OPEN_STATUSES
    assert set(SICK_KINDS) == {"egenmelding", "sykmelding"}
    assert MeasureLevel.ENHET.label == "Enhet"
