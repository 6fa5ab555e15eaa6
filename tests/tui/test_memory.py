"""What the app keeps out of the garbage collector's way, and gives back."""

from __future__ import annotations

import gc

from tui import memory


def test_a_release_asked_for_after_the_app_ended_holds_nothing():
    # A closing review asks for its release after the next screen is drawn: at the app's end
    # that may come after `end`, and must not freeze what the next app (or test) makes.
    memory.hold()
    memory.end()
    try:
        memory.release()
        assert gc.get_freeze_count() == 0
        assert gc.isenabled()
    finally:
        gc.unfreeze()
