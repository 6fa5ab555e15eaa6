"""Data held for a long time is kept out of the garbage collector's full passes.

A full collection walks every object alive. With the unit list, the prognosis and a large
unit's review loaded, that took a tenth to a third of a second, and it falls in the middle of a
key press. What is alive once they are loaded is frozen (never walked); a screen that held much
releases it when it closes, so that its data can be collected. During the start nothing is
collected at all: it builds what stays, and walking it again and again cost a tenth of the start.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

# Whether the app holds what is alive (between its start and its end): a release asked for
# after the app has ended (a closing screen's, deferred) leaves the collector alone.
_holding = False


def pause() -> None:
    """No collections until the next `hold` (the app's start)."""
    gc.disable()


def hold() -> None:
    """Everything alive now is left out of collections until `release`; collections run again
    after a `pause`."""
    global _holding
    _holding = True
    gc.freeze()
    gc.enable()


def release() -> None:
    """Collect what was held and is garbage now (a closed screen's data); hold the rest again."""
    if not _holding:
        return
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class DefersRelease:
    """Mixed into a screen that opens in place of one that held much and holds little itself
    (the summary in place of the review): the release the closed screen asks for waits until
    this one closes (it calls `release_when_drawn` then, if `release_deferred`). Run as it
    opens, the full collection came between its first frame and the advisor's first key."""

    release_deferred = False


def release_when_drawn(app: App[Any]) -> None:
    """`release` once the screen that opens now has been drawn: a full collection walks all
    that is alive (a fifth of a second at municipality scale), and its frame goes out first.
    Left to that screen if it defers it (`DefersRelease`)."""
    shown = app.screen_stack  # empty as the app closes
    if shown and isinstance(shown[-1], DefersRelease):
        shown[-1].release_deferred = True
        return
    app.call_after_refresh(app.call_later, release)


def end() -> None:
    """The app has closed: everything back to ordinary collections (tests run many apps)."""
    global _holding
    _holding = False
    gc.unfreeze()
    gc.enable()
