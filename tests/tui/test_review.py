"""The employee-by-employee review, driven through the Pilot on a real database file."""

from __future__ import annotations

import re
import threading
from dataclasses import replace

import pytest
from sqlalchemy import Engine, event, select
from textual.pilot import Pilot
from textual.widgets import Input, SelectionList, Static, TextArea

from core.summary import SessionSummary
from storage.db import make_engine
from storage.models import MilestoneDone
from storage.repos import measures as measure_rows
from storage.repos import reviews as review_rows
from storage.usecases import sessions
from storage.usecases.review import employee_details
from storage.usecases.settings import change_setting
from tests.conftest import Builder, read
from tests.tui.conftest import (
    NAMES,
    SURNAMES,
    TODAY,
    UNIT,
    D,
    db_path,
    drawn_rows,
    screen_text,
    settle,
)
from tui.app import NaervaerApp
from tui.dialogs.conflict import ConflictDialog
from tui.dialogs.forms import MeasureDialog
from tui.screens import review
from tui.screens.review import (
    ReviewHistoryDialog,
    ReviewMilestoneDialog,
    ReviewScreen,
    case_text,
    list_line,
    shown_person,
)
from tui.screens.summary import SummaryScreen
from tui.widgets.charts import Chart
from tui.widgets.line_list import LineList
from tui.widgets.text_view import TextView


async def open_review(app: NaervaerApp, pilot: Pilot[int], session_id: int) -> ReviewScreen:
    await settle(app, pilot)
    screen = ReviewScreen(session_id, UNIT)
    await app.push_screen(screen)
    await settle(app, pilot)
    assert app.screen is screen
    return screen


def start(engine: Engine) -> int:
    return sessions.start_session(engine, UNIT, "individuell_radgivning", TODAY)


def fresh_states(engine: Engine, session_id: int) -> dict[int, tuple[bool, str]]:
    """What another connection to the file sees: nothing is only in the screen's memory."""
    other = make_engine(f"sqlite:///{db_path(engine)}")
    try:
        return read(review_rows.states, other, session_id)
    finally:
        other.dispose()


def status(screen: ReviewScreen) -> str:
    return str(screen.query_one("#review-status", Static).render())


async def test_moves_between_employees_in_review_order(unit: Builder, engine: Engine):
    session_id = start(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot, session_id)
        listing = screen.query_one("#review-list", LineList)
        assert listing.line_count() == 5
        # Ongoing case first, then flags, then lost workdays.
        order = [d.employee_id for d in screen.details]
        assert order[:3] == [1, 2, 3]
        assert screen.selected == 1 and listing.highlighted == 0
        queries: list[str] = []
        assert app.engine is not None
        event.listen(app.engine, "before_cursor_execute", lambda *a: queries.append(a[2]))

        await pilot.press("n")
        assert screen.selected == order[1]
        await pilot.press("j", "down")
        assert screen.selected == order[3] and listing.highlighted == 3
        await pilot.press("p")
        assert screen.selected == order[2]
        await pilot.press("k", "up")
        assert screen.selected == order[0]
        assert "Ansatt 100001" in str(screen.query_one("#review-head", Static).render())
        await pilot.press("p")  # round the ends, like the list's own arrows
        assert screen.selected == order[-1]
        await pilot.press("n")
        assert screen.selected == order[0]
        assert queries == []  # moving draws from memory


async def test_marking_reviewed_counts_moves_on_and_persists(unit: Builder, engine: Engine):
    session_id = start(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot, session_id)
        assert "0 av 5 gjennomgått" in status(screen)
        order = [d.employee_id for d in screen.details]

        await pilot.press("space")
        assert screen.selected == order[1]  # on to the next not yet reviewed
        await pilot.press("r", "space")
        await settle(app, pilot)
        assert "3 av 5 gjennomgått" in status(screen)

        # Back to the first and untick it: it stays selected.
        await pilot.press("p", "p", "p")
        assert screen.selected == order[0]
        await pilot.press("r")
        await settle(app, pilot)
        assert screen.selected == order[0]
        assert "2 av 5 gjennomgått" in status(screen)

    states = fresh_states(engine, session_id)
    assert {e for e, (reviewed, _) in states.items() if reviewed} == set(order[1:3])


