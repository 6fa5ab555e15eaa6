"""Documents that leave the app: the session summary, the unit report and the status report."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Final

from sqlalchemy import Engine

from storage.export import documents
from storage.export.documents import unit_id_of
from storage.paths import free_path, write_private

__all__ = [
    "FORMATS",
    "UnsupportedFormat",
    "documents_folder",
    "export_status_report",
    "export_summary",
    "export_unit_report",
    "unit_id_of",
]

FORMATS: Final = {"summary": ("pdf", "md"), "unit": ("pdf", "xlsx"), "status": ("pdf", "xlsx")}
_NAMES: Final = {
    "summary": "oppsummeringen",
    "unit": "enhetsrapporten",
    "status": "statusrapporten",
}


class UnsupportedFormat(ValueError):
    """A document asked for in a format it does not come in; the message is Norwegian."""

    def __init__(self, document: str, form: str) -> None:
        choices = " eller ".join(FORMATS[document])
        super().__init__(f"{_NAMES[document].capitalize()} kan lagres som {choices}, ikke {form}.")


def documents_folder() -> Path:
    """The user's documents folder, where exports go unless the user chooses another."""
    import platformdirs

    return Path(platformdirs.user_documents_dir())


def _check(document: str, form: str) -> None:
    if form not in FORMATS[document]:
        raise UnsupportedFormat(document, form)


def file_name(kind: str, subject: str, day: dt.date, form: str) -> str:
    """`Oppsummering_Lia_sykehjem_2026-11-24.pdf`: safe on every file system."""
    safe = re.sub(r"[^\w\- ]+", "", subject).strip().replace(" ", "_")
    return "_".join(part for part in (kind, safe, f"{day:%Y-%m-%d}") if part) + f".{form}"


def _write(folder: Path, name: str, content: bytes) -> Path:
    """Write whole or not at all, readable by the user alone until the user shares it; a
    document made earlier (the same unit the same day) is kept, the new one gets `-2`."""
    return write_private(free_path(folder.expanduser().absolute() / name), content)


def export_summary(
    engine: Engine, session_id: int, folder: Path, form: str = "pdf", *, masked: bool = True
) -> Path:
    """The session summary for the leader as PDF or Markdown; no names when `masked`."""
    # The renderers load fpdf2 and openpyxl, slow to import: only when a document is made.
    from storage.export import markdown, pdf

    _check("summary", form)
    doc = documents.summary_document(engine, session_id, masked=masked)
    content = (
        pdf.summary_pdf(doc)
        if form == "pdf"
        else markdown.summary_document_markdown(doc).encode("utf-8")
    )
    name = file_name("Oppsummering", doc.summary.unit_name, doc.summary.held_on, form)
    return _write(folder, name, content)


def export_unit_report(
    engine: Engine,
    unit_id: int,
    folder: Path,
    form: str = "pdf",
    *,
    as_of: dt.date,
    masked: bool = True,
) -> Path:
    """The unit's quarters, breakdowns, baseline, progress and measures as PDF or .xlsx."""
    from storage.export import pdf, xlsx

    _check("unit", form)
    report = documents.unit_report(engine, unit_id, as_of, masked=masked)
    render: Callable[[documents.UnitReport], bytes] = (
        pdf.unit_report_pdf if form == "pdf" else xlsx.unit_report_xlsx
    )
    subject = f"{report.overview.code} {report.overview.name}"
    return _write(folder, file_name("Enhetsrapport", subject, as_of, form), render(report))


def export_status_report(
    engine: Engine, folder: Path, form: str = "pdf", *, as_of: dt.date
) -> Path:
    """Every unit's figures and the target groups' totals, small groups hidden, as PDF or .xlsx."""
    from storage.export import pdf, xlsx

    _check("status", form)
    report = documents.status_report(engine, as_of)
    render: Callable[[documents.StatusReport], bytes] = (
        pdf.status_report_pdf if form == "pdf" else xlsx.status_report_xlsx
    )
    return _write(folder, file_name("Statusrapport", "", as_of, form), render(report))
