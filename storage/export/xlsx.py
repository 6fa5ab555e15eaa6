"""Excel workbooks (openpyxl): numbers stay numbers in Norwegian formats, text stays text."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Final

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core import fmt
from core.text import clean_text
from storage.export.documents import (
    HIDDEN,
    STATUS_COLUMNS,
    STATUS_EXPLAINED,
    StatusReport,
    UnitReport,
    key_figures,
    monthly_series,
    quarter_figures,
)

# Excel shows these with the reader's own decimal comma; the values keep full precision.
PCT: Final = '0.0" %"'
PP: Final = '+0.0" p.p.";-0.0" p.p.";0.0" p.p."'
DAYS: Final = "#,##0.0"
COUNT: Final = "0"
KR: Final = '#,##0" kr"'
DATE: Final = "dd.mm.yyyy"
MONTH: Final = "mm.yyyy"

Value = float | int | str | dt.date | None
_BOLD: Final = Font(bold=True)
_HEADING_FILL: Final = PatternFill("solid", fgColor="E2EAF2")


def _set(ws: Worksheet, row: int, column: int, value: Value, number_format: str | None) -> None:
    cell = ws.cell(row=row, column=column)
    if number_format:
        cell.number_format = number_format
    if value is None:
        # An undefined figure is an empty cell: never 0, and no text among the numbers, which
        # would upset the reader's sums and sorting.
        return
    if isinstance(value, str):
        # Control characters make Excel refuse the file; imported text may hold some.
        cell.value = clean_text(value)
        # Text that starts with "=" (a unit's name, a measure) stays text, never a formula.
        cell.data_type = "s"
        if value == HIDDEN:
            cell.alignment = Alignment(horizontal="right")
        return
    cell.value = value


def _table(
    ws: Worksheet,
    headings: Sequence[str],
    rows: Sequence[Sequence[Value]],
    formats: Sequence[str | None],
    widths: Sequence[float],
    *,
    first_row: int = 1,
) -> None:
    """A header row with a filter and frozen panes, then the rows."""
    for column, (heading, width) in enumerate(zip(headings, widths, strict=True), 1):
        cell = ws.cell(row=first_row, column=column, value=heading)
        cell.font, cell.fill = _BOLD, _HEADING_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(column)].width = width
    for r, values in enumerate(rows, first_row + 1):
        for column, (value, number_format) in enumerate(zip(values, formats, strict=True), 1):
            _set(ws, r, column, value, number_format)
    last = get_column_letter(len(headings))
    ws.auto_filter.ref = f"A{first_row}:{last}{first_row + max(len(rows), 1)}"
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)


def _workbook() -> Workbook:
    workbook = Workbook()
    workbook.properties.creator = "Nærvær"
    return workbook


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the unit report -----------------------------------------------------------------------------


def unit_report_xlsx(report: UnitReport) -> bytes:
    o = report.overview
    workbook = _workbook()
    ws = workbook.active
    assert ws is not None  # a new workbook always has its first sheet
    ws.title = "Nøkkeltall"
    _set(ws, 1, 1, f"Enhetsrapport: {o.name}", None)
    ws["A1"].font = Font(bold=True, size=14)
    details = [o.code, o.service_area or "", f"leder: {report.leader}" if report.leader else ""]
    details.append(f"per {fmt.date(report.as_of)}")
    _set(ws, 2, 1, " · ".join(part for part in details if part), None)
    formats = {"pct": PCT, "pp": PP, "count": COUNT, "text": None}
    for row, figure in enumerate(key_figures(o), 4):
        _set(ws, row, 1, figure.label, None)
        _set(ws, row, 2, figure.value, formats[figure.kind])
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 70

    ws = workbook.create_sheet("Kvartaler")
    rows: list[list[Value]] = []
    for q in quarter_figures(o):
        f = q.figures
        rows.append(
            [
                fmt.quarter_label(q.quarter),
                f.possible,
                f.lost,
                f.sick_leave_pct,
                f.self_certified_pct,
                f.doctor_certified_pct,
                f.short_term_pct,
                f.long_term_pct,
                f.graded_share_pct,
            ]
        )
    _table(
        ws,
        [
            "Kvartal",
            "Mulige dagsverk",
            "Tapte dagsverk",
            "Sykefravær",
            "Egenmeldt",
            "Legemeldt",
            "Korttid",
            "Langtid",
            "Gradert andel av fraværet",
        ],
        rows,
        [None, DAYS, DAYS, PCT, PCT, PCT, PCT, PCT, PCT],
        [14, 16, 16, 12, 12, 12, 12, 12, 16],
    )

    ws = workbook.create_sheet("Måneder")
    _table(
        ws,
        ["Måned", "Sykefravær", "Nullpunkt", "Mål"],
        [[month, value, o.baseline_pct, o.goal_pct] for month, value in monthly_series(o)],
        [MONTH, PCT, PCT, PCT],
        [12, 12, 12, 12],
    )

    ws = workbook.create_sheet("Tiltak")
    _table(
        ws,
        ["Nivå", "Gjelder", "Tiltak", "Ansvarlig", "Frist", "Status"],
        [[m.level, m.person, m.text, m.owner, m.due_date, m.status] for m in report.measures],
        [None, None, None, None, DATE, None],
        [12, 24, 60, 22, 12, 10],
    )
    return _bytes(workbook)


# --- the status report ---------------------------------------------------------------------------

_STATUS_FORMATS: Final = {
    "count": COUNT,
    "pct": PCT,
    "pp": PP,
    "share": "0%",
    "kr": KR,
    "light": "@",
}


def status_report_xlsx(report: StatusReport) -> bytes:
    workbook = _workbook()
    ws = workbook.active
    assert ws is not None  # a new workbook always has its first sheet
    ws.title = "Status"
    _table(
        ws,
        ["Enhet / gruppe", *(c.heading for c in STATUS_COLUMNS)],
        [[line.label, *line.cells] for line in report.lines],
        [None, *(_STATUS_FORMATS[c.kind] for c in STATUS_COLUMNS)],
        [36, 6, 9, 11, 9, 11, 9, 11, 10, 10, 9, 9, 8, 10, 10, 10, 14],
    )
    for r, line in enumerate(report.lines, 2):
        if line.total:
            for cell in ws[r]:
                cell.font = _BOLD

    ws = workbook.create_sheet("Om rapporten")
    ws["A1"] = f"Statusrapport per {fmt.date(report.as_of)}"
    ws["A1"].font = Font(bold=True, size=14)
    for r, (label, text) in enumerate(report.headline, 3):
        ws.cell(row=r, column=1, value=f"{label}: {text}")
    explained = ws.cell(row=len(report.headline) + 4, column=1, value=STATUS_EXPLAINED)
    explained.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 100
    ws.row_dimensions[explained.row].height = 64
    return _bytes(workbook)
