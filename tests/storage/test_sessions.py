"""Tests for the advisory session's storage, on a real SQLite file and a PostgreSQL database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from core.summary import summary_markdown
from storage import sessions as ss
from storage.db import open_database, open_server, transaction
from storage.models import Employee, Employment, Measure, Unit
from storage.paths import is_url

pytestmark = pytest.mark.both_backends

NOV_12 = dt.date(2026, 11, 12)
DEC_10 = dt.date(2026, 12, 10)
JAN_14 = dt.date(2027, 1, 14)


@dataclass(frozen=True)
class World:
    db_url: str
    engine: Engine
    unit: int
    other_unit: int
    kari: int
    per: int
    gone: int
    elsewhere: int


@pytest.fixture
def world(engine: Engine, db_url: str) -> World:
    unit, other, kari, per, gone, elsewhere = 1, 2, 1, 2, 3, 4
    with transaction(engine) as s:
        s.execute(
            insert(Unit),
            [
                {"id": unit, "code": "SOL", "name": "Solsiden sykehjem"},
                {"id": other, "code": "BHG", "name": "Bakken barnehage"},
            ],
        )
        s.execute(
            insert(Employee),
            [
                {"id": kari, "number": "1001", "name": "Kari Nordmann"},
                {"id": per, "number": "1002", "name": "Per Hansen"},
                {"id": gone, "number": "1003", "name": "Ola Sluttet"},
                {"id": elsewhere, "number": "2001", "name": "Lise Annensted"},
            ],
        )
        s.execute(
            insert(Employment),
            [
                # Kari has two rows in the unit (a change of position %): counted once.
                {"employee_id": kari, "unit_id": unit, "position_pct": 50.0,
                 "start_date": dt.date(2020, 1, 1), "end_date": dt.date(2023, 12, 31)},
                {"employee_id": kari, "unit_id": unit, "position_pct": 100.0,
                 "start_date": dt.date(2024, 1, 1), "end_date": None},
                {"employee_id": per, "unit_id": unit, "position_pct": 80.0,
                 "start_date": dt.date(2022, 3, 1), "end_date": None},
                {"employee_id": gone, "unit_id": unit, "position_pct": 100.0,
                 "start_date": dt.date(2019, 1, 1), "end_date": dt.date(2025, 6, 30)},
                {"employee_id": elsewhere, "unit_id": other, "position_pct": 100.0,
                 "start_date": dt.date(2019, 1, 1), "end_date": None},
            ],
        )  # fmt: skip
    return World(db_url, engine, unit, other, kari, per, gone, elsewhere)


def fresh(world: World) -> Engine:
    """A second engine on the same file: what a restart after a crash would see."""
    if is_url(world.db_url):
        return open_server(world.db_url)
    return open_database(Path(world.db_url))


def test_whole_flow_across_three_sessions(world: World) -> None:
    e, unit = world.engine, world.unit

    # Session 1: measures at all three levels, reviews, notes, a milestone.
    s1 = ss.start_session(e, unit, "individuell_radgivning", NOV_12, advisor="Anne Rådgiver")
    assert ss.checklist(e, s1) == []
    case_m = ss.add_measure(
        e, unit, "enkeltsak", "Avtale dialogmøte", owner="Leder", due_date=dt.date(2026, 12, 1),
        session_id=s1, employee_id=world.kari,
    )  # fmt: skip
    unit_m = ss.add_measure(
        e, unit, "enhet", "Gå gjennom turnusen", owner="Verneombud",
        due_date=dt.date(2026, 12, 5), session_id=s1,
    )  # fmt: skip
    lead_m = ss.add_measure(e, unit, "lederrolle", "Ukentlig nærværssamtale", session_id=s1)
    ss.set_reviewed(e, s1, world.kari, True)
    ss.set_reviewed(e, s1, world.per, True)
    ss.set_reviewed(e, s1, world.per, False)
    ss.set_review_note(e, s1, world.kari, "Ønsker tilrettelegging")
    ss.set_session_note(e, s1, "God samtale.")
    ss.set_milestone_done(e, world.kari, dt.date(2026, 10, 1), "followup_plan", True, NOV_12, s1)

    assert ss.review_states(e, s1) == {
        world.kari: (True, "Ønsker tilrettelegging"),
        world.per: (False, ""),
    }
    assert ss.milestones_done(e, [world.kari, world.per]) == {
        (world.kari, dt.date(2026, 10, 1)): {"followup_plan"}
    }
    created = ss.measures_created_in(e, s1)
    assert [m.id for m in created] == [case_m, unit_m, lead_m]
    assert created[0].employee_number == "1001"
    assert created[0].employee_name == "Kari Nordmann"
    assert created[0].created_on == NOV_12
    assert ss.open_session(e, unit) == ss.session_info(e, s1)

    summary1 = ss.session_summary(e, s1)
    assert summary1.total_employees == 2
    assert summary1.reviewed == (("1001", "Kari Nordmann"),)
    assert [m.level for m in summary1.measures_agreed] == ["enkeltsak", "enhet", "lederrolle"]
    assert summary1.measures_changed == summary1.measures_closed == ()
    ss.end_session(e, s1, summary_markdown(summary1, masked=True))
    info1 = ss.session_info(e, s1)
    assert info1.ended_at is not None
    assert info1.summary is not None and "1 av 2 ansatte gjennomgått" in info1.summary
    assert ss.open_session(e, unit) is None
    assert ss.latest_ended_session(e, unit) == info1

    # Session 2: the open measures are the checklist; tick one, re-date one, close one.
    s2 = ss.start_session(e, unit, "individuell_radgivning", DEC_10)
    items = ss.checklist(e, s2)
    assert [i.measure.id for i in items] == [case_m, unit_m, lead_m]
    assert all(not i.checked and i.comment == "" for i in items)
    assert items[0].due_date == dt.date(2026, 12, 1)
    ss.follow_up(e, lead_m, s2, checked=True)
    ss.follow_up(e, unit_m, s2, checked=True, due_date=dt.date(2027, 1, 31))
    ss.follow_up(e, case_m, s2, checked=True, status="fullfort", comment="Møtet er holdt.")
    new_m = ss.add_measure(e, unit, "enhet", "Felles lunsj", session_id=s2)

    measures = {m.id: m for m in ss.measures_for_unit(e, unit)}
    assert measures[case_m].status == "fullfort"
    assert measures[unit_m].due_date == dt.date(2027, 1, 31)
    assert [m.id for m in ss.measures_for_unit(e, unit)][-1] == case_m  # closed last
    assert case_m not in {m.id for m in ss.measures_for_unit(e, unit, open_only=True)}

    summary2 = ss.session_summary(e, s2)
    assert [m.text for m in summary2.measures_agreed] == ["Felles lunsj"]
    assert [m.text for m in summary2.measures_closed] == ["Avtale dialogmøte"]
    assert summary2.measures_closed[0].comment == "Møtet er holdt."
    changed = summary2.measures_changed
    assert [m.text for m in changed] == ["Gå gjennom turnusen"]  # ticked only: not changed
    assert changed[0].previous_due_date == dt.date(2026, 12, 5)
    assert changed[0].due_date == dt.date(2027, 1, 31)
    text2 = summary_markdown(summary2, masked=False)
    assert "frist: 31.01.2027 (var 05.12.2026)" in text2
    ss.end_session(e, s2, text2)

    # Session 3: the closed one is gone; the new one from session 2 is there.
    s3 = ss.start_session(e, unit, "statusmote", JAN_14)
    assert {i.measure.id for i in ss.checklist(e, s3)} == {unit_m, lead_m, new_m}
    assert ss.session_summary(e, s3).measures_changed == ()

    history = ss.measure_history(e, case_m)
    assert [(h.session_id, h.status, h.comment) for h in history] == [
        (s1, "apen", ""),
        (s2, "fullfort", "Møtet er holdt."),
    ]
    assert history[1].held_on == DEC_10
    assert history[1].session_type == "individuell_radgivning"
    assert [s.id for s in ss.sessions_for_unit(e, unit)] == [s3, s2, s1]
    assert ss.latest_ended_session(e, unit) == ss.session_info(e, s2)


def test_checklist_snapshots_current_state_and_skips_other_units(world: World) -> None:
    e = world.engine
    loose = ss.add_measure(e, world.unit, "enhet", "Uten økt", due_date=dt.date(2026, 11, 1))
    ss.update_measure(e, loose, status="pagar")
    done = ss.add_measure(e, world.unit, "enhet", "Ferdig")
    ss.update_measure(e, done, status="avbrutt")
    ss.add_measure(e, world.other_unit, "enhet", "Annen enhet")
    sid = ss.start_session(e, world.unit, "oppstartsmote", NOV_12)
    [item] = ss.checklist(e, sid)
    assert (item.measure.id, item.status, item.due_date) == (loose, "pagar", dt.date(2026, 11, 1))
    # Created outside any session, and already under way: reported as changed.
    assert [m.text for m in ss.session_summary(e, sid).measures_changed] == ["Uten økt"]


def test_follow_up_creates_missing_row_and_update_measure_reaches_open_session(
    world: World,
) -> None:
    e = world.engine
    sid = ss.start_session(e, world.unit, "individuell_radgivning", NOV_12)
    late = ss.add_measure(e, world.unit, "enhet", "Lagt til uten økt")  # after the snapshot
    ss.follow_up(e, late, sid, comment="Tatt med likevel")
    [item] = ss.checklist(e, sid)
    assert (item.measure.id, item.comment, item.status) == (late, "Tatt med likevel", "apen")

    ss.update_measure(e, late, due_date=dt.date(2027, 2, 1), text="  Ny   tekst ")
    [item] = ss.checklist(e, sid)
    assert item.due_date == dt.date(2027, 2, 1)
    assert item.measure.text == "Ny tekst"
    ss.update_measure(e, late, due_date=None)
    assert ss.checklist(e, sid)[0].due_date is None
    ss.update_measure(e, late, owner="Kari")  # leaves the due date alone
    assert ss.measures_for_unit(e, world.unit)[0].due_date is None


def test_autosave_each_write_is_visible_to_a_new_engine(world: World) -> None:
    e = world.engine
    sid = ss.start_session(e, world.unit, "individuell_radgivning", NOV_12)
    ss.set_session_note(e, sid, "Notat")
    assert ss.session_info(fresh(world), sid).note == "Notat"
    ss.set_reviewed(e, sid, world.per, True)
    assert ss.review_states(fresh(world), sid) == {world.per: (True, "")}
    ss.set_review_note(e, sid, world.per, "Kort notat")
    assert ss.review_states(fresh(world), sid) == {world.per: (True, "Kort notat")}
    mid = ss.add_measure(e, world.unit, "lederrolle", "Tiltak", session_id=sid)
    assert [m.id for m in ss.measures_created_in(fresh(world), sid)] == [mid]
    ss.update_measure(e, mid, status="pagar")
    assert ss.measures_for_unit(fresh(world), world.unit)[0].status == "pagar"
    ss.follow_up(e, mid, sid, comment="Kommentar")
    assert ss.measure_history(fresh(world), mid)[0].comment == "Kommentar"
    ss.set_milestone_done(e, world.per, NOV_12, "dialogue_meeting_1", True, NOV_12, sid)
    assert ss.milestones_done(fresh(world), [world.per]) == {
        (world.per, NOV_12): {"dialogue_meeting_1"}
    }
    ss.set_presence_factor(e, world.unit, "styrke", 2, "Godt samhold")
    assert ss.presence_factors(fresh(world), world.unit)["styrke"][1] == "Godt samhold"
    ss.set_survey_score(e, world.unit, "ansatte", "Autonomi", 4.2, NOV_12)
    assert ss.survey_scores(fresh(world), world.unit)["ansatte"]["Autonomi"] == 4.2
    ss.end_session(e, sid, "# Oppsummering")
    assert ss.session_info(fresh(world), sid).summary == "# Oppsummering"


def test_ending_again_replaces_the_summary_but_keeps_the_end_time(world: World) -> None:
    e = world.engine
    sid = _session(world)
    ss.end_session(e, sid, "første")
    first = ss.session_info(e, sid)
    assert isinstance(first.ended_at, dt.datetime)
    assert first.started_at <= first.ended_at
    ss.end_session(e, sid, "andre")
    second = ss.session_info(e, sid)
    assert (second.ended_at, second.summary) == (first.ended_at, "andre")


def test_milestone_can_be_unmarked(world: World) -> None:
    e = world.engine
    args = (world.kari, dt.date(2026, 9, 1), "activity_requirement")
    ss.set_milestone_done(e, *args, True, NOV_12, None)
    ss.set_milestone_done(e, *args, True, DEC_10, None)  # marking again is an update
    assert ss.milestones_done(e, [world.kari]) == {(world.kari, args[1]): {args[2]}}
    ss.set_milestone_done(e, *args, False, DEC_10, None)
    assert ss.milestones_done(e, [world.kari]) == {}
    assert ss.milestones_done(e, []) == {}


def test_presence_factors_and_survey_scores_defaults(world: World) -> None:
    e = world.engine
    assert ss.presence_factors(e, world.unit) == {"styrke": [""] * 4, "forbedring": [""] * 4}
    ss.set_presence_factor(e, world.unit, "forbedring", 4, "Mer tid til opplæring")
    ss.set_presence_factor(e, world.unit, "forbedring", 4, "Bedre overlapp")
    assert ss.presence_factors(e, world.unit)["forbedring"] == ["", "", "", "Bedre overlapp"]

    scores = ss.survey_scores(e, world.unit)
    assert set(scores) == {"leder", "ansatte"}
    assert all(
        len(factors) == 10 and set(factors.values()) == {None} for factors in scores.values()
    )
    ss.set_survey_score(e, world.unit, "leder", "Rolleklarhet", 5)
    ss.set_survey_score(e, world.unit, "leder", "Mestringstro", 1.0)
    ss.set_survey_score(e, world.unit, "leder", "Mestringstro", None)
    leader = ss.survey_scores(e, world.unit)["leder"]
    assert leader["Rolleklarhet"] == 5.0
    assert leader["Mestringstro"] is None
    assert ss.survey_scores(e, world.other_unit)["leder"]["Rolleklarhet"] is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e, w, s: ss.add_measure(e, w.unit, "enhet", "   "), "Tiltaket må ha en tekst."),
        (
            lambda e, w, s: ss.add_measure(e, w.unit, "enkeltsak", "Samtale"),
            "knyttes til en ansatt",
        ),
        (
            lambda e, w, s: ss.add_measure(e, w.unit, "enhet", "X", employee_id=w.kari),
            "Bare tiltak",
        ),
        (lambda e, w, s: ss.add_measure(e, w.unit, "nivå", "X"), "Ukjent nivå «nivå»"),
        (
            lambda e, w, s: ss.add_measure(e, w.other_unit, "enhet", "X", session_id=s),
            "annen enhet",
        ),
        (
            lambda e, w, s: ss.add_measure(e, w.unit, "enhet", "X", owner="o" * 201),
            "høyst 200 tegn",
        ),
        (lambda e, w, s: ss.update_measure(e, 999, text="X"), "Fant ikke tiltaket"),
        (lambda e, w, s: ss.update_measure(e, 999), "Fant ikke tiltaket"),
        (lambda e, w, s: ss.update_measure(e, _m(e, w), text=""), "Tiltaket må ha en tekst."),
        (lambda e, w, s: ss.update_measure(e, _m(e, w), status="ferdig"), "Ukjent status «ferdig»"),
        (lambda e, w, s: ss.follow_up(e, _m(e, w), s, status="lukket"), "Ukjent status «lukket»"),
        (lambda e, w, s: ss.follow_up(e, _m(e, w, w.other_unit), s, checked=True), "annen enhet"),
        (lambda e, w, s: ss.follow_up(e, 999, s, checked=True), "Fant ikke tiltaket"),
        (lambda e, w, s: ss.start_session(e, w.unit, "kaffe", NOV_12), "Ukjent økttype «kaffe»"),
        (lambda e, w, s: ss.start_session(e, 999, "statusmote", NOV_12), "Fant ikke enheten"),
        (lambda e, w, s: ss.session_info(e, 999), "Fant ikke økten"),
        (lambda e, w, s: ss.set_session_note(e, 999, "x"), "Fant ikke økten"),
        (lambda e, w, s: ss.end_session(e, 999, "x"), "Fant ikke økten"),
        (lambda e, w, s: ss.set_survey_score(e, w.unit, "leder", "Autonomi", 0), "mellom 1 og 5"),
        (lambda e, w, s: ss.set_survey_score(e, w.unit, "leder", "Autonomi", 5.5), "mellom 1 og 5"),
        (
            lambda e, w, s: ss.set_survey_score(e, w.unit, "leder", "Autonomi", float("nan")),
            "mellom 1 og 5",
        ),
        (
            lambda e, w, s: ss.set_survey_score(e, w.unit, "sjef", "Autonomi", 3),
            "Ukjent kartlegging",
        ),
        (lambda e, w, s: ss.set_survey_score(e, w.unit, "leder", "Humør", 3), "Ukjent faktor"),
        (lambda e, w, s: ss.set_presence_factor(e, w.unit, "styrke", 5, "x"), "mellom 1 og 4"),
        (lambda e, w, s: ss.set_presence_factor(e, w.unit, "svakhet", 1, "x"), "Ukjent type"),
        (
            lambda e, w, s: ss.set_milestone_done(e, w.kari, NOV_12, "kaffe", True, NOV_12, s),
            "Ukjent milepæl",
        ),
    ],
)
def test_validation_errors_in_norwegian(
    world: World, call: Callable[[Engine, World, int], object], message: str
) -> None:
    sid = ss.start_session(world.engine, world.unit, "individuell_radgivning", NOV_12)
    with pytest.raises(ValueError, match=message):
        call(world.engine, world, sid)


def _m(engine: Engine, world: World, unit: int | None = None) -> int:
    return ss.add_measure(engine, unit or world.unit, "enhet", "Et tiltak")


def test_failed_write_leaves_nothing_behind(world: World) -> None:
    e = world.engine
    with pytest.raises(ValueError):
        ss.add_measure(e, world.other_unit, "enhet", "X", session_id=_session(world))
    with e.connect() as conn:
        assert conn.execute(select(Measure.id)).all() == []


def _session(world: World) -> int:
    return ss.start_session(world.engine, world.unit, "individuell_radgivning", NOV_12)


def test_control_characters_are_stripped_on_write(world: World) -> None:
    e = world.engine
    sid = _session(world)
    ss.set_session_note(e, sid, "Linje 1\r\nLinje 2\x1b[31m rød\x1b[0m\x07 ")
    assert ss.session_info(e, sid).note == "Linje 1\nLinje 2 rød "  # trailing space: still typing
    mid = ss.add_measure(e, world.unit, "enhet", "Tiltak\x1b]0;tittel\x07 her\n", session_id=sid)
    assert ss.measures_created_in(e, sid)[0].text == "Tiltak her"
    ss.follow_up(e, mid, sid, comment="ok\x00")
    assert ss.measure_history(e, mid)[0].comment == "ok"
    ss.set_review_note(e, sid, world.kari, "\x9b2Jtømt")
    assert ss.review_states(e, sid)[world.kari] == (False, "tømt")


def test_summary_markdown_masks_names(world: World) -> None:
    e = world.engine
    sid = ss.start_session(e, world.unit, "individuell_radgivning", NOV_12, advisor="Anne")
    ss.set_reviewed(e, sid, world.kari, True)
    ss.set_review_note(e, sid, world.per, "# Per Hansen ønsker\x1b[2J samtale")
    ss.set_session_note(e, sid, "Snakket om kari  nordmann sin turnus.")
    ss.add_measure(e, world.unit, "enkeltsak", "Oppfølging", "Leder", DEC_10, sid, world.kari)
    summary = ss.session_summary(e, sid)
    assert summary.employee_notes == (("1002", "Per Hansen", "# Per Hansen ønsker samtale"),)

    masked = summary_markdown(summary, masked=True)
    for name in ("Kari", "Nordmann", "Per Hansen", "Hansen"):
        assert name.lower() not in masked.lower()
    assert "ansatt 1001" in masked and "ansatt 1002" in masked
    assert "\x1b" not in masked
    assert "# Oppsummering: Individuell rådgivning 12.11.2026" in masked
    assert "1 av 2 ansatte gjennomgått" in masked

    plain = summary_markdown(summary, masked=False)
    assert "Kari Nordmann (1001)" in plain and "Per Hansen (1002)" in plain
    assert "- Per Hansen (1002): \\# Per Hansen ønsker samtale" in plain
    assert "frist: 10.12.2026" in plain
