"""Editing the unit's nærværsfaktorer and survey scores; every field saves itself."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.widgets import Label, Static

from core import fmt
from core.vocabulary import FACTOR_KINDS, KS_FACTORS, SURVEYS
from tui.screens.base import NaervaerModal
from tui.widgets.autosave import AutosaveInput

FACTOR_COUNT = 4


async def close_saved(dialog: NaervaerModal[None]) -> None:
    """Close once every field's last edit is saved: the overview under the dialog reads the
    unit again when it shows, and must find them written."""
    for field in dialog.query(AutosaveInput):
        field.flush()
    saving = [worker for worker in dialog.app.workers if worker.group == "autosave"]
    await dialog.app.workers.wait_for_complete(saving)
    dialog.dismiss(None)


class FactorsScreen(NaervaerModal[None]):
    """Four things the unit is good at and four to improve, from its arbeidsmiljøgruppe."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Ferdig")]

    def __init__(self, unit_id: int, factors: dict[str, list[str]]) -> None:
        super().__init__()
        self.unit_id = unit_id
        self.factors = factors

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="edit-box") as box:
            box.border_title = "Nærværsfaktorer (lagres mens du skriver, Esc når du er ferdig)"
            for kind, label in FACTOR_KINDS.items():
                yield Label(f"[b]{label}[/b]")
                texts = [*self.factors.get(kind, []), *[""] * FACTOR_COUNT][:FACTOR_COUNT]
                for position, text in enumerate(texts, 1):
                    yield AutosaveInput(
                        (kind, position), self.save, value=text, placeholder=f"{position}."
                    )

    def save(self, key: tuple[str, int], value: str) -> None:
        from storage.usecases.sessions import set_presence_factor

        kind, position = key
        set_presence_factor(self.engine, self.unit_id, kind, position, value.strip())

    async def action_close(self) -> None:
        await close_saved(self)


def parse_score(text: str) -> float | None:
    """'3,5' → 3.5; empty → None. Raises ValueError with a Norwegian message."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        return None
    try:
        score = float(cleaned)
    except ValueError:
        raise ValueError(f"«{text}» er ikke et tall. Skriv en verdi fra 1 til 5.") from None
    if not 1.0 <= score <= 5.0:
        raise ValueError(f"{text} er utenfor skalaen. Skriv en verdi fra 1 til 5.")
    return score


class ScoreInput(AutosaveInput):
    """A 1–5 score: a value off the scale is not saved, and the user is told why."""

    def flush(self) -> None:
        try:
            parse_score(str(self.value))
        except ValueError as error:
            self.app.notify(str(error), severity="warning", markup=False)  # quotes what was typed
            return
        super().flush()


class ScoresScreen(NaervaerModal[None]):
    """Kartlegging av leder og ansatte: the ten KS 10-FAKTOR factors on a 1–5 scale."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Ferdig")]

    def __init__(self, unit_id: int, scores: dict[str, dict[str, float | None]]) -> None:
        super().__init__()
        self.unit_id = unit_id
        self.scores = scores

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="edit-box") as box:
            box.border_title = "Kartlegging, skala 1–5 (lagres mens du skriver, Esc: ferdig)"
            with Grid(id="score-grid"):
                yield Static("")
                for label in SURVEYS.values():
                    yield Label(f"[b]{label}[/b]")
                for factor in KS_FACTORS:
                    yield Label(factor)
                    for survey in SURVEYS:
                        value = self.scores.get(survey, {}).get(factor)
                        yield ScoreInput(
                            (survey, factor),
                            self.save,
                            value="" if value is None else fmt.number(value),
                            placeholder="1–5",
                        )

    def save(self, key: tuple[str, str], value: str) -> None:
        from storage.usecases.sessions import set_survey_score

        survey, factor = key
        score = parse_score(value)
        set_survey_score(self.engine, self.unit_id, survey, factor, score, self.state.today)

    async def action_close(self) -> None:
        await close_saved(self)
