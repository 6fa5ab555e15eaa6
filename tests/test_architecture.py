"""The layers stay apart: core is pure, storage knows no terminal (STYLE.md)."""

from __future__ import annotations

import datetime as dt
import pkgutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from tests.conftest import Builder

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


def test_the_start_to_the_unit_list_loads_neither_pandas_nor_alembic_nor_the_orm(
    build: Builder, engine: Engine
) -> None:
    """The unit list is the first thing the advisor waits for: the heavy modules come later."""
    today = dt.date(2026, 11, 24)
    build.unit(1, "E1", "Lia").employee(1, "1001").employment(1, 1, 100.0, dt.date(2020, 1, 1))
    build.spell(1, dt.date(2026, 3, 2), dt.date(2026, 3, 6)).refresh(today)  # as every day's start
    engine.dispose()
    code = (
        "import datetime as dt, sys\n"
        "from pathlib import Path\n"
        "import tui.app, tui.screens.units\n"
        "from storage.db import open_database\n"
        "from storage.usecases.units import ensure_figures_current, has_units, unit_list\n"
        f"engine = open_database(Path({engine.url.database!r}))\n"
        "assert has_units(engine)\n"
        f"today = dt.date.fromisoformat({today.isoformat()!r})\n"
        "assert not ensure_figures_current(engine, today)\n"
        "(row,) = unit_list(engine, today)\n"
        "assert row.avg_2y_pct is not None\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'alembic', 'sqlalchemy.orm') "
        "if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
