"""No edit overwrites another: two advisors interleave edits of the same measure and note, on
two engines of the same database; the audit log records who changed what."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, delete, insert, make_url, text, update
from sqlalchemy.exc import DBAPIError

from core.conflicts import EditConflict
from storage.db import open_database, open_server, transaction
from storage.models import AuditEntry, Employee, Employment, Unit
from storage.usecases import measures, sessions
from storage.usecases.settings import change_setting

pytestmark = pytest.mark.both_backends

DEC_20 = dt.date(2026, 12, 20)
JAN_15 = dt.date(2027, 1, 15)
_logins = itertools.count(1)


@dataclass(frozen=True)
class Advisor:
    name: str
    engine: Engine
    backend: str

    def acts(self) -> None:
        """On a file the advisor is the settings' name: whoever sits at it says who they are."""
        if self.backend == "sqlite":
            change_setting(self.engine, "advisor_name", self.name)


def second_login(backend: str, db_url: str, request: pytest.FixtureRequest) -> tuple[str, Engine]:
    """Another advisor: on a server a login of their own in the team, assigned the unit (the
    app's rights and row-level security), on a file another engine on the same file."""
    if backend == "sqlite":
        return "Per", open_database(Path(db_url))
    server = request.getfixturevalue("pg_server")
    login, password = f"per_{next(_logins)}", "per-secret"
    admin = server.admin()
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {login} LOGIN PASSWORD '{password}'"))
    admin.dispose()
    owner = create_engine(db_url)
    with owner.begin() as conn:
        conn.execute(text(f"GRANT naervaer_advisor TO {login}"))
        conn.execute(text(f"INSERT INTO advisors VALUES ('{login}', 'Per', false)"))
        conn.execute(text(f"INSERT INTO advisor_units VALUES ('{login}', 1)"))
    owner.dispose()
    url = make_url(db_url).set(username=login, password=password)
    return login, open_server(url.render_as_string(hide_password=False))


@pytest.fixture
def two(
    engine: Engine, backend: str, db_url: str, request: pytest.FixtureRequest
) -> Iterator[tuple[Advisor, Advisor]]:
    with transaction(engine) as s:
        s.execute(insert(Unit), [{"id": 1, "code": "SOL", "name": "Solsiden sykehjem"}])
        s.execute(insert(Employee), [{"id": 1, "number": "1001", "name": "Kari Nordmann"}])
        s.execute(
            insert(Employment),
            [
                {
                    "employee_id": 1,
                    "unit_id": 1,
                    "position_pct": 100.0,
                    "start_date": dt.date(2020, 1, 1),
                }
            ],
        )
    kari_name = "Kari" if backend == "sqlite" else make_url(db_url).username
    per_name, per_engine = second_login(backend, db_url, request)
    yield Advisor(str(kari_name), engine, backend), Advisor(per_name, per_engine, backend)
    per_engine.dispose()


def board(engine: Engine) -> dict[int, measures.MeasureRow]:
    return {m.id: m for m in sessions.measure_board(engine, 1, None).measures}


def test_the_second_edit_of_a_due_date_gets_the_conflict_with_both_values(two):
    kari, per = two
    kari.acts()
    mid = measures.add_measure(kari.engine, 1, "enhet", "Felles rutine", due_date=DEC_20)
    seen_by_kari = board(kari.engine)[mid].version
    seen_by_per = board(per.engine)[mid].version

    measures.update_measure(kari.engine, mid, due_date=JAN_15, base=seen_by_kari)
    per.acts()
    with pytest.raises(EditConflict) as raised:
        measures.update_measure(per.engine, mid, due_date=DEC_20, base=seen_by_per)

    conflict = raised.value
    assert (conflict.field, conflict.theirs, conflict.yours, conflict.by) == (
        "due_date",
        JAN_15,
        DEC_20,
        kari.name,
    )
    local = conflict.at.replace(tzinfo=dt.UTC).astimezone()  # type: ignore[union-attr]
    assert conflict.describe(local.date()) == (
        f"Endret av {kari.name} kl. {local:%H.%M}: frist 15.01.2027 — din: 20.12.2026"
    )
    assert board(per.engine)[mid].due_date == JAN_15  # nothing of Per's was written
    # Per keeps his own: an edit of the version he has now seen.
    measures.update_measure(per.engine, mid, due_date=DEC_20, base=conflict.version)
    assert board(kari.engine)[mid].due_date == DEC_20


