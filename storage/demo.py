"""Realistic made-up data for a Norwegian municipality: the engine behind `naervaer demo`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from core.calendar import day_number, default_calendar, from_day_number
from core.cases import MILESTONES, build_cases
from core.groups import target_groups
from core.periods import Quarter, complete_quarters_before
from core.sickleave import Period, pct_array, workday_figures
from core.vocabulary import ABSENCE_TYPES, KS_FACTORS
from storage.dialects import lock_for_write, reserve_ids
from storage.figures import cover_baselines
from storage.importer import Tables, write_tables
from storage.models import (
    Base,
    Employee,
    EmployeeReview,
    Measure,
    MeasureFollowUp,
    MilestoneDone,
    PresenceFactor,
    ProjectMembership,
    Setting,
    SurveyScore,
    Unit,
)
from storage.models import Session as AdvisorySession

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

SCALES: Final = ("small", "municipality")
PROJECT_START: Final = dt.date(2024, 10, 1)
BASELINE_QUARTER: Final = str(Quarter.of(PROJECT_START).shift(-1))
# The 2-year average behind the target groups needs the 8 quarters before the project start.
EARLIEST_HISTORY: Final = complete_quarters_before(PROJECT_START, 8)[0].start
# Far enough in the future to mean "no end" in day-number arithmetic.
OPEN: Final = day_number(dt.date(2999, 12, 31))


# --- the municipality's kinds of units --------------------------------------------------------


@dataclass(frozen=True)
class UnitKind:
    """A kind of unit: where it belongs, how big it is, who works there and how often sick."""

    key: str
    service_area: str
    patterns: tuple[str, ...]  # unit name, "{}" = a place name; fixed names have no "{}"
    size: tuple[int, int]  # employees at a time, inclusive
    rate_pct: tuple[float, float]  # mean and spread of the unit's sick leave % (both kinds)
    positions: tuple[tuple[float, float], ...]  # (position %, weight)
    titles: tuple[tuple[str, float], ...]
    female_share: float
    turnover: float  # share of employees leaving per year


_CARE_POSITIONS = (
    (20.0, 0.03),
    (30.0, 0.04),
    (40.0, 0.08),
    (50.0, 0.14),
    (62.5, 0.12),
    (75.0, 0.18),
    (80.0, 0.15),
    (100.0, 0.26),
)
_SMALL_POSITIONS = ((50.0, 0.04), (80.0, 0.08), (100.0, 0.88))

KINDS: Final[dict[str, UnitKind]] = {
    kind.key: kind
    for kind in (
        UnitKind(
            "sykehjem",
            "Helse og velferd",
            ("{} helse- og velferdssenter", "{} sykehjem"),
            (60, 180),
            (11.7, 1.5),
            _CARE_POSITIONS,
            (
                ("Helsefagarbeider", 0.42),
                ("Sykepleier", 0.25),
                ("Assistent", 0.18),
                ("Spesialsykepleier", 0.05),
                ("Fagarbeider kjøkken", 0.05),
                ("Avdelingsleder", 0.05),
            ),
            0.86,
            0.11,
        ),
        UnitKind(
            "hjemmetjeneste",
            "Helse og velferd",
            ("{} hjemmetjeneste",),
            (50, 150),
            (11.3, 1.5),
            _CARE_POSITIONS,
            (
                ("Helsefagarbeider", 0.45),
                ("Sykepleier", 0.3),
                ("Assistent", 0.12),
                ("Ergoterapeut", 0.04),
                ("Fysioterapeut", 0.04),
                ("Avdelingsleder", 0.05),
            ),
            0.84,
            0.12,
        ),
        UnitKind(
            "helsestasjon",
            "Helse og velferd",
            ("{} helsestasjon",),
            (5, 25),
            (7.5, 1.5),
            _SMALL_POSITIONS,
            (("Helsesykepleier", 0.7), ("Jordmor", 0.15), ("Konsulent", 0.15)),
            0.9,
            0.07,
        ),
        UnitKind(
            "skole",
            "Oppvekst og utdanning",
            ("{} skole", "{} barneskole", "{} ungdomsskole"),
            (30, 120),
            (7.8, 1.1),
            ((40.0, 0.03), (50.0, 0.05), (80.0, 0.1), (100.0, 0.82)),
            (
                ("Lærer", 0.38),
                ("Lektor", 0.18),
                ("Adjunkt", 0.12),
                ("Barne- og ungdomsarbeider", 0.12),
                ("Assistent", 0.1),
                ("Miljøarbeider", 0.05),
                ("Inspektør", 0.05),
            ),
            0.72,
            0.07,
        ),
        UnitKind(
            "barnehage",
            "Oppvekst og utdanning",
            ("{} barnehage",),
            (10, 40),
            (8.2, 1.4),
            ((50.0, 0.05), (60.0, 0.05), (80.0, 0.15), (100.0, 0.75)),
            (
                ("Barnehagelærer", 0.3),
                ("Pedagogisk leder", 0.15),
                ("Barne- og ungdomsarbeider", 0.3),
                ("Assistent", 0.25),
            ),
            0.9,
            0.1,
        ),
        UnitKind(
            "bibliotek",
            "Kultur og næring",
            ("{} bibliotek",),
            (5, 25),
            (6.0, 1.2),
            _SMALL_POSITIONS,
            (("Bibliotekar", 0.6), ("Biblioteksassistent", 0.3), ("Formidler", 0.1)),
            0.75,
            0.07,
        ),
        UnitKind(
            "fritidsklubb",
            "Kultur og næring",
            ("{} fritidsklubb", "{} kulturhus"),
            (5, 25),
            (6.5, 1.2),
            ((50.0, 0.15), (80.0, 0.15), (100.0, 0.7)),
            (("Miljøarbeider", 0.5), ("Fritidsleder", 0.2), ("Kulturformidler", 0.3)),
            0.55,
            0.1,
        ),
        UnitKind(
            "driftsstasjon",
            "Byutvikling",
            ("{} driftsstasjon",),
            (5, 25),
            (7.2, 1.2),
            _SMALL_POSITIONS,
            (("Fagarbeider", 0.55), ("Maskinfører", 0.25), ("Driftsleder", 0.2)),
            0.2,
            0.07,
        ),
        UnitKind(
            "kontor",
            "Organisasjon og stab",
            (
                "Lønnskontoret",
                "HR-avdelingen",
                "Innkjøpskontoret",
                "Dokumentsenteret",
                "IT-tjenesten",
                "Økonomiavdelingen",
                "Kommunikasjonsavdelingen",
                "Servicetorget",
                "Politisk sekretariat",
                "Juridisk avdeling",
            ),
            (5, 25),
            (5.5, 1.0),
            _SMALL_POSITIONS,
            (("Rådgiver", 0.4), ("Seniorrådgiver", 0.2), ("Konsulent", 0.3), ("Leder", 0.1)),
            0.62,
            0.08,
        ),
        UnitKind(
            "byutviklingskontor",
            "Byutvikling",
            (
                "Byggesakskontoret",
                "Kart og oppmåling",
                "Plankontoret",
                "Miljøenheten",
                "Eiendomsforvaltningen",
                "Trafikkenheten",
                "Vann og avløp",
                "Park og idrett",
            ),
            (5, 25),
            (5.5, 1.0),
            _SMALL_POSITIONS,
            (("Ingeniør", 0.35), ("Saksbehandler", 0.35), ("Rådgiver", 0.2), ("Leder", 0.1)),
            0.5,
            0.08,
        ),
    )
}

# Units of each kind per scale: about 300 units and 20,000 people, or 12 units and 600.
SCALE_UNITS: Final[dict[str, dict[str, int]]] = {
    "municipality": {
        "sykehjem": 38,
        "hjemmetjeneste": 32,
        "helsestasjon": 10,
        "skole": 62,
        "barnehage": 110,
        "bibliotek": 12,
        "fritidsklubb": 10,
        "driftsstasjon": 8,
        "kontor": 10,
        "byutviklingskontor": 8,
    },
    "small": {
        "sykehjem": 1,
        "hjemmetjeneste": 1,
        "skole": 2,
        "barnehage": 4,
        "helsestasjon": 1,
        "bibliotek": 1,
        "driftsstasjon": 1,
        "kontor": 1,
    },
}
# At small scale the units' own levels are set by hand, so that a newcomer sees about four
# project units among twelve instead of whatever twelve random draws give.
SMALL_RATES_PCT: Final[dict[str, tuple[float, ...]]] = {
    "sykehjem": (13.5,),
    "hjemmetjeneste": (13.0,),
    "skole": (7.0, 8.0),
    "barnehage": (14.0, 13.0, 8.0, 7.5),
    "helsestasjon": (6.5,),
    "bibliotek": (5.5,),
    "driftsstasjon": (7.0,),
    "kontor": (5.0,),
}

# --- names ------------------------------------------------------------------------------------

# fmt: off
FEMALE_NAMES: Final = (
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg",
    "Hilde", "Anna", "Solveig", "Marianne", "Randi", "Ida", "Nina", "Maria", "Elisabeth",
    "Kristin", "Bente", "Heidi", "Silje", "Hanne", "Gerd", "Linda", "Tone", "Elin", "Anita",
    "Wenche", "Camilla", "Ragnhild", "Julie", "Karin", "Tove", "Monica", "Siri", "Ingeborg",
    "Emma", "Nora", "Sara", "Thea", "Ingvild", "Mona", "Hege", "Aud", "Trine", "Guro",
    "Kristine", "Tonje", "Stine", "Line", "Marte", "Mari", "Synnøve", "Sigrid", "Maren",
    "Vilde", "Frida", "Torill", "Unni", "Grete", "Gunn", "Åse", "Jorunn", "Margrethe", "Lene",
    "Cecilie", "Ane", "Malin", "Hanna", "Amalie", "Fatima", "Aisha", "Agnieszka"
)
MALE_NAMES: Final = (
    "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Svein", "Arne", "Thomas", "Hans",
    "Geir", "Tor", "Morten", "Terje", "Odd", "Martin", "Erik", "Andreas", "Rune", "Trond",
    "Jon", "Anders", "Harald", "Espen", "Kristian", "Tore", "Daniel", "Jonas", "Henrik",
    "Magnus", "Øyvind", "Stian", "Eirik", "Håkon", "Sindre", "Sondre", "Vegard", "Even",
    "Sigurd", "Audun", "Ivar", "Leif", "Jørgen", "Petter", "Emil", "Mathias", "Kristoffer",
    "Fredrik", "Torbjørn", "Steinar", "Olav", "Einar", "Gunnar", "Asbjørn", "Åsmund", "Ali",
    "Mohammed", "Tomasz"
)
LAST_NAMES: Final = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen",
    "Lund", "Sørensen", "Jakobsen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg",
    "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen",
    "Mathisen", "Lie", "Amundsen", "Nguyen", "Rasmussen", "Lunde", "Solheim", "Berge", "Moe",
    "Nygård", "Bakke", "Kristensen", "Fredriksen", "Holm", "Lien", "Hauge", "Christensen",
    "Andresen", "Nielsen", "Knudsen", "Evensen", "Sæther", "Aas", "Myhre", "Hanssen", "Ahmed",
    "Haugland", "Thomassen", "Simonsen", "Danielsen", "Berntsen", "Rønning", "Arnesen",
    "Antonsen", "Næss", "Vik", "Haug", "Ellingsen", "Thorsen", "Birkeland", "Isaksen",
    "Gulbrandsen", "Ruud", "Aasen", "Strøm", "Myklebust", "Tangen", "Ødegård", "Eliassen",
    "Helland", "Bøe", "Aune", "Mikkelsen", "Tveit", "Brekke", "Abrahamsen", "Madsen", "Kvam",
    "Sletten", "Lorentzen", "Wold", "Rønningen"
)
# Place names are compounds of common Norwegian place words, so they sound right without
# naming a real institution.
_PLACE_FIRST: Final = (
    "Sol", "Fjell", "Skog", "Bjørke", "Furu", "Lyng", "Eike", "Rogne", "Hegge", "Lerke",
    "Stein", "Myr", "Kvern", "Rosen", "Kirke", "Mølle", "Sæter", "Elve", "Tjern", "Linde",
    "Bakke", "Vass", "Hasle", "Rype", "Orre", "Stor", "Nor", "Øster", "Vester", "Sønder",
    "Blåbær", "Hassel"
)
_PLACE_LAST: Final = (
    "lia", "berg", "haugen", "moen", "dalen", "vika", "åsen", "lund", "bakken", "sletta",
    "heim", "vollen", "stranda", "enga", "holtet", "tunet", "myra", "nes", "jordet", "brekka",
    "hagen", "toppen", "gården", "kollen"
)
_PLACE_WORD: Final = (
    "Lia", "Berg", "Haugen", "Moen", "Dal", "Vik", "Ås", "Lund", "Bakken", "Sletta", "Voll",
    "Eng", "Holt", "Myra", "Nes", "Brekka", "Jordet", "Tunet"
)
_PLACE_PREFIX: Final = (
    "Nordre", "Søndre", "Øvre", "Nedre", "Vestre", "Østre", "Store", "Lille"
)
# fmt: on
# Compounds that are real places or institutions in Trondheim, or read badly.
_NOT_PLACES: Final = frozenset(
    {"Granåsen", "Sandmoen", "Fjellheim", "Vikåsen", "Lerkendal", "Kirkeheim", "Steinberg"}
)

# --- absence ----------------------------------------------------------------------------------

# Absence kinds are coded as indexes into KINDS_OF_ABSENCE while generating.
KINDS_OF_ABSENCE: Final = tuple(ABSENCE_TYPES)
_EGEN, _SYK, _ANNET = (KINDS_OF_ABSENCE.index(k) for k in ("egenmelding", "sykmelding", "annet"))
# Relative frequency of a spell starting in each month (Jan … Dec): winter infections make Q1
# the highest quarter; summer holidays make July, and Q3, the lowest.
SEASON: Final = np.array([1.32, 1.32, 1.15, 1.0, 0.95, 0.9, 0.6, 0.78, 0.95, 1.05, 1.1, 1.05])
# Before the project, absence crept upwards (TREND_BEFORE = the level when the history starts,
# relative to the project start). After it, each unit moves linearly over EFFECT_RAMP_DAYS to an
# effect level, solved for so that the baseline quarter to the same quarter a year later shows
# PROJECT_FALL_PP for project units and OTHERS_FALL_PP for the rest: the municipality then falls
# about 0.8 points, as in the seed. The nominal levels serve until that quarter has passed.
TREND_BEFORE: Final = 0.97
PROJECT_EFFECT: Final = 0.905
OTHERS_EFFECT: Final = 0.91
EFFECT_RAMP_DAYS: Final = 273
PROJECT_FALL_PP: Final = 1.0
OTHERS_FALL_PP: Final = 0.7
GRADES: Final = np.array([20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0])
GRADE_WEIGHTS: Final = np.array([0.05, 0.07, 0.08, 0.5, 0.12, 0.08, 0.1])
MIN_GAP_DAYS: Final = 3  # between two spells of one person, so that spells never overlap
SHARE_OPEN: Final = 0.4  # sick notes running on `today` that the export has without an end

# --- project and session texts (no health details, anywhere) ----------------------------------

STRENGTHS: Final = (
    "Godt kollegafellesskap",
    "Forutsigbare turnuser",
    "Tydelig og tilgjengelig leder",
    "Høy faglig stolthet",
    "Gode rutiner for opplæring",
    "Rom for humor i hverdagen",
    "Stabil grunnbemanning",
    "God informasjonsflyt",
    "Engasjerte tillitsvalgte og verneombud",
    "Ansatte hjelper hverandre på tvers",
    "Godt mottak av nyansatte",
    "Gode fagmøter",
)
IMPROVEMENTS: Final = (
    "Færre delte vakter",
    "Bedre informasjon ved endringer",
    "Mer tid til faglig refleksjon",
    "Tydeligere ansvarsfordeling",
    "Raskere oppfølging av korttidsfravær",
    "Færre vakter med lav bemanning",
    "Bedre mottak av vikarer",
    "Mer medvirkning i turnusarbeidet",
    "Tettere dialog mellom avdelingene",
    "Felles forståelse av nærværsrutinen",
    "Mer anerkjennelse i hverdagen",
    "Ryddigere overlapp mellom vaktene",
)
UNIT_MEASURES: Final = (
    "Sette nærvær fast på agendaen i personalmøtet",
    "Gå gjennom turnusen for å redusere delte vakter",
    "Etablere arbeidsmiljøgruppe med tillitsvalgt og verneombud",
    "Lage rutine for mottak av nyansatte og vikarer",
    "Holde fagdag om nærvær for alle ansatte",
    "Oppdatere og gjøre kjent rutinen for oppfølging av fravær",
    "Innføre korte ukentlige avdelingsmøter",
)
LEADER_MEASURES: Final = (
    "Sette av fast tid i kalenderen til oppfølging av sykmeldte",
    "Delta på lederkurs i nærværsarbeid",
    "Delegere oppfølging av korttidsfravær til avdelingslederne",
    "Be om sparring fra HR før krevende samtaler",
    "Være mer til stede ute i avdelingene",
)
LONG_CASE_MEASURES: Final = (
    "Lage oppfølgingsplan sammen med den ansatte",
    "Kalle inn til dialogmøte 1",
    "Kartlegge muligheter for tilrettelegging",
    "Avklare aktivitet før uke 8",
    "Avtale fast kontakt under sykmeldingen",
)
SHORT_CASE_MEASURES: Final = (
    "Ta en samtale om hyppig korttidsfravær",
    "Avtale oppfølgingssamtale om arbeidssituasjonen",
    "Vurdere tilpasning av vakter i en periode",
)
REVIEW_NOTES: Final = (
    "Samtale gjennomført, ny oppfølging om fire uker",
    "Oppfølgingsplan laget sammen med den ansatte",
    "Ønsker tilrettelegging av arbeidstiden i en periode",
    "Leder tar en nærværssamtale",
    "Dialogmøte 1 er avholdt",
    "Ingen tiltak nå, følges med",
    "Avtalt gradvis tilbake i egen stilling",
)
FOLLOW_UP_COMMENTS: Final = {
    "apen": ("Ikke startet ennå, ny frist satt", "Utsatt, tas opp igjen neste gang"),
    "pagar": ("Påbegynt, fortsetter", "Godt i gang"),
    "fullfort": ("Gjennomført som avtalt", "Ferdig, fungerer godt"),
    "avbrutt": ("Ikke lenger aktuelt",),
}
SESSION_NOTES: Final = {
    "oppstartsmote": (
        "Oppstartsmøte med lederteamet. Gikk gjennom prosjektets opplegg, målgruppe og "
        "tidsplan. Avtalt kartlegging av leder og ansatte."
    ),
    "individuell_radgivning": (
        "Gikk gjennom alle ansatte i oversikten. Fulgte opp tiltakene fra forrige gang og "
        "prioriterte sakene som nærmer seg frister."
    ),
}
OWNER_ROLES: Final = ("HR-rådgiver", "Verneombud", "Tillitsvalgt")


# --- the result -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoData:
    """A generated municipality: the three import tables plus the project's own records.

    `units`, `employments` and `spells` have exactly the import tables' columns. The project's
    records refer to units by code, to people by employee number and to sessions and measures by
    their position (`session` / `measure`, 0-based) in `sessions` / `measures`.
    """

    units: pd.DataFrame  # code, name, service_area, leader
    employments: pd.DataFrame  # employee_number, name, unit_code, position_pct, dates, title
    spells: pd.DataFrame  # employee_number, unit_code, from_date, to_date, absence_type, grade
    unit_kinds: pd.Series  # code -> UnitKind.key
    project_units: pd.DataFrame  # unit_code, target_group, headcount, avg_2y_pct
    sessions: pd.DataFrame
    measures: pd.DataFrame
    follow_ups: pd.DataFrame
    reviews: pd.DataFrame
    milestones_done: pd.DataFrame
    presence_factors: pd.DataFrame
    survey_scores: pd.DataFrame


@dataclass(frozen=True)
class DemoSummary:
    """What load_demo wrote, for the command line to report."""

    scale: str
    seed: int
    today: dt.date
    units: int
    employees: int
    employments: int
    spells: int
    project_units: int
    sessions: int
    measures: int
    seconds: float

    def __str__(self) -> str:
        """One Norwegian line for the command line, e.g. "… 20 563 ansatte …"."""

        def n(count: int) -> str:
            return f"{count:,}".replace(",", "\u00a0")  # Norwegian: 20 563

        return (
            f"Demodata ({self.scale}, frø {self.seed}, per {self.today:%d.%m.%Y}): "
            f"{n(self.units)} enheter, {n(self.employees)} ansatte, "
            f"{n(self.employments)} arbeidsforhold, {n(self.spells)} fraværsperioder, "
            f"{n(self.project_units)} prosjektenheter, {n(self.sessions)} møter og "
            f"{n(self.measures)} tiltak"
        )


# --- helpers ----------------------------------------------------------------------------------


def _rng(seed: int, stream: int) -> np.random.Generator:
    # One independent stream per part, so changing one part leaves the others' draws alone.
    return np.random.default_rng([seed, stream])


def _weighted(
    rng: np.random.Generator, pairs: tuple[tuple[float, float], ...], size: int
) -> FloatArray:
    values = np.array([v for v, _ in pairs], dtype=np.float64)
    weights = np.array([w for _, w in pairs], dtype=np.float64)
    return rng.choice(values, size=size, p=weights / weights.sum())


def _to_datetime(days: IntArray) -> pd.Series:
    """Day numbers to datetime64 dates; OPEN becomes NaT."""
    dates = pd.Series(days.astype("datetime64[D]").astype("datetime64[ns]"))
    return dates.where(days < OPEN)


def _next_workdays(first: int, last: int) -> IntArray:
    """For each day first..last, the first workday on or after it."""
    days = np.arange(first, last + 15, dtype=np.int64)
    workday = default_calendar().count_days(days, days) == 1
    # Walk backwards keeping the latest workday seen: reversed running minimum of day numbers.
    candidate = np.where(workday, days, np.iinfo(np.int64).max)
    nearest = np.minimum.accumulate(candidate[::-1])[::-1]
    return nearest[: last - first + 1]


def _person_names(rng: np.random.Generator, female: BoolArray) -> npt.NDArray[np.str_]:
    """Full names: a first name, sometimes a middle name, a last name, sometimes a double one."""
    n = len(female)
    women = np.array(FEMALE_NAMES)
    men = np.array(MALE_NAMES)
    last = np.array(LAST_NAMES)
    first = np.where(
        female, women[rng.integers(0, len(women), n)], men[rng.integers(0, len(men), n)]
    )
    middle = np.where(
        female, women[rng.integers(0, len(women), n)], men[rng.integers(0, len(men), n)]
    )
    surname = last[rng.integers(0, len(last), n)]
    second = last[rng.integers(0, len(last), n)]
    with_middle = (rng.random(n) < 0.18) & (middle != first)
    double = (rng.random(n) < 0.05) & (second != surname)
    given = np.where(with_middle, np.char.add(np.char.add(first, " "), middle), first)
    family = np.where(double, np.char.add(np.char.add(surname, "-"), second), surname)
    return np.char.add(np.char.add(given, " "), family)


def _place_names(rng: np.random.Generator) -> list[str]:
    """Every invented place name, in a shuffled order."""
    compounds = [
        first + last
        for first in _PLACE_FIRST
        for last in _PLACE_LAST
        # "Stein" + "nes" reads fine, but a doubled letter at the seam ("Solllia") does not.
        if first[-1] != last[0] or first[-1] in "e"
    ]
    pairs = [f"{prefix} {word}" for prefix in _PLACE_PREFIX for word in _PLACE_WORD]
    names = sorted({n for n in compounds + pairs if n not in _NOT_PLACES})
    order = rng.permutation(len(names))
    return [names[i] for i in order]


# --- units ------------------------------------------------------------------------------------


def _units(scale: str, rng: np.random.Generator) -> pd.DataFrame:
    """One row per unit: code, name, service_area, leader, kind, size, rate_pct."""
    places = _place_names(rng)
    rows: list[dict[str, object]] = []
    code = 1001
    first_place = 0
    for key, count in SCALE_UNITS[scale].items():
        kind = KINDS[key]
        low, high = kind.size
        sizes = rng.integers(low, high + 1, count)
        if scale == "small":
            rates = np.array(SMALL_RATES_PCT[key], dtype=np.float64)
        else:
            rates = rng.normal(kind.rate_pct[0], kind.rate_pct[1], count)
        fixed = [p for p in kind.patterns if "{}" not in p]
        templated = [p for p in kind.patterns if "{}" in p]
        for i in range(count):
            if fixed:
                name = fixed[i % len(fixed)]
            else:
                pattern = templated[int(rng.integers(0, len(templated)))]
                name = pattern.format(places[(first_place + i) % len(places)])
            rows.append(
                {
                    "code": f"E{code}",
                    "name": name,
                    "service_area": kind.service_area,
                    "kind": key,
                    "size": int(sizes[i]),
                    "rate_pct": float(np.clip(rates[i], 3.0, 18.0)),
                }
            )
            code += 1
        # Each kind shares half its places with the kind before (a school and a kindergarten in
        # the same neighbourhood); within a kind every place is different, and so every name.
        first_place += max(count // 2, 1)
    units = pd.DataFrame(rows)
    units["leader"] = _person_names(rng, rng.random(len(units)) < 0.7)
    return units


# --- people and employments -------------------------------------------------------------------


@dataclass(frozen=True)
class _People:
    """One entry per person (arrays) and the employment rows (a frame of day numbers)."""

    unit: IntArray  # index of the primary unit
    start: IntArray  # first day in the primary unit
    end: IntArray  # last day in the primary unit (OPEN = still employed)
    second: BoolArray  # has an employment in a second unit too
    female: BoolArray
    rows: pd.DataFrame  # person, unit, position_pct, start, end, title


def _people(units: pd.DataFrame, h0: int, today: int, rng: np.random.Generator) -> _People:
    """Positions in each unit, each held by a chain of people as they leave and are replaced."""
    kinds = [KINDS[k] for k in units["kind"]]
    sizes = units["size"].to_numpy(dtype=np.int64)
    slot_unit = np.repeat(np.arange(len(units)), sizes)
    turnover = np.array([k.turnover for k in kinds])[slot_unit]
    n_slots = len(slot_unit)
    chain = 6  # people per position over the history; the sixth is practically never reached
    # The first holder was hired up to 25 years before the history starts.
    start = np.empty((n_slots, chain), dtype=np.int64)
    end = np.empty((n_slots, chain), dtype=np.int64)
    start[:, 0] = h0 - rng.integers(60, 9000, n_slots)
    end[:, 0] = h0 + (rng.exponential(365.0 / turnover)).astype(np.int64)
    for k in range(1, chain):
        start[:, k] = end[:, k - 1] + 1 + rng.integers(0, 60, n_slots)
        tenure = np.maximum(rng.exponential(0.8 * 365.0 / turnover), 30).astype(np.int64)
        end[:, k] = start[:, k] + tenure
    exists = start <= today
    slot_of = np.repeat(np.arange(n_slots), chain).reshape(n_slots, chain)[exists]
    p_start = start[exists]
    p_end = np.where(end[exists] >= today, OPEN, end[exists])
    p_unit = slot_unit[slot_of]
    n = len(p_unit)

    female = rng.random(n) < np.array([k.female_share for k in kinds])[p_unit]
    pct = np.empty(n, dtype=np.float64)
    title = np.empty(n, dtype=object)
    for u, kind in enumerate(kinds):
        mine = np.flatnonzero(p_unit == u)
        pct[mine] = _weighted(rng, kind.positions, len(mine))
        names = np.array([t for t, _ in kind.titles], dtype=object)
        weights = np.array([w for _, w in kind.titles])
        title[mine] = rng.choice(names, size=len(mine), p=weights / weights.sum())

    # Position changes: a new row with another % from the day after the old one ends.
    lo = np.maximum(p_start, h0) + 60
    hi = np.minimum(p_end, today) - 60
    change = (rng.random(n) < 0.06) & (hi - lo > 120)
    change_day = lo + (rng.random(n) * np.maximum(hi - lo, 0)).astype(np.int64)
    step = rng.choice(np.array([-25.0, -20.0, 20.0, 25.0]), n)
    new_pct = np.clip(pct + step, 20.0, 100.0)
    change &= new_pct != pct

    # A few part-timers hold a second position in another unit: care workers in another care
    # unit (nursing home or home care), kindergarten staff in another kindergarten.
    pools = units["kind"].map({"sykehjem": 0, "hjemmetjeneste": 0, "barnehage": 1})
    pool = pools.fillna(-1).to_numpy(dtype=np.int64)
    second = (pool[p_unit] >= 0) & (pct <= 60.0) & ~change & (rng.random(n) < 0.08)
    other_unit = np.full(n, -1, dtype=np.int64)
    for p in (0, 1):
        members = np.flatnonzero(pool == p)
        if len(members) < 2:
            continue
        mine = np.flatnonzero(second & (pool[p_unit] == p))
        # Any other unit of the pool: shift by 1 … len − 1 places within the pool's list.
        position = np.searchsorted(members, p_unit[mine])
        shifted = (position + rng.integers(1, len(members), len(mine))) % len(members)
        other_unit[mine] = members[shifted]
    second &= other_unit >= 0
    span_lo = np.maximum(p_start, h0 - 700)
    span_hi = np.minimum(p_end, today)
    s2_start = span_lo + (rng.random(n) * 0.5 * np.maximum(span_hi - span_lo, 0)).astype(np.int64)
    s2_end = np.where(
        rng.random(n) < 0.5, np.minimum(p_end, s2_start + rng.integers(90, 700, n)), p_end
    )
    s2_end = np.where(s2_end >= today, OPEN, s2_end)
    s2_pct = np.minimum(rng.choice(np.array([20.0, 25.0, 30.0, 40.0]), n), 100.0 - pct)

    person = np.arange(n)
    main = pd.DataFrame(
        {
            "person": person,
            "unit": p_unit,
            "position_pct": pct,
            "start": p_start,
            "end": np.where(change, change_day - 1, p_end),
            "title": title,
        }
    )
    changed = pd.DataFrame(
        {
            "person": person[change],
            "unit": p_unit[change],
            "position_pct": new_pct[change],
            "start": change_day[change],
            "end": p_end[change],
            "title": title[change],
        }
    )
    extra = pd.DataFrame(
        {
            "person": person[second],
            "unit": other_unit[second],
            "position_pct": s2_pct[second],
            "start": s2_start[second],
            "end": s2_end[second],
            "title": title[second],
        }
    )
    rows = pd.concat([main, changed, extra], ignore_index=True)
    rows = rows.sort_values(["person", "unit", "start"], kind="stable", ignore_index=True)
    return _People(p_unit, p_start, p_end, second, female, rows)


# --- absence ----------------------------------------------------------------------------------


def _acceptance(start: IntArray, effect: FloatArray, h0: int) -> FloatArray:
    """Probability that a proposed spell starting on `start` happens: season × trend.

    `effect` is the level the spell's unit reaches once the project has had its effect (1.0 =
    none); it is reached linearly over EFFECT_RAMP_DAYS from the project start.
    """
    months = start.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    project_day = day_number(PROJECT_START)
    before = TREND_BEFORE + (1.0 - TREND_BEFORE) * np.clip(
        (start - h0) / max(project_day - h0, 1), 0.0, 1.0
    )
    ramp = np.clip((start - project_day) / EFFECT_RAMP_DAYS, 0.0, 1.0)
    after = 1.0 - (1.0 - effect) * ramp
    trend = np.where(start < project_day, before, after)
    return SEASON[months] / SEASON.max() * trend


@dataclass(frozen=True)
class _Episodes:
    """Proposed absences; a long sick leave becomes several spells where its grade changes."""

    person: IntArray
    start: IntArray
    length: IntArray
    kind: IntArray
    draw: FloatArray  # uniform draw compared with the acceptance probability


def _episodes(
    people: _People, unit_rate: FloatArray, h0: int, today: int, rng: np.random.Generator
) -> _Episodes:
    """Each person's absences as a renewal process: gap, episode, gap, episode …

    Laying the episodes end to end makes overlaps impossible. Seasonality and the project's
    effect are applied afterwards by thinning (see `_acceptance`), so the process runs at the
    rate that the busiest month would have all year.
    """
    n = len(people.unit)
    # People differ a lot: a gamma frailty gives a few people most of the absence.
    frailty = np.minimum(rng.gamma(1.3, 1 / 1.3, n), 5.0)
    short_prone = np.minimum(rng.gamma(2.0, 0.5, n), 4.0)
    parent = rng.random(n) < 0.35
    # How often each kind of episode comes, per person; columns in KINDS_OF_ABSENCE order.
    weight = {
        "egenmelding": 2.0 * short_prone,
        "sykmelding": np.ones(n),
        "sykt_barn": np.where(parent, 0.7, 0.0),
        "annet": np.full(n, 0.2),
    }
    weights = np.stack([weight[k] for k in KINDS_OF_ABSENCE], axis=1)
    probs = weights / weights.sum(axis=1, keepdims=True)
    # Expected calendar days of an episode of each kind (see _lengths), and of lost days
    # (grade-weighted; only egenmelding and sykmelding are sick leave).
    days = {"egenmelding": 1.8, "sykmelding": 26.0, "sykt_barn": 1.8, "annet": 5.5}
    lost = {"egenmelding": 1.8, "sykmelding": 23.5, "sykt_barn": 0.0, "annet": 0.0}
    mean_len = np.array([days[k] for k in KINDS_OF_ABSENCE])
    mean_lost = np.array([lost[k] for k in KINDS_OF_ABSENCE])
    ep_len = probs @ mean_len
    ep_lost = probs @ mean_lost
    mean_accept = float(SEASON.mean() / SEASON.max())
    target = unit_rate[people.unit] / 100.0 * frailty
    cycle = mean_accept * ep_lost / np.maximum(target, 1e-4)
    mean_gap = np.maximum(cycle - ep_len - MIN_GAP_DAYS, 1.0)

    # Start a year before the history so that it opens with long cases already running.
    lo = np.maximum(people.start, h0 - 400)
    hi = np.minimum(people.end, today)
    cdf = np.cumsum(probs, axis=1)
    parts: list[tuple[IntArray, IntArray, IntArray, IntArray]] = []
    active = np.flatnonzero(hi >= lo)
    position = lo[active].astype(np.float64)
    block = 24
    while len(active):
        m = len(active)
        gap = MIN_GAP_DAYS + rng.exponential(1.0, (m, block)) * mean_gap[active, None]
        kind = (rng.random((m, block))[:, :, None] > cdf[active, None, :]).sum(axis=2)
        kind = np.minimum(kind, len(KINDS_OF_ABSENCE) - 1)  # a draw of exactly 1.0 would pass all
        length = _lengths(kind, rng)
        step = gap + length
        starts = position[:, None] + np.cumsum(step, axis=1) - length
        keep = starts.astype(np.int64) <= hi[active, None]
        rows, cols = np.nonzero(keep)
        parts.append(
            (
                active[rows],
                starts[rows, cols].astype(np.int64),
                length[rows, cols].astype(np.int64),
                kind[rows, cols].astype(np.int64),
            )
        )
        position = position + step.sum(axis=1)
        still = position.astype(np.int64) <= hi[active]
        active, position = active[still], position[still]
    person = np.concatenate([p[0] for p in parts])
    start = np.concatenate([p[1] for p in parts])
    duration = np.concatenate([p[2] for p in parts])
    kinds = np.concatenate([p[3] for p in parts])
    # Absence starts on a weekday: move weekend starts to Monday. The minimum gap is larger
    # than that move, so this cannot create an overlap (skipping holidays too could: Easter).
    weekday = (start + 3) % 7  # day 0 (1 January 1970) was a Thursday; 0 = Monday
    start = start + np.where(weekday >= 5, 7 - weekday, 0)
    order = np.lexsort((start, person))
    return _Episodes(
        person[order], start[order], duration[order], kinds[order], rng.random(len(person))
    )


def _lengths(kind: IntArray, rng: np.random.Generator) -> FloatArray:
    """Calendar days of each episode by kind."""
    shape = kind.shape
    short = rng.choice(np.array([1.0, 2.0, 3.0]), size=shape, p=[0.45, 0.3, 0.25])
    # Doctor-certified: median about 12 days, a long tail up to the one-year maximum.
    doctor = np.clip(np.round(rng.lognormal(np.log(12.0), 1.3, shape)), 3, 365)
    other = rng.integers(1, 11, shape).astype(np.float64)
    return np.select([kind == _SYK, kind == _ANNET], [doctor, other], default=short)


def _spells_from(
    episodes: _Episodes, people: _People, today: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Episodes as recorded spells: a long sick leave is cut where its grade changes."""
    n = len(episodes.person)
    length = episodes.length
    # Most long sick leaves change grade once or twice as people work their way back.
    long = (episodes.kind == _SYK) & (length >= 30)
    pieces = np.where(long, rng.choice(np.array([1, 2, 3]), n, p=[0.4, 0.4, 0.2]), 1)
    bounds = np.zeros((n, 4), dtype=np.int64)
    one_cut = np.round(rng.uniform(0.2, 0.8, n) * length).astype(np.int64)
    first_cut = np.round(rng.uniform(0.15, 0.45, n) * length).astype(np.int64)
    second_cut = np.round(rng.uniform(0.55, 0.85, n) * length).astype(np.int64)
    bounds[:, 1] = np.select([pieces == 1, pieces == 2], [length, one_cut], first_cut)
    bounds[:, 2] = np.where(pieces == 3, second_cut, length)
    bounds[:, 3] = length
    row = np.repeat(np.arange(n), pieces)
    k = np.arange(len(row)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    start = episodes.start[row] + bounds[row, k]
    end = episodes.start[row] + bounds[row, k + 1] - 1
    kind = episodes.kind[row]

    # A first sick note is sometimes graded from the start; every later piece is graded, and
    # differs from the piece before it (that is why it is a new spell).
    index = rng.choice(len(GRADES), (n, 3), p=GRADE_WEIGHTS)
    same = index[:, 2] == index[:, 1]
    index[:, 2] = np.where(
        same, (index[:, 2] + 1 + rng.integers(0, 5, n)) % len(GRADES), index[:, 2]
    )
    graded_first = rng.random(n) < 0.12
    piece_grade = np.stack(
        [
            np.where(graded_first, GRADES[index[:, 0]], 100.0),
            GRADES[index[:, 1]],
            GRADES[index[:, 2]],
        ],
        axis=1,
    )
    grade = np.where(kind == _SYK, piece_grade[row, k], 100.0)
    person = episodes.person[row]

    # Nothing after the person left; sick notes written after today are not known yet.
    person_end = np.minimum(people.end[person], OPEN)
    keep = (start <= today) & (start <= person_end)
    end = np.minimum(end, person_end)
    running = (kind == _SYK) & (start <= today) & (end >= today)
    open_ended = running & (rng.random(len(row)) < SHARE_OPEN) & (person_end == OPEN)
    end = np.where(open_ended, OPEN, end)
    return pd.DataFrame(
        {
            "episode": row,
            "person": person,
            "start": start,
            "end": end,
            "kind": kind,
            "grade": grade,
        }
    )[keep].reset_index(drop=True)


# --- target groups as of the project start ----------------------------------------------------


def _unit_figures(
    rows: pd.DataFrame, spells: pd.DataFrame, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Possible and lost workdays per unit index, through core's engine (day-number frames)."""
    employments = pd.DataFrame(
        {
            "employment_id": np.arange(len(rows)),
            "employee_id": rows["person"].to_numpy(),
            "unit_id": rows["unit"].to_numpy(),
            "position_pct": rows["position_pct"].to_numpy(),
            "start": _to_datetime(rows["start"].to_numpy()),
            "end": _to_datetime(rows["end"].to_numpy()),
        }
    )
    sick = pd.DataFrame(
        {
            "employee_id": spells["person"].to_numpy(),
            "unit_id": spells["unit"].to_numpy(dtype=np.float64),
            "start": _to_datetime(spells["start"].to_numpy()),
            "end": _to_datetime(spells["end"].to_numpy()),
            "kind": np.array(KINDS_OF_ABSENCE)[spells["kind"].to_numpy()],
            "grade": spells["grade"].to_numpy(),
        }
    )
    figures = workday_figures(employments, sick, Period(start, end, end))
    return figures.groupby("unit_id")[["possible", "lost"]].sum()


def _headcount_on(rows: pd.DataFrame, day: int, n_units: int) -> IntArray:
    active = rows[(rows["start"] <= day) & (rows["end"] >= day)]
    pairs = active.drop_duplicates(["unit", "person"])
    return np.bincount(pairs["unit"].to_numpy(dtype=np.int64), minlength=n_units)


def _groups_at_project_start(
    units: pd.DataFrame, rows: pd.DataFrame, spells: pd.DataFrame
) -> pd.DataFrame:
    quarters = complete_quarters_before(PROJECT_START, 8)
    sums = _unit_figures(rows, spells, quarters[0].start, quarters[-1].end)
    sums = sums.reindex(range(len(units)), fill_value=0.0)
    avg = pct_array(sums["lost"], sums["possible"])
    headcount = _headcount_on(rows, day_number(PROJECT_START), len(units))
    frame = pd.DataFrame({"unit_code": units["code"], "headcount": headcount, "avg_2y_pct": avg})
    return target_groups(frame).drop(columns="reason")


def _lost_in(
    spells: pd.DataFrame, rows: pd.DataFrame, quarter: Quarter
) -> tuple[IntArray, FloatArray, IntArray]:
    """Lost workdays of each sick spell in the quarter, per employment row it applies to.

    Returns (spell index, lost, unit of the row). Spells never overlap, so no cap is needed.
    """
    lo, hi = day_number(quarter.start), day_number(quarter.end)
    sick = spells[np.isin(spells["kind"].to_numpy(), [_EGEN, _SYK])]
    sick = sick[(sick["start"] <= hi) & (sick["end"] >= lo)]
    pairs = sick.reset_index(names="spell").merge(rows, on="person", suffixes=("", "_row"))
    pairs = pairs[pairs["unit"].isna() | (pairs["unit"] == pairs["unit_row"])]
    first = np.maximum(np.maximum(pairs["start"].to_numpy(), pairs["start_row"].to_numpy()), lo)
    last = np.minimum(np.minimum(pairs["end"].to_numpy(), pairs["end_row"].to_numpy()), hi)
    days = default_calendar().count_days(first, last)
    lost = days * pairs["position_pct"].to_numpy() / 100.0 * pairs["grade"].to_numpy() / 100.0
    return (
        pairs["spell"].to_numpy(dtype=np.int64),
        lost,
        pairs["unit_row"].to_numpy(dtype=np.int64),
    )


def _possible_in(rows: pd.DataFrame, quarter: Quarter, n_units: int) -> FloatArray:
    lo, hi = day_number(quarter.start), day_number(quarter.end)
    days = default_calendar().count_days(
        np.maximum(rows["start"].to_numpy(), lo), np.minimum(rows["end"].to_numpy(), hi)
    )
    weights = days * rows["position_pct"].to_numpy() / 100.0
    units = rows["unit"].to_numpy(dtype=np.int64)
    return np.bincount(units, weights=weights, minlength=n_units).astype(np.float64)


def _calibrated_effects(
    episodes: _Episodes,
    spells: pd.DataFrame,
    rows: pd.DataFrame,
    in_project_unit: BoolArray,
    episode_unit: IntArray,
    h0: int,
    today: int,
) -> FloatArray:
    """Each unit's effect level, set so that the seed's year-on-year fall is what one sees.

    A quarter's figure for a few thousand people moves by several tenths of a point from year to
    year by chance alone (long absences are few and heavy), which would drown the project's
    story in noise. So the levels for project units and for the rest are solved for, by
    bisection on the thinning, to give exactly PROJECT_FALL_PP and OTHERS_FALL_PP from the
    baseline quarter to the same quarter a year later. Without that later quarter in the
    history the nominal levels are used.
    """
    n_units = len(in_project_unit)
    nominal = np.where(in_project_unit, PROJECT_EFFECT, OTHERS_EFFECT)
    base_q = Quarter.parse(BASELINE_QUARTER)
    later_q = base_q.shift(4)
    if later_q.end >= from_day_number(today):
        return nominal
    before_spell, before_lost, before_unit = _lost_in(spells, rows, base_q)
    spell, lost, unit = _lost_in(spells, rows, later_q)
    if len(lost) == 0:
        return nominal
    episode = spells["episode"].to_numpy()
    start = episodes.start[episode]
    draw = episodes.draw[episode]
    # Baseline: spells started before the project, so the effect cannot touch them.
    pre_ok = draw[before_spell] < _acceptance(start[before_spell], np.ones(len(before_spell)), h0)
    group = in_project_unit[before_unit]
    possible_base = _possible_in(rows, base_q, n_units)
    possible_later = _possible_in(rows, later_q, n_units)
    base_possible = [possible_base[in_project_unit == g].sum() for g in (False, True)]
    base_pct = pct_array(
        [before_lost[pre_ok & (group == g)].sum() for g in (False, True)], base_possible
    )
    target = [base_pct[0] - OTHERS_FALL_PP, base_pct[1] - PROJECT_FALL_PP]
    in_group = [~in_project_unit[unit], in_project_unit[unit]]
    denominator = [possible_later[in_project_unit == g].sum() for g in (False, True)]
    spell_group = in_project_unit[episode_unit[episode[spell]]]
    levels = [OTHERS_EFFECT, PROJECT_EFFECT]
    # The two groups share a few people (second employments), hence two rounds.
    solvable = [g for g in (0, 1) if denominator[g] > 0 and not np.isnan(base_pct[g])]
    for _ in range(2):
        for g in solvable:
            low, high = 0.5, 1.2
            for _ in range(40):
                mid = (low + high) / 2
                levels[g] = mid
                effect = np.where(spell_group, levels[1], levels[0])
                ok = draw[spell] < _acceptance(start[spell], effect, h0)
                achieved = pct_array(lost[ok & in_group[g]].sum(), denominator[g])
                low, high = (mid, high) if achieved < target[g] else (low, mid)
            levels[g] = (low + high) / 2
    return np.where(in_project_unit, levels[1], levels[0])


# --- project, sessions and measures -----------------------------------------------------------


def _presence_and_surveys(
    codes: list[str], today: dt.date, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    factors: list[dict[str, object]] = []
    scores: list[dict[str, object]] = []
    for code in codes:
        for kind, texts in (("styrke", STRENGTHS), ("forbedring", IMPROVEMENTS)):
            chosen = rng.choice(len(texts), 4, replace=False)
            for position, i in enumerate(chosen, start=1):
                factors.append(
                    {"unit_code": code, "kind": kind, "position": position, "text": texts[i]}
                )
        level = rng.normal(3.7, 0.25)
        for survey, lift in (("leder", 0.25), ("ansatte", 0.0)):
            measured = min(PROJECT_START + dt.timedelta(days=int(rng.integers(20, 110))), today)
            for factor in KS_FACTORS:
                score = float(np.clip(level + lift + rng.normal(0, 0.35), 1.0, 5.0))
                scores.append(
                    {
                        "unit_code": code,
                        "survey": survey,
                        "factor": factor,
                        "score": round(score, 1),
                        "measured_on": measured,
                    }
                )
    return pd.DataFrame(factors), pd.DataFrame(scores)


@dataclass
class _SessionRecords:
    sessions: list[dict[str, object]]
    measures: list[dict[str, object]]
    follow_ups: list[dict[str, object]]
    reviews: list[dict[str, object]]
    milestones: list[dict[str, object]]


def _meeting_day(day: dt.date) -> dt.date:
    """The first workday on or after `day`, outside the July holidays (fellesferie)."""
    if day.month == 7:
        day = dt.date(day.year, 8, 1 + day.day % 10)
    n = day_number(day)
    return from_day_number(int(_next_workdays(n, n)[0]))


def _utc(day: dt.date, local: dt.time) -> dt.datetime:
    """Naive UTC, as sessions are stored, for a Norwegian time (summer time April–September)."""
    offset = 2 if 4 <= day.month <= 9 else 1
    return dt.datetime.combine(day, local) - dt.timedelta(hours=offset)


def _meeting_dates(today: dt.date, rng: np.random.Generator) -> list[dt.date]:
    """A kick-off three to five months ago, then a session every four to seven weeks."""
    dates = [_meeting_day(today - dt.timedelta(days=int(rng.integers(100, 160))))]
    for _ in range(int(rng.integers(1, 4))):
        following = _meeting_day(dates[-1] + dt.timedelta(days=int(rng.integers(28, 50))))
        if following >= today - dt.timedelta(days=2):
            break
        dates.append(following)
    if len(dates) == 1:
        dates.append(_meeting_day(today - dt.timedelta(days=int(rng.integers(7, 20)))))
    return dates


def _follow_up(
    out: _SessionRecords, m: int, session: int, started: dt.datetime, rng: np.random.Generator
) -> str:
    """Follow an earlier measure up in a session: it moves along, or not. Returns its status."""
    measure = out.measures[m]
    if measure["status"] == "apen":
        status = str(rng.choice(["apen", "pagar", "fullfort"], p=[0.25, 0.45, 0.3]))
    else:
        status = str(rng.choice(["pagar", "fullfort", "avbrutt"], p=[0.4, 0.55, 0.05]))
    due = measure["due_date"]
    assert isinstance(due, dt.date)
    if status in ("apen", "pagar") and due < started.date():
        due = started.date() + dt.timedelta(days=int(rng.integers(21, 43)))
    comments = FOLLOW_UP_COMMENTS[status]
    out.follow_ups.append(
        {
            "measure": m,
            "session": session,
            "checked": status in ("fullfort", "avbrutt"),
            "comment": comments[int(rng.integers(0, len(comments)))],
            "status": status,
            "due_date": due,
            "updated_at": started + dt.timedelta(minutes=20),
        }
    )
    measure["status"], measure["due_date"] = status, due
    return status


def _session_records(
    session_units: list[int],
    units: pd.DataFrame,
    people: _People,
    numbers: npt.NDArray[np.str_],
    spells: pd.DataFrame,
    today: dt.date,
    rng: np.random.Generator,
) -> _SessionRecords:
    """A few months of advisory work in some project units, the way an advisor would log it."""
    out = _SessionRecords([], [], [], [], [])
    advisors = list(_person_names(rng, np.array([True, True, False])))
    rows = people.rows
    for j, u in enumerate(session_units):
        code = str(units["code"].iloc[u])
        leader = str(units["leader"].iloc[u])
        advisor = advisors[j % len(advisors)]
        dates = _meeting_dates(today, rng)
        first_session = len(out.sessions)
        unit_rows = rows[rows["unit"] == u]
        mine = _core_spells(spells[np.isin(spells["person"], unit_rows["person"].unique())])
        open_measures: list[int] = []
        for s, held_on in enumerate(dates):
            key = len(out.sessions)
            kickoff = s == 0
            started = _utc(held_on, dt.time(9, 0) if s % 2 else dt.time(12, 30))
            followed = len(open_measures)
            open_measures = [
                m
                for m in open_measures
                if _follow_up(out, m, key, started, rng) in ("apen", "pagar")
            ]

            # The people there that day, and which of them have cases worth talking about.
            day = day_number(held_on)
            present = np.unique(
                unit_rows[(unit_rows["start"] <= day) & (unit_rows["end"] >= day)]["person"]
            )
            cases, _ = build_cases(mine, held_on)
            cases = cases[np.isin(cases["employee_id"], present)]
            running = cases[cases["open_ended"] | (cases["end"] >= pd.Timestamp(held_on))]
            long_people = running[running["long_term"]]["employee_id"].unique()
            last_year = cases[cases["start"] >= pd.Timestamp(held_on - dt.timedelta(days=365))]
            short_counts = last_year[~last_year["long_term"]]["employee_id"].value_counts()
            frequent = short_counts[short_counts >= 4].index.to_numpy()

            new: list[tuple[str, int | None, str]] = []
            if kickoff:
                new += [("enhet", None, t) for t in rng.choice(UNIT_MEASURES, 2, replace=False)]
                new.append(("lederrolle", None, str(rng.choice(LEADER_MEASURES))))
            else:
                for person in rng.permutation(long_people)[: rng.integers(1, 3)]:
                    new.append(("enkeltsak", int(person), str(rng.choice(LONG_CASE_MEASURES))))
                for person in rng.permutation(frequent)[: rng.integers(0, 2)]:
                    new.append(("enkeltsak", int(person), str(rng.choice(SHORT_CASE_MEASURES))))
                if rng.random() < 0.6:
                    new.append(("enhet", None, str(rng.choice(UNIT_MEASURES))))
                if rng.random() < 0.5:
                    new.append(("lederrolle", None, str(rng.choice(LEADER_MEASURES))))
            for level, person, text in new:
                shared = level == "enhet" and rng.random() < 0.4
                open_measures.append(len(out.measures))
                out.measures.append(
                    {
                        "unit_code": code,
                        "level": level,
                        "employee_number": None if person is None else str(numbers[person]),
                        "text": str(text),
                        "owner": str(rng.choice(OWNER_ROLES)) if shared else leader,
                        "due_date": held_on + dt.timedelta(days=int(rng.integers(14, 57))),
                        "status": "apen",
                        "session": key,
                        "created_at": started + dt.timedelta(minutes=45),
                    }
                )

            kind = "oppstartsmote" if kickoff else "individuell_radgivning"
            out.sessions.append(
                {
                    "unit_code": code,
                    "session_type": kind,
                    "advisor": advisor,
                    "held_on": held_on,
                    "started_at": started,
                    "ended_at": started + dt.timedelta(minutes=int(rng.integers(60, 120))),
                    "note": SESSION_NOTES[kind],
                    "summary": (
                        "Prosjektet presentert; kartlegging av leder og ansatte avtalt."
                        if kickoff
                        else f"{followed} tiltak fulgt opp, {len(new)} nye avtalt."
                    ),
                }
            )
            if kickoff:
                continue
            # Going through every employee: most are ticked off, the last meeting is unfinished.
            share = 0.7 if s == len(dates) - 1 else 0.95
            with_case = set(long_people.tolist()) | set(frequent.tolist())
            for person in present:
                reviewed = bool(rng.random() < share)
                talked_about = reviewed and int(person) in with_case
                out.reviews.append(
                    {
                        "session": key,
                        "employee_number": str(numbers[person]),
                        "reviewed": reviewed,
                        "note": str(rng.choice(REVIEW_NOTES)) if talked_about else "",
                        "updated_at": started + dt.timedelta(minutes=10),
                    }
                )

        # Milestones of the cases running at the last session: most of the passed ones done,
        # ticked off in the first advisory session after (none if done before the first one).
        for case in running.itertuples():
            case_start = pd.Timestamp(case.start).date()
            for milestone in MILESTONES:
                due = case_start + dt.timedelta(days=milestone.offset_days)
                if due > dates[-1] or rng.random() < 0.25:
                    continue
                done_on = max(due - dt.timedelta(days=int(rng.integers(0, 5))), case_start)
                later = [i for i, d in enumerate(dates) if i > 0 and d >= done_on]
                out.milestones.append(
                    {
                        "employee_number": str(numbers[int(case.employee_id)]),
                        "case_start": case_start,
                        "milestone": milestone.key,
                        "done_on": done_on,
                        "session": first_session + later[0] if later else None,
                    }
                )
    return out


def _core_spells(spells: pd.DataFrame) -> pd.DataFrame:
    """Internal day-number spells in the shape core.cases expects."""
    return pd.DataFrame(
        {
            "employee_id": spells["person"].to_numpy(),
            "unit_id": spells["unit"].to_numpy(dtype=np.float64),
            "start": _to_datetime(spells["start"].to_numpy()).to_numpy(),
            "end": _to_datetime(spells["end"].to_numpy()).to_numpy(),
            "kind": np.array(KINDS_OF_ABSENCE)[spells["kind"].to_numpy()],
            "grade": spells["grade"].to_numpy(),
        },
        index=spells.index,
    )


def _frame(records: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(records, columns=columns)


# --- the generator ----------------------------------------------------------------------------


def history_start(today: dt.date) -> dt.date:
    """Three full years before `today`, from a quarter start, and never after 2022Q4."""
    three_years = dt.date(today.year - 3, today.month, 1)
    return min(Quarter.of(three_years).start, EARLIEST_HISTORY)


def generate(scale: str, seed: int, today: dt.date) -> DemoData:
    """Generate a municipality; the same scale, seed and today always give the same data."""
    if scale not in SCALES:
        raise ValueError(f"Ukjent størrelse {scale!r}: velg small eller municipality")
    if today < PROJECT_START + dt.timedelta(days=180):
        raise ValueError(
            f"Demodata trenger en dato minst et halvt år etter prosjektstart "
            f"({PROJECT_START:%d.%m.%Y}); fikk {today:%d.%m.%Y}"
        )
    h0 = day_number(history_start(today))
    t = day_number(today)

    units = _units(scale, _rng(seed, 1))
    people = _people(units, h0, t, _rng(seed, 2))
    n_people = len(people.unit)
    # Employee numbers grow with the hiring date, as in most HR systems.
    first_day = people.rows.groupby("person")["start"].min().to_numpy()
    rank = np.empty(n_people, dtype=np.int64)
    rank[np.lexsort((np.arange(n_people), first_day))] = np.arange(n_people)
    numbered = np.sort(_rng(seed, 3).choice(4 * n_people, n_people, replace=False))
    numbers = (100_000 + numbered[rank]).astype(str)
    names = _person_names(_rng(seed, 4), people.female)

    rates = units["rate_pct"].to_numpy(dtype=np.float64)
    episodes = _episodes(people, rates, h0, t, _rng(seed, 5))
    spells = _spells_from(episodes, people, t, _rng(seed, 6))
    # Spells name the person's unit, except for people with two units: there they apply to both.
    unit_of_spell = people.unit[spells["person"].to_numpy()]
    spells["unit"] = np.where(people.second[spells["person"].to_numpy()], -1, unit_of_spell)
    spells["unit"] = spells["unit"].astype(np.float64).where(spells["unit"] >= 0)

    # First the history up to the project start decides the target groups ...
    unit_of_episode = people.unit[episodes.person]
    project_day = day_number(PROJECT_START)
    no_effect = np.ones(len(episodes.start))
    accepted_pre = (episodes.draw < _acceptance(episodes.start, no_effect, h0)) & (
        episodes.start < project_day
    )
    before = spells[accepted_pre[spells["episode"].to_numpy()]]
    groups = _groups_at_project_start(units, people.rows, before)
    in_project_unit = groups["target_group"].isin([1, 2]).to_numpy()
    # ... and then the project changes what comes after.
    effects = _calibrated_effects(
        episodes, spells, people.rows, in_project_unit, unit_of_episode, h0, t
    )
    accepted = episodes.draw < _acceptance(episodes.start, effects[unit_of_episode], h0)
    spells = spells[accepted[spells["episode"].to_numpy()]]
    spells = spells[spells["end"] >= h0].reset_index(drop=True)

    codes = units["code"].to_numpy()
    unit_codes = pd.Series(codes[spells["unit"].fillna(0).astype(np.int64)], dtype=object)
    unit_codes = unit_codes.where(spells["unit"].notna().to_numpy(), None)
    spell_frame = pd.DataFrame(
        {
            "employee_number": numbers[spells["person"].to_numpy()],
            "unit_code": unit_codes.to_numpy(),
            "from_date": _to_datetime(spells["start"].to_numpy()),
            "to_date": _to_datetime(spells["end"].to_numpy()),
            "absence_type": np.array(KINDS_OF_ABSENCE)[spells["kind"].to_numpy()],
            "grade_pct": spells["grade"].to_numpy(),
        }
    )
    rows = people.rows
    employment_frame = pd.DataFrame(
        {
            "employee_number": numbers[rows["person"].to_numpy()],
            "name": names[rows["person"].to_numpy()],
            "unit_code": codes[rows["unit"].to_numpy()],
            "position_pct": rows["position_pct"].to_numpy(),
            "start_date": _to_datetime(rows["start"].to_numpy()),
            "end_date": _to_datetime(rows["end"].to_numpy()),
            "title": rows["title"].to_numpy(),
        }
    )

    project = groups[in_project_unit].reset_index(drop=True)
    project_codes = project["unit_code"].tolist()
    factors, scores = _presence_and_surveys(project_codes, today, _rng(seed, 7))
    # Advisors have had sessions with some project units, the larger ones first.
    rng = _rng(seed, 8)
    wanted = 2 if scale == "small" else 10
    candidates = np.flatnonzero(in_project_unit)
    by_size = candidates[np.argsort(-groups["headcount"].to_numpy()[candidates], kind="stable")]
    pool = by_size[: 2 * wanted]
    session_units = sorted(rng.choice(pool, min(wanted, len(pool)), replace=False).tolist())
    records = _session_records(session_units, units, people, numbers, spells, today, rng)

    return DemoData(
        units=units[["code", "name", "service_area", "leader"]].copy(),
        employments=employment_frame,
        spells=spell_frame,
        unit_kinds=pd.Series(units["kind"].to_numpy(), index=units["code"].to_numpy()),
        project_units=project,
        sessions=_frame(
            records.sessions,
            [
                "unit_code",
                "session_type",
                "advisor",
                "held_on",
                "started_at",
                "ended_at",
                "note",
                "summary",
            ],
        ),
        measures=_frame(
            records.measures,
            [
                "unit_code",
                "level",
                "employee_number",
                "text",
                "owner",
                "due_date",
                "status",
                "session",
                "created_at",
            ],
        ),
        follow_ups=_frame(
            records.follow_ups,
            ["measure", "session", "checked", "comment", "status", "due_date", "updated_at"],
        ),
        reviews=_frame(
            records.reviews, ["session", "employee_number", "reviewed", "note", "updated_at"]
        ),
        # Someone working in two of the units would otherwise have a milestone ticked twice.
        milestones_done=_frame(
            records.milestones,
            ["employee_number", "case_start", "milestone", "done_on", "session"],
        ).drop_duplicates(["employee_number", "case_start", "milestone"], ignore_index=True),
        presence_factors=factors,
        survey_scores=scores,
    )


# --- writing ----------------------------------------------------------------------------------


def _plain(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as dicts of plain Python values for a Core insert (None for missing)."""
    records: list[dict[str, object]] = []
    for row in frame.astype(object).to_dict("records"):
        clean: dict[str, object] = {}
        for name, value in row.items():
            if isinstance(value, pd.Timestamp):
                value = value.to_pydatetime()
            elif isinstance(value, np.generic):
                value = value.item()
            clean[str(name)] = None if pd.isna(value) else value
        records.append(clean)
    return records


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _clear(session: Session) -> None:
    """Delete every row the app holds about units, people and sessions; settings stay."""
    for table in reversed(Base.metadata.sorted_tables):
        if table.name != Setting.__tablename__:
            session.execute(delete(table))


def _write_project(session: Session, data: DemoData) -> None:
    """Project membership, sessions, measures and the rest, keyed to the ids just written."""
    unit_ids = {code: id_ for code, id_ in session.execute(select(Unit.code, Unit.id))}
    session.execute(
        insert(ProjectMembership),
        [
            {
                "unit_id": unit_ids[code],
                "joined_on": PROJECT_START,
                "baseline_quarter": BASELINE_QUARTER,
                "target_group": int(group),
            }
            for code, group in zip(
                data.project_units["unit_code"], data.project_units["target_group"], strict=True
            )
        ],
    )
    employee_ids = {
        number: id_ for number, id_ in session.execute(select(Employee.number, Employee.id))
    }
    # Ids are given, not returned, so that measures and follow-ups can point at them in bulk.
    conn = session.connection()
    lock_for_write(conn)
    first_session = reserve_ids(conn, _table(AdvisorySession), len(data.sessions))
    first_measure = reserve_ids(conn, _table(Measure), len(data.measures))

    def unit(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.drop(columns="unit_code").assign(unit_id=frame["unit_code"].map(unit_ids))

    def employee(frame: pd.DataFrame) -> pd.DataFrame:
        ids = frame["employee_number"].map(employee_ids).astype(object)
        return frame.drop(columns="employee_number").assign(employee_id=ids)

    def session_id(values: pd.Series) -> pd.Series:
        return (values + first_session).astype(object)

    sessions = unit(data.sessions).assign(
        id=range(first_session, first_session + len(data.sessions))
    )
    measures = employee(unit(data.measures)).assign(
        id=range(first_measure, first_measure + len(data.measures)),
        created_session_id=session_id(data.measures["session"]),
    )
    follow_ups = data.follow_ups.assign(
        measure_id=data.follow_ups["measure"] + first_measure,
        session_id=session_id(data.follow_ups["session"]),
    )
    reviews = employee(data.reviews).assign(session_id=session_id(data.reviews["session"]))
    milestones = employee(data.milestones_done).assign(
        session_id=session_id(data.milestones_done["session"])
    )
    inserts = (
        (AdvisorySession, sessions),
        (Measure, measures.drop(columns="session")),
        (MeasureFollowUp, follow_ups.drop(columns=["measure", "session"])),
        (EmployeeReview, reviews.drop(columns="session")),
        (MilestoneDone, milestones.drop(columns="session")),
        (PresenceFactor, unit(data.presence_factors)),
        (SurveyScore, unit(data.survey_scores)),
    )
    for model, frame in inserts:
        if len(frame):
            session.execute(insert(model), _plain(frame))


def write_demo(session: Session, data: DemoData, *, replace: bool = False) -> None:
    """Write the generated municipality in the caller's transaction, figures included.

    Refuses a database that already has units, unless `replace`, which first deletes all data
    (units, people, absence, sessions and measures; settings are kept).
    """
    existing = session.scalar(select(func.count()).select_from(Unit)) or 0
    if existing and not replace:
        raise ValueError(
            f"Databasen har allerede {existing} enheter. Demodata skrives bare til en tom "
            "database; bruk --replace for å slette alt som ligger der og skrive demodata."
        )
    if replace:
        _clear(session)
    write_tables(
        session, Tables(units=data.units, employments=data.employments, spells=data.spells)
    )
    _write_project(session, data)
    cover_baselines(session)


def summarise(data: DemoData, scale: str, seed: int, today: dt.date, seconds: float) -> DemoSummary:
    """What `naervaer demo` says it made."""
    return DemoSummary(
        scale=scale,
        seed=seed,
        today=today,
        units=len(data.units),
        employees=int(data.employments["employee_number"].nunique()),
        employments=len(data.employments),
        spells=len(data.spells),
        project_units=len(data.project_units),
        sessions=len(data.sessions),
        measures=len(data.measures),
        seconds=seconds,
    )
