"""Vectorised parsing of the cells Excel writes: Norwegian dates, decimal commas, type codes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np
import pandas as pd

_DATE = (
    r"^(?:(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"  # Excel and ISO exports may add a midnight time
)
_NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)$"
_SPACES = r"[\s\u00a0\u202f']"  # thousands separators: space, nbsp, narrow nbsp, apostrophe
FIRST_YEAR, LAST_YEAR = 1900, 2199  # outside this a date is a typo, not history

TYPE_CODES = {
    "egenmelding": "egenmelding",
    "egenmeldt": "egenmelding",
    "e": "egenmelding",
    "sykmelding": "sykmelding",
    "sykemelding": "sykmelding",
    "legemeldt": "sykmelding",
    "l": "sykmelding",
    "sykt barn": "sykt_barn",
    "b": "sykt_barn",
    "annet": "annet",
}
SICK_TYPES = ("egenmelding", "sykmelding")
DATE_DTYPE: Final = "datetime64[s]"
MAX_TEXT = 255  # longer than any code, name or title: a broken file, not a value


def is_formula(text: str) -> bool:
    """A formula saved as text (`=SUM(…)`, `=cmd|…`): no value, and it could run in Excel."""
    return text.startswith("=")


def is_too_long(text: str) -> bool:
    return len(text) > MAX_TEXT


def _distinct(raw: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes and distinct texts: a column of 250,000 dates has only a few thousand."""
    codes, uniques = pd.factorize(raw.to_numpy(dtype=object))
    return codes, pd.Series(uniques, dtype=object)


def _spread(parsed: pd.Series, codes: np.ndarray, raw: pd.Series) -> pd.Series:
    return pd.Series(parsed.to_numpy()[codes], index=raw.index, dtype=parsed.dtype)


def _per_value(raw: pd.Series, parse: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`parse` applied once per distinct text, the result spread back over the column."""
    codes, uniques = _distinct(raw)
    return _spread(parse(uniques), codes, raw)


def map_distinct(values: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """`function` of each distinct non-missing value, spread back; None where missing."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    mapped = np.array([None, *(function(value) for value in uniques)], dtype=object)
    return pd.Series(mapped[codes + 1], index=values.index, dtype=object)


def parse_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(dates, NaT where empty or invalid; whether the text has a date's shape at all)."""
    codes, uniques = _distinct(raw)
    dates, shaped = _parse_dates(uniques)
    return _spread(dates, codes, raw), _spread(shaped, codes, raw)


def _parse_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    # Most cells pass pandas' C parser in one of the two layouts; only the rest (times of day,
    # typos) take the slower regular expression.
    dates = pd.Series(pd.NaT, index=raw.index, dtype=DATE_DTYPE)
    shaped = pd.Series(True, index=raw.index)
    for layout in ("%d.%m.%Y", "%Y-%m-%d"):
        todo = dates.isna() & raw.ne("")
        if not todo.any():
            break
        parsed = pd.to_datetime(raw[todo], format=layout, errors="coerce")
        dates[todo] = parsed.astype(DATE_DTYPE)
    todo = dates.isna() & raw.ne("")
    if todo.any():
        parts = raw[todo].str.extract(_DATE)
        shaped[todo] = parts["y"].notna() | parts["iy"].notna()

        def number(norwegian: str, iso: str) -> pd.Series:
            return pd.to_numeric(parts[norwegian].fillna(parts[iso]), errors="coerce")

        fields = pd.DataFrame(
            {"year": number("y", "iy"), "month": number("m", "im"), "day": number("d", "id")}
        )
        # 31.02.2025 has the shape of a date but becomes NaT here.
        dates[todo] = pd.to_datetime(fields, errors="coerce").astype(DATE_DTYPE)
    years = dates.dt.year
    return dates.where((years >= FIRST_YEAR) & (years <= LAST_YEAR)), shaped


def parse_numbers(raw: pd.Series) -> pd.Series:
    """Floats from `62,5`, `62.5`, `62,5 %`, `1 000,5`; NaN where empty or not a number."""
    return _per_value(raw, _parse_numbers)


def _parse_numbers(raw: pd.Series) -> pd.Series:
    # The C parser also reads `1e5` and `inf`: harmless, as the range checks reject them.
    values = pd.to_numeric(raw, errors="coerce")
    todo = values.isna() & raw.ne("")
    if todo.any():
        values[todo] = _parse_written_numbers(raw[todo])
    return values.astype("float64")


def _parse_written_numbers(raw: pd.Series) -> pd.Series:
    text = raw.str.replace(_SPACES, "", regex=True).str.removesuffix("%")
    comma, point = text.str.rfind(","), text.str.rfind(".")
    # With both marks the later one is the decimal mark and the other groups thousands.
    both = (comma >= 0) & (point >= 0)
    comma_decimal = both & (comma > point)
    text = text.mask(comma_decimal, text.str.replace(".", "", regex=False))
    text = text.mask(both & ~comma_decimal, text.str.replace(",", "", regex=False))
    text = text.str.replace(",", ".", regex=False)
    valid = text.str.fullmatch(_NUMBER, na=False)
    return pd.to_numeric(text.where(valid), errors="coerce")


def parse_types(raw: pd.Series) -> pd.Series:
    """The stored absence type for each code, any case; NaN where unknown."""
    return _per_value(raw, _parse_types)


def _parse_types(raw: pd.Series) -> pd.Series:
    kinds = raw.str.lower().map(TYPE_CODES)
    todo = kinds.isna() & raw.ne("")
    if todo.any():  # `Sykt  barn`, `sykt_barn`
        key = raw[todo].str.lower().str.replace(r"[\s_]+", " ", regex=True).str.strip()
        kinds[todo] = key.map(TYPE_CODES)
    return kinds.astype(object)


def as_dates(values: Any) -> pd.Series:
    """Dates in one dtype from date objects, Timestamps, ISO strings or datetime64 of any unit."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = pd.to_datetime(series.astype(object).where(series.notna(), None))
    return series.astype(DATE_DTYPE)


def day_numbers(dates: pd.Series, missing: int) -> np.ndarray:
    """Days since 1970 as integers, `missing` for NaT: cheap to compare and sort."""
    days = dates.to_numpy().astype("datetime64[D]")
    return np.where(np.isnat(days), missing, days.astype("int64"))


def format_number(value: float) -> str:
    """Norwegian form for messages: 62,5 and 80 (no needless decimals)."""
    return f"{value:g}".replace(".", ",")
