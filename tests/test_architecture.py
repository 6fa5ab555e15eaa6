"""The layers stay apart: core is pure, storage knows no terminal (STYLE.md)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def modules(package: str) -> list[str]:
    found = [package]
    for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
        if ".migrations" not in info.name:
            found.append(info.name)
    return found


def loaded_after_import(names: list[str]) -> set[str]:
    code = (
        "import sys\n"
        f"for name in {names!r}:\n"
        "    __import__(name)\n"
        "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_core_imports_neither_storage_nor_tui_nor_textual_nor_sqlalchemy() -> None:
    loaded = loaded_after_import(modules("core"))
    assert not loaded & {"storage", "tui", "textual", "sqlalchemy"}


def test_storage_does_not_load_the_terminal() -> None:
    loaded = loaded_after_import(modules("storage"))
    assert "storage" in loaded
    assert not loaded & {"tui", "textual"}


def test_command_line_help_does_not_load_textual() -> None:
    code = (
        "import sys\n"
        "from tui.cli import build_parser\n"
        "build_parser()\n"
        "print('textual' in sys.modules, 'pandas' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]
