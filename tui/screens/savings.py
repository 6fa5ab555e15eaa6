"""Besparelse: the seed's savings formula, its assumptions editable, from the measured change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Label, Static

from core import fmt
from core.errors import InvalidInput
from core.savings import FteInUse, unit_savings
from core.settings import FIELD, Settings
from core.status import savings_of
from core.text import by_name
from tui.screens.base import NaervaerScreen
from tui.widgets.keybar import KeyBar
from tui.widgets.row_table import RowTable, TableColumn
from tui.widgets.setting_input import SettingInput, SettingRejected, SettingSaved, save_text
from tui.widgets.sorting import number

if TYPE_CHECKING:
    from storage.usecases.status import StatusReport

ASSUMPTIONS = ("cost_per_day", "workdays_per_year", "fte")


def municipality_text(report: StatusReport, settings: Settings, fte: FteInUse) -> Text:
    """The seed's slide: årsverk, saved årsverk, cost per day and per årsverk, the savings."""
    compare = fmt.quarter_label(report.compare_quarter) if report.compare_quarter else "–"
    text = Text(f"Kommunen, {fmt.quarter_label(settings.baseline_quarter)} → {compare}\n")
    text.stylize("bold")
    result = report.municipality_savings(settings, fte)
    if result is None:
        text.append("Ingen sammenlignbar periode ennå.")
        return text
    lines = [
        ("Reduksjon", f"{fmt.number(result.reduction_pp, 2)} prosentpoeng"),
        ("Årsverk i kommunen", fmt.number(result.fte, 0)),
        ("", fte.source_nb),
        ("Spart arbeidstid", f"{fmt.number(result.saved_fte, 2)} årsverk"),
        ("Kostnad per fraværsdag", fmt.kroner(result.cost_per_day)),
        ("", f"kilde: {settings.cost_source}"),
        ("Arbeidsdager per år", fmt.number(result.workdays, 0)),
        ("Kostnad per årsverk i fravær", fmt.kroner(result.cost_per_fte)),
    ]
    for label, value in lines:
        text.append(f"  {label + ':' if label else '':<30}{value}\n")
    text.append(f"  {'Anslått besparelse:':<30}", style="bold")
    text.append(
        fmt.kroner(result.savings_nok), style="bold green" if result.savings_nok > 0 else "bold"
    )
    return text


def savings_rows(report: StatusReport, settings: Settings) -> list[tuple[bool, tuple[str, ...]]]:
    """Project, target groups, others, then every project unit: the one-unit formula.

    Saved days = reduction / 100 × possible workdays over the last four quarters, times the
    cost per day; a total uses its own Σ change, so it is not the sum of its units' rows.
    Each row: (is a total, cells).
    """
    rows: list[tuple[bool, tuple[str, ...]]] = []
    # The columns read as plain values: a pandas row per unit costs more than its figures.
    totals = report.totals[report.totals["key"] != "municipality"]
    for label, units, change, possible in zip(
        totals["label"], totals["units"], totals["change_pp"], totals["year_possible"], strict=True
    ):
        rows.append((True, (f"{label} ({int(units)})", *_figures(change, possible, settings))))
    project = by_name(report.project_units())
    for name, change, possible in zip(
        project["name"], project["change_pp"], project["year_possible"], strict=True
    ):
        name = name if len(name) <= 35 else name[:34] + "…"
        rows.append((False, (f"  {name}", *_figures(change, possible, settings))))
    return rows


def _figures(change_pp: Any, year_possible: Any, settings: Settings) -> tuple[str, str, str, str]:
    change = number(change_pp)
    possible = float(year_possible)
    saved = savings_of(change, possible, settings.cost_per_day)
    saved_days = None if change is None else unit_savings(-change, possible)[0]
    return (
        fmt.points(change),
        fmt.number(possible, 0),
        fmt.number(saved_days),
        fmt.kroner(number(saved)),
    )


