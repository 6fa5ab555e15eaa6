"""Norwegian display of figures: `11,2 %`, `115 920 000 kr`, `dd.mm.yyyy`."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
MISSING = "–"


def round_half_up(value: float, decimals: int = 1) -> Decimal:
    # Through str() so that 11.25 stays 11.25 and rounds to 11.3, as people expect.
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number(value: float | None, decimals: int = 1) -> str:
    """Bokmål's way: groups of three parted by a no-break space, a decimal comma, `-` for
    negatives (never `-0,0`: a value that rounds to zero is shown as zero)."""
    if value is None:
        return MISSING
    rounded = round_half_up(value, decimals)
    shown = f"{abs(rounded):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return f"-{shown}" if rounded < 0 else shown


def percent(value: float | None, decimals: int = 1) -> str:
    """`11,2 %`; an undefined percentage is `–`, never 0."""
    return MISSING if value is None else f"{number(value, decimals)}{NBSP}%"


def points(value: float | None, decimals: int = 1) -> str:
    """A change in percentage points with its sign: `−1,0 p.p.`, `+0,4 p.p.`."""
    if value is None:
        return MISSING
    rounded = round_half_up(value, decimals)
    sign = "+" if rounded > 0 else "−" if rounded < 0 else "±"
    return f"{sign}{number(abs(float(rounded)), decimals)}{NBSP}p.p."


def count(value: int, one: str, many: str) -> str:
    """A count with its noun in the right number: `1 rad`, `0 rader`, `20 563 rader`."""
    return f"{number(value, 0)} {one if value == 1 else many}"


def tick(value: float, step: float) -> str:
    """An axis label on a grid of `step`: whole numbers only where every step is whole, so that
    a step of 2,5 reads 2,5 and 7,5, not 3 and 8."""
    return number(value, 0 if float(step).is_integer() else 1)


def kroner(value: float | None) -> str:
    return MISSING if value is None else f"{number(value, 0)}{NBSP}kr"


def date(value: dt.date | None) -> str:
    return MISSING if value is None else value.strftime("%d.%m.%Y")


MONTHS = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")


def month_label(value: dt.date) -> str:
    """`jan 25`: short enough for a chart's ticks."""
    return f"{MONTHS[value.month - 1]} {value.year % 100:02d}"


def quarter_label(text: str) -> str:
    """'2024Q3' as `3. kv. 2024`."""
    return f"{text[-1]}. kv. {text[:4]}"
