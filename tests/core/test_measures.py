"""Measures: when one is overdue, and how a change to one is recorded."""

from __future__ import annotations

import datetime as dt

from core.measures import UNSET, MeasureChange, follow_up_kind, is_overdue

TODAY = dt.date(2026, 11, 25)


def test_an_open_measure_is_overdue_the_day_after_its_due_date():
    yesterday = TODAY - dt.timedelta(days=1)
    assert is_overdue(yesterday, "apen", TODAY)
    assert is_overdue(yesterday, "pagar", TODAY)
    assert not is_overdue(TODAY, "apen", TODAY)  # due today is not yet overdue
    assert not is_overdue(None, "apen", TODAY)
    assert not is_overdue(yesterday, "fullfort", TODAY)
    assert not is_overdue(yesterday, "avbrutt", TODAY)


def test_on_a_checklist_a_new_status_or_a_comment_ticks_a_date_does_not():
    assert MeasureChange(status="fullfort").as_follow_up().checked is True
    assert MeasureChange(comment="Ok").as_follow_up().checked is True
    assert MeasureChange(due_date=TODAY).as_follow_up().checked is None
    assert MeasureChange(checked=False, status="pagar").as_follow_up().checked is False


def test_outside_a_checklist_only_status_and_due_date_change_the_measure():
    assert MeasureChange(checked=True).as_update() is None
    assert MeasureChange(comment="Ok").as_update() is None
    update = MeasureChange(checked=True, comment="Ok", status="pagar").as_update()
    assert update == MeasureChange(status="pagar", due_date=UNSET)
    assert MeasureChange(due_date=None).as_update() == MeasureChange(due_date=None)


def test_where_a_checklist_item_goes_in_the_summary():
    due = dt.date(2026, 12, 1)
    assert follow_up_kind("avbrutt", due, "", False, ("apen", due)) == "closed"
    assert follow_up_kind("apen", due, "Snakket om", True, ("apen", due)) == "changed"
    assert follow_up_kind("apen", None, "", True, ("apen", due)) == "changed"
    assert follow_up_kind("pagar", due, "", False, None) == "changed"
    assert follow_up_kind("apen", due, "  ", True, ("apen", due)) == "ticked_open"
    assert follow_up_kind("apen", due, "", False, None) == "not_discussed"
