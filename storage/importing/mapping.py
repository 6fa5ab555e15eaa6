"""Column mapping: a small TOML file that renames an export's headers and type codes to ours.

The file has one table per import table, `[enheter]`, `[ansatte]` and `[fravaer]` (or
`["fravær"]`: TOML wants names with æøå in quotes), each mapping the export's header (left) to
our column (right, the Norwegian or English name); and a table `[fravaerstyper]` mapping the
export's absence codes to ours (egenmelding, sykmelding, sykt barn, annet). Case, spaces and
æøå don't matter on either side; columns that already have our names need no line. `EXAMPLE`
is a commented example, and `naervaer template` writes it next to the templates.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.importing.columns import TABLES, TableSpec, normalize_header
from storage.importing.encoding import NOT_UTF8, MixedEncoding, decode
from storage.importing.problems import ImportProblem
from storage.importing.values import TYPE_CODES

TYPES_TABLE = "fraværstyper"
EXAMPLE_NAME = "tilordning-eksempel.toml"
EXAMPLE = """\
# Kolonnetilordning for Nærvær: eksportens egne overskrifter og koder oversatt til Nærværs.
# Bruk: naervaer import --mapping tilordning.toml enheter.csv ansatte.csv fravær.csv
#
# Én tabell for hver importtabell: [enheter], [ansatte] og [fravaer].
# Til venstre overskriften slik den står i eksporten, til høyre kolonnen i Nærvær
# (norsk eller engelsk navn). Store og små bokstaver, mellomrom og æøå spiller ingen rolle.
# Kolonner som allerede heter det samme som i Nærvær, trenger ingen linje.
# Navn med æøå, mellomrom eller punktum må stå i anførselstegn, f.eks. "Org.enhet".

[enheter]
"Org.enhet" = "enhet_id"
"Org.enhetsnavn" = "enhet"
"Sektor" = "tjenesteområde"

[ansatte]
"Ansattnummer" = "ansattnr"
"Org.enhet" = "enhet_id"
"Stillingsandel" = "stillingsprosent"
"Fra og med" = "startdato"
"Til og med" = "sluttdato"

[fravaer]
"Ansattnummer" = "ansattnr"
"Org.enhet" = "enhet_id"
"Fra og med" = "fra_dato"
"Til og med" = "til_dato"
"Fraværskode" = "fraværstype"
"Sykmeldingsgrad" = "grad"

