"""The savings panel: drawn once on the status report it is opened on; SVG snapshots at
120×40 and 80×24 on the screens' small unit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

import tui.screens.savings as savings_screen
from tests.conftest import Builder
from tests.storage.test_status import TODAY as STATUS_TODAY
from tests.storage.test_status import build_scenario
from tests.tui.conftest import TODAY, db_path, settle
from tests.tui.test_status_screen import SIZE, open_status
from tests.tui.test_status_snapshot import project  # noqa: F401  (the fixture)
from tui.app import NaervaerApp
from tui.screens.savings import SavingsScreen
from tui.screens.status import StatusScreen


async def test_the_panel_computes_its_figures_once_as_it_opens(
    build: Builder, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Filling the assumptions' fields is not typing: the slide and the table are made once."""
    build_scenario(build, engine)
    made: list[str] = []

    def counted(name: str) -> Any:
        made_by = getattr(savings_screen, name)

        def make(*args: Any) -> Any:
            made.append(name)
            return made_by(*args)

        return make

    for name in ("municipality_text", "savings_rows"):
        monkeypatch.setattr(savings_screen, name, counted(name))
    app = NaervaerApp(db_path(engine), today=STATUS_TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_status(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        assert isinstance(app.screen, SavingsScreen)
        assert sorted(made) == ["municipality_text", "savings_rows"]

        made.clear()  # typing recomputes, at once
        app.screen.query_one("#setting-cost_per_day").focus()
        await pilot.press("ctrl+a", "ctrl+k", *"26")
        await pilot.pause()
        assert made.count("savings_rows") == 2


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_savings(snap_compare: Any, project: Engine, size: tuple[int, int]) -> None:  # noqa: F811
    """`b` on the status overview: the assumptions filled in, the slide and every unit's row."""
    app = NaervaerApp(db_path(project), today=TODAY)

    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)
        await app.push_screen(StatusScreen())
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
