"""Attacks on the sync (storage.sync, storage.usecases.sync): ways an advisor's edit made on a
replica could be lost, applied twice or overwritten unseen, and ways personal data could stay
in a replica file it must leave."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from storage.db import DatabaseError
from storage.models import (
    EmployeeReview,
    Measure,
    MeasureFollowUp,
    MilestoneDone,
    PresenceFactor,
    Session,
    SurveyScore,
)
from storage.sync import pull
from storage.usecases import measures, sessions
from storage.usecases import sync as sync_cases
from storage.usecases.sync import conflicts, resolve, sync, sync_status
from tests.storage.sync_fixtures import Offline, offline, own_server
from tests.storage.test_sync import ADVICE, DAY, first_on, measure, measure_id, review_note
from tests.storage.test_sync_deletions import in_files
from tui.cli import EXIT_OK, main

__all__ = ["offline", "own_server"]

NOTE_A = "Ola vil prøve redusert turnus i august"
NOTE_B = "Ola har vondt i ryggen etter løft"


def both_have_lia(offline: Offline) -> int:
    """Bent is given Lia too; Anne starts a meeting there, and both replicas have it. The
    meeting's id on Anne's replica."""
    team = offline.team
    assert main(["--db", offline.owner_url, "team", "assign", team.bent, "E1"]) == EXIT_OK
    session_id = sessions.start_session(offline.anne, 1, ADVICE, DAY)
    sync(offline.anne)
    sync(offline.bent)
    return session_id


def comment_on(engine: Engine, text: str) -> str:
    with engine.connect() as conn:
        query = select(MeasureFollowUp.comment).where(
            MeasureFollowUp.measure_id == measure_id(engine, text),
            MeasureFollowUp.session_id.is_not(None),
        )
        return str(conn.execute(query).scalar_one())


def test_a_follow_up_first_recorded_on_both_replicas_keeps_the_second_comment(
    offline: Offline,
):
    """Both record the same measure in the same meeting offline: each laptop makes the
    follow-up row (its own uid, the same measure and meeting). The second comment must not
    vanish unseen."""
    on_anne = both_have_lia(offline)
    measures.add_measure(offline.anne, 1, "enhet", "Felles rutine")  # after the meeting began
    sync(offline.anne)
    sync(offline.bent)
    routine = "Felles rutine"
    measures.follow_up(
        offline.anne, measure_id(offline.anne, routine), on_anne, comment="Annes kommentar"
    )
    measures.follow_up(
        offline.bent,
        measure_id(offline.bent, routine),
        first_on(offline.bent),
        comment="Bents kommentar",
    )
    assert sync(offline.anne).conflicts == 0
    assert sync(offline.bent).conflicts == 1
    (conflict,) = conflicts(offline.bent)
    assert (conflict.field, conflict.mine, conflict.theirs) == (
        "kommentar",
        "«Bents kommentar»",
        "«Annes kommentar»",
    )
    assert conflict.mergeable
    resolve(offline.bent, conflict.id, "merge", "Annes kommentar. Bents kommentar.")
    assert sync(offline.bent).conflicts == 0
    sync(offline.anne)
    for engine in (offline.anne, offline.bent):
        assert comment_on(engine, routine) == "Annes kommentar. Bents kommentar."


def two_first_notes(offline: Offline) -> None:
    """Anne and Bent each write the first note on Ola in Anne's meeting, offline: each laptop
    makes the review row."""
    on_anne = both_have_lia(offline)
    sessions.set_review_note(offline.anne, on_anne, 1, NOTE_A)
    sessions.set_review_note(offline.bent, first_on(offline.bent), 1, NOTE_B)
    assert sync(offline.anne).conflicts == 0


def the_note_conflict(engine: Engine, mine: str) -> int:
    (conflict,) = conflicts(engine)
    assert (conflict.field, conflict.mine, conflict.theirs) == ("notat", f"«{mine}»", f"«{NOTE_A}»")
    return conflict.id


def test_a_crash_after_the_servers_commit_keeps_the_conflict_about_a_row_made_on_both(
    offline: Offline, monkeypatch: pytest.MonkeyPatch
):
    """The push that found Bent's row to be Anne's is committed, then the laptop dies before
    it hears: the repeated push must still know the row, not call it deleted."""
    two_first_notes(offline)

    def crash(*_args: object) -> None:
        raise RuntimeError("the laptop's battery ran out")

    monkeypatch.setattr(sync_cases, "_store_conflicts", crash)
    with pytest.raises(RuntimeError):
        sync(offline.bent)
    monkeypatch.undo()
    assert sync(offline.bent).conflicts == 1
    conflict = the_note_conflict(offline.bent, NOTE_B)
    resolve(offline.bent, conflict, "mine")
    sync(offline.bent)
    sync(offline.anne)
    assert review_note(offline.anne) == NOTE_B


def test_an_edit_after_a_push_whose_pull_was_cut_goes_to_the_row_both_made(
    offline: Offline, monkeypatch: pytest.MonkeyPatch
):
    """The network goes between the push and the pull; Bent writes on in his note. His new
    text is an edit of the server's row, not of a row the server never had."""
    two_first_notes(offline)

    def cut(*_args: object) -> None:
        raise DatabaseError("Får ikke kontakt med serveren")

    monkeypatch.setattr(pull, "read", cut)
    with pytest.raises(DatabaseError):
        sync(offline.bent)
    monkeypatch.undo()
    sessions.set_review_note(offline.bent, first_on(offline.bent), 1, f"{NOTE_B}. Ny avtale.")
    sync(offline.bent)
    conflict = the_note_conflict(offline.bent, f"{NOTE_B}. Ny avtale.")
    resolve(offline.bent, conflict, "mine")
    sync(offline.bent)
    sync(offline.anne)
    assert review_note(offline.anne) == f"{NOTE_B}. Ny avtale."


