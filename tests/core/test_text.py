"""Text from the data: cleaned at import, written out harmlessly on a terminal and in JSON."""

from __future__ import annotations

import json

import pytest

from core.text import has_control, imported_key, imported_text, json_text, name_order, shown

# What a hostile export can carry: set the window title, clear the screen, write the clipboard
# (OSC 52), move the cursor (CSI), an 8-bit CSI, a right-to-left override, a line separator.
TITLE = "\x1b]0;eid\x07"
CLEAR = "\x1b[2J"
CLIPBOARD = "\x1b]52;c;cm0gLXJm\x1b\\"
CURSOR = "\x1b[10;10H"
EIGHT_BIT_CSI = "\x9b31m"
OVERRIDE = "\u202e"
HOSTILE = [TITLE, CLEAR, CLIPBOARD, CURSOR, EIGHT_BIT_CSI, OVERRIDE, "\u2066", "\x07", "\x85"]
# Anything a terminal acts on rather than prints.
RAW = set(map(chr, [*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), 0x2066, 0x2028]))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_shown_writes_every_control_out_and_keeps_the_text(hostile: str) -> None:
    text = f"Lia {hostile}sykehjem æøå"
    safe = shown(text)
    assert not RAW & set(safe)
    assert safe.startswith("Lia ") and safe.endswith("sykehjem æøå")


def test_shown_writes_controls_as_escapes_one_can_read() -> None:
    assert shown(TITLE) == "\\x1b]0;eid\\x07"
    assert shown(CLEAR) == "\\x1b[2J"
    assert shown(EIGHT_BIT_CSI) == "\\x9b31m"
    assert shown(f"{OVERRIDE}fdp.exe") == "\\u202efdp.exe"
    assert shown("a\tb\nc\rd") == "a\\tb\\nc\\rd"
    ordinary = "Kari Ås – Lade helse- og velferdssenter 62,5\u00a0% «sitat» \u200b"
    assert shown(ordinary) == ordinary


def test_json_text_is_safe_and_reads_back_to_the_same_values() -> None:
    document = {"name": "".join(HOSTILE) + "Lia æøå", "values": [None, 1.5, "80\u00a0%"]}
    text = json_text(document)
    assert not RAW & set(text.replace("\n", ""))
    assert json.loads(text) == document
    ordinary = {"name": "Kari Ås «sitat» – 62,5\u00a0%"}
    assert json_text(ordinary) == json.dumps(ordinary, ensure_ascii=False, indent=2)


def test_imported_text_is_cleaned_of_controls_and_escape_sequences() -> None:
    assert imported_text(f"Lia{TITLE} sykehjem{CLEAR}") == "Lia sykehjem"
    assert imported_text(f"{CLIPBOARD}Lia{EIGHT_BIT_CSI}") == "Lia"
    assert imported_text(f"Lia{OVERRIDE}\u2066 sykehjem\x07") == "Lia sykehjem"
    assert imported_text("Lia\r\nsykehjem\t") == "Lia sykehjem"
    assert imported_text("A\u030arlig") == "Årlig"  # NFC: Å as one character
    assert imported_text(CLEAR + TITLE) == ""


def test_imported_key_loses_what_cannot_be_seen() -> None:
    for key in ("\ufeffE1", "E\u200b1", "E1\u00ad", "\u00a0E1 ", "E1\u2060", "\u200eE1"):
        assert imported_key(key) == "E1", repr(key)
    assert imported_key("E\u00a01") == "E 1"  # a no-break space inside is a space
    assert imported_key("A\u030a1") == "Å1"
    assert has_control(imported_key("E1\x1b[2J")) and has_control("E\u202e1")
    assert not has_control(imported_key("\ufeffE1"))


def test_names_sort_in_norwegian_order_with_case_and_accents_together() -> None:
    names = ["Åsen", "øya", "Zeta", "ærfugl", "Østby", "alfa", "Ås", "zulu", "Ærø", "Émile", "Bø"]

    assert sorted(names, key=name_order) == [
        "alfa", "Bø", "Émile", "Zeta", "zulu", "ærfugl", "Ærø", "Østby", "øya", "Ås", "Åsen",
    ]  # fmt: skip
    # Swedish and Danish spellings take the Norwegian letters' places.
    assert name_order("Ödegård") == name_order("Ødegård")
    assert name_order("Ä") > name_order("Z")
