"""What every screen shares: a typed view of the app, and failed workers reported to it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from tui.messages import Failed

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


def size_classes(app: App[Any]) -> str:
    """The classes of the app's breakpoints (-narrow, -short…) that the screen shown has: a
    screen opened with them is styled for the terminal's size once, not again, all its widgets,
    when its first resize adds them."""
    breakpoints = [*(app.HORIZONTAL_BREAKPOINTS or []), *(app.VERTICAL_BREAKPOINTS or [])]
    return " ".join(sorted({name for _, name in breakpoints} & app.screen.classes))


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


class NaervaerScreen(ReportsWorkerErrors, Screen[T]):
    """A full screen of the app."""


class NaervaerModal(ReportsWorkerErrors, ModalScreen[T]):
    """A dialog of the app."""
