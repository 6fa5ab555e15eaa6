"""The team on a server: advisors by their login role, their units, and who is asking.

Only a server has a team: its logins are the database's roles, and row-level security (migration
0004) lets each advisor see the personal data of their own units. The project lead or the
database owner manages it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from core.errors import InvalidInput
from core.text import clean_text
from storage import dialects
from storage.repos import team, units
from storage.usecases import reading, writing

# A login as the server's roles are named here: lower case, so that it needs no quoting in psql.
_LOGIN = re.compile(r"[a-z_][a-z0-9_.-]{0,62}")


class NeedsServer(InvalidInput):
    """A team command on a database file."""


@dataclass(frozen=True, slots=True)
class Member:
    login: str
    name: str
    lead: bool
    units: tuple[str, ...]  # the codes of the units assigned


@dataclass(frozen=True, slots=True)
class Me:
    """Who the app runs as on a server: their login, and what the team says of them."""

    login: str
    name: str | None  # None: not on the team
    lead: bool
    owner: bool

    @property
    def sees_all(self) -> bool:
        return self.lead or self.owner


def _server(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        raise NeedsServer(
            "Et team trenger en felles database på en PostgreSQL-server; en databasefil har "
            "bare én bruker. Se «For a team» i README."
        )


def _may_manage(conn: Connection) -> None:
    login = dialects.current_login(conn)
    found = team.member(conn, login)
    if not dialects.owns_database(conn) and not (found and found[1]):
        raise InvalidInput(
            f"Bare prosjektlederen eller databaseeieren kan endre teamet; {login} er ingen av dem."
        )


def _login(login: str) -> str:
    if not _LOGIN.fullmatch(login):
        raise InvalidInput(
            f"«{login}» er ikke et gyldig brukernavn: bruk små bokstaver a–z, sifre, _, . og -, "
            "høyst 63 tegn, og begynn med en bokstav."
        )
    return login


def _unit_ids(conn: Connection, codes: Sequence[str]) -> list[int]:
    known = units.unit_ids(conn)
    unknown = [code for code in dict.fromkeys(codes) if code not in known]
    if unknown:
        raise InvalidInput(f"Ukjent enhet: {', '.join(unknown)}.")
    return [known[code] for code in dict.fromkeys(codes)]


def add_member(engine: Engine, login: str, name: str, lead: bool) -> bool:
    """Put the advisor on the team (or change their name and lead), making their login role if
    the server has none. True if the login was created (it then has no password yet)."""
    _server(engine)
    login = _login(login)
    name = " ".join(clean_text(name).split())
    if not name:
        raise InvalidInput("Rådgiveren må ha et navn (--name).")
    with writing(engine) as session:
        conn = session.connection()
        _may_manage(conn)
        if not dialects.manages_logins(conn):
            raise InvalidInput(
                f"Du ({dialects.current_login(conn)}) kan ikke gi innlogginger på serveren "
                "rollene til Nærvær: det krever retten CREATEROLE. Be databaseeieren legge til "
                f"{login}, eller gi deg retten (ALTER ROLE … CREATEROLE)."
            )
        created = dialects.add_login(conn, login, lead)
        team.put(conn, login, name, lead)
    return created


def _known(conn: Connection, login: str) -> None:
    if team.member(conn, login) is None:
        raise InvalidInput(f"{login} er ikke med i teamet. Legg til med naervaer team add.")


def assign(engine: Engine, login: str, codes: Sequence[str]) -> None:
    """Give the advisor these units (all or none)."""
    _server(engine)
    with writing(engine) as session:
        conn = session.connection()
        _may_manage(conn)
        _known(conn, login)
        team.assign(conn, login, _unit_ids(conn, codes))


def unassign(engine: Engine, login: str, codes: Sequence[str]) -> None:
    """Take these units from the advisor (all or none)."""
    _server(engine)
    with writing(engine) as session:
        conn = session.connection()
        _may_manage(conn)
        _known(conn, login)
        team.unassign(conn, login, _unit_ids(conn, codes))


def members(engine: Engine) -> tuple[Member, ...]:
    """The team, by login."""
    _server(engine)
    with reading(engine) as conn:
        rows = team.members(conn)
    return tuple(Member(login, name, lead, tuple(codes)) for login, name, lead, codes in rows)


def me(engine: Engine) -> Me:
    """Who this engine's login is on the server's team."""
    _server(engine)
    with reading(engine) as conn:
        login = dialects.current_login(conn)
        found = team.member(conn, login)
        owner = dialects.owns_database(conn)
    return Me(login, found[0] if found else None, bool(found and found[1]), owner)


def list_json(found: Sequence[Member]) -> dict[str, object]:
    """`team list --json`."""
    return {
        "advisors": [
            {"login": m.login, "name": m.name, "lead": m.lead, "units": list(m.units)}
            for m in found
        ]
    }
