"""Two advisors' replicas of a server (storage.sync, storage.usecases.sync): edits made offline
reach the server and each other, with exactly the conflicts expected and nothing lost."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from storage.models import Employee, Measure
from storage.usecases import measures, sessions
from storage.usecases.sync import sync, sync_status
from tests.storage.sync_fixtures import Offline, offline, own_server

__all__ = ["offline", "own_server"]

DAY = dt.date(2025, 6, 2)


def test_a_replica_holds_its_advisors_people_and_every_units_figures(offline: Offline):
    with offline.anne.connect() as conn:
        assert conn.execute(select(Employee.number)).scalars().all() == ["100001"]
    status = sync_status(offline.anne)
    assert status is not None and status.pending == 0 and status.conflicts == 0
    assert status.last_error is None and "@" in status.server


def test_a_measure_made_offline_reaches_the_server_and_the_other_replica(offline: Offline):
    session_id = sessions.start_session(offline.anne, 1, "individuell_radgivning", DAY)
    measures.add_measure(offline.anne, 1, "enhet", "Felles rutine", session_id=session_id)
    assert sync_status(offline.anne).pending > 0
    result = sync(offline.anne)
    assert result.conflicts == 0 and sync_status(offline.anne).pending == 0
    owner = offline.team.as_login(offline.team.leah)
    with owner.connect() as conn:
        assert conn.execute(select(Measure.text)).scalars().all() == ["Felles rutine"]
