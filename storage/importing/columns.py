"""The three import tables and their columns, with the Norwegian and English headers."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

KEY, TEXT = "key", "text"


@dataclass(frozen=True)
class Column:
    name: str  # the canonical field name used in `Tables`
    header: str  # the Norwegian header the templates write
    english: str
    required: bool = False
    # KEY: compared and stored as core.text.imported_key; TEXT: as core.text.imported_text.
    kind: str | None = None

    @property
    def keys(self) -> tuple[str, str]:
        return normalize_header(self.header), normalize_header(self.english)


@dataclass(frozen=True)
class TableSpec:
    kind: str  # the table's Norwegian name, as in messages and file names
    columns: tuple[Column, ...]
    by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "by_key", {key: column for column in self.columns for key in column.keys}
        )

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


def normalize_header(text: str) -> str:
    """Header as compared: any case, æøå or not, spaces and hyphens read as underscores."""
    text = text.strip().lstrip("\ufeff").strip().lower()
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return re.sub(r"[\s\-]+", "_", text)


UNITS = TableSpec(
    "enheter",
    (
        Column("code", "enhet_id", "unit_id", required=True, kind=KEY),
        Column("name", "enhet", "unit", required=True, kind=TEXT),
        Column("service_area", "tjenesteområde", "service_area", kind=TEXT),
        Column("leader", "leder", "leader", kind=TEXT),
        Column("project_from", "prosjekt_fra", "project_from"),
    ),
)
EMPLOYMENTS = TableSpec(
    "ansatte",
    (
        Column("employee_number", "ansattnr", "employee_id", required=True, kind=KEY),
        Column("name", "navn", "name", kind=TEXT),
        Column("unit_code", "enhet_id", "unit_id", required=True, kind=KEY),
        Column("position_pct", "stillingsprosent", "position_pct", required=True),
        Column("start_date", "startdato", "start_date", required=True),
        Column("end_date", "sluttdato", "end_date"),
        Column("title", "stilling", "title", kind=TEXT),
    ),
)
SPELLS = TableSpec(
    "fravær",
    (
        Column("employee_number", "ansattnr", "employee_id", required=True, kind=KEY),
        Column("unit_code", "enhet_id", "unit_id", kind=KEY),
        Column("from_date", "fra_dato", "from_date", required=True),
        Column("to_date", "til_dato", "to_date"),
        Column("absence_type", "fraværstype", "type", required=True),
        Column("grade_pct", "grad", "grade_pct"),
    ),
)
SPECS = (UNITS, EMPLOYMENTS, SPELLS)
TABLES = {normalize_header(spec.kind): spec for spec in SPECS}  # "fravaer" names fravær too

# Headers found in one table only: these tell the tables apart (enhet_id is in all three).
_KEY_TABLES = Counter(key for spec in SPECS for key in spec.by_key)
DISTINCTIVE = {
    spec.kind: frozenset(key for key in spec.by_key if _KEY_TABLES[key] == 1) for spec in SPECS
}


def recognise(keys: Mapping[str, list[str]]) -> TableSpec | None:
    """The table whose own headers the file has most of; None when none or a tie.

    `keys` holds the normalised headers as each table reads them (a column mapping can rename
    them differently per table).
    """
    scores = [(len(DISTINCTIVE[spec.kind].intersection(keys[spec.kind])), spec) for spec in SPECS]
    scores.sort(key=lambda pair: pair[0], reverse=True)
    best, spec = scores[0]
    if best == 0 or scores[1][0] == best:
        return None
    return spec
