"""Two advisors editing the same thing: what each change is called, how its values are shown,
and the conflict when an edit was based on a version another advisor has changed since."""

from __future__ import annotations

import datetime as dt
from typing import Final

from core import fmt
from core.errors import InvalidInput
from core.vocabulary import MEASURE_STATUSES

# The fields of an advisor-written row that are versioned and logged -> what they are called.
FIELD_LABELS: Final = {
    "status": "status",
    "due_date": "frist",
    "text": "tekst",
    "owner": "ansvarlig",
    "note": "notat",
    "reviewed": "gjennomgått",
    "score": "poengsum",
    "measured_on": "målt",
    "done_on": "milepæl",  # a legal milestone of a case: the day it was marked done, or none
    # What a replica's conflicts may also be about (storage.usecases.sync).
    "comment": "kommentar",
    "checked": "avkrysset",
    "summary": "oppsummering",
}
DATE_FIELDS: Final = frozenset({"due_date", "measured_on", "done_on"})
# Free text may name people or hold what a purge must remove: the audit log says that it
# changed, never what it said (the text lives only in its row).
FREE_TEXT_FIELDS: Final = frozenset({"text", "owner", "note"})
# Free text two advisors may each have written: the one can be merged with the other.
MERGEABLE_FIELDS: Final = FREE_TEXT_FIELDS | {"comment", "summary"}


def logged(field: str, value: object) -> str | None:
    """What the audit log keeps of a field's value: nothing of free text, else `stored`."""
    return None if field in FREE_TEXT_FIELDS else stored(value)


def stored(value: object) -> str | None:
    """A field's value as the audit log keeps it: a date in ISO form, a flag as 1 or 0."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def shown(field: str, value: object) -> str:
    """A field's value (as stored, or as the audit log keeps it) as the advisor reads it."""
    if field == "done_on":
        return "ikke utført" if value is None else f"utført {_day(value)}"
    if value is None or value == "":
        return "ingen" if field in DATE_FIELDS or field == "score" else "(tom)"
    if field in DATE_FIELDS:
        return _day(value)
    if field == "status":
        return MEASURE_STATUSES.get(str(value), str(value)).lower()
    if field in ("reviewed", "checked"):
        return "ja" if value in (True, "1") else "nei"
    if field == "score":
        return fmt.number(float(str(value)))
    return f"«{value}»"


def _day(value: object) -> str:
    """A date, or one in ISO form as the audit log keeps it, as dd.mm.yyyy."""
    return fmt.date(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))


def written(text: str) -> str:
    """A free text as `shown` gives it (`«…»`, `(tom)`), back as it was written: what a merge
    starts from."""
    if text == "(tom)":
        return ""
    if text.startswith("«") and text.endswith("»"):
        return text[1:-1]
    return text


def local_time(utc: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time as the local clock showed it."""
    return utc.replace(tzinfo=dt.UTC).astimezone()


def moment(utc: dt.datetime) -> str:
    """`03.12.2026 kl. 10.42`, on the local clock."""
    local = local_time(utc)
    return f"{fmt.date(local)} kl. {local:%H.%M}"


def when(utc: dt.datetime | None, today: dt.date | None = None) -> str:
    """`kl. 10.42` for today, `03.12.2026 kl. 10.42` for another day; "" if not known."""
    if utc is None:
        return ""
    local = local_time(utc)
    return f"kl. {local:%H.%M}" if local.date() == (today or dt.date.today()) else moment(utc)


def change_text(field: str, old: str | None, new: str | None) -> str:
    """A change in the audit log as the advisor reads it: `frist 20.12.2026 → 15.01.2027`;
    `notat endret` for free text, whose values the log does not keep."""
    if field in FREE_TEXT_FIELDS:
        return f"{FIELD_LABELS.get(field, field)} endret"
    return f"{FIELD_LABELS.get(field, field)} {shown(field, old)} → {shown(field, new)}"


class EditConflict(InvalidInput):
    """An edit based on a version of a row that another advisor has changed since: both values,
    who changed it and when. Nothing is written; the advisor chooses."""

    def __init__(
        self,
        field: str,
        theirs: object,
        yours: object,
        by: str | None,
        at: dt.datetime | None,
        version: int,
    ) -> None:
        self.field = field
        self.theirs = theirs
        self.yours = yours
        self.by = by
        self.at = at
        self.version = version  # the row's version now: what a new edit is based on
        super().__init__(self.describe())

    def describe(self, today: dt.date | None = None) -> str:
        """`Endret av Kari kl. 10.42: frist 15.01.2027 — din: 20.12.2026`."""
        moment = when(self.at, today)
        by = f"Endret av {self.by or 'en annen rådgiver'}{' ' + moment if moment else ''}"
        label = FIELD_LABELS.get(self.field, self.field)
        return (
            f"{by}: {label} {shown(self.field, self.theirs)} — din: {shown(self.field, self.yours)}"
        )
