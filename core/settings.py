"""The user's settings: DOMAIN.md's defaults for thresholds and assumptions, with validation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Final

from core import fmt
from core.errors import InvalidInput
from core.groups import GroupRules
from core.periods import Quarter, parse_date
from core.savings import DEFAULT_COST_PER_DAY, DEFAULT_WORKDAYS, cost_source_label

if TYPE_CHECKING:
    from core.flags import FlagRules, SelfCertRule

SELF_CERT_RULES: dict[str, str] = {
    "utvidet": "Utvidet: 24 dager i løpet av 12 måneder, inntil 8 dager om gangen",
    "nasjonal": "Nasjonal: 3 dager om gangen, 4 ganger i løpet av 12 måneder",
}


@dataclass(frozen=True)
class Settings:
    """Every setting with its default; an instance is always valid (checked on creation)."""

    large_unit_headcount: int = 100
    avg_threshold_pct: float = 11.0
    any_size_threshold_pct: float = 16.0
    goal_pp: float = 1.0
    baseline_quarter: str = "2024Q3"
    project_start: dt.date = dt.date(2024, 10, 1)
    cost_per_day: float = DEFAULT_COST_PER_DAY
    workdays_per_year: float = DEFAULT_WORKDAYS
    fte: float = 15_000.0
    self_cert_rule: SelfCertRule = "utvidet"
    retention_years: int = 5
    advisor_name: str = ""  # "": the user's name on the machine

    def __post_init__(self) -> None:
        for item in fields(self):
            FIELD[item.name].check(getattr(self, item.name))
        if self.any_size_threshold_pct < self.avg_threshold_pct:
            raise InvalidInput(
                "Grensen for målgruppe 1 uansett størrelse "
                f"({fmt.percent(self.any_size_threshold_pct)}) kan ikke være lavere enn "
                f"grensen for snittet ({fmt.percent(self.avg_threshold_pct)})."
            )

    def with_value(self, key: str, value: Any) -> Settings:
        """A copy with one setting changed; InvalidInput (Norwegian) if the result is not valid."""
        if key not in FIELD:
            raise InvalidInput(f"Ukjent innstilling: {key}.")
        return replace(self, **{key: value})

    def group_rules(self) -> GroupRules:
        return GroupRules(
            large_unit_headcount=self.large_unit_headcount,
            avg_threshold_pct=self.avg_threshold_pct,
            any_size_threshold_pct=self.any_size_threshold_pct,
        )

    def flag_rules(self) -> FlagRules:
        # Here, not at the top: the flags need pandas, and the settings are read at start.
        from core.flags import FlagRules

        return FlagRules(self_cert_rule=self.self_cert_rule)

    @property
    def baseline(self) -> Quarter:
        return Quarter.parse(self.baseline_quarter)

    @property
    def cost_source(self) -> str:
        return cost_source_label(self.cost_per_day)


def _plain_number(value: float) -> str:
    """A number as a person types it: no thousands separator, decimal comma, no trailing zeros."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


_AFTER_LAST_DIGIT = re.compile(r"(?<=\d)\D*$")
# 4.200 and 15.000 as the project's own slides write them: dots between groups of three digits.
_DOTTED_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$")


def _to_number(text: str, label: str) -> float:
    """A number typed the Norwegian way: `4 200`, `4.200`, `11,5`, `−1,0`, with or without unit."""
    cleaned = re.sub(r"[\s\u00a0]", "", text).replace("\u2212", "-")
    if not cleaned:
        raise InvalidInput(f"{label}: skriv inn et tall.")
    cleaned = _AFTER_LAST_DIGIT.sub("", cleaned)  # the unit, if typed: kr, %, p.p. …
    if _DOTTED_THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(".", "")
    try:
        return float(cleaned.replace(",", "."))
    except ValueError:
        raise InvalidInput(f"{label}: «{text.strip()}» er ikke et tall.") from None


