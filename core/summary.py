"""The session summary for the unit leader: its content, and its Markdown in Norwegian."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

from core import fmt
from core.masking import NO_NAMES, Masker, person
from core.text import clean_text
from core.vocabulary import MEASURE_LEVELS, MEASURE_STATUSES

HEALTH_REMINDER: Final = "Notatene skal ikke inneholde helseopplysninger eller diagnoser."


@dataclass(frozen=True)
class MeasureLine:
    """One measure as the summary shows it; `comment` is this session's follow-up comment."""

    level: str
    text: str
    owner: str
    due_date: dt.date | None
    status: str
    employee_number: str | None = None
    employee_name: str | None = None
    comment: str = ""
    # The state before this session, so a change can read "frist 01.12 (var 15.11)".
    previous_due_date: dt.date | None = None
    previous_status: str | None = None


@dataclass(frozen=True)
class MilestoneLine:
    """A legal follow-up milestone of an employee's case, marked done in the session."""

    employee_number: str
    employee_name: str | None
    label: str
    done_on: dt.date


@dataclass(frozen=True)
class AgendaLine:
    """A point of the session's agenda that the session did not take up (core.agenda)."""

    heading: str  # its group on the agenda
    text: str  # dates, labels, statuses
    employee_number: str | None = None
    employee_name: str | None = None
    measure_text: str = ""  # a measure's own words


@dataclass(frozen=True)
class SessionSummary:
    unit_name: str
    session_type_label: str
    held_on: dt.date
    advisor: str | None
    reviewed: tuple[tuple[str, str | None], ...]  # (employee number, name)
    total_employees: int
    measures_agreed: tuple[MeasureLine, ...]
    measures_changed: tuple[MeasureLine, ...]
    measures_closed: tuple[MeasureLine, ...]
    note: str
    employee_notes: tuple[tuple[str, str | None, str], ...]  # (number, name, note)
    # Whose names free text may hold, only for masking: (number, name) of the unit's
    # employees, (unit code, name) of the leaders.
    known_employees: tuple[tuple[str, str | None], ...] = ()
    known_leaders: tuple[tuple[str, str | None], ...] = ()
    milestones_done: tuple[MilestoneLine, ...] = ()
    # The checklist's open measures left as they were: ticked (gone through), or not taken up.
    measures_ticked_open: tuple[MeasureLine, ...] = ()
    measures_not_discussed: tuple[MeasureLine, ...] = ()
    # The agenda's `siden sist: 3 fullført, 2 nye, 1 forfalt` ("" when not known) and its
    # points the session did not take up.
    since_last: str = ""
    agenda_untouched: tuple[AgendaLine, ...] = ()
    note_version: int = 0  # the session's version with this note: what an edit is based on


# Characters that start a Markdown block when they open a line.
_BLOCK_START: Final = re.compile(r"^(#|>|-|\+|=|~|\d+(?=[.)]))")
_INLINE: Final = re.compile(r"([\\`*_\[\]<])")


def _inline(text: str) -> str:
    """One line of user text, safe inside Markdown: no markup of its own survives."""
    line = _INLINE.sub(r"\\\1", clean_text(text).strip())
    # A leading run of digits is kept and the '.' or ')' after it escaped: "1\. mai".
    match = _BLOCK_START.match(line)
    if match is None:
        return line
    marker = match.group(1)
    if marker[0].isdigit():
        return f"{marker}\\{line[len(marker) :]}"
    return f"\\{line}"


_HEADING: Final = re.compile(r"^#{1,6} ")
_BOLD: Final = re.compile(r"(?<!\\)\*\*")
_ITALIC_LINE: Final = re.compile(r"^_(.*[^\\])_$")
_ESCAPED: Final = re.compile(r"\\([\\`*_\[\]<#>\-+=~.)])")


def summary_text(markdown: str) -> str:
    """A summary as `summary_markdown` wrote it, as plain readable text: headings, emphasis,
    hard breaks, rules and escapes taken out, list items as bullets."""
    lines: list[str] = []
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line == "---":
            continue
        line = _HEADING.sub("", line)
        line = _BOLD.sub("", line)
        line = _ITALIC_LINE.sub(r"\1", line)
        # A hard break is an odd backslash at the end; a pair is one escaped backslash.
        if (len(line) - len(line.rstrip("\\"))) % 2:
            line = line[:-1]
        if line.startswith("- "):
            line = f"• {line[2:]}"
        line = _ESCAPED.sub(r"\1", line)
        if line.strip() or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip()