async def test_milestones_are_marked_done_and_persist(unit: Builder, engine: Engine):
    session_id = start(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot, session_id)
        text = screen.query_one("#review-text", TextView)
        assert "forfalt" in text.text.plain

        await pilot.press("d")  # the first open task: the follow-up plan (the end of the
        await settle(app, pilot)  # employer period is a date, not a task)
        detail = screen.current()
        assert detail is not None and detail.case is not None
        statuses = {m.key: m.status for m in detail.case.milestones}
        assert statuses["employer_period_end"] == "passed"
        assert statuses["followup_plan"] == "done"
        assert statuses["dialogue_meeting_1"] == "overdue"
        shown = text.text.plain.splitlines()
        assert any("utført" in line and "Oppfølgingsplan" in line for line in shown)
        assert any("passert" in line and "Arbeidsgiverperioden slutt" in line for line in shown)

        await pilot.press("D")
        assert isinstance(app.screen, ReviewMilestoneDialog)
        choices = app.screen.query_one(SelectionList)
        offered = [choices.get_option_at_index(i).value for i in range(choices.option_count)]
        assert offered[0] == "followup_plan" and "employer_period_end" not in offered
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen

    with engine.connect() as conn:
        rows = conn.execute(
            select(MilestoneDone.milestone, MilestoneDone.case_start, MilestoneDone.session_id)
        ).all()
    assert rows == [("followup_plan", D(2026, 9, 1), session_id)]


async def test_measure_is_added_and_bad_input_keeps_the_dialog(unit: Builder, engine: Engine):
    session_id = start(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot, session_id)
        await pilot.press("t")
        dialog = app.screen
        assert isinstance(dialog, MeasureDialog)

        await pilot.press("enter")  # empty text
        assert app.screen is dialog
        error = str(dialog.query_one(".dialog-error", Static).render())
        assert "Skriv hva tiltaket går ut på" in error

        dialog.query_one("#text", Input).value = "Samtale om tilrettelegging"
        dialog.query_one("#owner", Input).value = "Enhetsleder"
        dialog.query_one("#due", Input).value = "31.02.2027"
        await pilot.click("#ok")
        assert app.screen is dialog
        assert "dd.mm.åååå" in str(dialog.query_one(".dialog-error", Static).render())
        assert dialog.query_one("#text", Input).value  # nothing lost

        due = dialog.query_one("#due", Input)
        assert dialog.focused is due  # the error puts the cursor where the fix goes
        due.value = "15.12.2026"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        shown = screen.query_one("#review-text", TextView).text.plain
        assert "Samtale om tilrettelegging" in shown and "15.12.2026" in shown

    (measure,) = read(measure_rows.for_unit, engine, UNIT)
    assert (measure.level, measure.employee_id, measure.unit_id) == ("enkeltsak", 1, UNIT)
    assert (measure.owner, measure.due_date) == ("Enhetsleder", D(2026, 12, 15))
    assert measure.created_session_id == session_id


