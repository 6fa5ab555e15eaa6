"""Two advisors' replicas of a server (storage.sync, storage.usecases.sync): edits made offline
reach the server and each other, with exactly the conflicts expected and nothing lost."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from core.errors import InvalidInput
from storage.db import DatabaseError
from storage.models import Employee, EmployeeReview, Measure, Session
from storage.usecases import measures, sessions
from storage.usecases.sync import conflicts, resolve, sync, sync_status
from tests.storage.sync_fixtures import Offline, offline, own_server
from tui.cli import EXIT_OK, main

__all__ = ["offline", "own_server"]

DAY = dt.date(2025, 6, 2)
ADVICE = "individuell_radgivning"


def measure_id(engine: Engine, text: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(Measure.id).where(Measure.text == text)).scalar_one())


def measure(engine: Engine, text: str) -> dict[str, object]:
    with engine.connect() as conn:
        row = conn.execute(select(Measure).where(Measure.text == text)).one()
        return dict(row._mapping)


def first_on(engine: Engine) -> int:
    """The first session's id on this database (each replica has ids of its own)."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.min(Session.id))).scalar_one())


def review_note(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(select(EmployeeReview.note)).scalar_one())


def test_a_replica_holds_its_advisors_people_and_every_units_figures(offline: Offline):
    with offline.anne.connect() as conn:
        assert conn.execute(select(Employee.number)).scalars().all() == ["100001"]
    with offline.bent.connect() as conn:
        assert conn.execute(select(Employee.number)).scalars().all() == ["100002"]
    status = sync_status(offline.anne)
    assert status is not None
    assert (status.pending, status.conflicts, status.last_error) == (0, 0, None)
    assert offline.team.anne in status.server


def shared(offline: Offline) -> int:
    """Bent is given Lia too; Anne agrees two measures with Lia and writes a note on Ola, and
    both are in step. The session's id on Anne's replica."""
    team = offline.team
    assert main(["--db", offline.owner_url, "team", "assign", team.bent, "E1"]) == EXIT_OK
    session_id = sessions.start_session(offline.anne, 1, ADVICE, DAY)
    measures.add_measure(
        offline.anne,
        1,
        "enhet",
        "Felles rutine",
        due_date=dt.date(2025, 9, 1),
        session_id=session_id,
    )
    measures.add_measure(
        offline.anne, 1, "lederrolle", "Medarbeidersamtaler", session_id=session_id
    )
    sessions.set_review_note(offline.anne, session_id, 1, "Første notat")
    sessions.end_session(offline.anne, session_id, "Avtalt to tiltak.")
    assert sync(offline.anne).conflicts == 0
    assert sync(offline.bent).pulled == 2  # Lia and Berg
    return session_id


def test_offline_edits_of_two_advisors_merge_with_exactly_the_conflicts_expected(
    offline: Offline,
):
    first = shared(offline)
    anne, bent = offline.anne, offline.bent
    bents_session = sessions.start_session(bent, 1, ADVICE, DAY + dt.timedelta(days=1))
    offline.server.halt()

    # Anne: a new due date for the routine, the note, the leader's measure done.
    measures.update_measure(anne, measure_id(anne, "Felles rutine"), due_date=dt.date(2025, 9, 15))
    sessions.set_review_note(anne, first, 1, "Annes notat")
    measures.update_measure(anne, measure_id(anne, "Medarbeidersamtaler"), status="fullfort")
    # Bent: another owner of the routine (another field: merges), another due date and another
    # note (the same fields: conflicts), and a measure of his own.
    routine = measure_id(bent, "Felles rutine")
    measures.update_measure(bent, routine, owner="Bent", due_date=dt.date(2025, 10, 1))
    sessions.set_review_note(bent, first_on(bent), 1, "Bents notat")
    measures.add_measure(bent, 1, "enhet", "Kurs i nærværsarbeid", session_id=bents_session)

    for engine in (anne, bent):
        with pytest.raises(DatabaseError, match="Får ikke kontakt"):
            sync(engine)
        status = sync_status(engine)
        assert status is not None and status.pending > 0 and status.last_error
    offline.server.resume()

    assert sync(anne).conflicts == 0
    assert sync(bent).conflicts == 2
    sync(anne)

    found = {c.field: c for c in conflicts(bent)}
    assert set(found) == {"frist", "notat"}
    assert (found["frist"].mine, found["frist"].theirs) == ("01.10.2025", "15.09.2025")
    assert found["frist"].what == "tiltak «Felles rutine»"
    assert (found["notat"].mine, found["notat"].theirs) == ("«Bents notat»", "«Annes notat»")
    assert found["notat"].what == "notat for ansatt 100001"
    assert found["notat"].mergeable and not found["frist"].mergeable
    assert found["notat"].their_advisor == offline.team.anne
    assert conflicts(anne) == ()

    # Merged on the server and on Anne's replica: both advisors' fields, nothing twice.
    for engine in (anne, offline.team.as_login(offline.team.leah)):
        routine_row = measure(engine, "Felles rutine")
        assert (routine_row["due_date"], routine_row["owner"]) == (dt.date(2025, 9, 15), "Bent")
        assert measure(engine, "Medarbeidersamtaler")["status"] == "fullfort"
        assert measure(engine, "Kurs i nærværsarbeid")["unit_id"] == 1
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Measure)).scalar() == 3
            assert conn.execute(select(func.count()).select_from(Session)).scalar() == 2
        assert review_note(engine) == "Annes notat"
    # Bent's replica keeps his values until he chooses.
    assert measure(bent, "Felles rutine")["due_date"] == dt.date(2025, 10, 1)
    assert review_note(bent) == "Bents notat"

    resolve(bent, found["frist"].id, "theirs")
    resolve(bent, found["notat"].id, "merge", "Annes notat. Bents notat.")
    assert conflicts(bent) == ()
    assert measure(bent, "Felles rutine")["due_date"] == dt.date(2025, 9, 15)
    assert sync(bent).conflicts == 0
    sync(anne)
    assert review_note(anne) == "Annes notat. Bents notat."
    assert review_note(bent) == "Annes notat. Bents notat."