def test_a_purge_leaves_no_text_of_the_person_in_a_replicas_conflicts(offline: Offline):
    """Bent has an unresolved conflict about Ola's note when Ola is purged: neither value may
    stay in his file."""
    two_first_notes(offline)
    assert sync(offline.bent).conflicts == 1
    assert in_files(offline.bent_path.parent, NOTE_A)  # what the purge must remove
    assert main(["--db", offline.owner_url, "purge", "--employee", "100001"]) == EXIT_OK
    sync(offline.bent)
    assert conflicts(offline.bent) == ()
    assert in_files(offline.bent_path.parent, NOTE_A) == []
    assert in_files(offline.bent_path.parent, NOTE_B) == []


def test_a_purge_leaves_no_text_of_an_edit_that_waited_for_it(offline: Offline):
    """Bent edits Ola's note offline; Ola is purged before Bent syncs: the edit has nowhere to
    go, and its text must not stay in his file."""
    on_anne = both_have_lia(offline)
    sessions.set_review_note(offline.anne, on_anne, 1, NOTE_A)
    sync(offline.anne)
    sync(offline.bent)
    sessions.set_review_note(offline.bent, first_on(offline.bent), 1, NOTE_B)
    assert main(["--db", offline.owner_url, "purge", "--employee", "100001"]) == EXIT_OK
    sync(offline.bent)
    status = sync_status(offline.bent)
    assert status is not None and (status.pending, status.conflicts) == (0, 0)
    assert in_files(offline.bent_path.parent, NOTE_A) == []
    assert in_files(offline.bent_path.parent, NOTE_B) == []


def test_a_measure_cancelled_offline_while_the_other_moved_its_due_date(offline: Offline):
    """Different fields: both hold, with no conflict; the cancellation's history too."""
    both_have_lia(offline)
    measures.add_measure(offline.anne, 1, "enhet", "Felles rutine", due_date=dt.date(2025, 9, 1))
    sync(offline.anne)
    sync(offline.bent)
    offline.server.halt()
    measures.cancel_measure(offline.anne, measure_id(offline.anne, "Felles rutine"), "Ikke behov")
    measures.update_measure(
        offline.bent, measure_id(offline.bent, "Felles rutine"), due_date=dt.date(2025, 10, 1)
    )
    offline.server.resume()
    assert sync(offline.bent).conflicts == 0
    assert sync(offline.anne).conflicts == 0
    sync(offline.bent)
    for engine in (offline.anne, offline.bent, offline.team.as_login(offline.team.leah)):
        row = measure(engine, "Felles rutine")
        assert (row["status"], row["due_date"]) == ("avbrutt", dt.date(2025, 10, 1))


def test_the_session_note_written_on_both_is_one_mergeable_conflict(offline: Offline):
    on_anne = both_have_lia(offline)
    sessions.set_session_note(offline.anne, on_anne, "Annes møtenotat")
    sessions.set_session_note(offline.bent, first_on(offline.bent), "Bents møtenotat")
    assert sync(offline.anne).conflicts == 0
    assert sync(offline.bent).conflicts == 1
    (conflict,) = conflicts(offline.bent)
    assert (conflict.field, conflict.mergeable) == ("notat", True)
    resolve(offline.bent, conflict.id, "merge", "Annes møtenotat. Bents møtenotat.")
    sync(offline.bent)
    sync(offline.anne)
    with offline.anne.connect() as conn:
        assert conn.execute(select(Session.note)).scalar_one() == (
            "Annes møtenotat. Bents møtenotat."
        )


