"""The layers stay apart: core is pure, storage knows no terminal (STYLE.md), no import cycles.

The import rules themselves are import-linter's contracts in pyproject.toml (`lint-imports`).
"""

from __future__ import annotations

import ast
import datetime as dt
import pkgutil
import subprocess
import sys
from itertools import pairwise
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


def test_the_apps_start_loads_only_what_the_unit_list_needs(build: Builder, engine: Engine) -> None:
    """The app itself, until its unit list is shown: no other screen, no command palette, not
    the unit overview's figures; what comes after the start (`after_start`) is left out."""
    today = dt.date(2026, 11, 24)
    build.unit(1, "E1", "Lia").employee(1, "1001").employment(1, 1, 100.0, dt.date(2020, 1, 1))
    build.spell(1, dt.date(2026, 3, 2), dt.date(2026, 3, 6)).refresh(today)
    engine.dispose()
    code = (
        "import datetime as dt, sys\n"
        "from pathlib import Path\n"
        "from tui.app import NaervaerApp\n"
        f"today = dt.date.fromisoformat({today.isoformat()!r})\n"
        f"app = NaervaerApp(Path({engine.url.database!r}), today=today)\n"
        "def after_start():\n"
        "    app.loaded = set(sys.modules)\n"
        "    app.exit()\n"
        "app.after_start = after_start\n"
        "app.run(headless=True, size=(120, 40))\n"
        "assert app.failure is None, app.failure\n"
        "ours = ('tui.', 'core.', 'storage.')\n"
        "heavy = ('pandas', 'numpy', 'alembic', 'sqlalchemy.orm')\n"
        "print(sorted(m for m in app.loaded if m.startswith(ours) or m in heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(ast.literal_eval(result.stdout.strip()))
    assert {"tui.screens.units", "storage.usecases.units"} <= loaded  # the start, measured
    assert {m for m in loaded if m.startswith("tui.screens.")} == {
        "tui.screens.base",
        "tui.screens.units",
    }
    assert not loaded & {"tui.commands", "core.overview", "pandas", "numpy", "alembic"}
    assert "sqlalchemy.orm" not in loaded


def test_stats_on_a_file_loads_neither_alembic_nor_the_orm_nor_every_countrys_holidays(
    build: Builder, engine: Engine
) -> None:
    """`naervaer stats` of whole months is a sum of the stored figures: the whole process is
    mostly what it loads, so it loads what the sum needs (pandas and SQLAlchemy Core)."""
    today = dt.date.today()
    build.unit(1, "E1", "Lia").employee(1, "1001").employment(1, 1, 100.0, dt.date(2020, 1, 1))
    build.spell(1, dt.date(2024, 3, 4), dt.date(2024, 3, 8)).refresh(today)
    engine.dispose()
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        f"args = ['stats', '--db', {engine.url.database!r}, '--json']\n"
        "assert main([*args, '--from', '2024-01-01', '--to', '2024-03-31']) == 0\n"
        "print(sorted(m for m in ('alembic', 'holidays', 'sqlalchemy.orm', "
        "'sqlalchemy.dialects.postgresql', 'textual') if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert '"sick_leave_pct": ' in result.stdout
    assert result.stderr.strip() == "[]"


# --- import cycles -------------------------------------------------------------------------------
#
# The graph has an edge for every `import` and `from … import` anywhere in a module: at the top,
# inside a function (a local import hides a cycle from Python, not from the design), and under
# `if TYPE_CHECKING:` too. Those count: an annotation is a dependency like any other (a screen
# typed against the app is coupled to it, whether or not the import runs), and import-linter,
# which checks the contracts on the same code, counts them as well. A package's `__init__` is a
# module of its own: importing `a.b` adds no edge to `a`.

PACKAGES = ("core", "storage", "tui")

# The cycles on main when this test was written (issue 15): each a strongly connected set of
# modules. A cycle may only shrink within one of these; the refactor of issue 15 breaks them, and
# each is deleted here once gone (the test says so). Then this list stays empty.
KNOWN_CYCLES: list[frozenset[str]] = []


def module_files() -> dict[str, tuple[Path, bool]]:
    """Every module of our packages (migrations aside): name -> (file, is a package)."""
    found: dict[str, tuple[Path, bool]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def import_graph() -> dict[str, dict[str, int]]:
    """module -> {module it imports: the line of the first such import}, ours only."""
    files = module_files()

    def ours(name: str) -> str | None:
        """The module an imported name lives in: the longest prefix that is one of ours."""
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, dict[str, int]] = {}
    for module, (path, is_package) in files.items():
        edges = graph.setdefault(module, {})
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the module's package, one level up per dot
                    package = module.split(".") if is_package else module.split(".")[:-1]
                    package = package[: len(package) - node.level + 1]
                    base = ".".join([*package, *([node.module] if node.module else [])])
                # `from a import b`: b is the module a.b if there is one, else a name in a.
                names = [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                target = ours(name)
                if target is not None and target != module:
                    edges.setdefault(target, node.lineno)
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[frozenset[str]]:
    """The strongly connected sets of two modules or more (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.add(member)
                    if member == node:
                        break
                if len(members) > 1:
                    found.append(frozenset(members))
    return found


def one_cycle(graph: dict[str, dict[str, int]], members: frozenset[str]) -> str:
    """A shortest cycle through the first of the modules, with the line of each import."""
    start = min(members)
    paths: dict[str, list[str]] = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node]):
            if target == start:
                hops = [*paths[node], start]
                return (
                    " -> ".join(f"{a} (line {graph[a][b]})" for a, b in pairwise(hops))
                    + f" -> {start}"
                )
            if target in members and target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"no cycle through {start}")


def test_the_graph_sees_local_and_type_checking_imports() -> None:
    graph = import_graph()
    # Imported inside a function (the app builds the screens it opens) …
    assert "tui.screens.help" in graph["tui.app"]
    # … and only for the type checker.
    assert "storage.db" in graph["tui.screens.base"]
    # `from storage.usecases import sessions` is the module storage.usecases.sessions.
    assert "storage.usecases.sessions" in graph["tui.screens.review"]
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [
        frozenset("abc")
    ]


def test_no_import_cycles() -> None:
    """No module imports, however indirectly, one that imports it (none but the known ones)."""
    graph = import_graph()
    found = cycles(graph)
    new = [
        f"{one_cycle(graph, c)}  [{', '.join(sorted(c))}]"
        for c in found
        if not any(c <= known for known in KNOWN_CYCLES)
    ]
    gone = [
        ", ".join(sorted(known)) for known in KNOWN_CYCLES if not any(c <= known for c in found)
    ]
    assert not new, "Import cycles:\n" + "\n".join(new)
    assert not gone, "No longer a cycle: delete from KNOWN_CYCLES:\n" + "\n".join(gone)
