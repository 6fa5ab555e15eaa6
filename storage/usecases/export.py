"""Documents that leave the app: the session summary, the unit report, the status report.

Each gathers its data in one read snapshot; storage.export lays it out and writes the file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from storage.export import (
    FORMATS,
    UnsupportedFormat,
    check_format,
    documents,
    documents_folder,
    save_status_report,
    save_summary,
    save_unit_report,
)
from storage.repos import measures, sessions
from storage.repos.summary import session_summary
from storage.repos.unit_lookup import unit_by_code
from storage.usecases import reading
from storage.usecases.status import status_within
from storage.usecases.units import unit_overview

__all__ = [
    "FORMATS",
    "UnsupportedFormat",
    "documents_folder",
    "export_status_report",
    "export_summary",
    "export_unit_report",
    "unit_id_of",
]


def unit_id_of(engine: Engine, code: str) -> int:
    """The id of the unit with this code (enhet_id); UnknownUnit if there is none."""
    with reading(engine) as conn:
        return unit_by_code(conn, code)[0]


def export_summary(
    engine: Engine, session_id: int, folder: Path, form: str = "pdf", *, masked: bool = True
) -> Path:
    """The session summary for the leader as PDF or Markdown; no names when `masked`."""
    check_format("summary", form)
    with reading(engine) as conn:
        info = sessions.require(conn, session_id)
        summary = session_summary(conn, info)
        # The unit's figures as of the day the session was held.
        overview = unit_overview(conn, info.unit_id, summary.held_on)
    doc = documents.SummaryDocument(summary, overview, masked)
    return save_summary(doc, folder, form)


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
    check_format("unit", form)
    with reading(engine) as conn:
        rows = measures.for_unit(conn, unit_id)
        overview = unit_overview(conn, unit_id, as_of)
        report = documents.unit_report(conn, overview, as_of, rows, masked=masked)
    return save_unit_report(report, folder, form)


def export_status_report(
    engine: Engine, folder: Path, form: str = "pdf", *, as_of: dt.date
) -> Path:
    """Every unit's figures and the target groups' totals, small groups hidden, as PDF or .xlsx."""
    check_format("status", form)
    with reading(engine) as conn:
        report = documents.status_report(status_within(conn, as_of))
    return save_status_report(report, folder, form)