def test_a_unit_moved_to_another_advisor_takes_the_waiting_note_with_it(offline: Offline):
    """Anne edits Ola's note offline while Lia is moved to Bent: the server refuses her edit,
    and no text about Ola stays in her file."""
    on_anne = sessions.start_session(offline.anne, 1, ADVICE, DAY)
    sessions.set_review_note(offline.anne, on_anne, 1, NOTE_A)
    sync(offline.anne)
    sessions.set_review_note(offline.anne, on_anne, 1, NOTE_B)
    team = offline.team
    assert main(["--db", offline.owner_url, "team", "unassign", team.anne, "E1"]) == EXIT_OK
    assert main(["--db", offline.owner_url, "team", "assign", team.bent, "E1"]) == EXIT_OK
    sync(offline.anne)
    assert conflicts(offline.anne) == ()
    for text in (NOTE_A, NOTE_B, "Ola Lia"):
        assert in_files(offline.anne_path.parent, text) == []
    sync(offline.bent)
    assert review_note(offline.bent) == NOTE_A


def test_a_meeting_ended_on_both_replicas_conflicts_on_its_summary_alone(offline: Offline):
    """Both close the same meeting offline, each with a summary, at different moments."""
    on_anne = both_have_lia(offline)
    sessions.end_session(offline.anne, on_anne, "Annes oppsummering")
    sessions.end_session(offline.bent, first_on(offline.bent), "Bents oppsummering")
    sync(offline.anne)
    sync(offline.bent)
    assert [c.field for c in conflicts(offline.bent)] == ["oppsummering"]


def test_a_unit_purged_on_the_server_leaves_no_text_of_its_meetings_in_the_conflicts(
    offline: Offline,
):
    """Bent has an unresolved conflict about the meeting's note when Lia is purged."""
    on_anne = both_have_lia(offline)
    sessions.set_session_note(offline.anne, on_anne, NOTE_A)
    sessions.set_session_note(offline.bent, first_on(offline.bent), NOTE_B)
    sync(offline.anne)
    assert sync(offline.bent).conflicts == 1
    assert main(["--db", offline.owner_url, "purge", "--unit", "E1"]) == EXIT_OK
    sync(offline.bent)
    assert conflicts(offline.bent) == ()
    assert in_files(offline.bent_path.parent, NOTE_A) == []
    assert in_files(offline.bent_path.parent, NOTE_B) == []


def test_a_unit_taken_from_the_advisor_leaves_no_text_of_its_meetings_in_her_conflicts(
    offline: Offline,
):
    """Anne has an unresolved conflict about the meeting's note when Lia is taken from her:
    the notes of a unit's meetings are its advisors' alone."""
    on_anne = both_have_lia(offline)
    sessions.set_session_note(offline.bent, first_on(offline.bent), NOTE_B)
    sessions.set_session_note(offline.anne, on_anne, NOTE_A)
    sync(offline.bent)
    assert sync(offline.anne).conflicts == 1
    assert main(["--db", offline.owner_url, "team", "unassign", offline.team.anne, "E1"]) == EXIT_OK
    sync(offline.anne)
    assert conflicts(offline.anne) == ()
    assert in_files(offline.anne_path.parent, NOTE_A) == []
    assert in_files(offline.anne_path.parent, NOTE_B) == []


def test_a_measure_agreed_offline_and_changed_again_keeps_what_was_agreed_when_refused(
    offline: Offline,
):
    """Lia is taken from Anne while a measure she agreed, then gave a due date, waits: the
    server refuses both edits, and her conflict still holds (and shows) the measure."""
    measures.add_measure(offline.anne, 1, "enhet", "Felles rutine")
    routine = measure_id(offline.anne, "Felles rutine")
    measures.update_measure(offline.anne, routine, due_date=dt.date(2025, 9, 1))
    assert main(["--db", offline.owner_url, "team", "unassign", offline.team.anne, "E1"]) == EXIT_OK
    sync(offline.anne)
    (refused,) = conflicts(offline.anne)
    assert (refused.field, refused.theirs) == ("raden", "avvist av serveren")
    assert refused.mine == "«Felles rutine»"


