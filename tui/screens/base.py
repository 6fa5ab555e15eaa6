"""What every screen shares: a typed view of the app, and failed workers reported to it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from core import fmt
from tui.masking import one_line
from tui.messages import Failed, MaskingChanged

if TYPE_CHECKING:
    from storage.db import Engine

T = TypeVar("T")


class AppState(Protocol):
    """What a screen may read of the app; navigation goes up as messages (tui.navigation)."""

    @property
    def engine(self) -> Engine | None: ...

    @property
    def today(self) -> dt.date: ...

    @property
    def masked(self) -> bool: ...

    @property
    def writes(self) -> int: ...

    @property
    def sync_line(self) -> str | None: ...  # a replica's state; None on a file or a server

    # What could not be said before the app quit (a note not saved), said on the way out.
    failure: str | None

    def unit_forecast(self, code: str, *, wait: bool = True) -> list[dict[str, Any]] | None: ...


def app_state(app: App[Any]) -> AppState:
    """The app as screens, dialogs and the command palette see it (the app is NaervaerApp)."""
    return cast(AppState, app)


class ReportsWorkerErrors:
    """Mixed into screens: Worker.StateChanged does not bubble, so forward failures to the app.

    The app turns them into one Norwegian line and logs the stack (tui.errors). It also gives
    the app as screens see it (`state`) and the open database (`engine`).
    """

    app: App[Any]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.error is not None:
            self.app.post_message(Failed(worker.error))

    @property
    def state(self) -> AppState:
        return app_state(self.app)

    @property
    def engine(self) -> Engine:
        """The open database; screens and the dialogs that write are shown only once it is."""
        engine = self.state.engine
        assert engine is not None
        return engine


def session_title(unit_name: str, session_type_label: str, held_on: dt.date) -> str:
    """A meeting's screens' title bar: `Lia sykehjem · Individuell rådgivning 24.11.2026`."""
    return f"{one_line(unit_name)} · {session_type_label} {fmt.date(held_on)}"


def size_classes(screen: Screen[Any]) -> set[str]:
    """The breakpoint classes (`-narrow`, `-wide`, `-short`, `-tall`) for the app's size, as
    Textual gives them to a screen: the largest breakpoint each dimension reaches."""
    app = screen.app
    classes = set()
    for size, own, apps in (
        (app.size.width, screen.HORIZONTAL_BREAKPOINTS, app.HORIZONTAL_BREAKPOINTS),
        (app.size.height, screen.VERTICAL_BREAKPOINTS, app.VERTICAL_BREAKPOINTS),
    ):
        breakpoints = apps if own is None else own
        reached = [(at, name) for at, name in breakpoints or [] if size >= at]
        if reached:
            classes.add(max(reached)[1])
    return classes


class SizedForTheApp:
    """Mixed into screens: made with the breakpoint classes for the app's size. Textual adds
    them after the screen's first layout, and styled the whole screen again for them; made
    with them, it is styled as it mounts (Textual's own update then changes nothing)."""

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(name, id, classes)  # type: ignore[call-arg]
        assert isinstance(self, Screen)
        self.add_class(*size_classes(self), update=False)  # styled as it mounts


class FollowsMasking:
    """Mixed into screens: names hidden or shown (the app's `masked`) reach every open screen as
    MaskingChanged, and its `masked_changed` redraws what shows them.

    Not a watcher on the app's `masked`: Textual keeps a watcher, and the closed screen it
    belongs to with all it read, until the value next changes."""

    def on_masking_changed(self, _: MaskingChanged) -> None:
        self.masked_changed()

    def masked_changed(self) -> None:
        """Draw again what shows names; nothing where none are shown."""


class NaervaerScreen(ReportsWorkerErrors, SizedForTheApp, FollowsMasking, Screen[T]):
    """A full screen of the app."""


class NaervaerModal(ReportsWorkerErrors, SizedForTheApp, FollowsMasking, ModalScreen[T]):
    """A dialog of the app."""
