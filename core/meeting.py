"""The advisory meeting (møte): whether asking for one goes on with an open one or starts anew."""

from __future__ import annotations

import enum


class StartChoice(enum.Enum):
    RESUME = "resume"  # go on with the unit's open session of the same type
    ASK = "ask"  # the unit has already been met today: ask the advisor first
    START = "start"


def start_choice(
    open_type: str | None, session_type: str, ended_today: int, *, asked: bool
) -> StartChoice:
    """`open_type`: the type of the unit's open session, if any; `ended_today`: how many of its
    sessions held today have been ended; `asked`: the advisor has said yes to one more."""
    if open_type is not None and open_type == session_type:
        return StartChoice.RESUME
    if ended_today and not asked:
        return StartChoice.ASK
    return StartChoice.START
