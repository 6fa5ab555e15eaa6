"""The sessions held with a unit, as the agenda reads them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, func, select

from storage.models import Session as SessionRow


def last_ended_session_day(conn: Connection, unit_id: int, as_of: dt.date) -> dt.date | None:
    """The day of the unit's last ended session held on or before `as_of`, if any."""
    return conn.execute(
        select(func.max(SessionRow.held_on)).where(
            SessionRow.unit_id == unit_id,
            SessionRow.ended_at.is_not(None),
            SessionRow.held_on <= as_of,
        )
    ).scalar_one_or_none()


def session_before(
    conn: Connection, unit_id: int, session_id: int, held_on: dt.date
) -> dt.date | None:
    """The day of the unit's last session ended before the session `session_id` (held on
    `held_on`): its agenda's "since last time" runs from the day after. Sessions are numbered
    as they start, so one started later on the same day is not before it."""
    return conn.execute(
        select(func.max(SessionRow.held_on)).where(
            SessionRow.unit_id == unit_id,
            SessionRow.ended_at.is_not(None),
            SessionRow.held_on <= held_on,
            SessionRow.id < session_id,
        )
    ).scalar_one_or_none()