def test_edits_of_different_measures_or_fields_do_not_conflict(two):
    kari, per = two
    kari.acts()
    first = measures.add_measure(kari.engine, 1, "enhet", "Felles rutine", due_date=DEC_20)
    second = measures.add_measure(kari.engine, 1, "lederrolle", "Medarbeidersamtaler")
    seen = {mid: m.version for mid, m in board(per.engine).items()}

    measures.update_measure(kari.engine, first, status="pagar", base=seen[first])
    per.acts()
    measures.update_measure(per.engine, second, due_date=JAN_15, base=seen[second])
    # Another field of the measure Kari changed: hers stands, and Per's goes on top.
    measures.update_measure(per.engine, first, due_date=JAN_15, base=seen[first])

    now = board(kari.engine)
    assert (now[first].status, now[first].due_date) == ("pagar", JAN_15)
    assert now[second].due_date == JAN_15


def test_the_audit_log_says_who_changed_what_and_created_by_is_kept(two):
    kari, per = two
    kari.acts()
    mid = measures.add_measure(kari.engine, 1, "enhet", "Felles rutine", due_date=DEC_20)
    measures.update_measure(kari.engine, mid, status="pagar", text="Felles rutine for samtaler")
    per.acts()
    measures.update_measure(per.engine, mid, due_date=JAN_15)
    measures.update_measure(per.engine, mid, due_date=JAN_15)  # the same again: no change

    changes = [
        (c.advisor, c.version, c.field, c.old_value, c.new_value)
        for c in measures.measure_changes(per.engine, mid)
    ]
    assert changes == [
        (kari.name, 2, "text", None, None),  # free text: that it changed, not what it said
        (kari.name, 2, "status", "apen", "pagar"),
        (per.name, 3, "due_date", "2026-12-20", "2027-01-15"),
    ]
    with kari.engine.connect() as conn:
        row = conn.execute(
            text("SELECT created_by, changed_by, version FROM measures WHERE id = :id"),
            {"id": mid},
        ).one()
    assert tuple(row) == (kari.name, per.name, 3)


def test_a_note_is_never_overwritten_by_one_written_on_an_older_text(two):
    kari, per = two
    kari.acts()
    sid = sessions.start_session(kari.engine, 1, "individuell_radgivning", DEC_20)
    base = sessions.session_info(per.engine, sid).version

    # Kari's autosave goes on from the version each save returns.
    saved = sessions.set_session_note(kari.engine, sid, "Turnus", base=base)
    saved = sessions.set_session_note(kari.engine, sid, "Turnus og vikarer", base=saved)
    per.acts()
    with pytest.raises(EditConflict) as raised:
        sessions.set_session_note(per.engine, sid, "Sykefravær i desember", base=base)
    assert (raised.value.theirs, raised.value.yours, raised.value.by) == (
        "Turnus og vikarer",
        "Sykefravær i desember",
        kari.name,
    )
    assert sessions.session_info(kari.engine, sid).note == "Turnus og vikarer"

    # The review's note: none written yet is version 0.
    sessions.set_review_note(kari.engine, sid, 1, "Gradert fra januar", base=0)
    with pytest.raises(EditConflict) as review:
        sessions.set_review_note(per.engine, sid, 1, "Ringes i morgen", base=0)
    assert (review.value.field, review.value.theirs) == ("note", "Gradert fra januar")
    # The tick is another field: Per's stands beside Kari's note.
    sessions.set_reviewed(per.engine, sid, 1, True, base=0)


