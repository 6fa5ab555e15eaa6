"""What the command line prints from the data: harmless on a terminal, quiet on a closed pipe."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import Builder
from tui.cli import EXIT_CLOSED_PIPE, main

D = dt.date
# An older database may hold what an import lets through no longer.
HOSTILE_NAME = "Lia\x1b]0;eid\x07 sykehjem\x1b[2J\x1b]52;c;cm0gLXJm\x07\x9b31m\u202e"
HOSTILE_CODE = "E1\x1b[10;10H"
# Anything a terminal acts on rather than prints (newlines aside).
RAW = set(map(chr, [*range(0x0A), *range(0x0B, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F)]))


@pytest.fixture
def hostile_db(build: Builder, engine: Engine) -> Path:
    build.unit(1, HOSTILE_CODE, HOSTILE_NAME, leader="Leder\x1b[2J")
    build.employee(1, "1001\x1b[2J", "Kari\x07")
    build.employment(1, 1, 100.0, D(2020, 1, 1)).spell(1, D(2025, 1, 6), None)
    build.refresh(D(2025, 3, 31))
    return Path(engine.url.database or "")


COMMANDS = {
    "stats": ["stats", "--from", "01.01.2025", "--to", "31.03.2025"],
    "groups": ["groups", "--as-of", "31.03.2025"],
    "cases": ["cases", "--as-of", "31.03.2025"],
    "forecast": ["forecast", "--as-of", "31.03.2025", "--quarters", "1"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_text_from_the_data_is_printed_escaped(
    hostile_db: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(hostile_db), *COMMANDS[command]]) == 0
    out = capsys.readouterr().out
    assert not RAW & set(out), repr(out)
    if command == "cases":
        assert "E1\\x1b[10;10H" in out and "1001\\x1b[2J" in out
    else:
        assert "Lia\\x1b]0;eid\\x07 sykehjem\\x1b[2J" in out
        assert "\\x9b31m\\u202e" in out


@pytest.mark.parametrize("command", COMMANDS)
def test_json_is_safe_on_a_terminal_and_keeps_every_value(
    hostile_db: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(hostile_db), *COMMANDS[command], "--json"]) == 0
    out = capsys.readouterr().out
    assert not RAW & set(out), repr(out)
    document = json.loads(out)
    if command == "cases":
        assert document["cases"][0]["unit_id"] == HOSTILE_CODE
        assert document["cases"][0]["employee_id"] == "1001\x1b[2J"
    else:
        assert document["units"][0]["name"] == HOSTILE_NAME
        assert document["units"][0]["unit_id"] == HOSTILE_CODE


def test_a_closed_pipe_ends_the_command_quietly(hostile_db: Path) -> None:
    """`naervaer stats | head -1`: the reader has gone; no message, the exit of a SIGPIPE end."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line is written: always a closed pipe
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", "--db", str(hostile_db), *COMMANDS["stats"]],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
        )
    finally:
        os.close(write)
    assert done.stderr == ""
    assert done.returncode == EXIT_CLOSED_PIPE


def test_head_reads_the_first_line_and_the_rest_ends_quietly(hostile_db: Path) -> None:
    command = [sys.executable, "-m", "tui.cli", "--db", str(hostile_db), *COMMANDS["stats"]]
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # as `head -1` does after its line
        err = process.stderr.read()
        code = process.wait()
    assert first.decode().startswith("Sykefravær 01.01.2025–31.03.2025")
    assert err == b""
    assert code in (0, EXIT_CLOSED_PIPE)  # 0 when the rest was written before the reader left


def test_import_problems_and_summary_are_printed_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = tmp_path / "enheter\x1b]0;eid\x07.csv"
    units.write_text("enhet_id\tenhet\nE1\tLia\x1b[2J\nE2\x9b31m\tMoholt\n")
    code = main(["--db", str(tmp_path / "db.sqlite"), "import", str(units)])
    captured = capsys.readouterr()
    assert code == 2
    assert not RAW & set(captured.out + captured.err), repr(captured)
    assert (
        "enheter\\x1b]0;eid\\x07.csv linje 2, enhet: Lia\\x1b[2J hadde kontrolltegn" in captured.err
    )
    assert (
        "enheter\\x1b]0;eid\\x07.csv linje 3, enhet_id: E2\\x9b31m har kontrolltegn" in captured.err
    )
