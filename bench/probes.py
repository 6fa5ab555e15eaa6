"""What the benchmark runs inside the app, and the child processes it times from outside."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot

# Screens are looked at this often while waiting; small next to every figure measured.
POLL_SECONDS = 0.002
TIMEOUT_SECONDS = 60.0
# A laptop's terminal: wide enough for the review's list, detail and chart side by side.
SIZE = (160, 50)


async def wait_until(pilot: Pilot[Any], ready: Callable[[], bool], what: str = "") -> None:
    """Wait until `ready()` holds and the screen has been painted once more after that."""
    deadline = time.perf_counter() + TIMEOUT_SECONDS
    while not ready():
        if time.perf_counter() > deadline:
            shown = type(pilot.app.screen).__name__
            raise TimeoutError(f"the app never got to {what or 'the state waited for'} ({shown})")
        await asyncio.sleep(POLL_SECONDS)
    await pilot.app.screen.wait_for_refresh()


async def settle(pilot: Pilot[Any]) -> None:
    """Let every worker finish, so that one step's leftovers are not timed in the next."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def units_shown(app: App[Any]) -> bool:
    """The unit list is on screen with its figures: every unit's row is in the table."""
    from textual.css.query import NoMatches

    from tui.screens.units import UnitsScreen
    from tui.widgets.row_table import RowTable

    screen = app.screen
    if not isinstance(screen, UnitsScreen) or not screen.rows:
        return False
    try:
        table = screen.query_one("#unit-table", RowTable)
    except NoMatches:
        return False
    return table.row_count == len(screen.rows)


def review_shown(app: App[Any]) -> bool:
    from tui.screens.review import ReviewScreen

    screen = app.screen
    return isinstance(screen, ReviewScreen) and bool(screen.details)


def unit_shown(app: App[Any]) -> bool:
    """The unit overview with its figures and its chart, the prognosis in it."""
    from tui.screens.unit import UnitScreen

    screen = app.screen
    return (
        isinstance(screen, UnitScreen)
        and screen.overview is not None
        and screen.prognosis is not None
    )


def agenda_shown(app: App[Any]) -> bool:
    """The session's agenda: read before it opens, so it is drawn whole (a session starts on
    it)."""
    from tui.screens.agenda import AgendaScreen

    return isinstance(app.screen, AgendaScreen)


def checklist_shown(app: App[Any]) -> bool:
    """Last session's checklist, its open measures in the table."""
    from tui.screens.measures import MeasuresScreen

    screen = app.screen
    return isinstance(screen, MeasuresScreen) and bool(screen.checklist)


def summary_shown(app: App[Any]) -> bool:
    from tui.screens.summary import SummaryScreen

    screen = app.screen
    return isinstance(screen, SummaryScreen) and screen.summary is not None


def status_shown(app: App[Any]) -> bool:
    """The status overview with its figures: every project unit's row is in the table."""
    from tui.screens.status import StatusScreen
    from tui.widgets.row_table import RowTable

    screen = app.screen
    if not isinstance(screen, StatusScreen) or screen.report is None or not screen.rows:
        return False
    return screen.query_one("#status-table", RowTable).row_count > 0


def savings_shown(app: App[Any]) -> bool:
    from tui.screens.savings import SavingsScreen

    screen = app.screen
    return isinstance(screen, SavingsScreen) and screen.report is not None


def largest_unit(app: App[Any]) -> int:
    """The unit with the most employees today (its review is the heaviest one) of those with
    open measures, so that a meeting with it opens on the checklist (the municipality's largest
    has them; at small scale it may have had no meeting)."""
    from tui.screens.units import UnitsScreen

    screen = app.screen
    assert isinstance(screen, UnitsScreen)
    met = [row for row in screen.rows if row["open_measures"]] or screen.rows
    return int(max(met, key=lambda row: row["headcount"])["unit_id"])


def put_cursor_on(app: App[Any], unit_id: int) -> None:
    from tui.screens.units import UnitsScreen
    from tui.widgets.row_table import RowTable

    screen = app.screen
    assert isinstance(screen, UnitsScreen)
    order = [row["unit_id"] for row in screen.visible_rows()]
    screen.query_one("#unit-table", RowTable).move_cursor(order.index(unit_id))


async def step(pilot: Pilot[Any], key: str, shown: Callable[[App[Any]], bool]) -> float:
    """Press `key`; the time until `shown` holds and the screen is painted with it."""
    started = time.perf_counter()
    await pilot.press(key)
    await wait_until(pilot, lambda: shown(pilot.app), shown.__name__)
    return time.perf_counter() - started


# The advisor's way through a meeting with the largest unit, from the unit list with the cursor
# on it: each step's key and what shows that its screen is drawn.
MEETING = (
    ("open_unit", "enter", unit_shown),
    ("open_agenda", "i", agenda_shown),  # a session opens on its agenda
    ("open_checklist", "n", checklist_shown),  # on from the agenda, as the advisor goes
    ("open_review", "g", review_shown),
    ("open_summary", "a", summary_shown),
)
# The status overview from the unit list, and its savings panel.
STATUS = (
    ("open_status", "o", status_shown),
    ("open_savings", "b", savings_shown),
)


