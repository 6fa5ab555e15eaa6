"""Tests for the session summary document (pure: no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from core.masking import Masker
from core.summary import (
    HEALTH_REMINDER,
    MeasureLine,
    SessionSummary,
    document_names,
    summary_markdown,
    summary_text,
)
from core.text import clean_text

KARI = ("1001", "Kari Nordmann")
PER = ("1002", "Per Hansen")


def make_summary(**changes: object) -> SessionSummary:
    summary = SessionSummary(
        unit_name="Solsiden sykehjem",
        session_type_label="Individuell rådgivning",
        held_on=dt.date(2026, 11, 12),
        advisor="Anne Rådgiver",
        reviewed=(KARI, PER),
        total_employees=48,
        measures_agreed=(
            MeasureLine("lederrolle", "Ukentlig nærværssamtale", "Leder", None, "apen"),
            MeasureLine("enhet", "Gå gjennom turnusen", "Verneombud", dt.date(2026, 12, 5), "apen"),
            MeasureLine("enkeltsak", "Avtale dialogmøte", "Leder", dt.date(2026, 12, 1), "apen",
                        *KARI),
        ),
        measures_changed=(
            MeasureLine("enhet", "Felles lunsj", "", dt.date(2027, 1, 31), "pagar",
                        comment="Utsatt", previous_due_date=dt.date(2026, 12, 5),
                        previous_status="apen"),
        ),
        measures_closed=(
            MeasureLine("enkeltsak", "Samtale", "Leder", None, "fullfort", *PER,
                        comment="Holdt med Per Hansen."),
        ),
        note="God samtale med leder.",
        employee_notes=((*KARI, "Ønsker tilrettelegging"),),
        known_employees=(KARI, PER, ("1003", "Ola Nordmann")),
    )  # fmt: skip
    return dataclasses.replace(summary, **changes)  # type: ignore[arg-type]


def test_document_structure() -> None:
    text = summary_markdown(make_summary(), masked=False)
    lines = text.splitlines()
    assert lines[0] == "# Oppsummering: Individuell rådgivning 12.11.2026"
    assert "**Enhet:** Solsiden sykehjem\\" in lines
    assert "**Rådgiver:** Anne Rådgiver\\" in lines
    assert "2 av 48 ansatte gjennomgått." in lines
    sections = [line for line in lines if line.startswith("#")]
    assert sections == [
        "# Oppsummering: Individuell rådgivning 12.11.2026",
        "## Tiltak vi ble enige om",
        "### Enkeltsak",
        "### Enhet",
        "### Lederrolle",
        "## Endrede tiltak",
        "## Avsluttede tiltak",
        "## Gått gjennom, fortsatt åpne",
        "## Åpne tiltak som ikke ble tatt opp",
        "## Notater",
    ]
    assert (
        "- Kari Nordmann (1001): Avtale dialogmøte. Ansvarlig: Leder, frist: 01.12.2026, "
        "status: Åpen." in lines
    )
    assert "- Ukentlig nærværssamtale. Ansvarlig: Leder, ingen frist, status: Åpen." in lines
    assert "- Felles lunsj. Frist: 31.01.2027 (var 05.12.2026), status: Pågår (var Åpen)." in lines
    assert "  Kommentar: Utsatt" in lines
    assert "God samtale med leder." in lines
    assert "- Kari Nordmann (1001): Ønsker tilrettelegging" in lines
    assert lines[-1] == f"_{HEALTH_REMINDER}_"
    assert HEALTH_REMINDER == "Notatene skal ikke inneholde helseopplysninger eller diagnoser."


def test_masked_has_no_names_anywhere() -> None:
    summary = make_summary(note="Kari  nordmann og OLA NORDMANN var syke.")
    masked = summary_markdown(summary, masked=True)
    for word in ("kari", "nordmann", "per hansen", "hansen"):
        assert word not in masked.lower()
    assert "Gjennomgått: ansatt 1001, ansatt 1002." in masked
    assert "- ansatt 1002: Samtale." in masked
    assert "Holdt med ansatt 1002." in masked
    assert "ansatt 1001 og ansatt 1003 var syke." in masked
    plain = summary_markdown(summary, masked=False)
    assert "Kari Nordmann (1001)" in plain and "Per Hansen (1002)" in plain


def test_an_employee_without_a_name_is_shown_by_number() -> None:
    text = summary_markdown(make_summary(reviewed=(("1009", None),)), masked=False)
    assert "Gjennomgått: ansatt 1009." in text


def test_empty_session() -> None:
    summary = make_summary(
        advisor=None,
        reviewed=(),
        total_employees=1,
        measures_agreed=(),
        measures_changed=(),
        measures_closed=(),
        note="  ",
        employee_notes=(),
    )
    text = summary_markdown(summary, masked=True)
    assert "Rådgiver" not in text
    assert "0 av 1 ansatt gjennomgått." in text
    for line in ("Ingen nye tiltak.", "Ingen endrede tiltak.", "Ingen avsluttede tiltak."):
        assert line in text
    assert "Ingen notater." in text


@pytest.mark.parametrize(
    ("note", "rendered"),
    [
        ("# Ikke en overskrift", "\\# Ikke en overskrift"),
        ("## To", "\\## To"),
        ("> sitat", "\\> sitat"),
        ("- punkt", "\\- punkt"),
        ("+ punkt", "\\+ punkt"),
        ("* punkt", "\\* punkt"),
        ("1. mai", "1\\. mai"),
        ("12) tolv", "12\\) tolv"),
        ("===", "\\==="),
        ("~~~", "\\~~~"),
        ("```", "\\`\\`\\`"),
        ("    innrykk", "innrykk"),
        ("*fet* og _kursiv_", "\\*fet\\* og \\_kursiv\\_"),
        ("[lenke](http://x) <b>", "\\[lenke\\](http://x) \\<b>"),
        ("a\\b", "a\\\\b"),
        ("vanlig tekst 3. plass", "vanlig tekst 3. plass"),
    ],
)
def test_user_text_cannot_become_markup(note: str, rendered: str) -> None:
    lines = summary_markdown(make_summary(note=note), masked=True).splitlines()
    assert rendered in lines


def test_multiline_notes_keep_their_lines() -> None:
    text = summary_markdown(make_summary(note="Første\nAndre\n\n# Tredje"), masked=True)
    assert "Første\\\nAndre\n\n\\# Tredje\n" in text
    text = summary_markdown(make_summary(employee_notes=((*KARI, "En\nTo\n\nTre"),)), masked=True)
    assert "- ansatt 1001: En\\\n  To\n\n  Tre\n" in text


def test_control_characters_and_escapes_are_stripped() -> None:
    dirty = "Rød\x1b[31mtekst\x1b[0m\x07 tittel\x1b]0;hei\x07 slutt\x00\x7f\x9b2J\u202eomvendt"
    assert clean_text(dirty) == "Rødtekst tittel sluttomvendt"
    assert clean_text("a\r\nb\rc\td") == "a\nb\nc\td"
    summary = make_summary(
        unit_name="Sol\x1b[2Jsiden",
        note=dirty,
        measures_agreed=(MeasureLine("enhet", "Tiltak\x1b[1m", "Leder\x08", None, "apen"),),
    )
    text = summary_markdown(summary, masked=False)
    assert all(ch in "\n" or ch >= " " for ch in text)
    assert "\x1b" not in text and "\u202e" not in text
    assert "Rødtekst tittel sluttomvendt" in text
    assert "**Enhet:** Solsiden\\" in text


def test_unknown_codes_are_shown_as_they_are() -> None:
    summary = make_summary(
        measures_agreed=(MeasureLine("annet", "Noe", "", None, "ukjent"),),
        measures_changed=(),
        measures_closed=(),
    )
    text = summary_markdown(summary, masked=True)
    assert "### annet" in text
    assert "- Noe. Ingen frist, status: ukjent." in text


def test_summary_text_reads_the_markdown_as_plain_text_and_keeps_the_users_own_characters():
    note = "1. mai: *viktig* [se] _her_ # ikke\\\n- punkt\\"
    text = summary_text(summary_markdown(make_summary(note=note), masked=True))
    lines = text.splitlines()
    assert lines[0] == "Oppsummering: Individuell rådgivning 12.11.2026"
    assert lines[2:5] == ["Enhet: Solsiden sykehjem", "Rådgiver: Anne Rådgiver", "Dato: 12.11.2026"]
    assert "Tiltak vi ble enige om" in lines and "Notater" in lines
    assert (
        "• ansatt 1001: Avtale dialogmøte. Ansvarlig: Leder, frist: 01.12.2026, status: Åpen."
        in (lines)
    )
    assert lines[lines.index("Notater") + 2 : lines.index("Notater") + 4] == [
        "1. mai: *viktig* [se] _her_ # ikke\\",
        "- punkt\\",
    ]
    assert lines[-1] == HEALTH_REMINDER
    assert not any(line.startswith("#") or "**" in line or line == "---" for line in lines)


def test_the_document_masks_with_the_units_masker_unless_it_names_someone_else() -> None:
    """A masker is costly to make: the unit's serves where the summary names no one new."""
    summary = make_summary(known_employees=(KARI, PER, ("1003", None)))
    unit = Masker(summary.known_employees, summary.known_leaders)
    assert document_names(summary, unit) is unit

    gone = ("1004", "Lise Berg")  # left the unit; a measure of hers was followed up
    summary = dataclasses.replace(
        summary,
        measures_closed=(MeasureLine("enkeltsak", "Samtale", "", None, "fullfort", *gone),),
    )
    names = document_names(summary, unit)
    assert names is not unit
    assert names.text("Ringte Lise.") == "Ringte ansatt 1004."
    assert unit.text("Ringte Lise.") == "Ringte Lise."
