"""The app's fixed vocabularies: the codes stored, and how they read in Norwegian."""

from __future__ import annotations

ABSENCE_TYPES = {
    "egenmelding": "Egenmelding",
    "sykmelding": "Sykmelding",
    "sykt_barn": "Sykt barn",
    "annet": "Annet fravær",
}
SESSION_TYPES = {
    "oppstartsmote": "Oppstartsmøte",
    "individuell_radgivning": "Individuell rådgivning",
    "statusmote": "Statusmøte",
}
MEASURE_LEVELS = {
    "enkeltsak": "Enkeltsak",
    "enhet": "Enhet",
    "lederrolle": "Lederrolle",
}
MEASURE_STATUSES = {
    "apen": "Åpen",
    "pagar": "Pågår",
    "fullfort": "Fullført",
    "avbrutt": "Avbrutt",
}
OPEN_STATUSES = ("apen", "pagar")
SURVEYS = {"leder": "Kartlegging av leder", "ansatte": "Kartlegging av ansatte"}
FACTOR_KINDS = {"styrke": "Det vi er gode på", "forbedring": "Det vi kan bli bedre på"}
# KS 10-FAKTOR, the survey many municipalities use for kartlegging, scored 1–5.
KS_FACTORS = (
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
