"""Text from the data: cleaned when it comes in, made harmless when it goes out to a terminal.

Three rules, each in one place:
- `imported_text` and `imported_key`: what the importer stores for a name and for a key;
- `clean_text`: typed text as the app stores and draws it (control bytes removed);
- `shown` and `json_text`: what the command line prints, whatever an older database holds.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import pandas as pd

# Terminal escape sequences (CSI, OSC, other ESC pairs, 8-bit CSI) go whole, parameters and
# all, so that no "[31m" debris is left behind when only the control byte is removed.
_ESCAPE_SEQUENCES: Final = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
# The bidirectional embeddings, overrides and isolates: they make text read differently from
# what it says (a name that shows "fdp.exe" backwards).
_BIDI: Final = "\u202a-\u202e\u2066-\u2069"
# C0 and C1 controls except tab and newline, DEL, and the bidirectional controls.
_CONTROL: Final = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
# Characters that show as nothing in a key: BOM, zero-width space and joiners, word joiner,
# soft hyphen, and the left-to-right, right-to-left and Arabic letter marks.
_INVISIBLE: Final = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff\u061c]")
# Spaces other than the plain one (no-break, narrow no-break, figure, thin …).
_SPACES: Final = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Line and paragraph breaks of every kind, and tabs: in a one-line value they stand for a space.
_BREAKS: Final = re.compile("[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]+")
# What a terminal may act on rather than print, for `shown`: every C0 and C1 control, DEL, the
# bidirectional controls and marks, and the line and paragraph separators.
_UNSAFE: Final = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}\u200e\u200f\u061c\u2028\u2029]")
# The same, less what json.dumps already writes as \uXXXX (C0 controls).
_UNSAFE_IN_JSON: Final = re.compile(rf"[\x7f-\x9f{_BIDI}\u200e\u200f\u061c\u2028\u2029]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def clean_text(text: str) -> str:
    """User text without control characters or terminal escapes; newlines as plain \\n."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _ESCAPE_SEQUENCES.sub("", text))


def imported_text(text: str) -> str:
    """A name, title or other text value as the importer stores it.

    Unicode NFC; escape sequences removed whole; line breaks and tabs read as one space; every
    other control character and the bidirectional controls removed; spaces around trimmed.
    The importer warns when this changed anything but the normal form.
    """
    text = _ESCAPE_SEQUENCES.sub("", unicodedata.normalize("NFC", text))
    return _CONTROL.sub("", _BREAKS.sub(" ", text)).strip()


def imported_key(text: str) -> str:
    """A key (enhet_id, ansattnr) as the importer compares and stores it, in every table.

    Unicode NFC, the invisible characters (BOM, zero-width space, soft hyphen …) removed, other
    spaces read as a plain space, and spaces around trimmed: `\\ufeffE1` and `E1\\u00a0` are `E1`.
    Control characters are left for `has_control` to refuse.
    """
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", text).strip()


# Every character `imported_text` or `imported_key` may change, but for the normal form.
_TOUCHED: Final = re.compile(
    "[\x00-\x1f\x7f-\xa0\u00ad\u061c\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2069\u3000\ufeff]"
)


def is_clean(text: str) -> bool:
    """Whether `imported_text` and `imported_key` leave the (stripped) text as it is.

    Fast on a whole column joined into one text; False may still leave it unchanged.
    """
    return _TOUCHED.search(text) is None and unicodedata.is_normalized("NFC", text)


def has_control(text: str) -> bool:
    """Whether the text holds a control character, an escape sequence or a bidi control."""
    return _UNSAFE.search(text) is not None


def _escaped(found: re.Match[str]) -> str:
    char = found.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str) -> str:
    """Text from the data made safe to print: each control character written out as `\\x1b`.

    A terminal then prints what it would otherwise act on (set the title, clear the screen,
    write the clipboard, turn text around); ordinary text, æøå included, is left as it is.
    """
    return _UNSAFE.sub(_escaped, text)


def shown_lines(text: str) -> str:
    """`shown` for a message of several lines: its own line breaks are kept."""
    return "\n".join(shown(line) for line in text.split("\n"))


def json_text(document: Any) -> str:
    """A document as JSON that is safe on a terminal and reads back to the same values.

    json.dumps writes C0 controls as \\uXXXX but leaves C1 controls and the bidirectional
    controls raw; those are written as \\uXXXX too (they can only stand inside strings).
    """
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return _UNSAFE_IN_JSON.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


# Norwegian alphabetical order ends … x y z æ ø å. Code points put å before æ (and all three
# before nothing but other letters), so they become three characters after every letter once
# the other accents are gone; Swedish ä and ö sort as æ and ø, as Norwegian dictionaries do.
_LAST_LETTERS: Final = str.maketrans(
    {"æ": "\ue000", "ä": "\ue000", "ø": "\ue001", "ö": "\ue001", "å": "\ue002"}
)


# Cached: the same few hundred names are sorted on every read of a list of units or people.
@functools.lru_cache(maxsize=65536)
def name_order(name: str) -> str:
    """The sort key of a name in Norwegian order (… z æ ø å), upper and lower case together
    and other accents ignored (é as e): the same order whatever a database's collation.

    Names equal but for case or accents compare equal: a stable sort (or a second key, such as
    the id) keeps them in a fixed order.
    """
    folded = unicodedata.normalize("NFC", name).casefold().translate(_LAST_LETTERS)
    return "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))


def by_name(frame: pd.DataFrame, column: str = "name") -> pd.DataFrame:
    """`frame`'s rows in the Norwegian order of `column` (`name_order`), ties as they were."""
    return frame.sort_values(column, key=lambda names: names.map(name_order), kind="stable")
