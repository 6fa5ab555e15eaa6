"""Asking for a meeting: going on with the open one, asking first, or starting one."""

from __future__ import annotations

from core.meeting import StartChoice, start_choice


def test_an_open_session_of_the_same_type_is_gone_on_with_even_after_one_today():
    assert start_choice("statusmote", "statusmote", 2, asked=False) is StartChoice.RESUME


def test_a_unit_met_today_is_asked_about_first_unless_the_advisor_said_yes():
    assert start_choice(None, "statusmote", 1, asked=False) is StartChoice.ASK
    assert start_choice("oppstartsmote", "statusmote", 1, asked=False) is StartChoice.ASK
    assert start_choice(None, "statusmote", 1, asked=True) is StartChoice.START


def test_otherwise_a_session_is_started():
    assert start_choice(None, "statusmote", 0, asked=False) is StartChoice.START
    assert start_choice("oppstartsmote", "statusmote", 0, asked=False) is StartChoice.START