def _single_line(text: str) -> str:
    return _inline(" ".join(clean_text(text).split()))


def _block(text: str, indent: str = "") -> str:
    """Multi-line user text: paragraphs kept, single line breaks as hard breaks."""
    paragraphs = []
    for chunk in re.split(r"\n\s*\n", clean_text(text).strip()):
        lines = [_inline(line) for line in chunk.split("\n") if line.strip()]
        if lines:
            paragraphs.append(("\\\n" + indent).join(lines))
    return ("\n\n" + indent).join(paragraphs)


def document_names(summary: SessionSummary, unit_names: Masker | None = None) -> Masker:
    """Whose names the summary's free text is masked of: everyone it knows or names.

    `unit_names`: the masker of whom the unit knows (`Masker(summary.known_employees,
    summary.known_leaders)`), where the caller has it: it is the document's when the summary
    names no one the unit does not know, as is usual (a masker is costly to make)."""
    people = [
        *summary.known_employees,
        *summary.reviewed,
        *((number, name) for number, name, _ in summary.employee_notes),
        *(
            (line.employee_number, line.employee_name)
            for line in (
                *summary.measures_agreed,
                *summary.measures_changed,
                *summary.measures_closed,
                *summary.measures_ticked_open,
                *summary.measures_not_discussed,
            )
            if line.employee_number is not None
        ),
        *((m.employee_number, m.employee_name) for m in summary.milestones_done),
        *(
            (line.employee_number, line.employee_name)
            for line in summary.agenda_untouched
            if line.employee_number is not None
        ),
    ]
    known = set(summary.known_employees)
    if unit_names is not None and all(
        not name or (number, name) in known for number, name in people
    ):
        return unit_names
    return Masker(people, summary.known_leaders)


class _Masker:
    """Who an employee is called in the document: a name, or "ansatt <number>" when masked;
    free text through core.masking when masked."""

    def __init__(self, summary: SessionSummary, masked: bool, names: Masker | None) -> None:
        self.masked = masked
        if not masked:
            names = NO_NAMES
        self._names = document_names(summary) if names is None else names

    def person(self, number: str | None, name: str | None) -> str:
        if number is None:
            return ""
        return person(_inline(number), name and _inline(name), self.masked)

    def text(self, text: str) -> str:
        """Free text with every known name replaced when masked."""
        return self._names.text(clean_text(text))


def _due(due: dt.date | None) -> str:
    return fmt.date(due) if due else "ingen frist"


def _status(code: str) -> str:
    return MEASURE_STATUSES.get(code, code)


def _measure_item(line: MeasureLine, who: _Masker, *, changed: bool = False) -> str:
    """`- Person: text. Ansvarlig: …, frist: …, status: ….` and the comment below it."""
    head = _single_line(who.text(line.text))
    person = who.person(line.employee_number, line.employee_name)
    if person:
        head = f"{person}: {head}"
    details = []
    if line.owner.strip():
        details.append(f"ansvarlig: {_single_line(who.text(line.owner))}")
    due = f"frist: {fmt.date(line.due_date)}" if line.due_date else "ingen frist"
    status = f"status: {_status(line.status)}"
    # previous_status is None when the state before this session is not known.
    if changed and line.previous_status is not None:
        if line.previous_due_date != line.due_date:
            due += f" (var {_due(line.previous_due_date)})"
        if line.previous_status != line.status:
            status += f" (var {_status(line.previous_status)})"
    details += [due, status]
    text = ", ".join(details)
    item = f"- {head}. {text[0].upper()}{text[1:]}."
    if line.comment.strip():
        item += f"\n  Kommentar: {_block(who.text(line.comment), indent='  ')}"
    return item


