"""Measures (tiltak): when one is overdue, and how a change to one is recorded."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, replace
from typing import Final

from core.vocabulary import MEASURE_STATUSES, OPEN_STATUSES

CLOSED_STATUSES: Final = tuple(s for s in MEASURE_STATUSES if s not in OPEN_STATUSES)


class _Unset(enum.Enum):
    UNSET = enum.auto()


# "Not given", for arguments where None is a meaningful value (no due date).
UNSET: Final = _Unset.UNSET
Unset = _Unset


def is_overdue(due_date: dt.date | None, status: str, today: dt.date) -> bool:
    """An open measure whose due date has passed (due today is not yet overdue)."""
    return due_date is not None and due_date < today and status in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class MeasureChange:
    """What the advisor changes on a measure; None (UNSET for the due date) is "as it was"."""

    checked: bool | None = None
    comment: str | None = None
    status: str | None = None
    due_date: dt.date | Unset | None = UNSET

    def as_follow_up(self) -> MeasureChange:
        """The change as a session's record of a measure on its checklist: a new status or a
        comment means the measure has been gone through, so it is ticked too."""
        if self.checked is None and (self.status is not None or self.comment is not None):
            return replace(self, checked=True)
        return self

    def as_update(self) -> MeasureChange | None:
        """The change to the measure itself, outside a checklist: a tick and a comment belong
        to a session's record and are dropped; None when nothing is left to change."""
        if self.status is None and isinstance(self.due_date, Unset):
            return None
        return MeasureChange(status=self.status, due_date=self.due_date)


def follow_up_kind(
    status: str,
    due_date: dt.date | None,
    comment: str,
    checked: bool,
    before: tuple[str, dt.date | None] | None,
) -> str:
    """Where a checklist item goes in the session's summary: "closed", "changed",
    "ticked_open" or "not_discussed". `before`: (status, due date) as the last session before
    this one left the measure, None if no session has recorded it."""
    if status in CLOSED_STATUSES:
        return "closed"
    if (
        comment.strip()
        or (before is not None and before != (status, due_date))
        # Without an earlier record the measure was written outside any session, open.
        or (before is None and status != "apen")
    ):
        return "changed"
    return "ticked_open" if checked else "not_discussed"