@dataclass(frozen=True)
class SettingField:
    """How one setting is typed, checked, shown and stored (as JSON)."""

    key: str
    label: str
    unit: str
    help: str
    parse: Callable[[str], Any]  # typed text to a value; InvalidInput if it is not one
    check: Callable[[Any], None]  # InvalidInput if the value is out of bounds
    text: Callable[[Any], str]  # the value as it stands in the input field
    show: Callable[[Any], str]  # the value as shown beside (the default, for example)
    to_json: Callable[[Any], Any] = lambda value: value
    from_json: Callable[[Any], Any] = lambda value: value

    @property
    def default(self) -> Any:
        return getattr(DEFAULTS, self.key)


def _number_field(
    key: str,
    label: str,
    unit: str,
    help_text: str,
    low: float,
    high: float,
    *,
    name: str,
    whole: bool = False,
    low_open: bool = False,
    decimals: int = 0,
    show: Callable[[Any], str] | None = None,
    signless: bool = False,
) -> SettingField:
    """A number setting; `name` is how messages refer to it (`Målet må være …`)."""
    limits = f"mellom {_plain_number(low)} og {_plain_number(high)}"
    if low_open:
        limits = f"over {_plain_number(low)} og høyst {_plain_number(high)}"

    def parse(text: str) -> Any:
        number = _to_number(text, name)
        # A goal is a reduction; typing it as −1,0 means the same as 1,0.
        if signless:
            number = abs(number)
        if whole:
            if number != int(number):
                raise InvalidInput(f"{name} må være et helt tall.")
            return int(number)
        return number

    def check(value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(f"{name} må være et tall.")
        if whole and value != int(value):
            raise InvalidInput(f"{name} må være et helt tall.")
        too_low = value <= low if low_open else value < low
        if too_low or value > high:
            raise InvalidInput(f"{name} må være {limits} (fikk {_plain_number(value)}).")

    def shown(value: Any) -> str:
        places = decimals if value == round(value, decimals) else decimals + 1
        return f"{fmt.number(value, places)}{fmt.NBSP}{unit}".rstrip()

    def from_json(value: Any) -> Any:
        # JSON keeps 100 and 100.0 apart; a whole-number setting is an int either way.
        return int(value) if whole and isinstance(value, float) and value.is_integer() else value

    return SettingField(
        key,
        label,
        unit,
        help_text,
        parse,
        check,
        text=_plain_number,
        show=show or shown,
        from_json=from_json,
    )


def _parse_quarter(text: str) -> str:
    from core.project import parse_baseline

    return parse_baseline(text)  # `3. kv. 2024`, as shown, or `2024Q3`


def _check_quarter(value: Any) -> None:
    try:
        quarter = Quarter.parse(str(value))
    except ValueError as error:
        raise InvalidInput(f"Nullpunktkvartal: {error}.") from None
    if not 2000 <= quarter.year <= 2100:
        raise InvalidInput(f"Nullpunktkvartal: {quarter.label} er ikke et rimelig år.")


def _parse_date(text: str) -> dt.date:
    try:
        return parse_date(text)
    except ValueError as error:
        raise InvalidInput(f"Prosjektstart: {error}.") from None


def _check_date(value: Any) -> None:
    if not isinstance(value, dt.date):
        raise InvalidInput("Prosjektstart må være en dato.")
    if not 2000 <= value.year <= 2100:
        raise InvalidInput(f"Prosjektstart: {fmt.date(value)} er ikke et rimelig år.")


def _parse_rule(text: str) -> str:
    cleaned = text.strip().casefold()
    if cleaned not in SELF_CERT_RULES:
        raise InvalidInput("Egenmeldingsregel: velg «utvidet» eller «nasjonal».")
    return cleaned


def _check_rule(value: Any) -> None:
    if value not in SELF_CERT_RULES:
        raise InvalidInput("Egenmeldingsregel: velg «utvidet» eller «nasjonal».")


ADVISOR_NAME_MAX: Final = 200


def _parse_name(text: str) -> str:
    return " ".join(text.split())


def _check_name(value: Any) -> None:
    if not isinstance(value, str) or len(value) > ADVISOR_NAME_MAX:
        raise InvalidInput(f"Rådgiver: skriv et navn på høyst {ADVISOR_NAME_MAX} tegn.")


def _show_cost(value: Any) -> str:
    return f"{fmt.kroner(value)} ({cost_source_label(value)})"


SETTING_FIELDS: tuple[SettingField, ...] = (
    _number_field(
        "large_unit_headcount",
        "Store enheter har flere enn",
        "ansatte",
        "Målgruppe 1: over så mange ansatte og snitt over grensen under; ellers målgruppe 2.",
        1,
        100_000,
        name="Grensen for store enheter",
        whole=True,
    ),
    _number_field(
        "avg_threshold_pct",
        "Snitt siste to år over",
        "%",
        "Målgruppe 1 og 2: sykefraværet de siste åtte hele kvartalene over denne grensen.",
        0,
        100,
        name="Grensen for snittet",
        low_open=True,
    ),
    _number_field(
        "any_size_threshold_pct",
        "Målgruppe 1 uansett størrelse over",
        "%",
        "Enheter med snitt over denne grensen er i målgruppe 1 uansett antall ansatte.",
        0,
        100,
        name="Grensen uansett størrelse",
        low_open=True,
    ),
    _number_field(
        "goal_pp",
        "Mål: reduksjon på",
        "p.p.",
        "Prosjektets mål: så mange prosentpoeng lavere enn nullpunktet, samme kvartal.",
        0,
        100,
        name="Målet",
        low_open=True,
        decimals=1,
        signless=True,
    ),
    SettingField(
        "baseline_quarter",
        "Nullpunkt (kvartal)",
        "",
        "Kvartalet kommunen måles fra i status og besparelse; hver enhet har sitt eget nullpunkt.",
        _parse_quarter,
        _check_quarter,
        text=lambda value: fmt.quarter_label(str(value)),
        show=lambda value: fmt.quarter_label(str(value)),
    ),
    SettingField(
        "project_start",
        "Prosjektstart",
        "",
        "Dagen prosjektet startet (dd.mm.åååå); enheter som ble med innen da, måles fra "
        "prosjektets nullpunkt.",
        _parse_date,
        _check_date,
        text=fmt.date,
        show=fmt.date,
        to_json=lambda value: value.isoformat(),
        from_json=lambda value: dt.date.fromisoformat(str(value)),
    ),
    _number_field(
        "cost_per_day",
        "Kostnad per fraværsdag",
        "kr",
        "Anslag: 4 200 kr (SINTEF/NAV/Falck), 2 600 kr (NAVs kalkulator, SINTEF 2011), "
        "3 400 kr (NHO 2020).",
        0,
        1_000_000,
        name="Kostnaden per fraværsdag",
        low_open=True,
        show=_show_cost,
    ),
    _number_field(
        "workdays_per_year",
        "Arbeidsdager per år",
        "dager",
        "Brukes i besparelsen: kostnad per årsverk i fravær = kostnad per dag × arbeidsdager.",
        1,
        366,
        name="Arbeidsdager per år",
    ),
    _number_field(
        "fte",
        "Årsverk i kommunen",
        "årsverk",
        "Hele kommunens årsverk; spart arbeidstid = reduksjon / 100 × årsverk.",
        0,
        10_000_000,
        name="Årsverk i kommunen",
        low_open=True,
    ),
    SettingField(
        "self_cert_rule",
        "Egenmeldingsregel",
        "",
        "Hvilken kvote flagget for egenmeldinger følger.",
        _parse_rule,
        _check_rule,
        text=str,
        show=lambda value: str(value),
    ),
    _number_field(
        "retention_years",
        "Oppbevar fraværsdata i",
        "år",
        "Påminnelse om å slette fravær og arbeidsforhold avsluttet for mer enn så mange år siden.",
        1,
        100,
        name="Oppbevaringstiden",
        whole=True,
    ),
    SettingField(
        "advisor_name",
        "Rådgiver",
        "",
        "Navnet ditt i loggen over hvem som endret hva. Tomt: brukernavnet ditt på maskinen. "
        "På en server er det innloggingen.",
        _parse_name,
        _check_name,
        text=str,
        show=lambda value: str(value) or "brukernavnet ditt",
    ),
)
FIELD: dict[str, SettingField] = {item.key: item for item in SETTING_FIELDS}
DEFAULTS = Settings()
