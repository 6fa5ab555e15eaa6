"""Import in the app: choose files or a folder, read the check's report, then confirm."""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from core import fmt
from core.text import shown, shown_lines
from storage.usecases.importing import ImportProblem, ImportReport, import_files
from tui.screens.base import NaervaerModal

MAX_SHOWN = 1000  # problems listed; a file with every row wrong says enough with these


def parse_paths(text: str) -> list[Path]:
    """Paths as typed or dropped into the terminal; ValueError with a Norwegian message.

    One path that exists is taken whole, spaces and all; otherwise several are separated by
    spaces, with quotes around names that have spaces.
    """
    text = text.strip()
    if not text:
        return []
    whole = Path(text).expanduser()
    if whole.exists():
        return [whole]
    try:
        # Windows paths keep their backslashes: only POSIX shells use them for escaping.
        parts = shlex.split(text, posix=os.name != "nt")
    except ValueError:
        raise ValueError("Et anførselstegn er ikke lukket.") from None
    return [Path(part.strip("\"'")).expanduser() for part in parts]


def _problem_line(problem: ImportProblem) -> str:
    """The problem without its file, which the heading above it names; safe to draw."""
    return shown(str(problem)[len(problem.source) :].lstrip(" ,:"))


def problem_options(report: ImportReport, limit: int = MAX_SHOWN) -> list[Option]:
    """Errors and warnings under a heading per file (or sheet), by line."""
    groups: dict[str, list[tuple[int, bool, ImportProblem]]] = {}
    for is_error, problems in ((True, report.errors), (False, report.warnings)):
        for problem in problems:
            groups.setdefault(problem.source, []).append((problem.line or 0, is_error, problem))
    options: list[Option] = []
    listed = 0
    for source, entries in groups.items():
        if listed >= limit:
            break
        options.append(Option(Text(shown(source), style="bold"), disabled=True))
        # Errors before warnings on the same line; the sort is stable within each.
        for _, is_error, problem in sorted(entries, key=lambda entry: (entry[0], not entry[1])):
            if listed >= limit:
                break
            mark = ("✗ feil: ", "bold red") if is_error else ("! advarsel: ", "bold yellow")
            options.append(Option(Text.assemble("  ", mark, _problem_line(problem))))
            listed += 1
    hidden = len(report.errors) + len(report.warnings) - listed
    if hidden > 0:
        options.append(Option(Text(f"… og {fmt.number(hidden, 0)} til", style="italic")))
    return options


