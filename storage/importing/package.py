"""A workbook's zip package looked into before a reader trusts what it declares.

python-calamine sizes a sheet by its outermost cells (one value in A1 and one in XFD1048576 is
a range of 17 billion cells: the process aborts), and holds a run of text between two tags
whole (a sheet padded with gigabytes of spaces is read into as many gigabytes). So every part
of the package is unpacked here first, in chunks and with a bound, whatever its header says,
and every sheet's cells are located by their own references, not by its <dimension>.
"""

from __future__ import annotations

import copy
import io
import lzma
import posixpath
import re
import zipfile
import zlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from xml.etree import ElementTree

from core import fmt
from storage.importing.problems import ImportProblem

# The largest export a real one can be, with room to spare. 1,000,000 employment rows of the
# seven ansatte columns are 7,000,000 cells; HR systems add columns of their own, so up to 20
# columns at that length (and 256 columns, the old Excel's own limit, at any length) is taken.
MAX_CELLS = 20_000_000
MAX_COLUMNS = 256
# Unpacked bytes of a sheet (or its shared strings): such a sheet is some 60 bytes a cell
# written with inline strings, about 500 MB, and a shared-strings file holds less.
MAX_SHEET_BYTES = 1 << 30
MAX_PART_BYTES = 64 << 20  # every other part: the workbook, styles, relationships
# Bytes between two tags: no cell text comes near it (Excel's limit is 32,767 characters),
# and a reader holds such a run whole.
MAX_RUN = 1 << 20
_CHUNK = 1 << 20

UNREADABLE = (
    "filen kan ikke leses som Excel-arbeidsbok (den kan være skadet, eller lagret i et "
    "annet format; prøv å lagre den på nytt som .xlsx eller CSV)"
)
_PREFIX = rb"<(?:[\w.-]+:)?"
# A cell's start tag and its reference (empty without one); `<c …/>` is an empty cell, which
# readers pass by.
_CELL = re.compile(
    _PREFIX + rb"c(?:\s[^>]*?(?<=\s)r\s*=\s*[\"']([A-Za-z]+)([0-9]+)[\"'])?(?:\s[^>]*)?(?<!/)>"
)
_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_REFERENCE = re.compile(rb"(?:^|\s)r\s*=\s*[\"']([A-Za-z]*)([0-9]+)[\"']")


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name and the zip member holding it, by the workbook's relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {_attribute(rel, "Id"): _attribute(rel, "Target") for rel in relations}
    parts = {}
    for element in workbook.iter():
        name = element.get("name")
        target = targets.get(_attribute(element, "id"))
        if local_name(element.tag) == "sheet" and name is not None and target is not None:
            parts[name] = (
                target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            )
    return parts


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attribute(element: ElementTree.Element, name: str) -> str | None:
    """An attribute by local name: strict OOXML puts `r:id` in another namespace."""
    return next((value for key, value in element.attrib.items() if local_name(key) == name), None)


def column_name(column: int) -> str:
    """0 -> "A", 16383 -> "XFD"."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _column(letters: bytes) -> int:
    """b"XFD" -> 16383."""
    column = 0
    for letter in letters.upper():
        column = column * 26 + letter - ord("A") + 1
    return column - 1


def too_large(rows: int, columns: int, last: str | None = None) -> str:
    """Why a sheet is refused, in the words of the message."""
    size = f"{fmt.count(rows, 'rad', 'rader')} × {fmt.count(columns, 'kolonne', 'kolonner')}"
    if last is not None:
        size = f"{size}, ut til celle {last}"
    return f"arket er for stort ({size}); slett innhold langt ute i arket og prøv igjen"


def is_too_large(rows: int, columns: int) -> bool:
    return columns > MAX_COLUMNS or rows * columns > MAX_CELLS


@dataclass
class _Extent:
    """The cells a reader would place: the rectangle around them, and how many there are."""

    cells: int = 0
    top: int = 1 << 62
    bottom: int = -1
    left: int = 1 << 62
    right: int = -1

    def add(self, cells: int, rows: Collection[int], columns: Collection[int]) -> None:
        if cells:
            self.cells += cells
            self.top, self.bottom = min(self.top, min(rows)), max(self.bottom, max(rows))
            self.left, self.right = min(self.left, min(columns)), max(self.right, max(columns))

    @property
    def rows(self) -> int:
        return max(self.bottom - self.top + 1, 0)

    @property
    def columns(self) -> int:
        return max(self.right - self.left + 1, 0)

    def refusal(self) -> str | None:
        if is_too_large(self.rows, self.columns):
            return too_large(self.rows, self.columns, f"{column_name(self.right)}{self.bottom + 1}")
        if self.cells > MAX_CELLS:
            return (
                f"arket har {fmt.number(self.cells, 0)} celler; det er flere enn en eksport kan ha"
            )
        return None


class _Refused(Exception):
    """The part is refused; the message says why."""


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, bound: int) -> Iterator[bytes]:
    """The part unpacked in chunks, however large its header says it is, up to `bound` bytes.

    zipfile reads on to the real end of the data when the header claims more, and checks the
    CRC there: a header that claims less than the data holds is caught below.
    """
    if info.file_size > bound:
        raise _Refused(_too_many_bytes(info.filename, bound))
    claimed = copy.copy(info)
    claimed.file_size = bound + 1
    size = 0
    with archive.open(claimed) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > bound:
                raise _Refused(_too_many_bytes(info.filename, bound))
            yield chunk
    if size != info.file_size:
        raise _Refused(
            f"arbeidsboken er skadet (delen {info.filename} er ikke så stor som zip-filen "
            f"oppgir); {_SAVE_AGAIN}"
        )


_SAVE_AGAIN = "åpne den i Excel og lagre den på nytt, eller lagre arket som CSV"


def _too_many_bytes(part: str, bound: int) -> str:
    return (
        f"delen {part} i arbeidsboken blir over {fmt.number(bound / 2**20, 0)} MB når den "
        "pakkes ut, mer enn en eksport kan bli; filen er skadet eller laget for å fylle minnet"
    )


def _check_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, bound: int, sheet: bool) -> None:
    """Unpack one part within its bounds; a sheet's cells are located on the way."""
    xml = info.filename.endswith((".xml", ".rels"))
    extent = _Extent()
    run = 0  # bytes since the last "<"
    tail = b""  # an unfinished tag at the end of the last chunk
    located = True  # every cell so far has its reference
    for chunk in _chunks(archive, info, bound):
        if not xml:
            continue
        start = chunk.find(b"<")
        if start < 0:
            run += len(chunk)
        elif run + start > MAX_RUN:
            run += start
        else:
            run = len(chunk) - chunk.rfind(b"<")
        if run > MAX_RUN:
            raise _Refused(
                f"delen {info.filename} har over {fmt.number(MAX_RUN / 2**20, 0)} MB tomrom "
                "eller tekst uten en eneste celle; filen er skadet eller laget for å fylle minnet"
            )
        if not sheet:
            continue
        window = tail + chunk
        cut = window.rfind(b"<")
        if cut >= 0 and window.find(b">", cut) < 0:
            window, tail = window[:cut], window[cut:]
        else:
            tail = b""
        if not located:
            continue
        cells = _CELL.findall(window)
        letters = {cell[0] for cell in cells}
        if b"" in letters:
            located = False  # a cell without a reference: placed by counting (below)
            continue
        rows = {int(text) - 1 for text in {cell[1] for cell in cells}}
        extent.add(len(cells), rows, {_column(text) for text in letters})
        if (refusal := extent.refusal()) is not None:
            raise _Refused(refusal)
    if sheet and not located:
        extent = _counted(archive, info, bound)
    if (refusal := extent.refusal()) is not None:
        raise _Refused(refusal)