def test_keeping_mine_sends_it_as_an_edit_of_the_servers_value(offline: Offline):
    shared(offline)
    anne, bent = offline.anne, offline.bent
    measures.update_measure(anne, measure_id(anne, "Felles rutine"), due_date=dt.date(2025, 9, 15))
    measures.update_measure(bent, measure_id(bent, "Felles rutine"), due_date=dt.date(2025, 10, 1))
    sync(anne)
    assert sync(bent).conflicts == 1
    (conflict,) = conflicts(bent)
    with pytest.raises(InvalidInput, match="Bare fritekst"):
        resolve(bent, conflict.id, "merge", "15.09 eller 01.10")
    resolve(bent, conflict.id, "mine")
    with pytest.raises(InvalidInput, match="allerede løst"):
        resolve(bent, conflict.id, "theirs")
    assert sync(bent).conflicts == 0
    sync(anne)
    assert measure(anne, "Felles rutine")["due_date"] == dt.date(2025, 10, 1)


def test_a_replica_keeps_the_servers_monthly_figures_of_units_it_holds_no_people_of(
    offline: Offline,
):
    """Rebuilt from the replica's people, Berg's figures would drop to nothing."""
    from storage.models import UnitMonthFigure
    from storage.usecases.units import ensure_figures_current

    def bergs_lost(engine: Engine) -> float:
        with engine.connect() as conn:
            lost = select(func.sum(UnitMonthFigure.lost)).where(UnitMonthFigure.unit_id == 2)
            return float(conn.execute(lost).scalar_one())

    assert bergs_lost(offline.anne) == 5.0
    assert ensure_figures_current(offline.anne) is False
    assert bergs_lost(offline.anne) == 5.0


def test_the_first_note_on_one_employee_written_on_both_replicas_is_one_conflict(
    offline: Offline,
):
    """Each replica makes the review row (its own uid, the same session and employee)."""
    team = offline.team
    assert main(["--db", offline.owner_url, "team", "assign", team.bent, "E1"]) == EXIT_OK
    on_anne = sessions.start_session(offline.anne, 1, ADVICE, DAY)
    sync(offline.anne)
    sync(offline.bent)
    sessions.set_review_note(offline.anne, on_anne, 1, "Annes notat")
    sessions.set_review_note(offline.bent, first_on(offline.bent), 1, "Bents notat")
    sessions.set_presence_factor(offline.anne, 1, "styrke", 1, "Godt samhold")
    sessions.set_presence_factor(offline.bent, 1, "styrke", 1, "Godt samhold")
    assert sync(offline.anne).conflicts == 0
    assert sync(offline.bent).conflicts == 1
    (conflict,) = conflicts(offline.bent)
    assert (conflict.field, conflict.mine, conflict.theirs) == (
        "notat",
        "«Bents notat»",
        "«Annes notat»",
    )
    for engine in (offline.anne, offline.bent):
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(EmployeeReview)).scalar() == 1
    resolve(offline.bent, conflict.id, "mine")
    sync(offline.bent)
    sync(offline.anne)
    assert review_note(offline.anne) == "Bents notat"


def test_a_measure_cancelled_offline_is_cancelled_on_the_server_with_its_reason(
    offline: Offline,
):
    measures.add_measure(offline.anne, 1, "enhet", "Felles rutine")
    sync(offline.anne)
    offline.server.halt()
    measures.cancel_measure(offline.anne, measure_id(offline.anne, "Felles rutine"), "Ikke behov")
    offline.server.resume()
    assert sync(offline.anne).conflicts == 0
    lead = offline.team.as_login(offline.team.leah)
    assert measure(lead, "Felles rutine")["status"] == "avbrutt"
    (history,) = measures.measure_history(lead, measure_id(lead, "Felles rutine"))
    assert history.comment == "Avbrutt: Ikke behov" and history.session_id is None


def test_a_replica_opened_after_its_triggers_were_dropped_records_edits_again(
    offline: Offline,
):
    """A migration that rebuilds a table on SQLite drops its triggers with it."""
    import sqlite3
    from contextlib import closing

    from storage.db import open_database

    offline.anne.dispose()
    with closing(sqlite3.connect(offline.anne_path)) as conn:
        conn.execute("DROP TRIGGER sync_measures_insert")
        conn.commit()
    engine = open_database(offline.anne_path)
    try:
        measures.add_measure(engine, 1, "enhet", "Felles rutine")
        assert sync_status(engine).pending == 1
    finally:
        engine.dispose()


def test_a_replica_counts_every_units_people_as_the_server_does_today(offline: Offline):
    """Berg's people are not on Anne's replica, yet its unit list shows Berg's headcount."""
    from storage.repos.units import headcount_on
    from tests.conftest import read

    today = dt.date.today()
    assert read(headcount_on, offline.anne, today) == {1: 1, 2: 1}
    with offline.anne.connect() as conn:
        assert conn.execute(select(Employee.number)).scalars().all() == ["100001"]
    # Another day than the last sync's: counted from the people the replica holds.
    assert read(headcount_on, offline.anne, dt.date(2025, 6, 1)) == {1: 1}
