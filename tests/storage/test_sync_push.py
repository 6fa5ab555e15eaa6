"""A push cut short (the process killed, the server stopped, a crash after the server's commit)
or made twice creates no duplicate and loses nothing (storage.sync.push)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from storage.db import DatabaseError, open_server
from storage.models import Measure, SyncApplied, utcnow
from storage.sync import push
from storage.usecases import measures
from storage.usecases import sync as sync_cases
from storage.usecases.sync import sync, sync_status
from tests.storage.sync_fixtures import Offline, offline, own_server

__all__ = ["offline", "own_server"]

ROOT = Path(__file__).parents[2]
EDITS = 150


def agree(engine: Engine, count: int) -> list[str]:
    texts = [f"Tiltak {number:03d}" for number in range(count)]
    for text in texts:
        measures.add_measure(engine, 1, "enhet", text)
    return texts


def on_server(offline: Offline) -> list[str]:
    engine = offline.team.as_login(offline.team.leah)
    with engine.connect() as conn:
        return sorted(conn.execute(select(Measure.text)).scalars())


def assert_all_once(offline: Offline, texts: list[str]) -> None:
    assert sync(offline.anne).conflicts == 0
    status = sync_status(offline.anne)
    assert status is not None and (status.pending, status.conflicts) == (0, 0)
    assert on_server(offline) == texts  # each once: none lost, none twice
    with offline.anne.connect() as conn:
        assert sorted(conn.execute(select(Measure.text)).scalars()) == texts
    sync(offline.bent)  # Bent does not have Lia: none of it reaches him
    with offline.bent.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Measure)).scalar() == 0


def test_a_sync_killed_again_and_again_then_run_to_the_end(offline: Offline, tmp_path: Path):
    texts = agree(offline.anne, EDITS)
    offline.anne.dispose()
    env = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    # Killed at several points of its run, whatever they turn out to be on this machine.
    for pause in (0.5, 1.0, 1.5, 2.0, 3.0):
        started = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "--db", str(offline.anne_path), "sync"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(pause)
        started.send_signal(signal.SIGKILL)
        started.wait()
    assert_all_once(offline, texts)


def test_a_crash_after_the_servers_commit_applies_nothing_twice(
    offline: Offline, monkeypatch: pytest.MonkeyPatch
):
    texts = agree(offline.anne, 5)

    def crash(*_args: object) -> None:
        raise RuntimeError("the laptop's battery ran out")

    monkeypatch.setattr(sync_cases, "_store_conflicts", crash)
    with pytest.raises(RuntimeError):
        sync(offline.anne)
    assert on_server(offline) == texts  # the server had committed
    assert sync_status(offline.anne).pending > 0  # the replica had not heard
    monkeypatch.undo()
    assert_all_once(offline, texts)


def test_the_server_stopped_during_a_push(offline: Offline):
    texts = agree(offline.anne, EDITS)
    stopper = threading.Timer(0.5, offline.server.halt)
    stopper.start()
    with contextlib.suppress(DatabaseError):  # stopped before it was done: the rest waits
        sync(offline.anne)
    stopper.join()
    offline.server.resume()
    assert_all_once(offline, texts)


def test_the_same_push_twice(offline: Offline):
    texts = agree(offline.anne, 3)
    with offline.anne.connect() as conn:
        entries = push.pending(conn)
    server = open_server(offline.team.login_url(offline.team.anne))
    try:
        for _ in range(2):
            with server.begin() as conn:
                assert push.push(conn, entries, offline.team.anne, utcnow()) == []
        with server.connect() as conn:
            applied = conn.execute(select(func.count()).select_from(SyncApplied)).scalar()
    finally:
        server.dispose()
    assert applied == len(entries)
    assert on_server(offline) == texts
    assert_all_once(offline, texts)
