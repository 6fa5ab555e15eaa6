"""The sick-leave percentage Σ lost / Σ possible: one function, without pandas (the unit list
computes it at start, before pandas is loaded)."""

from __future__ import annotations

# Lost workdays are summed from pieces whose grades were scaled to a cap of 100 %: in floating
# point the sum of a fully absent day's pieces can come out a few units in the last place above
# the day itself. Such a sum is the whole, never more; a real excess is left to show.
ROUNDING = 1e-9


def pct(lost: float, possible: float) -> float | None:
    """Σ lost / Σ possible × 100, or None when nothing was possible (shown as '–')."""
    if possible <= 0:
        return None
    if possible < lost <= possible * (1 + ROUNDING):
        lost = possible
    return lost / possible * 100.0
