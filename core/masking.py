"""The masker: every name known to the database hidden in free text, each by its own placeholder.

The rules (DOMAIN.md, Privacy), decided here once for every screen and export:
- the names looked for are each person's full name, their first name alone (the first word;
  for a name of three words or more also the first two, "Anne Marie"), and each of these with
  a genitive: "Karis", "Kari's" ("Lars'" keeps its apostrophe), the genitive kept after the
  placeholder ("ansatt 100234s");
- a name is found as a whole word: not inside another word ("Kari" in "Karianne"), and not as
  the first part of a hyphenated one ("Olsen" in "Olsen-Berg"); letters are Unicode (æøå);
- the case: a name of two words or more is found in any case ("kari nordmann", "KARI
  NORDMANN"); a first name alone must start as written in the data (or be in capitals), the
  rest in any case: "Kari" and "KARI" are found, "kari" is not — so that first names that are
  also words ("Liv", "Per", "Sol", "Stein") are not hidden where they mean the word;
- the longest name wins, so "Anne Marie Olsen" is one person, not "Anne Marie" and "Olsen";
- an employee becomes "ansatt <number>", a unit's leader "leder (<unit code>)"; a name shared by
  two people (two Karis, or a leader who is also on the staff under another placeholder)
  becomes "[navn]", which names neither.
The regex is built once per masker (per screen or document), not per line; the masker of the
same people is made once (masker_of) as a session goes from screen to screen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

SHARED: Final = "[navn]"
# The leader of the unit shown, where the name would stand ("leder: skjult").
HIDDEN_LEADER: Final = "skjult"

# A name starts where no letter or digit (nor a word and a hyphen) is just before it, and ends
# where none follows (nor a hyphen and a word).
_BEFORE: Final = r"(?<![\w])(?<![\w]-)"
_AFTER: Final = r"(?![\w])(?!-[\w])"
# The genitive's s (an apostrophe after a name in s stays in the text, as a closing quote would).
_GENITIVE: Final = r"(?:['’]?s)?"


def employee_placeholder(number: str) -> str:
    return f"ansatt {number}"


def person(number: str, name: str | None, masked: bool, *, capital: bool = False) -> str:
    """How an employee is named on a screen or in a document: `Kari Nordmann (100234)`, and
    `ansatt 100234` when masked or nameless (`Ansatt 100234` with `capital`, at a line's start).

    The caller makes number and name safe for where they are shown (cleaned, escaped)."""
    if masked or not (name and name.strip()):
        placeholder = employee_placeholder(number)
        return placeholder[:1].upper() + placeholder[1:] if capital else placeholder
    return f"{name} ({number})"


def leader_placeholder(unit_code: str) -> str:
    return f"leder ({unit_code})"


def shown_leader(name: str | None, masked: bool) -> str | None:
    """A unit's leader where a screen or document names them: hidden when masked."""
    if masked and name and name.strip():
        return HIDDEN_LEADER
    return name


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _variants(name: str) -> set[str]:
    """The forms of a name looked for: the full name and the first name alone."""
    words = unicodedata.normalize("NFC", name).split()
    if not words:
        return set()
    forms = {" ".join(words), words[0]}
    if len(words) >= 3:
        forms.add(" ".join(words[:2]))
    return forms


def _form_pattern(form: str) -> str:
    """A full name in any case; a single word starting as written (or in capitals)."""
    words = form.split()
    if len(words) > 1:
        return "(?i:" + r"\s+".join(map(re.escape, words)) + ")"
    first, rest = form[0], form[1:]
    start = re.escape(first) if first == first.upper() else f"[{re.escape(first + first.upper())}]"
    return start + (f"(?i:{re.escape(rest)})" if rest else "")


class Masker:
    """Free text with the names of the known people replaced; built once from the people."""

    def __init__(
        self,
        employees: Iterable[tuple[str, str | None]],
        leaders: Iterable[tuple[str, str | None]] = (),
    ) -> None:
        """`employees`: (number, name); `leaders`: (unit code, leader's name)."""
        people = [
            *((employee_placeholder(n), name) for n, name in employees),
            *((leader_placeholder(code), name) for code, name in leaders),
        ]
        # Every form of every name, and whom it names: one placeholder, or SHARED.
        self._placeholders: dict[str, str] = {}
        forms: dict[str, str] = {}
        for placeholder, name in people:
            for form in _variants(name or ""):
                key = _key(form)
                known = self._placeholders.get(key)
                self._placeholders[key] = placeholder if known in (None, placeholder) else SHARED
                forms.setdefault(form, key)
        # Longest first: an alternation takes the first that matches, not the longest.
        alternatives = sorted(forms, key=lambda form: (-len(form), form))
        self._pattern: re.Pattern[str] | None = None
        if alternatives:
            # Grouped by their first letter, so that a word is tried against the names that
            # start like it, not against all of them (a note masks three times faster).
            groups: dict[str, list[str]] = {}
            for form in alternatives:
                groups.setdefault(form[0].casefold(), []).append(_form_pattern(form))
            names = "|".join(
                f"(?=(?i:{re.escape(first)}))(?:{'|'.join(forms)})"
                for first, forms in groups.items()
            )
            name = f"(?P<name>{names})(?P<genitive>{_GENITIVE})"
            self._pattern = re.compile(_BEFORE + name + _AFTER)

    def text(self, text: str) -> str:
        """The text with every known name replaced by its person's placeholder."""
        if self._pattern is None or not text:
            return text
        text = unicodedata.normalize("NFC", text)
        return self._pattern.sub(self._replace, text)

    def shown(self, text: str, masked: bool) -> str:
        """The text as the screen or document shows it: masked, or as written."""
        return self.text(text) if masked else text

    def _replace(self, match: re.Match[str]) -> str:
        # The genitive is kept as written: "ansatt 100234s".
        return self._placeholders[_key(match.group("name"))] + match.group("genitive")


NO_NAMES: Final = Masker(())

People = tuple[tuple[str, str | None], ...]


def masker_of(
    employees: Iterable[tuple[str, str | None]], leaders: Iterable[tuple[str, str | None]] = ()
) -> Masker:
    """The Masker of these people (as `Masker(employees, leaders)`), made once while the same
    people are asked for again: a unit's, read anew by each screen of a session, takes some
    milliseconds to make. A masker never changes once made."""
    return _masker_of(tuple(employees), tuple(leaders))


@lru_cache(maxsize=4)
def _masker_of(employees: People, leaders: People) -> Masker:
    return Masker(employees, leaders)
