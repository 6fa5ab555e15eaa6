"""Virkning av tiltak: before and after the completed measures, side by side, never a cause.

Opened from the unit overview (that unit's measures at unit and leader level) and from the
status overview (every unit's, and per kind of measure how many units used it and the median
change after 6 months). The figures are core.effect's, read by storage.usecases.effect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Header, Static

from core import fmt
from core.effect import CAUTION, MEDIAN_MONTHS, Figure, MeasureEffect
from core.vocabulary import MEASURE_LEVELS
from tui.masking import one_line
from tui.screens.base import NaervaerScreen
from tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from storage.usecases.effect import EffectReport


def _figure(label: str, figure: Figure | None) -> str:
    """`3 mnd før (01.01.2025–31.03.2025): 11,2 % (12 ansatte)`."""
    if figure is None:
        return f"{label}: –"
    span = f"{fmt.date(figure.span.start)}–{fmt.date(figure.span.end)}"
    persons = fmt.count(figure.persons, "ansatt", "ansatte")
    shown = "***" if figure.pct is None and figure.persons else fmt.percent(figure.pct)
    return f"{label} ({span}): {shown} ({persons})"


def effect_text(effect: MeasureEffect, unit: str | None = None) -> Text:
    """One measure: the 3 months before, then 3 and 6 months after beside a year earlier."""
    measure = effect.measure
    text = Text()
    where = f"{one_line(unit)} · " if unit else ""
    text.append(f"{where}{MEASURE_LEVELS[measure.level]}: ", style="bold")
    text.append(f"{one_line(measure.text)}\n")
    text.append(f"  fullført {fmt.date(measure.completed_on)}\n", style="dim")
    text.append(f"  {_figure('3 mnd før', effect.before)}\n")
    for comparison in effect.comparisons:
        head = f"  {comparison.months} mnd etter"
        if comparison.after is None:
            text.append(f"{head}: {comparison.verdict}\n", style="italic")
            continue
        text.append(f"  {_figure(f'{comparison.months} mnd etter', comparison.after)}\n")
        text.append(f"    {_figure('samme måneder året før', comparison.year_before)}\n")
        if comparison.verdict is not None:
            text.append(f"    {comparison.verdict}\n", style="italic")
        else:
            text.append(
                f"    forskjell: {fmt.points(comparison.change_vs_year_pp)} mot året før, "
                f"{fmt.points(comparison.change_vs_before_pp)} mot 3 mnd før\n"
            )
    return text


def kinds_text(report: EffectReport) -> Text:
    """Per kind of measure: how many units used it, and the median change after 6 months."""
    text = Text()
    text.append(
        f"Per type tiltak: enheter som brukte det, og median forskjell {MEDIAN_MONTHS} mnd "
        "etter mot samme måneder året før\n",
        style="bold",
    )
    if not report.kinds:
        text.append("  Ingen fullførte tiltak på enhets- eller ledernivå ennå.\n")
    for kind in report.kinds:
        median = (
            "for få ansatte / for kort tid til å si noe"
            if kind.median_change_pp is None
            else f"median {fmt.points(kind.median_change_pp)} "
            f"(av {fmt.count(kind.compared, 'tiltak', 'tiltak')})"
        )
        units = fmt.count(kind.units, "enhet", "enheter")
        text.append(f"  {MEASURE_LEVELS[kind.level]}: {one_line(kind.text)}\n")
        text.append(f"    {units} · {median}\n", style="dim")
    return text


def report_text(report: EffectReport, whole: bool) -> Text:
    """The caution first; `whole`: every unit's, with the kinds first (the status meeting)."""
    text = Text(CAUTION + "\n\n", style="italic")
    if whole:
        text.append_text(kinds_text(report))
        text.append("\n")
    if not report.measures:
        text.append("Ingen fullførte tiltak på enhets- eller ledernivå ennå.\n")
    for row in report.measures:
        text.append_text(effect_text(row.effect, row.name if whole else None))
        text.append("\n")
    if report.undated:
        text.append(
            f"{fmt.count(report.undated, 'fullført tiltak', 'fullførte tiltak')} uten dato fra "
            "et møte er ikke med: det er ingen dag å måle fra.\n",
            style="dim",
        )
    return text


class EffectScreen(NaervaerScreen[None]):
    """Before and after the completed measures of one unit (`unit_code`), or of all units."""

    class Loaded(Message):
        def __init__(self, report: EffectReport) -> None:
            super().__init__()
            self.report = report

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Tilbake", id="effect_back"),
    ]

    def __init__(self, unit_code: str | None, unit_name: str | None = None) -> None:
        super().__init__(id="effect")
        self.unit_code = unit_code
        self.unit_name = unit_name

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="effect-body"):
            yield Static("Laster …", id="effect-text")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = (
            "Virkning av tiltak"
            if self.unit_name is None
            else f"Virkning av tiltak · {one_line(self.unit_name)}"
        )
        self.load()

    def masked_changed(self) -> None:
        self.load()  # the measures' texts, masked or not

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        from storage.usecases.effect import measure_effects

        state = self.state
        assert state.engine is not None
        report = measure_effects(state.engine, state.today, self.unit_code, masked=state.masked)
        self.post_message(self.Loaded(report))

    def on_effect_screen_loaded(self, message: Loaded) -> None:
        text = report_text(message.report, whole=self.unit_code is None)
        self.query_one("#effect-text", Static).update(text)

    def action_back(self) -> None:
        self.app.pop_screen()
