"""The app on a replica: the header's sync state, and the loop that syncs in the background —
when the app opens, every minute, and soon after an edit; never on the UI thread."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from core import fmt
from core.conflicts import local_time

if TYPE_CHECKING:
    from storage.db import Engine
    from storage.usecases.sync import SyncResult, SyncStatus

EVERY = 60.0  # seconds between syncs while nothing is edited
# An edit is pushed once the edits pause this long: a note typed, a checklist ticked through,
# goes as one push, not one a keystroke.
AFTER_EDIT = 5.0


def state_line(status: SyncStatus, *, failed: bool = False, today: dt.date | None = None) -> str:
    """`Synkronisert 10.42`, `Frakoblet – 3 endringer venter`, `… · 2 konflikter (K)`.

    `failed`: the last try failed though the replica recorded no error (one of ours, logged).
    `today`: the local clock's day; a sync on another day is shown with its date.
    """
    waiting = fmt.count(status.pending, "endring venter", "endringer venter")
    if status.last_error is not None or failed:
        line = "Frakoblet"
    elif status.last_sync_at is None:
        line = "Ikke synkronisert ennå"
    else:
        at = local_time(status.last_sync_at)
        day = "" if at.date() == (today or dt.date.today()) else f"{fmt.date(at)} "
        line = f"Synkronisert {day}{at:%H.%M}"
    if status.pending:
        line += f" – {waiting}"
    if status.conflicts:
        line += f" · {fmt.count(status.conflicts, 'konflikt', 'konflikter')} (K)"
    return line


class SyncLoop:
    """Syncs one replica in one thread (`run`), so that two syncs never overlap: `sync` and
    `status` are storage.usecases.sync's. Each outcome goes to `report` as the header's line and
    whether anything came from the server; a failure changes only that line (the replica
    records the error, and keeps the outbox)."""

    def __init__(
        self,
        engine: Engine,
        sync: Callable[[Engine], SyncResult],
        status: Callable[[Engine], SyncStatus | None],
        report: Callable[[str, bool], object],
        *,
        every: float,
        after_edit: float,
    ) -> None:
        self.engine = engine
        self.sync = sync
        self.status = status
        self.report = report
        self.every = every
        self.after_edit = after_edit
        self.thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()

    def edited(self) -> None:
        """Something was committed to the replica: push it soon. The loop's own commits (a
        pull, the outbox marked done) are no edit."""
        if threading.current_thread() is not self.thread:
            self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def start(self) -> None:
        """The loop in a thread of its own, not one of Textual's workers: it runs as long as
        the app, and the app ends without waiting for a sync under way (a push cut short is
        sent again whole, and the server applies each edit once)."""
        threading.Thread(target=self.run, name="naervaer-sync", daemon=True).start()

    def run(self) -> None:
        """The loop; returns once stopped (a sync under way is finished first)."""
        self.thread = threading.current_thread()
        while not self._stop.is_set():
            self.sync_once()
            if self._wake.wait(self.every):
                self._settle()

    def _settle(self) -> None:
        """After an edit: wait until the edits pause, but never longer than a minute."""
        deadline = time.monotonic() + self.every
        self._wake.clear()
        while not self._stop.is_set() and time.monotonic() < deadline:
            if not self._wake.wait(self.after_edit):
                return
            self._wake.clear()

    def sync_once(self) -> None:
        from storage.db import DatabaseError
        from tui.errors import log_error

        failed, pulled = False, False
        try:
            pulled = self.sync(self.engine).pulled > 0
        except DatabaseError:
            failed = True  # the server out of reach, the login refused: the replica says which
        except Exception as error:  # ours: logged, and tried again at the next turn
            failed = True
            log_error(error)
        try:
            status = self.status(self.engine)
        except Exception as error:  # the replica busy or gone: the header keeps its line
            log_error(error)
            return
        if status is not None:
            self.report(state_line(status, failed=failed), pulled)