def test_the_audit_log_is_append_only_on_the_server(two, backend):
    if backend == "sqlite":
        pytest.skip("a file has one user: nothing there to refuse")
    kari, per = two
    mid = measures.add_measure(kari.engine, 1, "enhet", "Felles rutine")
    measures.update_measure(kari.engine, mid, status="pagar")
    for advisor in (kari, per):
        for statement in (
            update(AuditEntry).values(new_value="ferdig"),
            delete(AuditEntry),
        ):
            # The owner is refused by the trigger, an advisor already by the grants.
            refused = "append-only|permission denied"
            with pytest.raises(DBAPIError, match=refused), advisor.engine.begin() as conn:
                conn.execute(statement)
    assert [c.new_value for c in measures.measure_changes(per.engine, mid)] == ["pagar"]


def test_presence_factors_and_scores_keep_who_changed_them(two):
    kari, per = two
    kari.acts()
    sessions.set_presence_factor(kari.engine, 1, "styrke", 1, "Godt samhold")
    sessions.set_survey_score(kari.engine, 1, "leder", "Mestringstro", 3.0, DEC_20)
    per.acts()
    sessions.set_presence_factor(per.engine, 1, "styrke", 1, "Godt samhold i gruppa")
    with per.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT table_name, advisor, version, field, old_value, new_value FROM audit_log "
                "ORDER BY id"
            )
        ).all()
        factor = conn.execute(
            text("SELECT created_by, changed_by, version FROM presence_factors")
        ).one()
    assert [tuple(r) for r in rows] == [
        ("presence_factors", kari.name, 1, "text", None, None),
        ("survey_scores", kari.name, 1, "score", None, "3.0"),
        ("survey_scores", kari.name, 1, "measured_on", None, "2026-12-20"),
        ("presence_factors", per.name, 2, "text", None, None),
    ]
    assert tuple(factor) == (kari.name, per.name, 2)


def test_a_milestone_marked_by_another_advisor_meanwhile_is_a_conflict_and_logged(two):
    kari, per = two
    start, key = dt.date(2026, 11, 2), "followup_plan"
    kari.acts()
    # Both see the milestone not done: it has no row yet, version 0.
    seen_by_kari = sessions.set_milestone_done(kari.engine, 1, start, key, True, DEC_20, None, 0)
    per.acts()
    # Per marks it done the same day: what stands already, nothing to choose.
    assert sessions.set_milestone_done(per.engine, 1, start, key, True, DEC_20, None, 0) == 1

    kari.acts()
    sessions.set_milestone_done(kari.engine, 1, start, key, False, DEC_20, None, seen_by_kari)
    per.acts()
    # Per, who saw it done at version 1, marks it done on another day: Kari unmarked it since.
    with pytest.raises(EditConflict) as raised:
        sessions.set_milestone_done(per.engine, 1, start, key, True, JAN_15, None, 1)
    conflict = raised.value
    assert (conflict.field, conflict.theirs, conflict.yours, conflict.by, conflict.version) == (
        "done_on",
        None,
        JAN_15,
        kari.name,
        2,
    )
    with per.engine.connect() as conn:
        assert conn.execute(text("SELECT done_on, version FROM milestones_done")).all() == [
            (None, 2)
        ]
    # Per keeps his: an edit of the version he has now seen.
    sessions.set_milestone_done(per.engine, 1, start, key, True, JAN_15, None, conflict.version)

    changes = [
        (milestone, c.advisor, c.version, c.field, c.old_value, c.new_value)
        for milestone, c in sessions.milestone_changes(kari.engine, 1, start)
    ]
    assert changes == [
        (key, kari.name, 1, "done_on", None, "2026-12-20"),
        (key, kari.name, 2, "done_on", "2026-12-20", None),
        (key, per.name, 3, "done_on", None, "2027-01-15"),
    ]