async def test_note_is_saved_after_a_pause_and_on_leaving_it(
    unit: Builder, engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    session_id = start(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot, session_id)
        first = screen.details[0].employee_id
        assert screen.selected == first
        await pilot.press("e")
        note = screen.query_one("#review-note", TextArea)
        assert screen.focused is note
        await pilot.press(*"Tilrettelagt")
        await pilot.pause(0.8)  # longer than the debounce
        await settle(app, pilot)
        assert fresh_states(engine, session_id)[first] == (False, "Tilrettelagt")

        # From here only leaving the note can have saved it.
        monkeypatch.setattr(review, "NOTE_DEBOUNCE_SECONDS", 60.0)
        await pilot.press(*"ok")
        await settle(app, pilot)
        assert fresh_states(engine, session_id)[first] == (False, "Tilrettelagt")
        await pilot.press("escape")
        assert screen.focused is screen.query_one("#review-list", LineList)
        await settle(app, pilot)
        assert fresh_states(engine, session_id)[first] == (False, "Tilrettelagtok")

        # The note belongs to its employee: the next one starts empty, and back again it is there.
        await pilot.press("n")
        assert note.text == ""
        await pilot.press("p")
        assert note.text == "Tilrettelagtok"


async def test_names_are_masked_everywhere_until_m(unit: Builder, engine: Engine):
    session_id = start(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(160, 60)) as pilot:
        screen = await open_review(app, pilot, session_id)
        text = screen_text(app)
        assert "Ansatt 100001" in text
        assert not [name for name in SURNAMES if name in text]
        chart = screen.query_one("#review-chart", Chart)
        assert chart.data is not None and "Ansatt 100001" in chart.data.title

        await pilot.press("m")
        await pilot.pause()
        assert screen.selected == 1  # the place is kept
        text = screen_text(app)
        for name in NAMES.values():
            assert name in text  # markup shown as typed, never interpreted
        assert chart.data is not None and "Kari Nordmann" in chart.data.title

        await pilot.press("m")
        await pilot.pause()
        assert not [name for name in SURNAMES if name in screen_text(app)]


async def test_works_on_a_small_terminal(unit: Builder, engine: Engine):
    session_id = start(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot, session_id)
        await pilot.press("space", "n")
        await settle(app, pilot)
        assert "1 av 5 gjennomgått" in status(screen)
        await pilot.press("t")
        assert isinstance(app.screen, MeasureDialog)
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("escape")
        assert app.screen is not screen


def test_names_are_shown_as_typed_without_terminal_controls():
    shown = shown_person("100001", "Per\x1b[31m [b]Berg\x07", masked=False)
    assert shown.plain == "Per [b]Berg (100001)"
    assert shown_person("100001", "Per Berg", masked=True).plain == "Ansatt 100001"


async def test_a_failed_write_is_told_in_norwegian_and_read_back(
    unit: Builder, engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    told: list[tuple[str, str]] = []
    session_id = start(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot, session_id)
        monkeypatch.setattr(sessions, "set_reviewed", broken)
        monkeypatch.setattr(
            screen, "notify", lambda message, **kw: told.append((message, kw["severity"]))
        )
        await pilot.press("r")
        await settle(app, pilot)
        assert app.screen is screen and app.is_running
        ((message, severity),) = told
        assert severity == "error"
        assert message.startswith("Kunne ikke lagre at den ansatte er gjennomgått.")
        assert "disk full" not in message  # an error's text can carry personal data
        assert "0 av 5 gjennomgått" in status(screen)  # read back from the database
        assert screen.selected == screen.details[1].employee_id  # the place is kept


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_every_line_of_a_long_list_shows_its_lost_workdays(
    build: Builder, engine: Engine, size: tuple[int, int]
):
    """A list longer than the screen gets a scrollbar: the names are cut to what is left."""
    build.unit(UNIT, "E1", "Lia sykehjem")
    for employee_id in range(1, 61):
        build.employee(employee_id, f"{100000 + employee_id}", "Kristoffer Andreas Johannessen")
        build.employment(employee_id, UNIT, 100.0, D(2020, 1, 1))
        build.spell(employee_id, D(2026, 3, 2), D(2026, 3, 6))  # 5 lost workdays each
    build.refresh(TODAY)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=size) as pilot:
        app.masked = False  # names shown, long enough to be cut, from the first drawing on
        screen = await open_review(app, pilot, start(engine))
        listing = screen.query_one("#review-list", LineList)
        assert listing.line_count() > listing.size.height
        rows = drawn_rows(listing)
        assert {row[-1] for row in rows} == {"▐", " "}  # the scrollbar, in the last column
        shown = [row[:-1] for row in rows if "Kristoffer" in row]
        assert len(shown) >= 5
        # Cut at the list's edge, short of its scrollbar.
        assert all(line.startswith("     5,0 ") and line.endswith("…") for line in shown), shown


async def test_the_detail_keeps_its_place_and_its_text_scrolls_by_the_page(
    unit: Builder, engine: Engine
):
    session_id = start(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(app, pilot, session_id)
        parts = [screen.query_one(f"#review-{part}") for part in ("head", "chart", "text")]
        text = screen.query_one("#review-text", TextView)
        places = [part.region for part in parts]
        kari = text.text.plain
        assert text.render_line(0).text.startswith("Pågående fraværstilfelle")

        await pilot.press("n")  # Ola: no case, four short absences; a text of another length
        await settle(app, pilot)
        assert text.text.plain != kari
        assert len(text.text.plain.splitlines()) != len(kari.splitlines())
        assert [part.region for part in parts] == places

        await pilot.press("p")
        await settle(app, pilot)
        lines = kari.splitlines()
        assert len(lines) > text.size.height  # Kari's case does not fit in the box
        await pilot.press("pagedown")
        top = text.render_line(0).text.rstrip()
        assert top.strip() and top != lines[0]
        assert top in lines and lines.index(top) == text.size.height - 1
        await pilot.press("pageup")
        assert text.render_line(0).text.startswith("Pågående fraværstilfelle")


def test_only_the_titles_and_the_milestone_statuses_are_styled(unit: Builder, engine: Engine):
    (kari,) = [d for d in employee_details(engine, UNIT, TODAY) if d.employee_id == 1]
    text = case_text(kari)
    plain = text.plain
    assert not text.style  # a style of the whole Text would cover every line
    styled = {plain[span.start : span.end]: str(span.style) for span in text.spans}
    assert styled["Pågående fraværstilfelle"] == "bold underline"
    assert styled[" forfalt "] == "bold white on red"
    assert "Arbeidsgiverperioden slutt" not in "".join(styled)


def test_a_list_line_keeps_its_columns_with_every_marker_shown(unit: Builder, engine: Engine):
    (kari,) = [d for d in employee_details(engine, UNIT, TODAY) if d.employee_id == 1]
    # Follow-up plan, dialogue meeting 1 and the activity requirement; not the employer period.
    assert kari.case is not None and kari.case.overdue == 3
    flagged = replace(kari, raised_flags=2)
    assert list_line(flagged, reviewed=True, masked=True).plain == "✓   61,0 ● !3 ⚑2 Ansatt 100001"
    assert (
        list_line(kari, reviewed=False, masked=False).plain
        == "    61,0 ● !3    Kari Nordmann (100001)"
    )


async def test_a_narrow_terminal_still_shows_each_masked_name_whole(build: Builder, engine: Engine):
    build.unit(UNIT, "E1", "Lia sykehjem")
    for employee_id in range(1, 41):  # more than the screen holds: the list has a scrollbar
        build.employee(employee_id, f"{100000 + employee_id}", "Kristoffer Andreas Johannessen")
        build.employment(employee_id, UNIT, 100.0, D(2020, 1, 1))
    build.refresh(TODAY)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot, start(engine))
        listing = screen.query_one("#review-list", LineList)
        assert listing.line_count() > listing.size.height
        lines = [row[:-1] for row in drawn_rows(listing)]
        assert all(re.search(r"Ansatt 1000\d\d\s*$", line) for line in lines), lines


def test_a_sick_note_running_on_counts_only_the_days_so_far(build: Builder, engine: Engine):
    build.unit(UNIT, "E1", "Lia sykehjem")
    build.employee(1, "100001", "Kari Nordmann").employment(1, UNIT, 100.0, D(2020, 1, 1))
    build.spell(1, D(2026, 11, 1), D(2026, 12, 31))  # a sick note into next month
    build.refresh(TODAY)
    (kari,) = employee_details(engine, UNIT, TODAY)
    assert kari.case is not None
    # 1–24 November so far; 61 days to the note's end on 31 December.
    assert (kari.case.sick_days_to_date, kari.case.sick_days) == (24, 61)
    assert "24 sykedager hittil (61 med sykmeldingen ut)" in case_text(kari).plain


@pytest.mark.parametrize(("key", "kept"), [("ctrl+s", TODAY), ("escape", D(2026, 11, 30))])
async def test_a_milestone_marked_by_another_advisor_meanwhile_shows_both_and_is_logged(
    unit: Builder, engine: Engine, key: str, kept: object
):
    session_id = start(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot, session_id)
        detail = screen.current()
        assert detail is not None and detail.case is not None
        # Per marks the follow-up plan done on another day while the review is open here.
        change_setting(engine, "advisor_name", "Per")
        employee, start_day = detail.employee_id, detail.case.start
        sessions.set_milestone_done(
            engine, employee, start_day, "followup_plan", True, D(2026, 11, 30), None, base=0
        )
        change_setting(engine, "advisor_name", "Kari")

        await pilot.press("d")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ConflictDialog)
        line = str(dialog.query_one("#conflict-line", Static).render())
        assert re.fullmatch(
            r"Endret av Per \d\d\.\d\d\.\d{4} kl\. \d\d\.\d\d: milepæl utført 30\.11\.2026 — "
            rf"din: utført {TODAY:%d\.%m\.%Y}",
            line,
        )
        await pilot.press(key)
        await settle(app, pilot)
        assert app.screen is screen
        shown = screen.current()
        assert shown is not None and shown.case is not None
        done = {m.key: m.done_on for m in shown.case.milestones if m.status == "done"}
        assert done == {"followup_plan": kept}

        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewHistoryDialog)
        history = str(app.screen.query_one("#review-history", Static).render()).splitlines()
    assert read(review_rows.milestones_done, engine, [employee]) == {
        (employee, start_day): {"followup_plan": kept}
    }
    assert [re.sub(r"^.*kl\. \d\d\.\d\d  ", "", line) for line in history] == [
        "Per  Oppfølgingsplan: milepæl ikke utført → utført 30.11.2026",
        *(
            [f"Kari  Oppfølgingsplan: milepæl utført 30.11.2026 → utført {TODAY:%d.%m.%Y}"]
            if key == "ctrl+s"
            else []
        ),
    ]


