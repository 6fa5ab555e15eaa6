"""The real app in a pseudo-terminal: keys in, the text it draws out, and a kill switch."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

# Textual draws with cursor moves and colours between runs of text; what is left once these
# are gone still has each run of one style in one piece.
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_=>]")


class Terminal:
    """`python -m tui.cli ARGS` on a pty of `size` (columns, rows) in its own process group.

    `entry` replaces `-m tui.cli`, for a script that changes something before it starts the app.
    """

    def __init__(
        self,
        args: Sequence[str],
        env: dict[str, str],
        size: tuple[int, int] = (120, 40),
        entry: Sequence[str] = ("-m", "tui.cli"),
    ) -> None:
        master, slave = os.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, *entry, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "TERM": "xterm-256color"},
            cwd=Path(__file__).parents[2],
            start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self._output = bytearray()
        self._lock = threading.Lock()
        # The app blocks once the pty's buffer is full, so it is read all the time.
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the app has gone and the pty is closed
                return
            if not chunk:
                return
            with self._lock:
                self._output += chunk

    def mark(self) -> int:
        """A place in the output, to look for what is drawn after it."""
        with self._lock:
            return len(self._output)

    def text(self, since: int = 0) -> str:
        with self._lock:
            raw = bytes(self._output[since:])
        return ANSI.sub("", raw.decode("utf-8", errors="replace"))

    def wait_for(self, needle: str, timeout: float, since: int = 0) -> bool:
        """Whether `needle` is drawn (after `since`) before `timeout` seconds or the app ends."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text(since):
                return True
            if self.process.poll() is not None:
                return needle in self.text(since)
            time.sleep(0.02)
        return False

    def send(self, keys: str) -> None:
        with suppress(OSError):  # killed meanwhile: the keys go nowhere, as on a real crash
            os.write(self.master, keys.encode())

    def kill(self) -> None:
        """SIGKILL: no handler, no cleanup, no flush; exactly a crash."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def close(self, timeout: float = 10.0) -> int:
        """Wait for the app to end (killing it after `timeout`); returns its exit status."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.process.wait()
        self._reader.join(timeout=5)
        os.close(self.master)
        return code
