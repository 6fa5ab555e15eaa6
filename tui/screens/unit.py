"""Enhetsoversikt: the unit's figures against its baseline and goal, and where a session starts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Header, Static

from core import fmt
from core.errors import InvalidInput
from core.masking import shown_leader
from core.percent import pct
from core.periods import Quarter, add_months
from core.project import Membership, default_baseline
from core.status import SECTOR_SHORT, sector_line
from core.summary import summary_text
from core.vocabulary import FACTOR_KINDS, SESSION_TYPES, SURVEYS
from tui.dialogs.export import ExportChoice, ExportDialog
from tui.masking import one_line
from tui.navigation import (
    EditFactors,
    EditScores,
    OpenAgenda,
    OpenEffect,
    OpenLeader,
    OpenMeasures,
)
from tui.screens.base import AppState, NaervaerScreen
from tui.widgets.charts import Chart, ChartData
from tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from storage.usecases.sessions import MeasureBoard

SESSION_KEYS = {"o": "oppstartsmote", "i": "individuell_radgivning", "s": "statusmote"}


def project_line(membership: Membership | None, today: dt.date) -> str:
    """The unit's place in the project, with its target group when it joined."""
    if membership is None:
        return "Enheten er ikke med i sykefraværsprosjektet ([b]p[/b]: ta den med)."
    group = (
        f" · målgruppe {membership.target_group} ved oppstart" if membership.target_group else ""
    )
    if membership.left_on is not None and membership.left_on <= today:
        return (
            f"[b]Ute av prosjektet fra {fmt.date(membership.left_on)}[/b] (med fra "
            f"{fmt.date(membership.joined_on)}{group})"
        )
    leaving = f" · ut fra {fmt.date(membership.left_on)}" if membership.left_on else ""
    return f"Med i prosjektet fra [b]{fmt.date(membership.joined_on)}[/b]{group}{leaving}"


def figures_text(
    overview: Any,
    prognosis: list[dict[str, Any]] | None = None,
    today: dt.date | None = None,
    *,
    masked: bool = True,
) -> Content:
    """The key figures as a few lines (the numbers come from core).

    `prognosis` is the unit's quarters from storage.usecases.forecast, once they are computed;
    `today` the app's day, which says whether a unit that leaves has left; `masked`: the leader's
    name hidden.
    """
    today = today or dt.date.today()
    f = overview.last_quarter_figures
    lines = [
        "[b]$name[/b]  ($code)",
        "$area  ·  leder: $leader",
        f"Ansatte i dag: [b]{overview.headcount}[/b]   Snitt siste to år: "
        f"[b]{fmt.percent(overview.avg_2y_pct)}[/b]",
        "$reason",
        f"[b]{fmt.quarter_label(overview.last_quarter)}[/b]: {fmt.percent(f.sick_leave_pct)}",
        f"  egenmeldt {fmt.percent(f.self_certified_pct)} · legemeldt "
        f"{fmt.percent(f.doctor_certified_pct)}",
        f"  korttid {fmt.percent(f.short_term_pct)} · langtid {fmt.percent(f.long_term_pct)}",
        f"  gradert andel av fraværet {fmt.percent(f.graded_share_pct)}",
        "",
    ]
    lines.append(project_line(overview.membership, today))
    if overview.baseline_quarter:
        lines += [
            f"Nullpunkt {fmt.quarter_label(overview.baseline_quarter)}: "
            f"[b]{fmt.percent(overview.baseline_pct)}[/b]   mål: "
            f"{fmt.percent(overview.goal_pct)} ({fmt.points(-overview.goal_pp)})",
        ]
        if overview.compare_quarter:
            lines.append(
                f"{fmt.quarter_label(overview.compare_quarter)}: "
                f"{fmt.percent(overview.compare_pct)}  endring "
                f"[b]{fmt.points(overview.change_pp)}[/b]"
            )
        lines.append(
            f"Siste fire kv. {fmt.percent(overview.last_four_pct)} mot "
            f"{fmt.percent(overview.before_four_pct)} de fire før oppstart"
        )
        if overview.goal.share is not None:
            lines += [escape(line) for line in overview.goal.share.lines]
    lines.append(f"Sektor: {escape(overview.goal.sector.text)}")
    if prognosis:
        first = prognosis[0]
        lines.append(
            f"Prognose {fmt.quarter_label(first['quarter'])}: [b]{fmt.percent(first['pct'])}[/b]"
            f" (kjent {fmt.number(first['known_pct'])} + forventet "
            f"{fmt.number(first['expected_pct'])})"
        )
    # Imported text goes in as variables: never read as markup, whatever brackets it has.
    return Content.from_markup(
        "\n".join(lines),
        name=one_line(overview.name),
        code=one_line(overview.code),
        area=one_line(overview.service_area or ""),
        leader=one_line(shown_leader(overview.leader, masked) or "") or "–",
        reason=one_line(overview.reason),
    )