async def test_the_summary_opens_read_and_drawn_never_on_a_placeholder(
    unit: Builder, engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    session_id = start(engine)
    read_it = threading.Event()
    summary_of = sessions.session_summary

    def held_back(*args: object) -> SessionSummary:
        read_it.wait(10)
        return summary_of(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(sessions, "session_summary", held_back)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        review_screen = await open_review(app, pilot, session_id)
        await pilot.press("a")
        await pilot.pause()
        # While the summary is read the review stays, rather than a screen saying «Laster …».
        assert app.screen is review_screen
        read_it.set()
        await settle(app, pilot)
        summary = app.screen
        assert isinstance(summary, SummaryScreen) and summary.summary is not None
        assert "0 av 5 ansatte gjennomgått" in summary.markdown
        assert "Laster" not in screen_text(app)


async def test_the_summary_scrolls_with_the_arrows_and_page_keys(unit: Builder, engine: Engine):
    session_id = start(engine)
    app = NaervaerApp(db_path(engine), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review(app, pilot, session_id)
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert "Oppsummering:" in screen_text(app)
        await pilot.press("pagedown")
        assert "Oppsummering:" not in screen_text(app)
        await pilot.press("pageup")
        assert "Oppsummering:" in screen_text(app)
        await pilot.press("down")
        assert "Oppsummering:" not in screen_text(app)
        await pilot.press("up", "m")  # a single key is the app's, not the note's
        assert "Oppsummering:" in screen_text(app) and not app.masked
