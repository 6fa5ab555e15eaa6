"""The command line's help and its complaints are Norwegian, like the rest of the app."""

from __future__ import annotations

import pytest

from tui.cli import build_parser, main

ENGLISH = (
    "usage",
    "positional arguments",
    "options",
    "show this help message",
    "invalid",
    "error",
    "required",
)


def commands() -> list[str]:
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if a.dest == "command"]
    return sorted(subparsers.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("argv", [["--help"], *[[name, "--help"] for name in commands()]])
def test_every_help_page_is_norwegian(argv: list[str], capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as end:
        main(argv)
    assert end.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith("bruk: naervaer")
    assert "vis denne hjelpen og avslutt" in shown
    assert [word for word in ENGLISH if word in shown.lower()] == []


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["stats"], "disse må være med: --from, --to"),
        (["demo", "--seed", "sju"], "argument --seed: ugyldig heltall: 'sju'"),
        (["demo", "--scale", "by"], "argument --scale: ugyldig valg: 'by'"),
        (["stats", "--from", "01.01.2025", "--to", "31.03.2025", "--ukjent"], "ukjente argumenter"),
        (["flytt"], "ugyldig valg: 'flytt'"),
    ],
)
def test_a_wrong_call_is_answered_in_norwegian(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
):
    with pytest.raises(SystemExit) as end:
        main(argv)
    assert end.value.code == 2
    shown = capsys.readouterr().err
    assert shown.startswith("bruk: naervaer")
    assert says in shown
    assert [word for word in ENGLISH if word in shown.lower()] == []