class ImportScreen(NaervaerModal[bool]):
    """A dry run first, then the import on confirmation.

    Dismissed with True when data was imported (the figures are already refreshed: the lists
    should reload), False otherwise.
    """

    class Progressed(Message):
        """The import has read or written `done` of `total` rows of `label`."""

        def __init__(self, label: str, done: int, total: int) -> None:
            super().__init__()
            self.label, self.done, self.total = label, done, total

    class Done(Message):
        """The check or the import is over; `inputs` are the paths and mapping it had."""

        def __init__(self, report: ImportReport, inputs: tuple[str, str]) -> None:
            super().__init__()
            self.report, self.inputs = report, inputs

    class Failed(Message):
        """The check or the import broke off; `message` says why, in Norwegian."""

        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Lukk")]
    DEFAULT_CSS = """
    ImportScreen {
        align: center middle;
    }
    #import-box {
        width: 110;
        max-width: 95%;
        height: 90%;
        padding: 0 1;
        border: round $primary;
        background: $surface;
    }
    #import-box Input {
        margin-bottom: 1;
    }
    #import-report {
        height: auto;
        max-height: 50%;
    }
    #import-status {
        height: auto;
    }
    #import-progress-label {
        color: $text-muted;
    }
    #import-problems {
        height: 1fr;
        min-height: 5;
        border: round $primary 40%;
    }
    #import-buttons {
        height: auto;
        align-horizontal: right;
    }
    #import-buttons Button {
        margin-left: 2;
    }
    """

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.initial_path = path
        self.checked: tuple[str, str] | None = None  # the inputs the last clean dry run had
        self.running = False
        self.imported = False

    def compose(self) -> ComposeResult:
        with Vertical(id="import-box") as box:
            box.border_title = "Importer fra HR-systemet"
            yield Label("Filer eller mappe (CSV eller Excel; flere filer skilles med mellomrom)")
            yield Input(
                self.initial_path,
                placeholder="f.eks. ~/Nedlastinger/eksport  eller  enheter.csv ansatte.csv",
                id="import-paths",
                compact=True,
            )
            yield Label("Kolonnetilordning (valgfri TOML-fil, for eksporter med egne navn)")
            yield Input(
                placeholder="tom: eksporten har Nærværs overskrifter",
                id="import-mapping",
                compact=True,
            )
            with VerticalScroll(id="import-report"):  # the whole report, scrolled if long
                yield Static(
                    "Kontroller først: ingenting lagres før du har sett rapporten og valgt "
                    "Importer.",
                    id="import-status",
                )
            yield Static("", id="import-progress-label")
            yield ProgressBar(show_eta=False, id="import-progress")
            yield OptionList(id="import-problems")
            with Horizontal(id="import-buttons"):
                yield Button("Kontroller", id="import-check", variant="primary")
                yield Button("Importer", id="import-confirm", variant="success", disabled=True)
                yield Button("Lukk", id="import-close")

    def on_mount(self) -> None:
        self.show_progress_bar(False)
        self.query_one("#import-problems").display = False
        self.query_one("#import-paths", Input).focus()

    def show_progress_bar(self, shown: bool) -> None:
        """Only while files are read or written: afterwards the report says what happened."""
        self.query_one("#import-progress-label").display = shown
        self.query_one(ProgressBar).display = shown

    def inputs(self) -> tuple[str, str]:
        return (
            self.query_one("#import-paths", Input).value.strip(),
            self.query_one("#import-mapping", Input).value.strip(),
        )

    def status(self, text: str | Text) -> None:
        self.query_one("#import-status", Static).update(
            text if isinstance(text, Text) else Text(text)
        )

    def set_running(self, running: bool) -> None:
        self.running = running
        self.query_one("#import-check", Button).disabled = running
        self.query_one("#import-confirm", Button).disabled = (
            running or self.checked != self.inputs()
        )

    @on(Input.Changed)
    def inputs_changed(self) -> None:
        if self.checked is not None and self.checked != self.inputs():
            self.checked = None
            self.query_one("#import-confirm", Button).disabled = True
            self.status("Filene er endret: kontroller på nytt før du importerer.")

    @on(Input.Submitted)
    @on(Button.Pressed, "#import-check")
    def check(self) -> None:
        self.start(dry_run=True)

    @on(Button.Pressed, "#import-confirm")
    def confirm(self) -> None:
        if self.checked == self.inputs():
            self.start(dry_run=False)

    @on(Button.Pressed, "#import-close")
    def close_pressed(self) -> None:
        self.action_close()

    def action_close(self) -> None:
        if self.running:
            self.app.notify("Vent til importen er ferdig.", severity="warning")
            return
        self.dismiss(self.imported)

    def start(self, dry_run: bool) -> None:
        if self.running:
            return
        if self.state.engine is None:
            self.status("Databasen er ikke åpnet ennå. Prøv igjen om litt.")
            return
        paths_text, mapping_text = self.inputs()
        try:
            paths = parse_paths(paths_text)
            mappings = parse_paths(mapping_text)
        except ValueError as error:
            self.status(str(error))
            return
        if not paths:
            self.status("Skriv inn en fil eller en mappe.")
            self.query_one("#import-paths", Input).focus()
            return
        if len(mappings) > 1:
            self.status("Oppgi bare én tilordningsfil.")
            return
        self.checked = None
        self.set_running(True)
        self.status("Kontrollerer …" if dry_run else "Importerer …")
        self.run_import(
            paths, mappings[0] if mappings else None, dry_run, (paths_text, mapping_text)
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="import")
    def run_import(
        self, paths: list[Path], mapping: Path | None, dry_run: bool, inputs: tuple[str, str]
    ) -> None:
        engine = self.state.engine
        assert engine is not None  # checked in `start`
        worker = get_current_worker()

        def progress(label: str, done: int, total: int) -> None:
            if not worker.is_cancelled:
                self.post_message(self.Progressed(label, done, total))

        try:
            report = import_files(
                engine, paths, dry_run=dry_run, progress=progress, mapping=mapping
            )
        except Exception as error:  # whatever it was, the user gets one Norwegian line
            from tui.errors import describe

            if not worker.is_cancelled:
                self.post_message(self.Failed(describe(error)))
            return
        if not worker.is_cancelled:
            self.post_message(self.Done(report, inputs))

    def on_import_screen_progressed(self, event: Progressed) -> None:
        self.show_progress(event.label, event.done, event.total)

    def on_import_screen_failed(self, event: Failed) -> None:
        self.failed(event.message)

    def on_import_screen_done(self, event: Done) -> None:
        self.finished(event.report, event.inputs)

    def show_progress(self, label: str, done: int, total: int) -> None:
        self.show_progress_bar(True)
        text = self.query_one("#import-progress-label", Static)
        text.update(
            Text(f"{shown(label)}: {fmt.number(done, 0)} av {fmt.count(total, 'rad', 'rader')}")
        )
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)

    def failed(self, message: str) -> None:
        self.set_running(False)
        self.show_progress_bar(False)
        self.status(Text(f"Noe gikk galt: {message}", style="bold red"))

    def finished(self, report: ImportReport, inputs: tuple[str, str]) -> None:
        problems = self.query_one("#import-problems", OptionList)
        problems.clear_options()
        problems.add_options(problem_options(report))
        problems.display = bool(report.errors or report.warnings)
        summary = report.summary()
        if report.dry_run and report.ok:
            self.checked = inputs
            head = Text("Kontrollen fant ingen feil. Velg Importer for å lagre.\n", "bold green")
        elif report.dry_run:
            head = Text("Rett feilene i filene og kontroller på nytt.\n", "bold red")
        elif report.ok:
            self.imported = True
            head = Text("Importen er ferdig, og tallene er oppdatert.\n", "bold green")
            self.app.notify("Importen er ferdig.", title="Import")
        else:
            head = Text("Importen ble avvist, og ingenting er lagret.\n", "bold red")
        self.status(head + Text(shown_lines(summary)))
        self.set_running(False)
        self.show_progress_bar(False)
        if self.checked is not None:
            self.query_one("#import-confirm", Button).focus()
