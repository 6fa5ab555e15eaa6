"""The command palette's own commands: open a unit, start a session, mask names, export."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from tui.masking import one_line
from tui.navigation import OpenUnit


class NaervaerCommands(Provider):
    """Commands that depend on where the user is: units always, session ones in a unit."""

    async def startup(self) -> None:
        app: Any = self.app
        self.units: list[tuple[int, str]] = []
        if app.engine is not None:
            worker = app.run_worker(partial(self._load_units, app.engine), thread=True)
            self.units = await worker.wait()

    @staticmethod
    def _load_units(engine: Any) -> list[tuple[int, str]]:
        from storage.usecases.units import unit_names

        return list(unit_names(engine))

    def _commands(self) -> list[tuple[str, Any, str]]:
        app: Any = self.app
        screen: Any = app.screen
        commands: list[tuple[str, Any, str]] = [
            ("Skjul/vis navn", app.action_toggle_mask, "Maskert visning av og på"),
            ("Hjelp: taster", app.action_help, "Vis alle taster"),
            ("Statusoversikt", app.action_status, "Prosjektenhetene før statusmøtet"),
            ("Importer data", app.action_import_data, "CSV eller Excel fra HR-systemet"),
            ("Innstillinger", app.action_settings, "Grenser, mål og forutsetninger"),
            ("Avslutt", app.action_quit, "Lukk Nærvær (Ctrl+Q)"),
        ]
        for key, label in (
            ("oppstartsmote", "Start oppstartsmøte"),
            ("individuell_radgivning", "Start individuell rådgivning"),
            ("statusmote", "Start statusmøte"),
        ):
            if hasattr(screen, "action_start"):
                commands.append((label, partial(screen.action_start, key), "For denne enheten"))
        if hasattr(screen, "action_export"):
            commands.append(("Eksporter oppsummering", screen.action_export, "Markdown eller PDF"))
        if hasattr(screen, "action_export_report"):
            commands.append(
                ("Eksporter enhetsrapport", screen.action_export_report, "PDF eller Excel")
            )
        if app.engine is not None:
            commands.append(
                (
                    "Eksporter statusrapport",
                    self._export_status,
                    "Statusoversikten som rapport, PDF eller Excel",
                )
            )
        for unit_id, name in self.units:
            commands.append(
                (f"Åpne enhet: {one_line(name)}", partial(self._open, unit_id), "Enhet")
            )
        return commands

    def _export_status(self) -> None:
        """From the status overview, opened first where the user is elsewhere."""
        from tui.screens.status import StatusScreen

        app: Any = self.app
        if not isinstance(app.screen, StatusScreen):
            app.action_status()
        app.screen.action_export_status()

    def _open(self, unit_id: int) -> None:
        self.app.post_message(OpenUnit(unit_id))

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands()[:8]:
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        found = False
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                found = True
                yield Hit(score, highlighted(matcher, name), callback, text=name, help=help_text)
        if not found:
            # The only provider: without this line the palette would say so in English.
            yield Hit(0, Content(NO_MATCH), _nothing, text=NO_MATCH, help="Prøv et annet ord.")


NO_MATCH = "Ingen treff"


def _nothing() -> None:
    """Choosing "no match" just closes the palette."""


def highlighted(matcher: Matcher, name: str) -> Content:
    """The name with the matched letters marked; Matcher.highlight would read it as markup."""
    content = Content(name)
    _, offsets = matcher.fuzzy_search.match(matcher.query, name)
    for offset in offsets:
        content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