class SavingsScreen(NaervaerScreen[None]):
    """The savings for the municipality, the project, each target group and each unit.

    Opened on the status report already read: composed with its figures, drawn once.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Tilbake", id="savings_back"),
    ]

    def __init__(self, report: StatusReport) -> None:
        super().__init__(id="savings")
        self.report = report
        self.settings = report.settings
        self.fte = report.fte

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="savings-top"):
            with Vertical(id="savings-assumptions"):
                for key in ASSUMPTIONS:
                    field = FIELD[key]
                    # Filling a field is not typing: no change to recompute, nothing to save.
                    with self.prevent(SettingInput.Changed):
                        editor = SettingInput(
                            key, self.save, self.field_text(key), compact=True, id=f"setting-{key}"
                        )
                    with Horizontal(classes="setting-row"):
                        yield Label(field.label, classes="setting-label")
                        yield editor
                        yield Label(field.unit, classes="setting-unit")
                    yield Static(
                        self.help_text(key), id=f"help-{key}", classes="setting-help", markup=False
                    )
            yield Static(
                municipality_text(self.report, self.settings, self.fte), id="savings-municipality"
            )
        yield RowTable(id="savings-table")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Besparelse"
        self.query_one("#savings-assumptions").border_title = "Forutsetninger (lagres)"
        slide = self.query_one("#savings-municipality")
        slide.border_title = "Som på lysbildet"
        slide.border_subtitle = "full presisjon, som «naervaer savings»"
        table = self.query_one(RowTable)
        # A table drawn line by line, as the status overview's: a DataTable measured and
        # rendered every cell through Rich, most of the time the panel took to open.
        table.set_columns(
            [
                TableColumn(f"column-{i}", header, width, right=i > 0, header_right=False)
                for i, (header, width) in enumerate(
                    (
                        ("Enhet / gruppe", 38),
                        ("Endring", 10),
                        ("Mulige dagsverk", 15),
                        ("Sparte dagsverk", 15),
                        ("Besparelse", 16),
                    )
                )
            ]
        )
        table.border_title = (
            "Prosjektet, målgruppene og enhetene: reduksjon / 100 × mulige dagsverk siste fire "
            "kvartaler × kostnad per dag"
        )
        self.show_rows(self.settings)

    def on_setting_saved(self, message: SettingSaved) -> None:
        self.settings = message.settings

    def on_setting_rejected(self, message: SettingRejected) -> None:
        self.show_help(message.key, message.error)

    def field_text(self, key: str) -> str:
        """The assumption in use as its field shows it: the årsverk are the data's until one
        is typed."""
        if key == "fte" and not self.fte.from_settings:
            return self.data_fte_text()
        return FIELD[key].text(getattr(self.settings, key))

    def data_fte_text(self) -> str:
        return FIELD["fte"].text(round(self.report.data_fte.value or 0.0, 1))

    def show_figures(self, settings: Settings) -> None:
        self.query_one("#savings-municipality", Static).update(
            municipality_text(self.report, settings, self.fte)
        )
        self.show_rows(settings)

    def show_rows(self, settings: Settings) -> None:
        rows = savings_rows(self.report, settings)
        self.query_one(RowTable).set_rows(
            [
                [Text(cell, style="bold") for cell in cells] if total else cells
                for total, cells in rows
            ],
            range(len(rows)),
        )

    def help_text(self, key: str) -> str:
        """The line under a field: the default, and for some the figure in use."""
        field = FIELD[key]
        if key == "cost_per_day":
            return (
                f"standard: {fmt.kroner(field.default)} · i bruk: "
                f"{self.settings.cost_source}\n{field.help}"
            )
        if key == "fte":
            data = self.report.data_fte.value
            return f"standard: fra dataene ({fmt.number(data, 0)}) · i bruk: {self.fte.source_nb}"
        return f"standard: {field.show(field.default)}"

    def show_help(self, key: str, error: str | None) -> None:
        line = self.query_one(f"#help-{key}", Static)
        line.update(self.help_text(key) if error is None else error)
        line.set_class(error is not None, "-error")

    @on(SettingInput.Changed)
    def typed(self, event: SettingInput.Changed) -> None:
        """Recompute at once with what is typed; the field saves itself shortly after."""
        if not isinstance(event.input, SettingInput):
            return
        key = event.input.key
        try:
            trial = self.settings.with_value(key, FIELD[key].parse(event.value))
        except InvalidInput as error:
            self.show_help(key, str(error))
            return
        self.settings = trial
        if key == "fte" and event.value != self.data_fte_text():
            self.fte = FteInUse(trial.fte, from_settings=True)
        self.show_help(key, None)
        self.show_figures(trial)

    def save(self, key: str, text: str) -> None:
        save_text(self, self.engine, key, text)

    async def action_back(self) -> None:
        """Save what is typed first, so that the status screen reloads with it."""
        for editor in self.query(SettingInput):
            editor.flush()
        await self.app.workers.wait_for_complete(
            [w for w in self.app.workers if w.group == "autosave"]
        )
        self.app.pop_screen()
