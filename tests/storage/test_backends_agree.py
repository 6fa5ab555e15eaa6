"""The same demo gives the same figures on a file and on a server, to the last digit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.cli import main

pytest.importorskip("psycopg", reason="needs the server extra (psycopg)")

AS_OF = "2025-11-24"
COMMANDS = [
    ["stats", "--from", "2025-07-01", "--to", "2025-09-30"],
    ["stats", "--from", "2024-01-01", "--to", "2025-06-30"],
    ["groups", "--as-of", AS_OF],
    ["cases", "--as-of", AS_OF],
    ["forecast", "--as-of", AS_OF],
]


def test_the_same_demo_gives_the_same_json_on_both_backends(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    databases = [str(tmp_path / "naervaer.sqlite"), pg_url]
    for db in databases:
        assert main(["--db", db, "demo"]) == 0
    capsys.readouterr()
    for command in COMMANDS:
        documents = []
        for db in databases:
            assert main([*command, "--db", db, "--json"]) == 0
            documents.append(json.loads(capsys.readouterr().out))
        on_file, on_server = documents
        assert on_file == on_server, command
