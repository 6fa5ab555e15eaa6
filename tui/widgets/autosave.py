"""Inputs that save themselves: shortly after typing stops, when focus leaves, and on close.

The save goes through the screen's write queue (tui.writes), which runs it on the app, not on
the screen, so that it still completes when the screen is closed right after the last keystroke.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual import events
from textual.timer import Timer
from textual.widgets import Input, TextArea

from tui.writes import WriteFailed, WriteQueue, queue_of, report

DEBOUNCE_SECONDS = 0.5

Saver = Callable[[Any, str], object]


class _Autosave:
    key: Any
    saver: Saver
    _timer: Timer | None
    _saved: str
    _queue: WriteQueue

    def _schedule(self: Any) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self.flush)

    def flush(self: Any) -> None:
        """Save now if the value differs from what was saved last."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        value = self._current()
        if value != self._saved:
            self._saved = value
            self._queue.write(
                (id(self), self.key), partial(self.saver, self.key, value), reply_to=self
            )

    def on_write_failed(self: Any, failed: WriteFailed) -> None:
        failed.stop()
        report(self, failed)

    def _on_mount(self: Any, event: events.Mount) -> None:
        # Textual calls each class's own handler (Input's too). The queue is taken now: on the
        # way out (unmount) the widget may no longer know its screen.
        self._queue = queue_of(self)

    def on_blur(self: Any, event: events.Blur) -> None:
        self.flush()

    def on_unmount(self: Any, event: events.Unmount) -> None:
        self.flush()
        # Textual's TextArea watches the app's theme, and a watcher is let go of only when the
        # value changes: the widget outlives its screen, and must not keep it (and all it read)
        # alive through its saver.
        self.saver = _closed


def _closed(key: Any, text: str) -> object:
    """The saver of a widget whose screen has closed: it saved all it had as it closed."""
    raise RuntimeError(f"{key!r} saved after its screen closed")


class AutosaveInput(_Autosave, Input):
    def __init__(self, key: Any, saver: Saver, value: str = "", **kwargs: Any) -> None:
        super().__init__(value=value, **kwargs)
        self.key, self.saver, self._timer, self._saved = key, saver, None, value

    def _current(self) -> str:
        return str(self.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._schedule()


class AutosaveTextArea(_Autosave, TextArea):
    def __init__(self, key: Any, saver: Saver, text: str = "", **kwargs: Any) -> None:
        super().__init__(text, **kwargs)
        self.key, self.saver, self._timer, self._saved = key, saver, None, text

    def _current(self) -> str:
        return str(self.text)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._schedule()

    def show(self, key: Any, text: str) -> None:
        """Show another record's text, saving what was typed in the one before."""
        self.flush()
        self.key, self._saved = key, text
        self.load_text(text)
