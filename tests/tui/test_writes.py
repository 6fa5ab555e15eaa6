"""The one write queue: a screen's writes one at a time, a value set replacing one not yet
written, a change always made, and a failure said to whoever asked."""

from __future__ import annotations

import threading

from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Static

from tui.writes import WriteFailed, queue_of


class Written(Message):
    pass


class Probe(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.failed: list[tuple[str | None, str]] = []
        self.written = 0

    def compose(self) -> ComposeResult:
        yield Static(id="probe")

    def on_write_failed(self, message: WriteFailed) -> None:
        self.failed.append((message.what, str(message.error)))

    def on_written(self) -> None:
        self.written += 1


async def test_a_value_set_again_before_it_is_written_is_written_once_at_its_newest():
    app = Probe()
    async with app.run_test() as pilot:
        queue = queue_of(app.screen)
        assert queue_of(app.query_one("#probe", Static)) is queue  # one queue per screen
        release = threading.Event()
        done: list[str] = []
        queue.write("other", lambda: release.wait(5))  # holds the queue
        for value in ("a", "ab", "abc"):
            queue.write("note", lambda value=value: done.append(value))
        for change in ("tick", "untick"):
            queue.write(None, lambda change=change: done.append(change))
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert done.count("abc") == 1 and "a" not in done and "ab" not in done
    assert sorted(done) == ["abc", "tick", "untick"]


async def test_a_failure_goes_to_whoever_asked_and_done_only_after_a_write():
    app = Probe()
    async with app.run_test() as pilot:
        queue = queue_of(app.screen)

        def broken() -> None:
            raise ValueError("Poengsum må være mellom 1 og 5.")

        queue.write("score", broken, failure="Ikke lagret", done=Written(), reply_to=app)
        queue.write("note", lambda: None, done=Written(), reply_to=app)
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.failed == [("Ikke lagret", "Poengsum må være mellom 1 og 5.")]
    assert app.written == 1