def _counted(archive: zipfile.ZipFile, info: zipfile.ZipInfo, bound: int) -> _Extent:
    """The cells of a sheet where some have no reference, placed as calamine places them.

    A cell without `r` follows the one before it in its row; a row without `r` follows the
    row before it. Slower than the references alone, and only for the few writers that leave
    them out.
    """
    extent = _Extent()
    row = column = 0
    tail = b""
    for chunk in _chunks(archive, info, bound):
        window = tail + chunk
        cut = window.rfind(b"<")
        if cut >= 0 and window.find(b">", cut) < 0:
            window, tail = window[:cut], window[cut:]
        else:
            tail = b""
        rows: list[int] = []
        columns: list[int] = []
        for end, tag, attributes in _TAG.findall(window):
            if attributes.endswith(b"/"):
                continue  # an empty element: readers pass it by
            found = _REFERENCE.search(attributes)
            if tag == b"row":
                if end:
                    row, column = row + 1, 0
                elif found is not None:
                    row = int(found.group(2)) - 1
            elif not end:
                if found is not None and found.group(1):
                    column = _column(found.group(1))
                    rows.append(int(found.group(2)) - 1)
                else:
                    rows.append(row)
                columns.append(column)
                column += 1
        extent.add(len(rows), rows, columns)
        if (refusal := extent.refusal()) is not None:
            raise _Refused(refusal)
    return extent


def _bound(part: str, sheet: bool) -> int:
    file = part.rpartition("/")[2]
    large = sheet or file.startswith("sharedStrings.") or file == "content.xml"
    return MAX_SHEET_BYTES if large or part.startswith("xl/worksheets/") else MAX_PART_BYTES


def check_workbook(name: str, data: bytes) -> list[ImportProblem]:
    """Why the workbook must not be given to a reader, or nothing.

    Every part of the zip is unpacked (with a bound, in chunks), and each sheet's cells are
    located: a sheet whose cells span more than a real export can is refused by name. A file
    that is no zip (an old .xls) is left to the reader, which says what it makes of it; a zip
    that cannot be looked into is not given to it.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        zipped = data.startswith(b"PK")
        return [ImportProblem(name, None, None, None, UNREADABLE)] if zipped else []
    with archive:
        # The workbook and its relationships first: they say which parts are sheets.
        first = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
        members = sorted(archive.infolist(), key=lambda info: info.filename not in first)
        sheets: dict[str, str] | None = None
        for info in members:
            sheet = None
            try:
                if sheets is None and info.filename not in first:
                    sheets = _sheets(archive)
                sheet = (sheets or {}).get(info.filename)
                bound = _bound(info.filename, sheet is not None)
                _check_part(archive, info, bound, sheet is not None)
            except _Refused as refused:
                return [ImportProblem(name, None, None, None, str(refused), sheet)]
            except (
                zipfile.BadZipFile,
                EOFError,
                OSError,
                ValueError,  # offsets in the zip's directory that point nowhere
                RuntimeError,  # an encrypted member
                NotImplementedError,  # a compression zipfile does not know
                zlib.error,
                lzma.LZMAError,
            ):
                return [ImportProblem(name, None, None, None, UNREADABLE, sheet)]
    return []


def _sheets(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet part -> sheet name; none when the package is no .xlsx (an .ods, an .xlsb)."""
    try:
        return {part: sheet for sheet, part in sheet_parts(archive).items()}
    except (KeyError, ElementTree.ParseError):
        return {}
