"""The one write queue for edits saved as the advisor works (autosave, ticks, measures).

Each screen has one queue (`queue_of`): its writes run one at a time, in thread workers on the
app, so that leaving the screen does not cancel a write not yet started. A newer write of the
same key (a value set, not a change made) makes an older one not yet run step aside instead of
overwriting it. A failure comes
back as `WriteFailed` to whoever asked; `report` tells the advisor in one Norwegian line.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from weakref import WeakKeyDictionary

from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widget import Widget


class WriteFailed(Message):
    """A write failed; `what`: what the advisor is told was not saved (None: the error alone)."""

    def __init__(self, what: str | None, error: BaseException) -> None:
        super().__init__()
        self.what = what
        self.error = error


class WriteQueue:
    """One screen's writes, in the order asked, one at a time.

    It knows its screen by a weak reference: the queues are kept by their screen (weakly, in
    `_QUEUES`), and a strong one would keep every screen that ever wrote alive, with all it read.
    A write under way holds its screen until it is done."""

    def __init__(self, screen: Screen[object]) -> None:
        self._screen = weakref.ref(screen)
        self._lock = threading.Lock()
        self._versions: dict[Hashable, int] = {}

    def write(
        self,
        key: Hashable | None,
        call: Callable[[], object],
        *,
        failure: str | None = None,
        done: Message | None = None,
        reply_to: MessagePump | None = None,
        now: bool = False,
    ) -> None:
        """Run `call` in a thread (here if `now`); `done` is posted to `reply_to` (the screen if
        not given) once written, `WriteFailed(failure, error)` if it fails. `key` None: a change
        that no later write replaces, always made."""
        screen = self._screen()
        assert screen is not None  # a write is asked for by its screen, or a widget on it
        version = None
        if key is not None:
            version = self._versions[key] = self._versions.get(key, 0) + 1
        target = reply_to if reply_to is not None else screen

        def run() -> None:
            try:
                with self._lock:
                    if key is not None and self._versions.get(key) != version:
                        return
                    call()
            except Exception as error:
                # Said by whoever asked; if it has gone, the app says it.
                if not target.post_message(WriteFailed(failure, error)):
                    raise
                return
            if done is not None:
                target.post_message(done)

        if now:
            run()
        else:
            screen.app.run_worker(run, thread=True, exit_on_error=False, group="writes")


_QUEUES: WeakKeyDictionary[Screen[object], WriteQueue] = WeakKeyDictionary()


def queue_of(node: Widget) -> WriteQueue:
    """The write queue of the screen `node` is on (a screen is its own)."""
    screen = node if isinstance(node, Screen) else node.screen
    queue = _QUEUES.get(screen)
    if queue is None:
        queue = _QUEUES[screen] = WriteQueue(screen)
    return queue


def report(node: Widget, failed: WriteFailed) -> None:
    """Tell the advisor what was not saved and why, in one line (the stack goes to the log)."""
    from tui.errors import describe

    error = failed.error
    if failed.what is None:
        text = describe(error)
        node.notify(text, title="Noe gikk galt", severity="error", timeout=10, markup=False)
    else:
        # A refused value says why in its own words; anything else as tui.errors puts it.
        reason = str(error) if isinstance(error, ValueError) else describe(error)
        node.notify(
            f"{failed.what}. {reason}",
            title="Ikke lagret",
            severity="error",
            timeout=10,
            markup=False,
        )
