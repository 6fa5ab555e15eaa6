"""The command palette's own commands: open a unit, start a session, mask names, export."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.message import Message

from core.vocabulary import SessionType
from tui.masking import one_line
from tui.messages import ToggleMask
from tui.navigation import (
    OpenConflicts,
    OpenHelp,
    OpenImport,
    OpenSettings,
    OpenStatus,
    OpenUnit,
)
from tui.screens.base import AppState, app_state


@runtime_checkable
class StartsSessions(Protocol):
    """A screen that starts a session of the unit it shows (the unit overview)."""

    def action_start(self, session_type: str) -> None: ...


@runtime_checkable
class ExportsSummary(Protocol):
    def action_export(self) -> None: ...


@runtime_checkable
class ExportsUnitReport(Protocol):
    def action_export_report(self) -> None: ...


class NaervaerCommands(Provider):
    """Commands that depend on where the user is: units always, session ones in a unit."""

    @property
    def state(self) -> AppState:
        return app_state(self.app)

    async def startup(self) -> None:
        self.units: list[tuple[int, str]] = []
        engine = self.state.engine
        if engine is not None:
            worker = self.app.run_worker(partial(self._load_units, engine), thread=True)
            self.units = await worker.wait()

    @staticmethod
    def _load_units(engine: Any) -> list[tuple[int, str]]:
        from storage.usecases.units import unit_names

        return list(unit_names(engine))

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        screen = self.screen  # the one the palette was opened on
        commands: list[tuple[str, Callable[[], object], str]] = [
            ("Skjul/vis navn", self._post(ToggleMask()), "Maskert visning av og på"),
            ("Hjelp: taster", self._post(OpenHelp()), "Vis alle taster"),
            ("Statusoversikt", self._post(OpenStatus()), "Prosjektenhetene før statusmøtet"),
            ("Importer data", self._post(OpenImport()), "CSV eller Excel fra HR-systemet"),
            ("Innstillinger", self._post(OpenSettings()), "Grenser, mål og forutsetninger"),
            ("Avslutt", self.app.action_quit, "Lukk Nærvær (Ctrl+Q)"),
        ]
        if self.state.sync_line is not None:  # a replica of a server
            commands.append(
                (
                    "Konflikter",
                    self._post(OpenConflicts()),
                    "Endringer herfra som serveren hadde endret i mellomtiden",
                )
            )
        for key, label in (
            (SessionType.OPPSTARTSMOTE, "Start oppstartsmøte"),
            (SessionType.INDIVIDUELL_RADGIVNING, "Start individuell rådgivning"),
            (SessionType.STATUSMOTE, "Start statusmøte"),
        ):
            if isinstance(screen, StartsSessions):
                commands.append((label, partial(screen.action_start, key), "For denne enheten"))
        if isinstance(screen, ExportsSummary):
            commands.append(("Eksporter oppsummering", screen.action_export, "Markdown eller PDF"))
        if isinstance(screen, ExportsUnitReport):
            commands.append(
                ("Eksporter enhetsrapport", screen.action_export_report, "PDF eller Excel")
            )
        if self.state.engine is not None:
            commands.append(
                (
                    "Eksporter statusrapport",
                    self._post(OpenStatus(export=True)),
                    "Statusoversikten som rapport, PDF eller Excel",
                )
            )
        for unit_id, name in self.units:
            commands.append(
                (f"Åpne enhet: {one_line(name)}", partial(self._open, unit_id), "Enhet")
            )
        return commands

    def _post(self, message: Message) -> Callable[[], bool]:
        """A command that asks the app, which knows every screen, to act."""
        return partial(self.app.post_message, message)

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