# Eksportens fraværskoder (til venstre) oversatt til Nærværs fraværstyper:
# egenmelding, sykmelding, sykt barn eller annet.
[fravaerstyper]
"EM" = "egenmelding"
"S" = "sykmelding"
"SB" = "sykt barn"
"PERM" = "annet"
"""

_TOML_WHERE = re.compile(r"\(at line (\d+), column \d+\)")
_SECTION = re.compile(r"""^\[\s*(["']?)(.+?)\1\s*\]""")
_KEY = re.compile(r"""^(["']?)(.+?)\1\s*=""")


def type_key(text: str) -> str:
    """An absence code as compared: any case, `sykt_barn` or `Sykt  barn`."""
    return re.sub(r"[\s_]+", " ", text.strip().lower())


@dataclass(frozen=True)
class ColumnMapping:
    """Per table, the export's normalised header -> our normalised header; and type codes."""

    headers: dict[str, dict[str, str]]
    types: dict[str, str]

    def keys(self, spec: TableSpec, keys: list[str]) -> list[str]:
        """The file's normalised headers as `spec` reads them."""
        renames = self.headers.get(spec.kind, {})
        return [renames.get(key, key) for key in keys]

    def type_code(self, value: str) -> str:
        """The export's absence code in our words; anything else as it was."""
        return self.types.get(type_key(value), value)


def _key_lines(text: str) -> dict[tuple[str | None, str], int]:
    """The line of each section (under None) and of each key in it (tomllib does not tell)."""
    lines: dict[tuple[str | None, str], int] = {}
    section: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if found := _SECTION.match(stripped):
            section = found.group(2)
            lines.setdefault((None, section), number)
        elif found := _KEY.match(stripped):
            lines.setdefault((section, found.group(2).strip()), number)
    return lines


def load_mapping(path: Path) -> tuple[ColumnMapping | None, list[ImportProblem]]:
    """Read and check a mapping file; None and the problems (in Norwegian) when it is bad."""
    name = path.name

    def refuse(message: str, line: int | None = None) -> tuple[None, list[ImportProblem]]:
        return None, [ImportProblem(name, line, None, None, message)]

    try:
        text = decode(path.read_bytes())
    except FileNotFoundError:
        return refuse("tilordningsfilen finnes ikke")
    except IsADirectoryError:
        return refuse("er en mappe, ikke en tilordningsfil")
    except OSError:
        return refuse("tilordningsfilen kan ikke leses (har du tilgang til den?)")
    except MixedEncoding as mixed:
        return None, [ImportProblem(name, line, None, None, NOT_UTF8) for line in mixed.lines]
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = _TOML_WHERE.search(str(error))
        return refuse(
            "er ikke en gyldig tilordningsfil (TOML): se etter manglende anførselstegn, "
            'likhetstegn eller hakeparenteser; navn med æøå må stå i anførselstegn, som ["fravær"]',
            int(where.group(1)) if where else None,
        )
    return _check(name, document, _key_lines(text))


def _check(
    name: str, document: dict[str, Any], lines: dict[tuple[str | None, str], int]
) -> tuple[ColumnMapping | None, list[ImportProblem]]:
    problems: list[ImportProblem] = []
    headers: dict[str, dict[str, str]] = {}
    types: dict[str, str] = {}

    def problem(section: str | None, key: str, value: str | None, message: str) -> None:
        column = key if section is None else f"[{section}] {key}"
        problems.append(ImportProblem(name, lines.get((section, key)), column, value, message))

    for section, entries in document.items():
        table = TABLES.get(normalize_header(section))
        is_types = normalize_header(section) == normalize_header(TYPES_TABLE)
        if not isinstance(entries, dict):
            problem(
                None,
                section,
                None,
                "står utenfor en tabell; skriv den under [enheter], [ansatte], [fravaer] "
                "eller [fravaerstyper]",
            )
            continue
        if table is None and not is_types:
            problems.append(
                ImportProblem(
                    name,
                    lines.get((None, section)),
                    None,
                    f"[{section}]",
                    "er ikke en kjent tabell (bruk [enheter], [ansatte], [fravaer] "
                    "eller [fravaerstyper])",
                )
            )
            continue
        seen: dict[str, str] = {}
        for key, target in entries.items():
            if not isinstance(target, str):
                problem(section, key, None, "må ha et navn i anførselstegn på høyre side")
                continue
            if table is not None:
                column = table.by_key.get(normalize_header(target))
                if column is None:
                    known = ", ".join(column.header for column in table.columns)
                    problem(
                        section,
                        key,
                        target,
                        f"er ikke en kolonne i {table.kind} (kjente kolonner: {known})",
                    )
                    continue
                source, canonical = normalize_header(key), column.keys[0]
            else:
                if type_key(target) not in TYPE_CODES:
                    problem(
                        section,
                        key,
                        target,
                        "er ikke en kjent fraværstype "
                        "(bruk egenmelding, sykmelding, sykt barn eller annet)",
                    )
                    continue
                source, canonical = type_key(key), type_key(target)
            if seen.get(source, canonical) != canonical:
                problem(section, key, target, f"står allerede for {seen[source]} i samme tabell")
                continue
            seen[source] = canonical
        if table is not None:
            headers[table.kind] = seen
        else:
            types.update(seen)
    return (None, problems) if problems else (ColumnMapping(headers, types), [])
