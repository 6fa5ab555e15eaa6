"""Documents that leave the app: the session summary, the unit report and the status report."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Final

from storage.export import documents
from storage.paths import free_path, write_private

__all__ = [
    "FORMATS",
    "UnsupportedFormat",
    "check_format",
    "documents_folder",
    "save_status_report",
    "save_summary",
    "save_unit_report",
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


def check_format(document: str, form: str) -> None:
    """UnsupportedFormat unless the document comes in `form`."""
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


def save_summary(doc: documents.SummaryDocument, folder: Path, form: str = "pdf") -> Path:
    """The session summary for the leader as PDF or Markdown, written to `folder`."""
    # The renderers load fpdf2 and openpyxl, slow to import: only when a document is made.
    from storage.export import markdown, pdf

    check_format("summary", form)
    content = (
        pdf.summary_pdf(doc)
        if form == "pdf"
        else markdown.summary_document_markdown(doc).encode("utf-8")
    )
    name = file_name("Oppsummering", doc.summary.unit_name, doc.summary.held_on, form)
    return _write(folder, name, content)


def save_unit_report(report: documents.UnitReport, folder: Path, form: str = "pdf") -> Path:
    """The unit's quarters, breakdowns, baseline, progress and measures as PDF or .xlsx."""
    from storage.export import pdf, xlsx

    check_format("unit", form)
    render: Callable[[documents.UnitReport], bytes] = (
        pdf.unit_report_pdf if form == "pdf" else xlsx.unit_report_xlsx
    )
    subject = f"{report.overview.code} {report.overview.name}"
    name = file_name("Enhetsrapport", subject, report.as_of, form)
    return _write(folder, name, render(report))


def save_status_report(report: documents.StatusReport, folder: Path, form: str = "pdf") -> Path:
    """Every unit's figures and the target groups' totals, small groups hidden, as PDF or .xlsx."""
    from storage.export import pdf, xlsx

    check_format("status", form)
    render: Callable[[documents.StatusReport], bytes] = (
        pdf.status_report_pdf if form == "pdf" else xlsx.status_report_xlsx
    )
    return _write(folder, file_name("Statusrapport", "", report.as_of, form), render(report))
