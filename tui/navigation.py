"""Where a screen asks to go: messages that bubble up to the app, which builds the screen.

No screen module imports another screen module. A screen posts one of these
(`self.post_message(OpenUnit(unit_id))`); the app, the one place that knows every screen,
handles it (`NaervaerApp.on_open_unit`) and pushes the screen asked for. Add a message here for
each way into a screen, with the data that screen needs as typed fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from concurrent.futures import Future

    from core.masking import Masker
    from storage.usecases.review import EmployeeDetail
    from storage.usecases.sessions import MeasureBoard, MeasureRow
    from storage.usecases.status import StatusReport


class OpenUnit(Message):
    """Show the overview of a unit."""

    def __init__(self, unit_id: int) -> None:
        super().__init__()
        self.unit_id = unit_id


class OpenStatus(Message):
    """Show the status overview; `export`: and ask at once where to export its report."""

    def __init__(self, *, export: bool = False) -> None:
        super().__init__()
        self.export = export


class OpenEffect(Message):
    """Show before and after the completed measures of one unit (`unit_code`), or of all."""

    def __init__(self, unit_code: str | None = None, unit_name: str | None = None) -> None:
        super().__init__()
        self.unit_code = unit_code
        self.unit_name = unit_name


class OpenLeader(Message):
    """Show the page of the leader of a unit: every unit they lead, together."""

    def __init__(self, unit_id: int) -> None:
        super().__init__()
        self.unit_id = unit_id


class OpenImport(Message):
    """Show the import screen; the unit list reads its figures again after an import."""


class OpenSettings(Message):
    """Show the settings; the unit list reads its figures again after a change."""


class OpenHelp(Message):
    """Show the keys of the screen the advisor is on, and of the app."""


class OpenSavings(Message):
    """Show the savings panel on the status report already read."""

    def __init__(self, report: StatusReport) -> None:
        super().__init__()
        self.report = report


class OpenAgenda(Message):
    """Show a session's agenda, read before it opens, on its way to `board`'s checklist (or
    the review, when the checklist is empty)."""

    def __init__(self, session_id: int, board: MeasureBoard) -> None:
        super().__init__()
        self.session_id = session_id
        self.board = board


class OpenMeasures(Message):
    """Show a unit's measures: a session's checklist and the measures agreed in it, or (no
    session) all of them. `board`: read before, so the screen is drawn once, full;
    `read_ahead`: read the review's employees meanwhile (at a session's start);
    `replace`: in place of the screen asking."""

    def __init__(
        self,
        unit_id: int,
        session_id: int | None,
        board: MeasureBoard | None = None,
        *,
        read_ahead: bool = False,
        replace: bool = False,
    ) -> None:
        super().__init__()
        self.unit_id = unit_id
        self.session_id = session_id
        self.board = board
        self.read_ahead = read_ahead
        self.replace = replace


class OpenReview(Message):
    """Show a session's review, read before it opens. `ahead`: the employees' details, if the
    screen asking read them ahead; `names`: the unit's masker, if the screen asking has it;
    `replace`: in place of the screen asking."""

    def __init__(
        self,
        session_id: int,
        unit_id: int,
        *,
        replace: bool = False,
        ahead: Future[tuple[EmployeeDetail, ...]] | None = None,
        names: Masker | None = None,
    ) -> None:
        super().__init__()
        self.session_id = session_id
        self.unit_id = unit_id
        self.replace = replace
        self.ahead = ahead
        self.names = names


class OpenSummary(Message):
    """Show a session's summary, in place of the screen asking (the checklist, the review)."""

    def __init__(self, session_id: int, unit_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.unit_id = unit_id


class OpenHistory(Message):
    """Show a measure's history; `names`: the unit's masker for its texts."""

    def __init__(self, measure: MeasureRow, names: Masker) -> None:
        super().__init__()
        self.measure = measure
        self.names = names


class EditFactors(Message):
    """Edit a unit's nærværsfaktorer (`factors` as shown: kind → its texts)."""

    def __init__(self, unit_id: int, factors: dict[str, list[str]]) -> None:
        super().__init__()
        self.unit_id = unit_id
        self.factors = factors


class EditScores(Message):
    """Edit a unit's survey scores (`scores` as shown: survey → factor → score)."""

    def __init__(self, unit_id: int, scores: dict[str, dict[str, float | None]]) -> None:
        super().__init__()
        self.unit_id = unit_id
        self.scores = scores


class OpenConflicts(Message):
    """Show a replica's sync conflicts, to keep one's own value, take the server's, or merge."""
