"""How a conflict between two advisors' edits, and a change in the audit log, read."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest

from core.conflicts import EditConflict, change_text, shown, stored, written


@pytest.fixture(autouse=True)
def oslo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Oslo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


AT = dt.datetime(2026, 12, 6, 9, 42)  # UTC: 10.42 in Oslo


def test_a_due_date_conflict_reads_as_the_issue_says():
    conflict = EditConflict("due_date", dt.date(2027, 1, 15), dt.date(2026, 12, 20), "Kari", AT, 3)
    assert conflict.describe(dt.date(2026, 12, 6)) == (
        "Endret av Kari kl. 10.42: frist 15.01.2027 — din: 20.12.2026"
    )
    # Another day: the date with the time.
    assert conflict.describe(dt.date(2026, 12, 7)).startswith(
        "Endret av Kari 06.12.2026 kl. 10.42:"
    )


def test_values_read_as_the_advisor_writes_them():
    assert shown("status", "pagar") == "pågår"
    assert shown("due_date", None) == "ingen"
    assert shown("note", "") == "(tom)"
    assert shown("reviewed", "1") == "ja"
    assert shown("score", "3.5") == "3,5"
    assert change_text("due_date", stored(dt.date(2026, 12, 20)), "2027-01-15") == (
        "frist 20.12.2026 → 15.01.2027"
    )


def test_a_milestone_marked_by_another_reads_as_done_or_not():
    conflict = EditConflict("done_on", dt.date(2026, 12, 5), None, "Kari", AT, 2)
    assert conflict.describe(dt.date(2026, 12, 6)) == (
        "Endret av Kari kl. 10.42: milepæl utført 05.12.2026 — din: ikke utført"
    )
    assert change_text("done_on", None, "2026-12-06") == "milepæl ikke utført → utført 06.12.2026"


@pytest.mark.parametrize("text", ["Annes notat", "", "«sitat» i notatet", "Linje 1\nLinje 2"])
def test_a_free_text_shown_reads_back_as_written(text: str):
    assert written(shown("note", text)) == text


def test_what_a_replicas_conflict_may_also_be_about_reads_in_norwegian():
    from core.conflicts import FIELD_LABELS, MERGEABLE_FIELDS, shown

    assert (FIELD_LABELS["comment"], FIELD_LABELS["summary"]) == ("kommentar", "oppsummering")
    assert (shown("checked", True), shown("done_on", "2026-12-06")) == ("ja", "utført 06.12.2026")
    assert "comment" in MERGEABLE_FIELDS and "due_date" not in MERGEABLE_FIELDS