def test_a_whole_meeting_held_offline_reaches_the_server_and_the_other_replica_once(
    offline: Offline,
):
    """Rows made offline refer to each other (a measure made in the meeting, its follow-up,
    the review, the milestone marked in it), each edited again before the push; pushed twice,
    nothing is written twice."""
    team = offline.team
    assert main(["--db", offline.owner_url, "team", "assign", team.bent, "E1"]) == EXIT_OK
    offline.server.halt()
    anne = offline.anne
    meeting = sessions.start_session(anne, 1, ADVICE, DAY)
    measures.add_measure(
        anne, 1, "enkeltsak", "Samtale om turnus", employee_id=1, session_id=meeting
    )
    talk = measure_id(anne, "Samtale om turnus")
    measures.update_measure(anne, talk, due_date=dt.date(2025, 8, 1), owner="Leder")
    measures.follow_up(anne, talk, meeting, checked=True, comment="Avtalt dato")
    sessions.set_review_note(anne, meeting, 1, NOTE_A)
    sessions.set_reviewed(anne, meeting, 1, True)
    sessions.set_milestone_done(
        anne, 1, dt.date(2025, 3, 3), "employer_period_end", True, DAY, meeting
    )
    sessions.set_presence_factor(anne, 1, "styrke", 1, "Godt samhold")
    sessions.set_presence_factor(anne, 1, "styrke", 1, "Godt samhold og humor")
    sessions.set_survey_score(anne, 1, "leder", "Mestringstro", 4.0)
    sessions.end_session(anne, meeting, "Avtalt samtale om turnus.")
    offline.server.resume()
    assert sync(anne).conflicts == 0
    assert sync(anne).pushed == 0
    sync(offline.bent)
    lead = team.as_login(team.leah)
    for engine in (lead, offline.bent):
        with engine.connect() as conn:
            for model in (Session, Measure, EmployeeReview, MilestoneDone):
                assert len(conn.execute(select(model.id)).all()) == 1, model
            assert conn.execute(select(PresenceFactor.text)).scalars().all() == [
                "Godt samhold og humor"
            ]
            assert conn.execute(select(SurveyScore.score)).scalars().all() == [4.0]
            review = conn.execute(select(EmployeeReview.note, EmployeeReview.reviewed)).one()
            assert tuple(review) == (NOTE_A, True)
        row = measure(engine, "Samtale om turnus")
        assert (row["due_date"], row["owner"], row["employee_id"]) == (
            dt.date(2025, 8, 1),
            "Leder",
            1,
        )
        assert comment_on(engine, "Samtale om turnus") == "Avtalt dato"
        history = measures.measure_history(engine, measure_id(engine, "Samtale om turnus"))
        assert len(history) == 1


@pytest.mark.xfail(
    strict=True,
    reason="An edit made offline before the unit was moved to another advisor is refused by the "
    "server's row-level security, and the pull then removes the unit's rows and the conflict "
    "(its data must leave the replica): the edit reaches no one. Needs a decision on the server "
    "(apply edits based on a version from before the move, or hand them to the unit's advisor).",
)
def test_a_unit_measure_changed_offline_before_the_unit_was_moved_is_not_lost(offline: Offline):
    measures.add_measure(offline.anne, 1, "enhet", "Felles rutine")
    sync(offline.anne)
    measures.update_measure(
        offline.anne, measure_id(offline.anne, "Felles rutine"), status="fullfort"
    )
    team = offline.team
    assert main(["--db", offline.owner_url, "team", "unassign", team.anne, "E1"]) == EXIT_OK
    assert main(["--db", offline.owner_url, "team", "assign", team.bent, "E1"]) == EXIT_OK
    sync(offline.anne)
    sync(offline.bent)
    assert measure(offline.bent, "Felles rutine")["status"] == "fullfort"


def test_an_edit_the_server_cannot_store_does_not_hold_back_the_others(offline: Offline):
    """The replica's file takes a longer advisor's name than the server's column does: that
    meeting is refused and shown, and the edits after it (and the pull) still go."""
    sessions.start_session(offline.anne, 1, ADVICE, DAY, advisor="A" * 250)
    measures.add_measure(offline.anne, 1, "enhet", "Felles rutine")
    assert sync(offline.anne).conflicts == 1
    (refused,) = conflicts(offline.anne)
    assert (refused.table, refused.theirs) == ("sessions", "avvist av serveren")
    assert measure(offline.team.as_login(offline.team.leah), "Felles rutine")["unit_id"] == 1
    status = sync_status(offline.anne)
    assert status is not None and (status.pending, status.last_error) == (0, None)


def test_a_first_note_written_offline_in_a_unit_moved_meanwhile_leaves_the_file(
    offline: Offline,
):
    """The review row itself was made offline: refused whole, it names Ola, and goes."""
    on_anne = sessions.start_session(offline.anne, 1, ADVICE, DAY)
    sync(offline.anne)
    sessions.set_review_note(offline.anne, on_anne, 1, NOTE_A)
    assert main(["--db", offline.owner_url, "team", "unassign", offline.team.anne, "E1"]) == EXIT_OK
    sync(offline.anne)
    assert conflicts(offline.anne) == ()
    assert in_files(offline.anne_path.parent, NOTE_A) == []