async def walk(pilot: Pilot[Any], steps: tuple[Any, ...]) -> dict[str, float]:
    """Each step's key in turn, letting the work of one settle before the next; their times."""
    times = {}
    for name, key, shown in steps:
        await settle(pilot)
        times[name] = await step(pilot, key, shown)
    await settle(pilot)
    return times


async def open_review(pilot: Pilot[Any]) -> None:
    """From the unit list with the cursor on a unit: Enter, `i`, `n` and `g` past the agenda
    and the checklist."""
    await walk(pilot, MEETING[:4])


async def bare_push(pilot: Pilot[Any], key: str) -> float:
    """`key` opens a screen of a header and one line: the time until it is shown.

    What opening any screen costs in Textual before the screen's own work: the lower bound of
    a step that opens one.
    """
    from textual.app import ComposeResult
    from textual.screen import Screen
    from textual.widgets import Header, Static

    class Bare(Screen[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("En tom skjerm")

    app = pilot.app
    app.install_screen(Bare(), "bench-bare")  # a new one each time, as a screen is opened
    app.bind(key, "push_screen('bench-bare')", show=False)
    started = time.perf_counter()
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, Bare))
    took = time.perf_counter() - started
    await settle(pilot)
    app.pop_screen()
    await settle(pilot)
    app.uninstall_screen("bench-bare")
    return took


async def back_to_units(pilot: Pilot[Any]) -> None:
    while not units_shown(pilot.app):
        await pilot.press("escape")
        await pilot.pause()


# --- child processes ---------------------------------------------------------------------------


def _run_headless(app: App[Any], steps: Callable[[Pilot[Any]], Awaitable[None]]) -> None:
    async def auto_pilot(pilot: Pilot[Any]) -> None:
        await steps(pilot)
        app.exit()

    app.run(headless=True, size=SIZE, auto_pilot=auto_pilot)


def cold_start(db: str, today: dt.date) -> float:
    """Start the app as `naervaer` does on a file or a server's URL; the clock reading when
    the unit list is shown."""
    import tui.cli  # noqa: F401  (the `naervaer` command loads it before the app)
    from tui.app import NaervaerApp

    on_server = "://" in db
    app = NaervaerApp(
        None if on_server else Path(db), server=db if on_server else None, today=today
    )
    ready = 0.0

    async def steps(pilot: Pilot[Any]) -> None:
        nonlocal ready
        await wait_until(pilot, lambda: units_shown(app))
        ready = time.perf_counter()

    _run_headless(app, steps)
    if app.failure or not ready:
        raise SystemExit(f"the app did not start: {app.failure}")
    return ready


def bare_start() -> float:
    """A Textual app with nothing in it; the clock reading when it is mounted and painted."""
    from textual.app import App

    app: App[None] = App()
    ready = 0.0

    async def steps(pilot: Pilot[Any]) -> None:
        nonlocal ready
        await wait_until(pilot, lambda: app.screen.is_mounted)
        ready = time.perf_counter()

    _run_headless(app, steps)
    return ready


def review_peak_rss(db: Path, today: dt.date) -> int:
    """Open the largest unit's review like the advisor; the process's peak memory in bytes."""
    from tui.app import NaervaerApp

    app = NaervaerApp(db, today=today)

    async def steps(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, lambda: units_shown(app))
        put_cursor_on(app, largest_unit(app))
        await open_review(pilot)

    _run_headless(app, steps)
    if app.failure:
        raise SystemExit(f"the review did not open: {app.failure}")
    return peak_rss()


def peak_rss() -> int:
    """This process's peak resident memory in bytes.

    On Linux ru_maxrss starts from the parent's memory at the fork, which the benchmark's own
    process would dwarf; VmHWM is the peak of this program's own address space since exec.
    """
    import resource

    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux counts kilobytes


def import_peak_rss(db: Path, files: list[str]) -> int:
    """`naervaer import` of the files into a new database; the process's peak memory in bytes."""
    from tui.cli import main as naervaer

    if naervaer(["import", "--db", str(db), *files]) != 0:
        raise SystemExit("the import was rejected")
    return peak_rss()


def main(argv: list[str]) -> None:
    """`probes.py cold-start DB-OR-URL DAY`, `probes.py bare`, `probes.py peak-rss DB DAY` or
    `probes.py import-rss DB FILE...`."""
    what, *rest = argv
    if what == "bare":
        print(repr(bare_start()))
        return
    if what == "import-rss":
        print(import_peak_rss(Path(rest[0]), rest[1:]))
        return
    today = dt.date.fromisoformat(rest[1])
    if what == "cold-start":
        print(repr(cold_start(rest[0], today)))
    elif what == "peak-rss":
        print(review_peak_rss(Path(rest[0]), today))
    else:
        raise SystemExit(f"unknown probe {what!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