def summary_markdown(summary: SessionSummary, masked: bool, names: Masker | None = None) -> str:
    """The summary as a Markdown document for the leader; no names at all when `masked`.

    `names`: `document_names(summary)` where the caller has it already."""
    who = _Masker(summary, masked, names)
    out = [
        f"# Oppsummering: {_inline(summary.session_type_label)} {fmt.date(summary.held_on)}",
        "",
        f"**Enhet:** {_single_line(summary.unit_name)}\\",
    ]
    if summary.advisor and summary.advisor.strip():
        out.append(f"**Rådgiver:** {_single_line(summary.advisor)}\\")
    out += [f"**Dato:** {fmt.date(summary.held_on)}", ""]

    noun = "ansatt" if summary.total_employees == 1 else "ansatte"
    out.append(f"{len(summary.reviewed)} av {summary.total_employees} {noun} gjennomgått.")
    if summary.reviewed:
        people = ", ".join(who.person(number, name) for number, name in summary.reviewed)
        out += ["", f"Gjennomgått: {people}."]
    if summary.milestones_done:
        out += ["", "## Milepæler utført i møtet", ""]
        out += [
            f"- {who.person(m.employee_number, m.employee_name)}: {_inline(m.label)}, "
            f"utført {fmt.date(m.done_on)}."
            for m in summary.milestones_done
        ]

    out += ["", "## Tiltak vi ble enige om", ""]
    if not summary.measures_agreed:
        out += ["Ingen nye tiltak.", ""]
    known_levels = list(MEASURE_LEVELS)
    levels = known_levels + sorted({m.level for m in summary.measures_agreed} - set(known_levels))
    for level in levels:
        items = [m for m in summary.measures_agreed if m.level == level]
        if items:
            out += [f"### {_inline(MEASURE_LEVELS.get(level, level))}", ""]
            out += [_measure_item(m, who) for m in items]
            out.append("")

    out += ["## Endrede tiltak", ""]
    out += [_measure_item(m, who, changed=True) for m in summary.measures_changed] or [
        "Ingen endrede tiltak."
    ]
    out += ["", "## Avsluttede tiltak", ""]
    out += [_measure_item(m, who) for m in summary.measures_closed] or ["Ingen avsluttede tiltak."]
    out += ["", "## Gått gjennom, fortsatt åpne", ""]
    out += [_measure_item(m, who) for m in summary.measures_ticked_open] or [
        "Ingen åpne tiltak gått gjennom uten endring."
    ]
    out += ["", "## Åpne tiltak som ikke ble tatt opp", ""]
    out += [_measure_item(m, who) for m in summary.measures_not_discussed] or [
        "Alle åpne tiltak ble tatt opp."
    ]

    out += ["", "## Notater", ""]
    session_note = _block(who.text(summary.note))
    notes = [
        f"- {who.person(number, name)}: {_block(who.text(note), indent='  ')}"
        for number, name, note in summary.employee_notes
        if note.strip()
    ]
    if session_note:
        out += [session_note, ""]
    if notes:
        out += [*notes, ""]
    if not session_note and not notes:
        out += ["Ingen notater.", ""]

    out += _agenda(summary, who)
    out += ["---", "", f"_{HEALTH_REMINDER}_", ""]
    return "\n".join(out)


def _agenda(summary: SessionSummary, who: _Masker) -> list[str]:
    """Since last time, and the agenda's points not taken up, by their group."""
    if not summary.since_last:
        return []
    out = ["## Siden sist", "", f"Tiltak {_inline(summary.since_last)}.", ""]
    if not summary.agenda_untouched:
        return [*out, "Alle punktene på agendaen ble tatt opp.", ""]
    out += ["Fra agendaen, ikke tatt opp i møtet:", ""]
    heading = None
    for line in summary.agenda_untouched:
        if line.heading != heading:
            heading = line.heading
            out += [*([""] if out[-1] else []), f"### {_inline(heading)}", ""]
        # Our words never start the line (a person or the measure's text is before them).
        said = _INLINE.sub(r"\\\1", line.text)
        item = _single_line(who.text(line.measure_text))
        item = f"{item} ({said})" if item else said
        person = who.person(line.employee_number, line.employee_name)
        out.append(f"- {person}: {item}." if person else f"- {item[0].upper()}{item[1:]}.")
    return [*out, ""]
