"""The Nærvær app: opens the database in a worker, then shows the unit list."""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui import memory
from tui.messages import (
    DatabaseReady,
    Failed,
    MaskingChanged,
    SyncState,
    ToggleMask,
    UnitsShown,
)
from tui.navigation import (
    EditFactors,
    EditScores,
    OpenAgenda,
    OpenConflicts,
    OpenEffect,
    OpenHelp,
    OpenHistory,
    OpenImport,
    OpenLeader,
    OpenMeasures,
    OpenReview,
    OpenSavings,
    OpenSettings,
    OpenStatus,
    OpenSummary,
    OpenUnit,
)

if TYPE_CHECKING:
    from textual.command import Provider

    from storage.db import Engine
    from storage.usecases.forecast import Prognosis
    from storage.usecases.sessions import AgendaRead, MeasureBoard
    from storage.usecases.units import UnitRow
    from tui.screens.status import StatusRead
    from tui.syncing import SyncLoop


def _palette_commands() -> type[Provider]:
    from tui.commands import NaervaerCommands

    return NaervaerCommands


class NaervaerApp(App[int]):
    """Keyboard-first, Norwegian, and never shows a traceback."""

    CSS_PATH = "app.tcss"
    TITLE = "Nærvær"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "toggle_mask", "Skjul/vis navn", id="toggle_mask"),
        Binding("question_mark", "help", "Hjelp", key_display="?", id="help"),
        Binding("ctrl+q", "quit", "Avslutt", id="quit", priority=True),
    ]

    # Narrow terminals (a small laptop's 80×24) get stacked panels instead of side by side.
    # Textual declares this without ClassVar, so it cannot be annotated as one here.
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-narrow"),
        (110, "-wide"),
    ]
    # Short terminals (24 rows) give the review's chart the rows its note and margins had.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]  # noqa: RUF012
    # Ours alone: Textual's system commands are English, and its screenshot would write the
    # screen, names and all, to a file. Loaded when the palette first opens, not at the start.
    COMMANDS: ClassVar = {_palette_commands}

    masked: reactive[bool] = reactive(True)
    # A replica's state in the header ("Synkronisert 10.42"); None on a file or a server.
    sync_line: reactive[str | None] = reactive(None)

    def __init__(
        self,
        db_path: Path | None = None,
        *,
        server: str | None = None,
        demo: bool = False,
        today: dt.date | None = None,
        passphrase: str | None = None,
    ):
        super().__init__()
        self.db_path = db_path
        # A team's PostgreSQL server by its URL, instead of a file: no file lock, no daily
        # backup, no passphrase (the server's own); the monthly figures are rebuilt only by a
        # login that sees every unit (the lead, the owner), since an advisor's would lack the rest.
        self.server = server
        self.refreshes_figures = server is None
        self.passphrase = passphrase
        self.demo = demo
        self.today = today or dt.date.today()
        self.engine: Engine | None = None
        # Commits to the database so far: a screen that shows what it read at one count reads
        # again when it comes back into view at another (see `_count_write`).
        self.writes = 0
        self.failure: str | None = None
        self.started = False  # the unit list has been shown once
        self.figures_stale = False  # shown as computed on an earlier day, until rebuilt
        # The prognosis pools every unit, so it is computed for all of them at once and kept
        # until the data changes (an import); screens read their unit's part from it.
        self._forecast: Prognosis | None = None
        self._forecast_lock = threading.Lock()
        self.sync_loop: SyncLoop | None = None  # on a replica, once the unit list is up
        # The last session's agenda as read when it opened: its summary builds on it where the
        # spells are unchanged (storage.repos.agenda.read_agenda checks).
        self._agenda_read: AgendaRead | None = None

    def on_mount(self) -> None:
        memory.pause()  # until the unit list (or the welcome) is up
        self._update_subtitle()
        self.open_database()

    def on_unmount(self) -> None:
        if self.sync_loop is not None:
            self.sync_loop.stop()
        memory.end()

    @work(thread=True, exclusive=True, exit_on_error=False, group="database")
    def open_database(self) -> None:
        # Nothing here loads pandas or the ORM when the figures are current: the unit list
        # comes first, the rest of the start's work after it (see `units_shown`).
        from storage.usecases.units import ensure_figures_current, figures_day, has_units

        engine = self._open()
        empty = not has_units(engine)
        if empty and self.demo:
            from storage.usecases.importing import load_demo

            load_demo(engine, scale="small", seed=1, today=self.today)
            empty = False
        computed = figures_day(engine)
        if self.refreshes_figures and computed != self.today and self._is_replica(engine):
            # A replica holds the people of the advisor's units only: every unit's figures
            # are the server's, as the last sync brought them.
            self.refreshes_figures = False
        # An advisor on a server shows the figures as the lead's import or start left them.
        if self.refreshes_figures and computed is None:  # never computed: nothing to show
            ensure_figures_current(engine, self.today)
        elif self.refreshes_figures:
            # Yesterday's figures are shown at once; today's replace them when rebuilt.
            self.figures_stale = computed != self.today
        units = None
        if not empty:
            from tui.screens.units import load_rows

            # With the database, so that the list's screen is drawn once, with its figures.
            # If that fails, the screen loads them itself, and reports what went wrong.
            with suppress(Exception):
                units = load_rows(engine, self.today)
        self.post_message(DatabaseReady(engine, empty, units))

    @staticmethod
    def _is_replica(engine: Engine) -> bool:
        from storage.usecases.sync import sync_status

        return sync_status(engine) is not None

    def _open(self) -> Engine:
        """The file, or the server and who the app runs as there (said in the title)."""
        if self.server is None:
            from storage.db import open_database

            assert self.db_path is not None
            return open_database(self.db_path, self.passphrase, notice=self.warn_from_thread)
        from storage.db import open_server, server_name
        from storage.usecases.team import me

        engine = open_server(self.server)
        who = me(engine)
        self.refreshes_figures = who.sees_all
        role = " (prosjektleder)" if who.lead else ""
        title = f"Nærvær · {who.name or who.login}{role} · {who.login}@{server_name(self.server)}"
        self.call_from_thread(setattr, self, "title", title)
        return engine

    @on(UnitsShown)
    def units_shown(self) -> None:
        if not self.started:
            self.started = True
            memory.hold()  # what the start loaded stays: the modules, the unit list
            self.after_start()

    @work(thread=True, exit_on_error=False, group="after-start")
    def after_start(self) -> None:
        """Today's figures (the day's first start), the day's backup and the retention reminder,
        once the advisor has the unit list."""
        assert self.engine is not None
        if self.figures_stale:
            from storage.usecases.units import ensure_figures_current

            self.call_from_thread(self.notify, "Tallene er fra en tidligere dag: oppdaterer …")
            ensure_figures_current(self.engine, self.today)
            self.figures_stale = False
            self.call_from_thread(self._reload_units_if, True)
        if self.server is None:  # a server is backed up by its own tools (pg_dump)
            self.follow_server()
            self.backup_once_a_day()
        self.remind_of_retention(self.engine)
        self.forecast_document()  # ready before the first unit is opened
        memory.hold()  # the prognosis stays loaded too

    def follow_server(self) -> None:
        """On a replica: its state in the header, and the loop that syncs it in a thread of its
        own (at once, every minute, soon after an edit)."""
        from storage.usecases.sync import sync, sync_status
        from tui import syncing

        assert self.engine is not None
        status = sync_status(self.engine)
        if status is None:
            return
        self.post_message(SyncState(syncing.state_line(status)))
        loop = syncing.SyncLoop(
            self.engine,
            sync,
            sync_status,
            lambda line, pulled: self.post_message(SyncState(line, pulled)),
            every=syncing.EVERY,
            after_edit=syncing.AFTER_EDIT,
        )
        self.sync_loop = loop
        loop.start()

    @on(SyncState)
    def sync_state(self, message: SyncState) -> None:
        self.sync_line = message.line
        # The figures, the prognosis and the advisors' rows as the server has them now.
        self._reload_units_if(message.pulled)

    def watch_sync_line(self, line: str | None) -> None:
        if line is not None:  # a file's or a server's title is left as it is
            self.title = f"{self.TITLE} · {line}"

    def unit_forecast(self, code: str, *, wait: bool = True) -> list[dict[str, Any]] | None:
        """One unit's prognosis by quarter; None if not computed yet and `wait` is False."""
        if not wait and self._forecast is None:
            return None
        unit = self.forecast_document().of_unit(code)
        return None if unit is None else unit.json()["quarters"]

    def forecast_document(self) -> Prognosis:
        """Every unit's prognosis (`forecast --json`); computed once, in a worker's thread."""
        from storage.usecases.forecast import prognosis

        with self._forecast_lock:
            if self._forecast is None:
                assert self.engine is not None
                self._forecast = prognosis(self.engine, self.today)
            return self._forecast

    def warn_from_thread(self, text: str) -> None:
        self.call_from_thread(self.notify, text, severity="warning", timeout=10, markup=False)

    def remind_of_retention(self, engine: Engine) -> None:
        """Data kept longer than the retention period set: say so (naervaer purge removes it)."""
        from storage.usecases.maintenance import retention_reminder
        from storage.usecases.settings import current_settings

        years = current_settings(engine).retention_years
        reminder = retention_reminder(engine, years, self.today)
        if reminder:
            self.call_from_thread(self.notify, reminder, severity="warning", timeout=15)

    def backup_once_a_day(self) -> None:
        """The day's first start copies the database; a failure is told, not fatal."""
        from storage.db import DatabaseError
        from storage.usecases.maintenance import daily_backup

        assert self.engine is not None
        try:
            # The engine, not the path: this process has the file open (see daily_backup).
            daily_backup(self.engine, today=self.today)
        except (DatabaseError, OSError) as error:
            reason = f" {error}" if isinstance(error, DatabaseError) else ""
            # Said, and kept on screen a while; the advisor's work goes on.
            self.call_from_thread(
                self.notify,
                f"Fikk ikke tatt dagens sikkerhetskopi.{reason}",
                title="Sikkerhetskopi",
                severity="error",
                timeout=30,
                markup=False,
            )

    @on(DatabaseReady)
    def database_ready(self, message: DatabaseReady) -> None:
        from storage.db import on_commit

        self.engine = message.engine
        on_commit(self.engine, self._count_write)
        if message.empty:
            memory.hold()
            from tui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(), self._welcome_answered)
        else:
            self.show_units(message.units)

    def _welcome_answered(self, scale: str | None) -> None:
        if scale is None:
            self.exit(0)
        elif scale == "import":
            from tui.screens.importing import ImportScreen

            self.push_screen(ImportScreen(), self._first_import_done)
        else:
            self.notify("Lager demodata … det kan ta litt tid.", timeout=5)
            self.make_demo(scale)

    def _first_import_done(self, imported: bool | None) -> None:
        """Data in: the unit list; nothing imported: back to the welcome."""
        from tui.screens.welcome import WelcomeScreen

        assert self.engine is not None
        if imported:
            self.post_message(DatabaseReady(self.engine, empty=False))
        else:
            self.push_screen(WelcomeScreen(), self._welcome_answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="database")
    def make_demo(self, scale: str) -> None:
        from storage.usecases.importing import load_demo

        assert self.engine is not None
        load_demo(self.engine, scale=scale, seed=1, today=self.today)
        self.post_message(DatabaseReady(self.engine, empty=False))

    def show_units(self, rows: list[UnitRow] | None = None) -> None:
        from tui.screens.units import UnitsScreen

        self.push_screen(UnitsScreen(rows))

    @on(Worker.StateChanged)
    def worker_failed(self, event: Worker.StateChanged) -> None:
        """The one place where a failed worker becomes a Norwegian message."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.post_message(Failed(event.worker.error))

    @on(Failed)
    def show_failure(self, message: Failed) -> None:
        from storage.db import DatabaseError, explain, explain_server
        from tui.errors import describe

        # SQLite's word on this file (damaged, full, locked …), with the backup to restore from;
        # or the server's (unreachable, the login refused, no rights).
        explained = (
            explain(message.error, self.db_path)
            if self.server is None
            else explain_server(message.error, self.server)
        )
        text = str(explained) if explained is not None else describe(message.error)
        if self.engine is None:  # nothing to work on: say why and leave
            self.failure = text
            # A database refused (damaged, locked, read-only …) is the user's to put right.
            refused = explained is not None or isinstance(message.error, DatabaseError)
            self.exit(2 if refused else 1)
        else:
            self.notify(text, title="Noe gikk galt", severity="error", timeout=10, markup=False)

    def _handle_exception(self, error: Exception) -> None:
        # Textual would print a traceback on the way out; the user gets one Norwegian line
        # instead, and the stack goes to the log (without the error's text, which may hold names).
        from tui.errors import describe

        self.failure = describe(error)
        self.exit(1)

    def _update_subtitle(self) -> None:
        self.sub_title = "Skjermet visning (m viser navn)" if self.masked else "Navn vises"

    def watch_masked(self) -> None:
        self._update_subtitle()
        for screen in self.screen_stack:
            screen.post_message(MaskingChanged())

    def action_toggle_mask(self) -> None:
        self.masked = not self.masked

    def on_toggle_mask(self, _message: ToggleMask) -> None:
        self.action_toggle_mask()

    def on_open_unit(self, message: OpenUnit) -> None:
        """The unit's screen, drawn once with its figures: they are read before it opens."""
        self._load_unit(self.screen, message.unit_id)

    def on_open_savings(self, message: OpenSavings) -> None:
        from tui.screens.savings import SavingsScreen

        self.push_screen(SavingsScreen(message.report))

    def on_open_effect(self, message: OpenEffect) -> None:
        from tui.screens.effect import EffectScreen

        self.push_screen(EffectScreen(message.unit_code, message.unit_name))

    def on_open_leader(self, message: OpenLeader) -> None:
        from tui.screens.leader import LeaderScreen

        self.push_screen(LeaderScreen(message.unit_id))

    def on_edit_factors(self, message: EditFactors) -> None:
        from tui.screens.edit_unit import FactorsScreen

        self.push_screen(FactorsScreen(message.unit_id, message.factors))

    def on_edit_scores(self, message: EditScores) -> None:
        from tui.screens.edit_unit import ScoresScreen

        self.push_screen(ScoresScreen(message.unit_id, message.scores))

    @work(thread=True, exclusive=True, exit_on_error=False, group="open-screen")
    def _load_unit(self, origin: Screen[Any], unit_id: int) -> None:
        from tui.screens.unit import UnitScreen, load_unit

        data = load_unit(self, unit_id)
        self.call_from_thread(self._open_loaded, origin, partial(UnitScreen, unit_id, data))

    def on_open_agenda(self, message: OpenAgenda) -> None:
        """A session's agenda, drawn once, whole: read before it opens."""
        self._load_agenda(self.screen, message.session_id, message.board)

    @work(thread=True, exclusive=True, exit_on_error=False, group="open-screen")
    def _load_agenda(self, origin: Screen[Any], session_id: int, board: MeasureBoard) -> None:
        from storage.usecases.agenda import session_agenda
        from tui.screens.agenda import AgendaScreen

        assert self.engine is not None
        data = session_agenda(self.engine, session_id, board.names)  # the same unit's masker
        self._agenda_read = data.read
        self.call_from_thread(self._open_loaded, origin, partial(AgendaScreen, data, board))

    def on_open_review(self, message: OpenReview) -> None:
        """The session's review, drawn once with every employee: read before it opens."""
        self._load_review(self.screen, message)

    @work(thread=True, exclusive=True, exit_on_error=False, group="open-screen")
    def _load_review(self, origin: Screen[Any], message: OpenReview) -> None:
        from storage.usecases.review import review
        from tui.screens.review import ReviewScreen

        assert self.engine is not None
        # The employees as read ahead, once that read has started and unless it failed (the
        # review then reads them again, and says it there).
        details, ahead = None, message.ahead
        if ahead is not None and (ahead.running() or ahead.done()) and ahead.exception() is None:
            details = ahead.result()
        session_id, unit_id = message.session_id, message.unit_id
        data = review(self.engine, session_id, unit_id, self.today, details, message.names)
        screen = partial(ReviewScreen, session_id, unit_id, data)
        self.call_from_thread(self._open_loaded, origin, screen, message.replace)

    def on_open_measures(self, message: OpenMeasures) -> None:
        from tui.screens.measures import MeasuresScreen

        screen = MeasuresScreen(
            message.unit_id, message.session_id, message.board, read_ahead=message.read_ahead
        )
        if message.replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def on_open_summary(self, message: OpenSummary) -> None:
        """The session's summary in place of the screen asking, drawn once, full: read before
        it opens."""
        self._load_summary(self.screen, message.session_id, message.unit_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="open-screen")
    def _load_summary(self, origin: Screen[Any], session_id: int, unit_id: int) -> None:
        from tui.screens.summary import SummaryScreen, read_summary

        assert self.engine is not None
        data = read_summary(self.engine, session_id, self.masked, self._agenda_read)
        screen = partial(SummaryScreen, session_id, unit_id, data)
        self.call_from_thread(self._open_loaded, origin, screen, True)

    def on_open_history(self, message: OpenHistory) -> None:
        from tui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(message.measure, message.names))

    def _open_loaded(
        self, origin: Screen[Any], make: Callable[[], Screen[Any]], replace: bool = False
    ) -> None:
        """Open a screen whose data was read in a worker, unless the advisor left meanwhile."""
        if self.screen is not origin:
            return
        if replace:
            self.switch_screen(make())
        else:
            self.push_screen(make())

    def action_status(self) -> None:
        """The status overview, drawn once with its figures: read before it opens."""
        self._load_status(self.screen, export=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="open-screen")
    def _load_status(self, origin: Screen[Any], export: bool) -> None:
        from tui.screens.status import load_status

        read = load_status(self)
        self.call_from_thread(self._open_status, origin, read, export)

    def _open_status(self, origin: Screen[Any], read: StatusRead, export: bool) -> None:
        from tui.screens.status import StatusScreen

        if self.screen is not origin:  # the advisor left meanwhile
            return
        screen = StatusScreen(read)
        self.push_screen(screen)
        if export:
            screen.action_export_status()

    def on_open_status(self, message: OpenStatus) -> None:
        """The status overview; for its report, opened first where the advisor is elsewhere."""
        from tui.screens.status import StatusScreen

        screen = self.screen
        if message.export and isinstance(screen, StatusScreen):
            screen.action_export_status()
        else:
            self._load_status(screen, message.export)

    def action_conflicts(self) -> None:
        self._load_conflicts(self.screen)

    def on_open_conflicts(self, _message: OpenConflicts) -> None:
        self.action_conflicts()

    @work(thread=True, exclusive=True, exit_on_error=False, group="open-screen")
    def _load_conflicts(self, origin: Screen[Any]) -> None:
        from tui.screens.conflicts import ConflictsScreen, load_page

        assert self.engine is not None
        page = load_page(self.engine)
        self.call_from_thread(self._open_loaded, origin, partial(ConflictsScreen, page))

    def on_open_import(self, _message: OpenImport) -> None:
        self.action_import_data()

    def on_open_settings(self, _message: OpenSettings) -> None:
        self.action_settings()

    def action_import_data(self) -> None:
        from tui.screens.importing import ImportScreen

        self.push_screen(ImportScreen(), self._reload_units_if)

    def action_settings(self) -> None:
        from tui.screens.settings import SettingsScreen

        self.push_screen(SettingsScreen(), self._reload_units_if)

    def _reload_units_if(self, changed: bool | None) -> None:
        """After an import, changed settings or a sync that pulled, the unit list's figures and
        the prognosis kept are stale."""
        from tui.screens.units import UnitsScreen

        if changed:
            with self._forecast_lock:
                self._forecast = None
            for screen in self.screen_stack:
                if isinstance(screen, UnitsScreen):
                    screen.load()

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if not isinstance(self.screen, CommandPalette):
            self.push_screen(
                CommandPalette(placeholder="Søk etter kommandoer …", id="--command-palette")
            )

    def _count_write(self) -> None:
        # Any thread's commit: the lists drawn before it are read again when shown next, and
        # on a replica the edit goes to the server soon.
        self.writes += 1
        if self.sync_loop is not None:
            self.sync_loop.edited()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def on_open_help(self, _message: OpenHelp) -> None:
        self.action_help()


def run_app(
    db_path: Path | None,
    *,
    server: str | None = None,
    demo: bool = False,
    passphrase: str | None = None,
) -> int:
    app = NaervaerApp(db_path, server=server, demo=demo, passphrase=passphrase)
    result = app.run()
    if app.failure:
        print(f"naervaer: {app.failure}", file=sys.stderr)
        return result if isinstance(result, int) and result else 1
    return result if isinstance(result, int) else 0


if TYPE_CHECKING:
    from tui.screens.base import AppState

    def _seen_by_screens(app: NaervaerApp) -> AppState:
        """Type-checked only: the app is what the screens' typed view says it is."""
        return app
