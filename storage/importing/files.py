"""Finding and opening export files: folders, file access, and CSV or workbook by content."""

from __future__ import annotations

from pathlib import Path

from storage.importing.mapping import ColumnMapping
from storage.importing.problems import ImportProblem
from storage.importing.read import Progress, ReadResult, read_csv
from storage.importing.workbook import read_workbook

TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
# Workbooks by their first bytes too: an .xlsx renamed to .csv is still read.
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def in_folder(folder: Path) -> list[Path]:
    """The CSV and Excel files in a folder (not its subfolders), by name.

    Excel's lock files (`~$data.xlsx`, there while the workbook is open) and hidden files are
    left out.
    """
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix.lower() in TEXT_SUFFIXES | WORKBOOK_SUFFIXES
        and not path.name.startswith(("~$", "."))
        and path.is_file()
    )


def read_file(
    path: Path, progress: Progress | None = None, mapping: ColumnMapping | None = None
) -> ReadResult:
    """One CSV file or workbook, read and recognised; problems are returned, never raised."""
    name = path.name

    def error(message: str) -> ReadResult:
        return ReadResult(errors=[ImportProblem(name, None, None, None, message)])

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return error("filen finnes ikke")
    except IsADirectoryError:
        return error("er en mappe, ikke en fil")
    except PermissionError:
        return error("filen kan ikke leses: du har ikke tilgang til den")
    except OSError:  # the system's own reason is in English; the path says enough
        return error("filen kan ikke leses")
    if path.suffix.lower() in WORKBOOK_SUFFIXES or data.startswith(_WORKBOOK_MAGIC):
        return read_workbook(name, data, progress, mapping)
    return read_csv(name, data, progress, mapping)