def chart_data(overview: Any, prognosis: list[dict[str, Any]] | None = None) -> ChartData:
    """The last 24 months, the prognosis after them (a quarter's % in its months), the sector."""
    monthly = overview.monthly
    months = [m.date() for m in monthly["month"]]
    actual = [None if v != v else float(v) for v in monthly["pct"]]
    ahead: list[float | None] = []
    for quarter in prognosis or []:
        start = Quarter.parse(quarter["quarter"]).start
        months += [add_months(start, i) for i in range(3)]
        ahead += [quarter["pct"]] * 3
    series: dict[str, list[float | None]] = {"Sykefravær": actual + [None] * len(ahead)}
    if ahead:
        # From the last month known, so that the two lines meet.
        series["Prognose"] = [None] * (len(actual) - 1) + actual[-1:] + ahead
    series["Sektor (anslag)"] = sector_line([Quarter.of(m) for m in months]).values
    lines = {}
    if overview.baseline_pct is not None:
        lines["nullpunkt"] = overview.baseline_pct
        lines["mål"] = overview.goal_pct
    title = "Sykefravær per måned, siste 24 måneder"
    return ChartData(
        title=f"{title} og prognose (%)" if ahead else f"{title} (%)",
        labels=[fmt.month_label(m) for m in months],
        series=series,
        lines=lines,
    )


QUARTER_HEADERS = ("Kvartal", "Fravær", "Egenm.", "Legem.", "Lang")
QUARTER_WIDTHS = (len("4. kv. 2024"), *[len("100,0 %")] * 4)


def quarters_text(quarters: Any) -> Content:
    """The unit's quarters as a small table: the rate, and each kind's share of workdays."""

    def line(cells: tuple[str, ...]) -> str:
        first, *rest = cells
        return "  ".join(
            [first.ljust(QUARTER_WIDTHS[0])]
            + [c.rjust(w) for c, w in zip(rest, QUARTER_WIDTHS[1:], strict=True)]
        )

    lines = [Content.styled(line(QUARTER_HEADERS), "bold")]
    for q in quarters.itertuples():
        possible = q.possible or 0.0

        def share(lost: float, possible: float = possible) -> str:
            return fmt.percent(pct(lost, possible))

        cells = (
            fmt.quarter_label(q.quarter),
            fmt.percent(None if q.pct != q.pct else q.pct),
            share(q.lost_self),
            share(q.lost_doctor),
            share(q.lost_long),
        )
        lines.append(Content(line(cells)))
    return Content("\n").join(lines)


def factors_text(factors: dict[str, list[str]]) -> Content:
    lines = []
    for kind, label in FACTOR_KINDS.items():
        lines.append(Content.from_markup(f"[b]{label}[/b]"))
        texts = [t for t in factors.get(kind, []) if t]
        lines += [Content(f"  {i}. {one_line(t)}") for i, t in enumerate(texts, 1)] or [
            Content("  (ikke fylt ut)")
        ]
    return Content("\n").join(lines)


def scores_text(scores: dict[str, dict[str, float | None]]) -> str:
    lines = []
    for survey, label in SURVEYS.items():
        values = scores.get(survey, {})
        filled = {k: v for k, v in values.items() if v is not None}
        lines.append(f"[b]{label}[/b]")
        if not filled:
            lines.append("  (ingen kartlegging registrert)")
            continue
        lines += [f"  {fmt.number(v)}  {escape(k)}" for k, v in filled.items()]
    return "\n".join(lines)


