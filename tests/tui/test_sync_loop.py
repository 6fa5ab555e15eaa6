"""The sync loop's turns: once at the start, again soon after an edit from elsewhere (never for
its own commits), each in its own thread; a failure becomes the header's line and nothing else."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest

from storage.db import DatabaseError
from storage.usecases.sync import SyncResult, SyncStatus
from tui.syncing import SyncLoop

AT = dt.datetime(2026, 12, 6, 9, 42)
OFFLINE = "Får ikke kontakt med serveren"


class Replica:
    """Stands in for the use cases around the loop: what each turn did and in which thread."""

    def __init__(self, fails: BaseException | None = None) -> None:
        self.fails = fails
        self.threads: list[threading.Thread] = []
        self.lines: list[str] = []
        self.reported = threading.Semaphore(0)
        self.own_commit_woke: list[bool] = []
        self.loop = SyncLoop(
            None,  # type: ignore[arg-type]  # the use cases here take no database
            self.sync,
            self.status,
            self.report,
            every=3600.0,
            after_edit=0.01,
        )

    def sync(self, _engine: Any) -> SyncResult:
        self.threads.append(threading.current_thread())
        self.loop.edited()  # the pull's commit, in the loop's own thread
        self.own_commit_woke.append(self.loop._wake.is_set())
        if self.fails is not None:
            raise self.fails
        return SyncResult(pushed=1, pulled=0, conflicts=0, at=AT)

    def status(self, _engine: Any) -> SyncStatus:
        error = OFFLINE if isinstance(self.fails, DatabaseError) else None
        pending = 3 if self.fails is not None else 0
        return SyncStatus("ola@db/naervaer", AT, pending, 0, error)

    def report(self, line: str, _pulled: bool) -> None:
        self.lines.append(line)
        self.reported.release()

    def next_turn(self) -> None:
        assert self.reported.acquire(timeout=60), "the loop did not sync"


def run(replica: Replica) -> threading.Thread:
    replica.loop.start()
    replica.next_turn()  # at the start
    assert replica.loop.thread is not None
    return replica.loop.thread


def stop(replica: Replica, thread: threading.Thread) -> None:
    replica.loop.stop()
    thread.join(timeout=60)
    assert not thread.is_alive()


def test_at_once_then_after_an_edit_never_for_its_own_commits() -> None:
    replica = Replica()
    thread = run(replica)
    assert replica.own_commit_woke == [False]
    replica.loop.edited()  # an edit on the UI's side
    replica.next_turn()
    stop(replica, thread)
    assert replica.threads == [thread, thread]  # one thread, never the caller's
    assert threading.main_thread() not in replica.threads
    assert replica.own_commit_woke == [False, False]


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (DatabaseError(OFFLINE), "Frakoblet – 3 endringer venter"),
        (RuntimeError("a fault of ours"), "Frakoblet – 3 endringer venter"),
    ],
    ids=["unreachable", "ours"],
)
def test_a_failing_sync_becomes_the_line_and_the_loop_goes_on(
    error: BaseException, line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # our fault is logged (without its text)
    replica = Replica(fails=error)
    thread = run(replica)
    replica.loop.edited()
    replica.next_turn()  # the loop survived the failure
    stop(replica, thread)
    assert replica.lines == [line, line]
