"""The savings panel: SVG snapshots at 120×40 and 80×24 on the screens' small unit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from tests.tui.conftest import TODAY, db_path, settle
from tests.tui.test_status_snapshot import project  # noqa: F401  (the fixture)
from tui.app import NaervaerApp
from tui.screens.status import StatusScreen


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
