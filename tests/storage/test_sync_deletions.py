"""Deletions travel: a purge on the server leaves every replica, file included, at its next
sync; a unit no longer the advisor's takes its people and their rows with it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select

from storage.maintenance import daily_backup
from storage.models import Employee, EmployeeReview, Measure, Session
from storage.usecases import measures, sessions
from storage.usecases.sync import conflicts, sync, sync_status
from tests.storage.sync_fixtures import Offline, offline, own_server
from tests.storage.test_sync import ADVICE, DAY
from tui.cli import EXIT_OK, main

__all__ = ["offline", "own_server"]

NOTE = "Ola ønsker tilrettelagt turnus fra august"
MEASURE = "Samtale med Ola om turnus"


def count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def in_files(folder: Path, text: str) -> list[str]:
    """The files in `folder` holding `text` (as SQLite stores it, UTF-8)."""
    needle = text.encode()
    return [
        path.name for path in folder.rglob("*") if path.is_file() and needle in path.read_bytes()
    ]


def test_a_purge_on_the_server_leaves_both_replicas_and_their_files(offline: Offline):
    team = offline.team
    assert main(["--db", offline.owner_url, "team", "assign", team.bent, "E1"]) == EXIT_OK
    session_id = sessions.start_session(offline.anne, 1, ADVICE, DAY)
    sessions.set_review_note(offline.anne, session_id, 1, NOTE)
    measures.add_measure(
        offline.anne, 1, "enkeltsak", MEASURE, employee_id=1, session_id=session_id
    )
    sync(offline.anne)
    sync(offline.bent)
    for engine, path in ((offline.anne, offline.anne_path), (offline.bent, offline.bent_path)):
        assert count(engine, EmployeeReview) == 1 and count(engine, Measure) == 1
        daily_backup(engine)  # the app's at the day's first start, beside the file
        assert len(in_files(path.parent, NOTE)) >= 2  # what the purge must remove, copy too

    assert main(["--db", offline.owner_url, "purge", "--employee", "100001"]) == EXIT_OK
    for engine, path in ((offline.anne, offline.anne_path), (offline.bent, offline.bent_path)):
        sync(engine)
        with engine.connect() as conn:
            numbers = conn.execute(select(Employee.number)).scalars().all()
        assert "100001" not in numbers
        assert count(engine, EmployeeReview) == 0 and count(engine, Measure) == 0
        assert count(engine, Session) == 1  # the meeting itself is the unit's
        assert in_files(path.parent, NOTE) == []
        assert in_files(path.parent, MEASURE) == []
        assert in_files(path.parent, "Ola Lia") == []
        assert sync_status(engine).conflicts == 0
        assert [p.name for p in (path.parent / "backups").iterdir()]  # a copy of the day still


def test_a_unit_taken_from_the_advisor_leaves_the_replica_and_her_offline_edit_waits(
    offline: Offline,
):
    session_id = sessions.start_session(offline.anne, 1, ADVICE, DAY)
    sessions.set_review_note(offline.anne, session_id, 1, NOTE)
    sync(offline.anne)
    measures.add_measure(offline.anne, 1, "enhet", "Felles rutine")  # not yet pushed
    assert main(["--db", offline.owner_url, "team", "unassign", offline.team.anne, "E1"]) == EXIT_OK

    result = sync(offline.anne)
    assert result.pulled == 0
    assert count(offline.anne, Employee) == 0
    assert count(offline.anne, EmployeeReview) == 0 and count(offline.anne, Session) == 0
    assert count(offline.anne, Measure) == 0
    assert in_files(offline.anne_path.parent, NOTE) == []
    # The measure agreed meanwhile is not lost: the server refused it, and she is told.
    (refused,) = conflicts(offline.anne)
    assert refused.theirs == "avvist av serveren" and refused.what == "et tiltak"
