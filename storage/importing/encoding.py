"""Which text a CSV or mapping file's bytes are: Excel's three CSV flavours, told apart."""

from __future__ import annotations

import codecs
import re

# A multi-byte UTF-8 sequence: a Windows-1252 file has (practically) none, as æøå are single
# bytes there and a sequence would need two or more letters like "Ã¦" in a row.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
NOT_UTF8 = (
    "linjen er ikke UTF-8 som resten av filen (trolig Windows-1252, limt inn fra en annen fil); "
    "lagre filen på nytt som «CSV UTF-8» og prøv igjen"
)


class MixedEncoding(ValueError):
    """A file that is partly UTF-8 and partly not: `lines` are the lines that are not."""

    def __init__(self, lines: list[int]) -> None:
        super().__init__(lines)
        self.lines = lines


def decode(data: bytes) -> str:
    """Text from Excel's three CSV flavours: UTF-8 with BOM, plain UTF-8, or Windows-1252.

    Strict, so that nothing is stored garbled: a file that is valid UTF-8 is UTF-8; one that is
    not is Windows-1252 only when it holds no UTF-8 sequence at all. A mix (a Windows-1252 line
    pasted into a UTF-8 file) raises MixedEncoding with the lines that are not UTF-8.
    """
    bom = data.startswith(codecs.BOM_UTF8)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        return data.decode("utf-16", errors="replace")
    head = data[:200]
    if head.count(0) * 3 > len(head):  # UTF-16 without its BOM: every other byte is zero
        odd = head[1::2].count(0) > head[0::2].count(0)
        return data.decode("utf-16-le" if odd else "utf-16-be", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if bom or _UTF8_SEQUENCE.search(data):
        lines = []
        for number, line in enumerate(data.split(b"\n"), start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                lines.append(number)
        raise MixedEncoding(lines)
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        # The five bytes cp1252 leaves undefined: latin-1 reads every byte and keeps æøå.
        return data.decode("latin-1")
