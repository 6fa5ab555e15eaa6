"""Tests for the advisory session's storage, on a real SQLite file and a PostgreSQL database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from core.measures import MeasureChange
from core.meeting import StartChoice
from core.summary import summary_markdown
from storage.db import open_database, open_server, transaction
from storage.models import Employee, Employment, Measure, Unit
from storage.paths import is_url
from storage.repos import measures as measure_rows
from storage.repos import reviews as review_rows
from storage.repos import sessions as session_rows
from storage.repos import unit_profile
from storage.usecases import measures as measure_cases
from storage.usecases import sessions as ss
from tests.conftest import read

pytestmark = pytest.mark.both_backends

NOV_12 = dt.date(2026, 11, 12)
DEC_10 = dt.date(2026, 12, 10)
JAN_14 = dt.date(2027, 1, 14)


def done_keys(engine: Engine, employee_ids: list[int]) -> dict[tuple[int, dt.date], set[str]]:
    """(employee, case start) -> the milestones marked done."""
    done = read(review_rows.milestones_done, engine, employee_ids)
    return {case: set(milestones) for case, milestones in done.items()}


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
    assert read(measure_rows.checklist, e, s1) == []
    case_m = measure_cases.add_measure(
        e, unit, "enkeltsak", "Avtale dialogmøte", owner="Leder", due_date=dt.date(2026, 12, 1),
        session_id=s1, employee_id=world.kari,
    )  # fmt: skip
    unit_m = measure_cases.add_measure(
        e, unit, "enhet", "Gå gjennom turnusen", owner="Verneombud",
        due_date=dt.date(2026, 12, 5), session_id=s1,
    )  # fmt: skip
    lead_m = measure_cases.add_measure(
        e, unit, "lederrolle", "Ukentlig nærværssamtale", session_id=s1
    )
    ss.set_reviewed(e, s1, world.kari, True)
    ss.set_reviewed(e, s1, world.per, True)
    ss.set_reviewed(e, s1, world.per, False)
    ss.set_review_note(e, s1, world.kari, "Ønsker tilrettelegging")
    ss.set_session_note(e, s1, "God samtale.")
    ss.set_milestone_done(e, world.kari, dt.date(2026, 10, 1), "followup_plan", True, NOV_12, s1)

    assert read(review_rows.states, e, s1) == {
        world.kari: (True, "Ønsker tilrettelegging"),
        world.per: (False, ""),
    }
    assert done_keys(e, [world.kari, world.per]) == {
        (world.kari, dt.date(2026, 10, 1)): {"followup_plan"}
    }
    created = read(measure_rows.created_in, e, s1)
    assert [m.id for m in created] == [case_m, unit_m, lead_m]
    assert created[0].employee_number == "1001"
    assert created[0].employee_name == "Kari Nordmann"
    assert created[0].created_on == NOV_12
    assert read(session_rows.open_session, e, unit) == ss.session_info(e, s1)

    summary1 = ss.session_summary(e, s1)
    assert summary1.total_employees == 2
    assert summary1.reviewed == (("1001", "Kari Nordmann"),)
    assert [m.level for m in summary1.measures_agreed] == ["enkeltsak", "enhet", "lederrolle"]
    assert summary1.measures_changed == summary1.measures_closed == ()
    ss.end_session(e, s1, summary_markdown(summary1, masked=True))
    info1 = ss.session_info(e, s1)
    assert info1.ended_at is not None
    assert info1.summary is not None and "1 av 2 ansatte gjennomgått" in info1.summary
    assert read(session_rows.open_session, e, unit) is None
    assert read(session_rows.latest_ended, e, unit) == info1

    # Session 2: the open measures are the checklist; tick one, re-date one, close one.
    s2 = ss.start_session(e, unit, "individuell_radgivning", DEC_10)
    items = read(measure_rows.checklist, e, s2)
    assert [i.measure.id for i in items] == [case_m, unit_m, lead_m]
    assert all(not i.checked and i.comment == "" for i in items)
    assert items[0].due_date == dt.date(2026, 12, 1)
    measure_cases.follow_up(e, lead_m, s2, checked=True)
    measure_cases.follow_up(e, unit_m, s2, checked=True, due_date=dt.date(2027, 1, 31))
    measure_cases.follow_up(
        e, case_m, s2, checked=True, status="fullfort", comment="Møtet er holdt."
    )
    new_m = measure_cases.add_measure(e, unit, "enhet", "Felles lunsj", session_id=s2)

    measures = {m.id: m for m in read(measure_rows.for_unit, e, unit)}
    assert measures[case_m].status == "fullfort"
    assert measures[unit_m].due_date == dt.date(2027, 1, 31)
    assert [m.id for m in read(measure_rows.for_unit, e, unit)][-1] == case_m  # closed last
    assert case_m not in {m.id for m in read(measure_rows.for_unit, e, unit, open_only=True)}

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
    assert {i.measure.id for i in read(measure_rows.checklist, e, s3)} == {unit_m, lead_m, new_m}
    assert ss.session_summary(e, s3).measures_changed == ()

    history = measure_cases.measure_history(e, case_m)
    assert [(h.session_id, h.status, h.comment) for h in history] == [
        (s1, "apen", ""),
        (s2, "fullfort", "Møtet er holdt."),
    ]
    assert history[1].held_on == DEC_10
    assert history[1].session_type == "individuell_radgivning"
    assert [s.id for s in read(session_rows.for_unit, e, unit)] == [s3, s2, s1]
    assert read(session_rows.latest_ended, e, unit) == ss.session_info(e, s2)


def test_checklist_snapshots_current_state_and_skips_other_units(world: World) -> None:
    e = world.engine
    loose = measure_cases.add_measure(
        e, world.unit, "enhet", "Uten økt", due_date=dt.date(2026, 11, 1)
    )
    measure_cases.update_measure(e, loose, status="pagar")
    done = measure_cases.add_measure(e, world.unit, "enhet", "Ferdig")
    measure_cases.update_measure(e, done, status="avbrutt")
    measure_cases.add_measure(e, world.other_unit, "enhet", "Annen enhet")
    sid = ss.start_session(e, world.unit, "oppstartsmote", NOV_12)
    [item] = read(measure_rows.checklist, e, sid)
    assert (item.measure.id, item.status, item.due_date) == (loose, "pagar", dt.date(2026, 11, 1))
    # Created outside any session, and already under way: reported as changed.
    assert [m.text for m in ss.session_summary(e, sid).measures_changed] == ["Uten økt"]


def test_follow_up_creates_missing_row_and_update_measure_reaches_open_session(
    world: World,
) -> None:
    e = world.engine
    sid = ss.start_session(e, world.unit, "individuell_radgivning", NOV_12)
    late = measure_cases.add_measure(
        e, world.unit, "enhet", "Lagt til uten økt"
    )  # after the snapshot
    measure_cases.follow_up(e, late, sid, comment="Tatt med likevel")
    [item] = read(measure_rows.checklist, e, sid)
    assert (item.measure.id, item.comment, item.status) == (late, "Tatt med likevel", "apen")

    measure_cases.update_measure(e, late, due_date=dt.date(2027, 2, 1), text="  Ny   tekst ")
    [item] = read(measure_rows.checklist, e, sid)
    assert item.due_date == dt.date(2027, 2, 1)
    assert item.measure.text == "Ny tekst"
    measure_cases.update_measure(e, late, due_date=None)
    assert read(measure_rows.checklist, e, sid)[0].due_date is None
    measure_cases.update_measure(e, late, owner="Kari")  # leaves the due date alone
    assert read(measure_rows.for_unit, e, world.unit)[0].due_date is None


def test_autosave_each_write_is_visible_to_a_new_engine(world: World) -> None:
    e = world.engine
    sid = ss.start_session(e, world.unit, "individuell_radgivning", NOV_12)
    ss.set_session_note(e, sid, "Notat")
    assert ss.session_info(fresh(world), sid).note == "Notat"
    ss.set_reviewed(e, sid, world.per, True)
    assert read(review_rows.states, fresh(world), sid) == {world.per: (True, "")}
    ss.set_review_note(e, sid, world.per, "Kort notat")
    assert read(review_rows.states, fresh(world), sid) == {world.per: (True, "Kort notat")}
    mid = measure_cases.add_measure(e, world.unit, "lederrolle", "Tiltak", session_id=sid)
    assert [m.id for m in read(measure_rows.created_in, fresh(world), sid)] == [mid]
    measure_cases.update_measure(e, mid, status="pagar")
    assert read(measure_rows.for_unit, fresh(world), world.unit)[0].status == "pagar"
    measure_cases.follow_up(e, mid, sid, comment="Kommentar")
    assert measure_cases.measure_history(fresh(world), mid)[0].comment == "Kommentar"
    ss.set_milestone_done(e, world.per, NOV_12, "dialogue_meeting_1", True, NOV_12, sid)
    assert done_keys(fresh(world), [world.per]) == {(world.per, NOV_12): {"dialogue_meeting_1"}}
    ss.set_presence_factor(e, world.unit, "styrke", 2, "Godt samhold")
    assert (
        read(unit_profile.presence_factors, fresh(world), world.unit)["styrke"][1] == "Godt samhold"
    )
    ss.set_survey_score(e, world.unit, "ansatte", "Autonomi", 4.2, NOV_12)
    assert read(unit_profile.survey_scores, fresh(world), world.unit)["ansatte"]["Autonomi"] == 4.2
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
    assert done_keys(e, [world.kari]) == {(world.kari, args[1]): {args[2]}}
    ss.set_milestone_done(e, *args, False, DEC_10, None)
    assert done_keys(e, [world.kari]) == {}
    assert done_keys(e, []) == {}


def test_presence_factors_and_survey_scores_defaults(world: World) -> None:
    e = world.engine
    assert read(unit_profile.presence_factors, e, world.unit) == {
        "styrke": [""] * 4,
        "forbedring": [""] * 4,
    }
    ss.set_presence_factor(e, world.unit, "forbedring", 4, "Mer tid til opplæring")
    ss.set_presence_factor(e, world.unit, "forbedring", 4, "Bedre overlapp")
    assert read(unit_profile.presence_factors, e, world.unit)["forbedring"] == [
        "",
        "",
        "",
        "Bedre overlapp",
    ]

    scores = read(unit_profile.survey_scores, e, world.unit)
    assert set(scores) == {"leder", "ansatte"}
    assert all(
        len(factors) == 10 and set(factors.values()) == {None} for factors in scores.values()
    )
    ss.set_survey_score(e, world.unit, "leder", "Rolleklarhet", 5)
    ss.set_survey_score(e, world.unit, "leder", "Mestringstro", 1.0)
    ss.set_survey_score(e, world.unit, "leder", "Mestringstro", None)
    leader = read(unit_profile.survey_scores, e, world.unit)["leder"]
    assert leader["Rolleklarhet"] == 5.0
    assert leader["Mestringstro"] is None
    assert read(unit_profile.survey_scores, e, world.other_unit)["leder"]["Rolleklarhet"] is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda e, w, s: measure_cases.add_measure(e, w.unit, "enhet", "   "),
            "Tiltaket må ha en tekst.",
        ),
        (
            lambda e, w, s: measure_cases.add_measure(e, w.unit, "enkeltsak", "Samtale"),
            "knyttes til en ansatt",
        ),
        (
            lambda e, w, s: measure_cases.add_measure(e, w.unit, "enhet", "X", employee_id=w.kari),
            "Bare tiltak",
        ),
        (lambda e, w, s: measure_cases.add_measure(e, w.unit, "nivå", "X"), "Ukjent nivå «nivå»"),
        (
            lambda e, w, s: measure_cases.add_measure(e, w.other_unit, "enhet", "X", session_id=s),
            "annen enhet",
        ),
        (
            lambda e, w, s: measure_cases.add_measure(e, w.unit, "enhet", "X", owner="o" * 201),
            "høyst 200 tegn",
        ),
        (lambda e, w, s: measure_cases.update_measure(e, 999, text="X"), "Fant ikke tiltaket"),
        (lambda e, w, s: measure_cases.update_measure(e, 999), "Fant ikke tiltaket"),
        (
            lambda e, w, s: measure_cases.update_measure(e, _m(e, w), text=""),
            "Tiltaket må ha en tekst.",
        ),
        (
            lambda e, w, s: measure_cases.update_measure(e, _m(e, w), status="ferdig"),
            "Ukjent status «ferdig»",
        ),
        (
            lambda e, w, s: measure_cases.follow_up(e, _m(e, w), s, status="lukket"),
            "Ukjent status «lukket»",
        ),
        (
            lambda e, w, s: measure_cases.follow_up(e, _m(e, w, w.other_unit), s, checked=True),
            "annen enhet",
        ),
        (lambda e, w, s: measure_cases.follow_up(e, 999, s, checked=True), "Fant ikke tiltaket"),
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
    return measure_cases.add_measure(engine, unit or world.unit, "enhet", "Et tiltak")


def test_failed_write_leaves_nothing_behind(world: World) -> None:
    e = world.engine
    with pytest.raises(ValueError):
        measure_cases.add_measure(e, world.other_unit, "enhet", "X", session_id=_session(world))
    with e.connect() as conn:
        assert conn.execute(select(Measure.id)).all() == []


def _session(world: World) -> int:
    return ss.start_session(world.engine, world.unit, "individuell_radgivning", NOV_12)


def test_control_characters_are_stripped_on_write(world: World) -> None:
    e = world.engine
    sid = _session(world)
    ss.set_session_note(e, sid, "Linje 1\r\nLinje 2\x1b[31m rød\x1b[0m\x07 ")
    assert ss.session_info(e, sid).note == "Linje 1\nLinje 2 rød "  # trailing space: still typing
    mid = measure_cases.add_measure(
        e, world.unit, "enhet", "Tiltak\x1b]0;tittel\x07 her\n", session_id=sid
    )
    assert read(measure_rows.created_in, e, sid)[0].text == "Tiltak her"
    measure_cases.follow_up(e, mid, sid, comment="ok\x00")
    assert measure_cases.measure_history(e, mid)[0].comment == "ok"
    ss.set_review_note(e, sid, world.kari, "\x9b2Jtømt")
    assert read(review_rows.states, e, sid)[world.kari] == (False, "tømt")


def test_summary_markdown_masks_names(world: World) -> None:
    e = world.engine
    sid = ss.start_session(e, world.unit, "individuell_radgivning", NOV_12, advisor="Anne")
    ss.set_reviewed(e, sid, world.kari, True)
    ss.set_review_note(e, sid, world.per, "# Per Hansen ønsker\x1b[2J samtale")
    ss.set_session_note(e, sid, "Snakket om kari  nordmann sin turnus.")
    measure_cases.add_measure(
        e, world.unit, "enkeltsak", "Oppfølging", "Leder", DEC_10, sid, world.kari
    )
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


def test_start_or_resume_goes_on_with_the_open_session_asks_after_one_today_else_starts(
    world: World,
) -> None:
    e, unit = world.engine, world.unit
    held = ss.start_session(e, unit, "statusmote", NOV_12)
    measure = measure_cases.add_measure(e, unit, "enhet", "Felles rutine", session_id=held)

    resumed = ss.start_or_resume(e, unit, "statusmote", NOV_12)
    assert (resumed.choice, resumed.session_id) == (StartChoice.RESUME, held)
    assert resumed.board is not None and [m.id for m in resumed.board.measures] == [measure]

    ss.end_session(e, held, "Holdt")
    asked = ss.start_or_resume(e, unit, "statusmote", NOV_12)
    assert (asked.choice, asked.ended_today, asked.session_id) == (StartChoice.ASK, 1, None)
    assert len(read(session_rows.for_unit, e, unit)) == 1  # nothing started before the answer

    started = ss.start_or_resume(e, unit, "statusmote", NOV_12, asked=True)
    assert started.choice is StartChoice.START and started.session_id not in (None, held)
    # The new session's checklist is the measure agreed in the one before, read with it.
    assert started.board is not None
    assert [item.measure.id for item in started.board.checklist] == [measure]
    assert started.board.info is not None and started.board.info.id == started.session_id


def test_a_change_on_the_checklist_is_the_sessions_follow_up_elsewhere_the_measures_own(
    world: World,
) -> None:
    e, unit = world.engine, world.unit
    first = ss.start_session(e, unit, "statusmote", NOV_12)
    old = measure_cases.add_measure(e, unit, "enhet", "Felles rutine", session_id=first)
    ss.end_session(e, first, "Første")
    second = ss.start_session(e, unit, "statusmote", DEC_10)
    new = measure_cases.add_measure(e, unit, "lederrolle", "Samtaler", session_id=second)

    # On the checklist: a new status ticks the measure and goes into both records.
    measure_cases.change_measure(e, old, second, MeasureChange(status="pagar"))
    (item,) = read(measure_rows.checklist, e, second)
    assert (item.checked, item.status, item.measure.status) == (True, "pagar", "pagar")
    # Agreed in this session: the measure itself changes; a comment has nowhere to go.
    measure_cases.change_measure(
        e, new, second, MeasureChange(comment="Notat", status="fullfort", checked=True)
    )
    history = measure_cases.measure_history(e, new)
    assert [(h.status, h.comment, h.checked) for h in history] == [("fullfort", "", False)]
    # Outside a session: the measure alone; the ended session's record stays as it was.
    measure_cases.change_measure(e, old, None, MeasureChange(due_date=JAN_14))
    states = [(h.session_id, h.due_date) for h in measure_cases.measure_history(e, old)]
    assert states == [(first, None), (second, JAN_14)]  # the second is still open
    assert [m.due_date for m in read(measure_rows.for_unit, e, unit) if m.id == old] == [JAN_14]


def test_ending_with_the_note_keeps_the_summary_as_it_stands_with_it_masked(
    world: World,
) -> None:
    e = world.engine
    sid = ss.start_session(e, world.unit, "statusmote", NOV_12)
    ss.set_review_note(e, sid, world.kari, "Kari har det bedre")
    ss.end_session(e, sid, note="Avtalt oppfølging med Kari Nordmann.")
    info = ss.session_info(e, sid)
    assert info.ended_at is not None and info.note == "Avtalt oppfølging med Kari Nordmann."
    assert info.summary == summary_markdown(ss.session_summary(e, sid), masked=True)
    assert info.summary is not None and "Kari" not in info.summary


def test_the_unit_screens_meetings_are_read_in_one_go(world: World) -> None:
    e, unit = world.engine, world.unit
    ended = ss.start_session(e, unit, "oppstartsmote", NOV_12)
    ss.end_session(e, ended, "Oppstart")
    going = ss.start_session(e, unit, "statusmote", DEC_10)
    ss.set_presence_factor(e, unit, "styrke", 1, "Godt samhold")
    ss.set_survey_score(e, unit, "leder", "Autonomi", 4.0)
    meetings = ss.unit_meetings(e, unit)
    assert meetings.last is not None and meetings.last.id == ended
    assert meetings.open is not None and meetings.open.id == going
    assert meetings.factors["styrke"][0] == "Godt samhold"
    assert meetings.scores["leder"]["Autonomi"] == 4.0
