"""The app's fixed vocabularies: the codes stored, and how they read in Norwegian.

Each set of codes is a StrEnum: a member is the very string stored in the database, so it
compares equal to it, indexes the label dicts with it, and binds as it in SQL. The label dicts
are keyed by the members and typed by `str`, so that a code read from the database (a plain
`str`) looks up its label as well: `SESSION_TYPES[row.session_type]`, or `SessionType(code).label`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final


class AbsenceType(StrEnum):
    EGENMELDING = "egenmelding"
    SYKMELDING = "sykmelding"
    SYKT_BARN = "sykt_barn"
    ANNET = "annet"

    @property
    def label(self) -> str:
        return ABSENCE_TYPES[self]


class SessionType(StrEnum):
    OPPSTARTSMOTE = "oppstartsmote"
    INDIVIDUELL_RADGIVNING = "individuell_radgivning"
    STATUSMOTE = "statusmote"

    @property
    def label(self) -> str:
        return SESSION_TYPES[self]


class MeasureLevel(StrEnum):
    ENKELTSAK = "enkeltsak"
    ENHET = "enhet"
    LEDERROLLE = "lederrolle"

    @property
    def label(self) -> str:
        return MEASURE_LEVELS[self]


class MeasureStatus(StrEnum):
    APEN = "apen"
    PAGAR = "pagar"
    FULLFORT = "fullfort"
    AVBRUTT = "avbrutt"

    @property
    def label(self) -> str:
        return MEASURE_STATUSES[self]


class Survey(StrEnum):
    LEDER = "leder"
    ANSATTE = "ansatte"

    @property
    def label(self) -> str:
        return SURVEYS[self]


class FactorKind(StrEnum):
    STYRKE = "styrke"
    FORBEDRING = "forbedring"

    @property
    def label(self) -> str:
        return FACTOR_KINDS[self]


# The labels, in the order the app lists them (the members' order).
ABSENCE_TYPES: Final[Mapping[str, str]] = {
    AbsenceType.EGENMELDING: "Egenmelding",
    AbsenceType.SYKMELDING: "Sykmelding",
    AbsenceType.SYKT_BARN: "Sykt barn",
    AbsenceType.ANNET: "Annet fravær",
}
SESSION_TYPES: Final[Mapping[str, str]] = {
    SessionType.OPPSTARTSMOTE: "Oppstartsmøte",
    SessionType.INDIVIDUELL_RADGIVNING: "Individuell rådgivning",
    SessionType.STATUSMOTE: "Statusmøte",
}
MEASURE_LEVELS: Final[Mapping[str, str]] = {
    MeasureLevel.ENKELTSAK: "Enkeltsak",
    MeasureLevel.ENHET: "Enhet",
    MeasureLevel.LEDERROLLE: "Lederrolle",
}
MEASURE_STATUSES: Final[Mapping[str, str]] = {
    MeasureStatus.APEN: "Åpen",
    MeasureStatus.PAGAR: "Pågår",
    MeasureStatus.FULLFORT: "Fullført",
    MeasureStatus.AVBRUTT: "Avbrutt",
}
SURVEYS: Final[Mapping[str, str]] = {
    Survey.LEDER: "Kartlegging av leder",
    Survey.ANSATTE: "Kartlegging av ansatte",
}
FACTOR_KINDS: Final[Mapping[str, str]] = {
    FactorKind.STYRKE: "Det vi er gode på",
    FactorKind.FORBEDRING: "Det vi kan bli bedre på",
}

# Sick leave is the two kinds the percentage counts; a self-certified day counts in full.
SICK_KINDS: Final = (AbsenceType.EGENMELDING, AbsenceType.SYKMELDING)
SELF_CERTIFIED: Final = AbsenceType.EGENMELDING
# A measure still to be done; the others are closed.
OPEN_STATUSES: Final = (MeasureStatus.APEN, MeasureStatus.PAGAR)

# KS 10-FAKTOR, the survey many municipalities use for kartlegging, scored 1–5.
KS_FACTORS: Final = (
    "Indre jobbmotivasjon",
    "Mestringstro",
    "Autonomi",
    "Bruk av kompetanse",
    "Mestringsorientert ledelse",
    "Rolleklarhet",
    "Relevant kompetanseutvikling",
    "Fleksibilitetsvilje",
    "Mestringsklima",
    "Prososial motivasjon",
)
