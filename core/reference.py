"""The published municipal-sector sick-leave % by quarter, shipped as a yardstick for the charts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.periods import Quarter

# Published: doctor-certified (legemeldt) sick leave in the municipalities, lost workdays in % of
# agreed workdays, Statistics Norway's figures as KS tabulates them ("Høyt sykefravær i andre
# kvartal 2024", table 1, row "Kommuner": county municipalities are not included). 2018–2021 were
# revised in June 2022 and are left out, so that every figure here comes from the same release.
SECTOR_QUARTERLY: dict[str, float] = {
    "2022Q1": 8.8,
    "2022Q2": 7.6,
    "2022Q3": 6.2,
    "2022Q4": 8.1,
    "2023Q1": 8.6,
    "2023Q2": 7.7,
    "2023Q3": 6.3,
    "2023Q4": 8.3,
    "2024Q1": 8.7,
    "2024Q2": 8.3,
}
# https://ks.no/fagomrader/statistikk-og-analyse/fravar/hoyt-sykefravar-i-andre-kvartal-2024
SOURCE = "Statistisk sentralbyrå via KS, kommunal sektor, legemeldt sykefravær"
# Derived, not published: self-certified absence is only surveyed nationally, not per quarter for
# the municipalities, and self- and doctor-certified together run about 2 points higher.
SELF_CERTIFIED_ALLOWANCE_PP = 2.0


@dataclass(frozen=True)
class Yardstick:
    """The sector's % for the asked quarters (None where not published), with legend texts."""

    quarters: tuple[str, ...]
    values: tuple[float | None, ...]
    label: str
    source: str
    published: bool


def sector_yardstick(quarters: Iterable[Quarter | str], *, with_self_certified: bool) -> Yardstick:
    """The municipal sector's % for each quarter, for a chart beside a unit's figures.

    The app's own % includes self-certified absence; the published sector figure does not, so
    `with_self_certified` adds the approximate allowance and says so in the label and source.
    """
    keys = tuple(str(Quarter.parse(str(q))) for q in quarters)
    published = [SECTOR_QUARTERLY.get(key) for key in keys]
    if not with_self_certified:
        return Yardstick(
            quarters=keys,
            values=tuple(published),
            label="Kommunal sektor, legemeldt",
            source=f"Kilde: {SOURCE}.",
            published=True,
        )
    allowance = f"{SELF_CERTIFIED_ALLOWANCE_PP:.1f}".replace(".", ",")
    return Yardstick(
        quarters=keys,
        values=tuple(None if v is None else v + SELF_CERTIFIED_ALLOWANCE_PP for v in published),
        label="Kommunal sektor, egen- og legemeldt (anslag)",
        source=(
            f"Kilde: {SOURCE}. Egenmeldt fravær publiseres ikke per kvartal for kommunene; "
            f"anslått som legemeldt + {allowance} prosentpoeng."
        ),
        published=False,
    )