def load_unit(state: AppState, unit_id: int) -> dict[str, Any]:
    """What the unit's screen shows, read in a worker's thread (one unit only: fast)."""
    from storage.usecases.sessions import unit_meetings
    from storage.usecases.units import open_unit

    engine = state.engine
    assert engine is not None
    read_at = state.writes  # before reading: what is read is at least as new as this count
    overview = open_unit(engine, unit_id, state.today)
    meetings = unit_meetings(engine, unit_id)
    return {
        "read_at": read_at,
        "names": overview.names,
        "overview": overview,
        # Usually computed by now (after the unit list came up); if not, it follows.
        "prognosis": state.unit_forecast(overview.code, wait=False),
        "factors": meetings.factors,
        "scores": meetings.scores,
        "last": meetings.last,
        "open": meetings.open,
    }


class UnitScreen(NaervaerScreen[None]):
    """The unit overview; o/i/s start a session of that type."""

    class PageLoaded(Message):
        """The unit's page, read (`load_unit`)."""

        def __init__(self, data: dict[str, Any]) -> None:
            super().__init__()
            self.data = data

    class ForecastLoaded(Message):
        """The unit's prognosis, computed after its figures."""

        def __init__(self, prognosis: list[dict[str, Any]] | None) -> None:
            super().__init__()
            self.prognosis = prognosis

    class StartAsked(Message):
        """The unit was met today already: ask before a session of `session_type` starts."""

        def __init__(self, session_type: str, held_today: int) -> None:
            super().__init__()
            self.session_type = session_type
            self.held_today = held_today

    class SessionStarted(Message):
        """A session started or gone on with, and its checklist's data."""

        def __init__(self, session_id: int, board: MeasureBoard) -> None:
            super().__init__()
            self.session_id = session_id
            self.board = board

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "start('oppstartsmote')", "Oppstartsmøte", id="start_kickoff"),
        Binding("i", "start('individuell_radgivning')", "Rådgivning", id="start_advice"),
        Binding("s", "start('statusmote')", "Statusmøte", id="start_status"),
        Binding("t", "measures", "Tiltak", id="measures"),
        Binding("f", "edit_factors", "Nærværsfaktorer", id="edit_factors"),
        Binding("k", "edit_scores", "Kartlegging", id="edit_scores"),
        Binding("v", "effect", "Virkning av tiltak", id="effect", show=False),
        Binding("l", "leader", "Lederside", id="leader"),
        Binding("p", "project", "Inn i / ut av prosjektet", id="project", show=False),
        # Listed under ? only: the footer is full, and Esc must stay visible.
        Binding("r", "export_report", "Enhetsrapport (PDF/Excel)", id="export_report", show=False),
        Binding("escape", "back", "Tilbake", id="back"),
    ]

    def __init__(self, unit_id: int, data: dict[str, Any] | None = None) -> None:
        """`data` from `load_unit` when read before opening: the screen is drawn once, full."""
        super().__init__()
        self.unit_id = unit_id
        self._first_data = data
        self.shown_at = -1  # the app's count of writes when what is shown was read
        self.overview: Any = None
        self.prognosis: list[dict[str, Any]] | None = None
        self.factors: dict[str, list[str]] = {}
        self.scores: dict[str, dict[str, float | None]] = {}
        self.data: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        # Read before opening: every part is composed with its text, and the screen is laid
        # out once with it (a text set after mounting lays the screen out again).
        data, self._first_data = self._first_data, None
        if data is not None:
            self._take(data)
        read = data is not None
        chart = Chart(id="unit-chart")
        if read:
            chart.show(self._chart())
            chart.border_subtitle = SECTOR_SHORT
        quarters = Static(quarters_text(self.overview.quarters) if read else "", id="unit-quarters")
        quarters.border_title = "Kvartaler"
        side = VerticalScroll(id="unit-side")
        side.border_title = "Nærværsfaktorer og kartlegging"
        session = VerticalScroll(id="unit-session")
        session.border_title = "Møter"
        yield Header()
        with VerticalScroll(id="unit-body"):
            with Horizontal(id="unit-top"):
                yield Static(self._figures() if read else "Laster …", id="unit-figures")
                yield chart
            with Horizontal(id="unit-bottom"):
                yield quarters
                with side:
                    yield Static(self._profile() if read else "", id="unit-factors")
                with session:
                    yield Static(
                        self.session_text(self.data) if read else "", id="unit-last-session"
                    )
        yield KeyBar()

    def on_mount(self) -> None:
        if self.overview is None:
            self.load()
        elif self.prognosis is None:
            self.load_forecast(self.overview.code)

    def masked_changed(self) -> None:
        if self.data:
            self.show_figures()
            self.query_one("#unit-last-session", Static).update(self.session_text(self.data))

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        self.post_message(self.PageLoaded(load_unit(self.state, self.unit_id)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="forecast")
    def load_forecast(self, code: str) -> None:
        """The prognosis after the figures: it takes longer, and the figures come first."""
        self.post_message(self.ForecastLoaded(self.state.unit_forecast(code)))

    def on_unit_screen_forecast_loaded(self, message: ForecastLoaded) -> None:
        self.prognosis = message.prognosis
        self.show_figures()

    def _figures(self) -> Content:
        state = self.state
        return figures_text(self.overview, self.prognosis, state.today, masked=state.masked)

    def _chart(self) -> ChartData:
        return chart_data(self.overview, self.prognosis)

    def _profile(self) -> Content:
        """The presence factors, and the surveys' scores below them."""
        scores = Content.from_markup("\n" + scores_text(self.scores))
        return Content("\n").join([factors_text(self.factors), scores])

    def show_figures(self) -> None:
        self.query_one("#unit-figures", Static).update(self._figures())
        chart = self.query_one(Chart)
        chart.show(self._chart())
        chart.border_subtitle = SECTOR_SHORT

    def on_unit_screen_page_loaded(self, message: PageLoaded) -> None:
        # Two reads can cross (one on coming back, one after a change): the newer is kept.
        if message.data["read_at"] >= self.shown_at:
            self.show(message.data)

    def _take(self, data: dict[str, Any]) -> None:
        """What is read becomes what the screen shows."""
        self.data = data
        self.shown_at = data["read_at"]
        self.overview = data["overview"]
        self.factors, self.scores = data["factors"], data["scores"]
        self.sub_title = one_line(self.overview.name)
        self.prognosis = data["prognosis"]

    def show(self, data: dict[str, Any]) -> None:
        self._take(data)
        self.show_figures()
        if self.prognosis is None:
            self.load_forecast(self.overview.code)
        self.query_one("#unit-quarters", Static).update(quarters_text(self.overview.quarters))
        self.query_one("#unit-factors", Static).update(self._profile())
        self.query_one("#unit-last-session", Static).update(self.session_text(data))

    def session_text(self, data: dict[str, Any]) -> Content:
        lines = []
        if data["open"] is not None:
            s = data["open"]
            lines += [
                f"[b]Pågående møte:[/b] {SESSION_TYPES[s.session_type]} {fmt.date(s.held_on)}",
                "Start et møte av samme type for å fortsette det.",
                "",
            ]
        last = data["last"]
        if last is None:
            lines.append("Ingen tidligere møter.")
        else:
            lines += [
                f"[b]Forrige møte:[/b] {SESSION_TYPES[last.session_type]} {fmt.date(last.held_on)}",
                "",
                "$summary",
            ]
        lines += [
            "",
            "[b]o[/b] oppstartsmøte · [b]i[/b] individuell rådgivning · [b]s[/b] statusmøte",
        ]
        # Stored masked, as Markdown: shown as plain text, masked again with today's people
        # should a name have slipped through.
        stored = summary_text(last.summary or "") if last is not None else ""
        summary = data["names"].shown(stored, self.state.masked)
        return Content.from_markup("\n".join(lines), summary=summary or "(ingen oppsummering)")

    def action_start(self, session_type: str) -> None:
        self.start_session(session_type)

    @work(thread=True, exclusive=True, exit_on_error=False, group="start")
    def start_session(self, session_type: str, asked: bool = False) -> None:
        """Go on with the open session of this type, else start one; a unit already met today
        is asked about first (`asked`: the advisor said yes)."""
        from core.meeting import StartChoice
        from storage.usecases.sessions import start_or_resume

        start = start_or_resume(
            self.engine, self.unit_id, session_type, self.state.today, asked=asked
        )
        if start.choice is StartChoice.ASK:
            self.post_message(self.StartAsked(session_type, start.ended_today))
            return
        assert start.session_id is not None and start.board is not None
        self.post_message(self.SessionStarted(start.session_id, start.board))

    @on(StartAsked)
    def ask_start(self, message: StartAsked) -> None:
        from tui.dialogs.forms import ConfirmForm

        held = message.held_today
        meetings = "1 møte" if held == 1 else f"{held} møter"

        def answered(yes: bool | None) -> None:
            if yes:
                self.start_session(message.session_type, asked=True)

        self.app.push_screen(
            ConfirmForm(
                SESSION_TYPES[message.session_type],
                f"Det er allerede holdt {meetings} med enheten i dag. Starte et nytt?",
                "Start møtet",
            ),
            answered,
        )

    @on(SessionStarted)
    def session_started(self, message: SessionStarted) -> None:
        """A session opens on its agenda, and goes on from it to last time's checklist when
        there is one, else to the review."""
        self.post_message(OpenAgenda(message.session_id, message.board))

    def on_screen_resume(self) -> None:
        """Back from a session or a dialog: read again if anything was written meanwhile."""
        if self.overview is not None and self.state.writes != self.shown_at:
            self.load()

    def action_measures(self) -> None:
        self.post_message(OpenMeasures(self.unit_id, None))

    def action_effect(self) -> None:
        if self.overview is not None:
            self.post_message(OpenEffect(self.overview.code, self.overview.name))

    def action_leader(self) -> None:
        self.post_message(OpenLeader(self.unit_id))

    def action_export_report(self) -> None:
        from storage.usecases.export import FORMATS, documents_folder

        dialog = ExportDialog("Eksporter enhetsrapport", FORMATS["unit"], documents_folder())
        self.app.push_screen(dialog, self.export_chosen)

    def export_chosen(self, choice: ExportChoice | None) -> None:
        if choice is not None:
            self.export_report(choice.form, choice.folder, self.state.masked)

    @work(thread=True, exit_on_error=False, group="export")
    def export_report(self, form: str, folder: Path, masked: bool) -> None:
        from storage.usecases.export import export_unit_report

        path = export_unit_report(
            self.engine, self.unit_id, folder, form, as_of=self.state.today, masked=masked
        )
        self.app.call_from_thread(self.notify, f"Lagret {path}", timeout=8, markup=False)

    def action_edit_factors(self) -> None:
        # What was written shows when the dialog closes (on_screen_resume reads it again).
        self.post_message(EditFactors(self.unit_id, self.factors))

    def action_edit_scores(self) -> None:
        self.post_message(EditScores(self.unit_id, self.scores))

    def action_project(self) -> None:
        """Take the unit into the project, or out of it when it is in."""
        from tui.dialogs.forms import DateForm, JoinForm

        if self.overview is None:
            return
        today = self.state.today
        membership = self.overview.membership
        if membership is not None and membership.left_on is None:
            form = DateForm("Ut av prosjektet fra (dd.mm.åååå)", today, due=False)
            self.app.push_screen(form, self.leave_chosen)
            return
        settings = self.overview.settings

        def default(day: dt.date) -> str:
            return default_baseline(day, settings.project_start, settings.baseline_quarter)

        title = f"{one_line(self.overview.name)} med i prosjektet"
        self.app.push_screen(JoinForm(title, today, default), self.join_chosen)

    def join_chosen(self, draft: Any) -> None:
        if draft is not None:
            self.change_project(draft, None)

    def leave_chosen(self, chosen: tuple[dt.date | None] | None) -> None:
        if chosen is not None and chosen[0] is not None:
            self.change_project(None, chosen[0])

    @work(thread=True, exclusive=True, exit_on_error=False, group="project")
    def change_project(self, draft: Any, left_on: dt.date | None) -> None:
        from storage.usecases import project

        codes = [self.overview.code]
        try:
            if draft is not None:
                project.join_project(self.engine, codes, draft.joined_on, draft.baseline_quarter)
            elif left_on is not None:
                project.leave_project(self.engine, codes, left_on)
        except InvalidInput as problem:
            self.app.call_from_thread(
                self.notify, str(problem), severity="error", timeout=8, markup=False
            )
            return
        # The overview read again in the same worker: the unit's place in the project shows.
        self.post_message(self.PageLoaded(load_unit(self.state, self.unit_id)))

    def action_back(self) -> None:
        self.app.pop_screen()
