"""PDF documents drawn with fpdf2 and its built-in Helvetica, so no system font is needed."""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from fpdf import FPDF
from fpdf.fonts import FontFace

from core import fmt
from core.overview import UnitOverview
from core.summary import summary_markdown
from core.text import clean_text
from storage.export.documents import (
    HIDDEN_NOTE,
    STATUS_COLUMNS,
    STATUS_EXPLAINED,
    KeyFigure,
    StatusReport,
    SummaryDocument,
    UnitReport,
    key_figures,
    monthly_series,
    quarter_figures,
)

Color = tuple[int, int, int]
INK: Final[Color] = (33, 37, 41)
MUTED: Final[Color] = (108, 117, 125)
ACCENT: Final[Color] = (31, 78, 121)
GRID: Final[Color] = (222, 226, 230)
HEADING_FILL: Final[Color] = (226, 234, 242)
ROW_FILL: Final[Color] = (246, 248, 250)
SERIES: Final[Color] = (31, 100, 170)
BASELINE: Final[Color] = (214, 110, 0)
GOAL: Final[Color] = (40, 140, 70)

MASKED_NOTE: Final = (
    "Skjermet: ansatte er vist med ansattnummer og ledere som leder (enhet), ikke med navn."
)
NAMES_NOTE: Final = "Inneholder navn på ansatte: del bare med dem som skal ha dem."

# The core fonts speak WinAnsi (cp1252): æøå, «», the en dash and the no-break space are there,
# the minus sign and thin spaces are not.
_WINANSI: Final = str.maketrans({"\u2212": "\u2013", "\u2009": " ", "\u202f": "\u00a0"})


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def winansi(text: str) -> str:
    """Text the core fonts can show; other letters lose their accents ('ł' stays '?')."""
    text = text.translate(_WINANSI)
    if all(_encodable(char) for char in text):
        return text
    out = []
    for char in text:
        if _encodable(char):
            out.append(char)
            continue
        base = [c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)]
        out.append("".join(c for c in base if _encodable(c)) or "?")
    return "".join(out)


class _Pdf(FPDF):
    """A4 with a running title, the privacy note and page numbers in the footer."""

    def __init__(self, title: str, note: str, *, landscape: bool = False) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.core_fonts_encoding = "cp1252"
        self.doc_title = title
        self.note = note
        self.set_title(clean_text(title))
        self.set_creator("Nærvær")
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.add_page()

    def normalize_text(self, text: str) -> str:
        # Every string drawn passes here: imported text loses its control characters too.
        return super().normalize_text(winansi(clean_text(text)))

    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font("Helvetica", size=8)
            self.set_text_color(*MUTED)
            self.cell(0, 4, self.doc_title, new_x="LMARGIN", new_y="NEXT")
            self.ln(4)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=7.5)
        self.set_text_color(*MUTED)
        self.cell(self.epw * 0.8, 4, self.note)
        self.cell(0, 4, f"Side {self.page_no()} av {{nb}}", align="R")
        self.set_text_color(*INK)

    # --- text ---------------------------------------------------------------------------------

    def title_block(self, title: str, subtitle: str = "") -> None:
        self.set_font("Helvetica", "B", 17)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        if subtitle:
            self.set_font("Helvetica", size=9.5)
            self.set_text_color(*MUTED)
            self.multi_cell(0, 5, subtitle, new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(*INK)
        self.ln(3)

    def heading(self, text: str, level: int = 2) -> None:
        # A heading never ends a page alone: it moves on with what follows.
        if self.will_page_break(24):
            self.add_page()
        self.ln(3 if level == 2 else 1.5)
        self.set_font("Helvetica", "B", 12.5 if level == 2 else 10.5)
        self.set_text_color(*(ACCENT if level == 2 else INK))
        self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        if level == 2:
            self.set_draw_color(*GRID)
            self.line(self.l_margin, self.get_y(), self.l_margin + self.epw, self.get_y())
        self.ln(1.5)

    def paragraph(self, text: str, *, italic: bool = False, size: float = 10) -> None:
        self.set_font("Helvetica", "I" if italic else "", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def field(self, label: str, value: str, size: float = 10) -> None:
        self.set_font("Helvetica", "B", size)
        width = self.get_string_width(f"{label}: ") + 1
        self.cell(width, size * 0.55, f"{label}:")
        self.set_font("Helvetica", size=size)
        self.multi_cell(0, size * 0.55, value, align="L", new_x="LMARGIN", new_y="NEXT")

    def bullet(self, text: str) -> None:
        self.set_font("Helvetica", size=10)
        if self.will_page_break(10):
            self.add_page()
        self.set_x(self.l_margin + 2)
        self.cell(4, 5, "\u2022")
        self.multi_cell(self.epw - 6, 5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    # --- tables -------------------------------------------------------------------------------

    def data_table(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        align: Sequence[Literal["L", "R", "C"]],
        *,
        bold_last: bool = False,
        bold_rows: Collection[int] = (),
        size: float = 8.5,
    ) -> None:
        self.set_font("Helvetica", size=size)
        # fpdf2 fills the unstriped rows with the current colour, whatever was drawn before.
        self.set_fill_color(255, 255, 255)
        with self.table(
            col_widths=tuple(widths),
            text_align=tuple(align),
            width=min(sum(widths), self.epw),
            align="LEFT",
            line_height=size * 0.5,
            padding=(1.0, 1.2),
            borders_layout="HORIZONTAL_LINES",
            headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
            cell_fill_color=ROW_FILL,
            cell_fill_mode="ROWS",
            v_align="MIDDLE",
        ) as table:
            heading = table.row()
            for text in headings:
                heading.cell(text)
            for i, cells in enumerate(rows):
                bold = i in bold_rows or (bold_last and i == len(rows) - 1)
                style = FontFace(emphasis="BOLD") if bold else None
                row = table.row(style=style)
                for text in cells:
                    row.cell(text)
        self.ln(2)

    def key_figures(self, figures: Sequence[KeyFigure]) -> None:
        """Now and its breakdown on the left, progress on the right, notes as lines below."""
        top = self.get_y()
        gap = 8.0
        width = (self.epw - gap) / 2
        now = [f for f in figures if f.part in ("now", "breakdown")]
        progress = [f for f in figures if f.part == "progress"]
        bottom = self._figure_column(self.l_margin, top, width, now)
        if progress:
            right = self._figure_column(self.l_margin + width + gap, top, width, progress)
            bottom = max(bottom, right)
        self.set_xy(self.l_margin, bottom + 2)
        for figure in figures:
            if figure.part == "note":
                self.field(figure.label, figure.display(), size=9)
        self.ln(2)

    def _figure_column(
        self, x: float, y: float, width: float, figures: Sequence[KeyFigure]
    ) -> float:
        """Rows of label and value with a hairline under each; returns the bottom."""
        self.set_draw_color(*GRID)
        self.set_line_width(0.2)
        for figure in figures:
            self.set_xy(x, y)
            breakdown = figure.part == "breakdown"
            self.set_font("Helvetica", "", 8.5 if breakdown else 9.5)
            self.set_text_color(*(MUTED if breakdown else INK))
            indent = 4.0 if breakdown else 0.0
            self.set_x(x + indent)
            self.cell(width - 26 - indent, 5.4, figure.label)
            self.set_font("Helvetica", "" if breakdown else "B", 8.5 if breakdown else 9.5)
            self.cell(26, 5.4, figure.display(), align="R")
            y += 5.4
            self.line(x, y, x + width, y)
        self.set_text_color(*INK)
        return y

    # --- the chart ----------------------------------------------------------------------------

    def month_chart(self, overview: UnitOverview, height: float = 70) -> None:
        """The last 24 months with the baseline and the goal, drawn as lines on a grid."""
        series = monthly_series(overview)
        references: list[tuple[str, float, Color]] = []
        if overview.baseline_pct is not None and overview.baseline_quarter is not None:
            label = f"Nullpunkt {fmt.quarter_label(overview.baseline_quarter)}"
            references.append((label, overview.baseline_pct, BASELINE))
        # A baseline under the goal's size gives a goal below zero: nothing to draw.
        if overview.goal_pct is not None and overview.goal_pct >= 0:
            references.append(("Mål", overview.goal_pct, GOAL))
        if self.will_page_break(height + 4):
            self.add_page()
        x0, y0, width = self.l_margin, self.get_y(), self.epw

        self.set_font("Helvetica", "B", 9.5)
        self.cell(0, 5, "Sykefravær per måned, siste 24 måneder", new_x="LMARGIN", new_y="NEXT")
        self._legend([("Sykefravær", None, SERIES), *references])

        left, right = x0 + 13, x0 + width - 2
        top, bottom = y0 + 14, y0 + height - 11
        values = [v for _, v in series if v is not None] + [r[1] for r in references]
        step = _nice_step(max(values, default=0.0))
        y_max = step * max(1, math.ceil(max(values, default=0.0) * 1.08 / step))

        def y_of(value: float) -> float:
            return bottom - value / y_max * (bottom - top)

        # Grid and the y axis's percentages.
        self.set_font("Helvetica", size=7)
        self.set_line_width(0.2)
        for k in range(round(y_max / step) + 1):
            value = k * step
            self.set_draw_color(*(MUTED if k == 0 else GRID))
            self.line(left, y_of(value), right, y_of(value))
            self.set_xy(x0, y_of(value) - 2)
            self.set_text_color(*MUTED)
            self.cell(left - x0 - 1.5, 4, f"{fmt.tick(value, step)}{fmt.NBSP}%", align="R")
        self.set_draw_color(*MUTED)
        self.line(left, top, left, bottom)

        # One tick and label per month, the year under its first month.
        slot = (right - left) / len(series)
        for i, (month, _) in enumerate(series):
            x = left + slot * (i + 0.5)
            self.line(x, bottom, x, bottom + 1.2)
            self.set_font("Helvetica", size=6.5)
            self.set_xy(x - slot / 2, bottom + 1.4)
            self.cell(slot, 3.2, fmt.MONTHS[month.month - 1], align="C")
            if i == 0 or month.month == 1:
                self.set_font("Helvetica", "B", 6.5)
                self.set_xy(x - slot / 2 - 2, bottom + 4.6)
                self.cell(slot + 4, 3.2, str(month.year), align="C")
        self.set_text_color(*INK)

        for _, value, color in references:
            self.set_draw_color(*color)
            self.set_line_width(0.45)
            self.set_dash_pattern(dash=1.6, gap=1.0)
            self.line(left, y_of(value), right, y_of(value))
        self.set_dash_pattern()

        # The series, broken where a month has no figure.
        self.set_draw_color(*SERIES)
        self.set_fill_color(*SERIES)
        self.set_line_width(0.6)
        points = [
            (left + slot * (i + 0.5), None if v is None else y_of(v))
            for i, (_, v) in enumerate(series)
        ]
        for (xa, ya), (xb, yb) in itertools.pairwise(points):
            if ya is not None and yb is not None:
                self.line(xa, ya, xb, yb)
        for x, y in points:
            if y is not None:
                self.circle(x, y, 0.7, style="F")
        self.set_line_width(0.2)
        self.set_draw_color(*INK)
        self.set_xy(x0, bottom + 9)
        self.ln(2)

    def _legend(self, entries: Sequence[tuple[str, float | None, Color]]) -> None:
        self.set_font("Helvetica", size=7.5)
        x, y = self.l_margin, self.get_y() + 1.5
        for label, value, color in entries:
            text = label if value is None else f"{label} {fmt.percent(value)}"
            self.set_draw_color(*color)
            self.set_line_width(0.6 if value is None else 0.45)
            if value is not None:
                self.set_dash_pattern(dash=1.6, gap=1.0)
            self.line(x, y + 2, x + 7, y + 2)
            self.set_dash_pattern()
            self.set_xy(x + 8.5, y)
            self.cell(self.get_string_width(text) + 1, 4, text)
            x += 8.5 + self.get_string_width(text) + 7
        self.set_line_width(0.2)
        self.set_xy(self.l_margin, y + 5)


def _nice_step(top: float) -> float:
    """A round grid step that gives at most six lines up to `top`."""
    for step in (0.5, 1, 2, 2.5, 5, 10, 20, 25, 50):
        if top / step <= 6:
            return step
    return 100.0


# --- the session summary -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    kind: Literal["h1", "h2", "h3", "field", "bullet", "para", "note", "rule", "gap"]
    text: str = ""
    label: str = ""


_ESCAPE: Final = re.compile(r"\\(.)|\\$")
_FIELD: Final = re.compile(r"^\*\*(.+?):\*\* ?(.*)$")


def _plain(line: str) -> str:
    """A line of the summary's Markdown as text: escapes undone, the hard-break mark dropped."""
    return _ESCAPE.sub(lambda m: m.group(1) or "", line.strip())


def markdown_blocks(markdown: str) -> list[_Block]:
    """The session summary's Markdown (core.summary) as blocks to lay out.

    The PDF is drawn from the very text of the Markdown export, so that both say the same, and
    both are masked the same way. User text in it is escaped, so only core.summary's own
    markup starts a heading, an item or a field.
    """
    blocks: list[_Block] = []

    def last_content() -> _Block | None:
        return next((b for b in reversed(blocks) if b.kind != "gap"), None)

    for line in markdown.split("\n"):
        previous = last_content()
        if not line.strip():
            blocks.append(_Block("gap"))
        elif line.startswith("  ") and previous is not None and previous.kind == "bullet":
            # An item's comment or its next paragraph.
            while blocks[-1].kind == "gap":
                blocks.pop()
            blocks[-1] = _Block("bullet", f"{previous.text}\n{_plain(line)}")
        elif line.startswith("### "):
            blocks.append(_Block("h3", _plain(line[4:])))
        elif line.startswith("## "):
            blocks.append(_Block("h2", _plain(line[3:])))
        elif line.startswith("# "):
            blocks.append(_Block("h1", _plain(line[2:])))
        elif line.strip() == "---":
            blocks.append(_Block("rule"))
        elif line.startswith("- "):
            blocks.append(_Block("bullet", _plain(line[2:])))
        elif match := _FIELD.match(line):
            blocks.append(_Block("field", _plain(match.group(2)), label=match.group(1)))
        elif line.startswith("_") and line.rstrip().endswith("_"):
            blocks.append(_Block("note", _plain(line.strip()[1:-1])))
        elif blocks and blocks[-1].kind == "para":
            blocks[-1] = _Block("para", f"{blocks[-1].text}\n{_plain(line)}")
        else:
            blocks.append(_Block("para", _plain(line)))
    return blocks


def _note(masked: bool) -> str:
    return MASKED_NOTE if masked else NAMES_NOTE


def summary_pdf(doc: SummaryDocument) -> bytes:
    """The summary for the leader: the unit's figures and chart, then what was agreed."""
    blocks = markdown_blocks(summary_markdown(doc.summary, masked=doc.masked))
    title = next((b.text for b in blocks if b.kind == "h1"), "Oppsummering")
    pdf = _Pdf(title, _note(doc.masked))
    figures_done = False
    for block in blocks:
        if block.kind == "h2" and not figures_done:
            _unit_figures(pdf, doc.overview)
            figures_done = True
        if block.kind == "h1":
            pdf.title_block(block.text)
        elif block.kind in ("h2", "h3"):
            pdf.heading(block.text, level=2 if block.kind == "h2" else 3)
        elif block.kind == "field":
            pdf.field(block.label, block.text)
        elif block.kind == "bullet":
            pdf.bullet(block.text)
        elif block.kind == "para":
            pdf.paragraph(block.text)
        elif block.kind == "note":
            pdf.paragraph(block.text, italic=True, size=9)
        elif block.kind == "rule":
            pdf.ln(2)
            pdf.set_draw_color(*GRID)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
            pdf.ln(2)
        elif block.kind == "gap":
            pdf.ln(1)
    return bytes(pdf.output())


def _unit_figures(pdf: _Pdf, overview: UnitOverview) -> None:
    pdf.heading("Sykefraværet i enheten")
    pdf.key_figures(key_figures(overview))
    pdf.month_chart(overview)


# --- the unit report -----------------------------------------------------------------------------


def unit_report_pdf(report: UnitReport) -> bytes:
    o = report.overview
    title = f"Enhetsrapport: {o.name}"
    pdf = _Pdf(title, _note(report.masked))
    subtitle = [o.code, o.service_area or "", f"leder: {report.leader}" if report.leader else ""]
    subtitle.append(f"per {fmt.date(report.as_of)}")
    pdf.title_block(title, " · ".join(part for part in subtitle if part))

    pdf.heading("Nøkkeltall")
    pdf.key_figures(key_figures(o))
    pdf.month_chart(o)

    pdf.heading("Kvartaler")
    rows = []
    for q in quarter_figures(o):
        f = q.figures
        rows.append(
            [
                fmt.quarter_label(q.quarter),
                fmt.number(f.possible),
                fmt.number(f.lost),
                fmt.percent(f.sick_leave_pct),
                fmt.percent(f.self_certified_pct),
                fmt.percent(f.doctor_certified_pct),
                fmt.percent(f.short_term_pct),
                fmt.percent(f.long_term_pct),
                fmt.percent(f.graded_share_pct),
            ]
        )
    pdf.data_table(
        [
            "Kvartal",
            "Mulige dagsverk",
            "Tapte dagsverk",
            "Fravær",
            "Egenmeldt",
            "Legemeldt",
            "Korttid",
            "Langtid",
            "Gradert andel",
        ],
        rows,
        widths=(22, 22, 20, 18, 18, 18, 18, 18, 20),
        align=("L", *("R",) * 8),
    )
    pdf.paragraph(
        "Fravær = tapte dagsverk / mulige dagsverk. Egenmeldt + legemeldt og korttid + langtid "
        "er delt opp av samme fravær; gradert andel er andelen av fraværet som er gradert.",
        italic=True,
        size=8,
    )

    pdf.heading("Tiltak")
    if not report.measures:
        pdf.paragraph("Ingen tiltak registrert.")
    else:
        pdf.data_table(
            ["Nivå", "Gjelder", "Tiltak", "Ansvarlig", "Frist", "Status"],
            [
                [m.level, m.person, m.text, m.owner, fmt.date(m.due_date), m.status]
                for m in report.measures
            ],
            widths=(20, 27, 64, 27, 19, 17),
            align=("L", "L", "L", "L", "R", "L"),
        )
    return bytes(pdf.output())


# --- the status report ---------------------------------------------------------------------------


_RIGHT: Final[tuple[Literal["R"]]] = ("R",)
STATUS_ALIGN: Final = _RIGHT * len(STATUS_COLUMNS)


def status_report_pdf(report: StatusReport) -> bytes:
    title = f"Statusrapport per {fmt.date(report.as_of)}"
    pdf = _Pdf(title, f"Bare tall per enhet. {HIDDEN_NOTE}.", landscape=True)
    last = fmt.quarter_label(report.last_quarter)
    pdf.title_block(
        title, f"Prosjektenhetene etter målgruppe ved oppstart, siste hele kvartal {last}"
    )
    for label, text in report.headline:
        pdf.paragraph(f"{label}: {text}", size=10)
    pdf.paragraph(STATUS_EXPLAINED, size=9)
    pdf.heading("Enheter og summer")
    pdf.data_table(
        ["Enhet / gruppe", *(c.heading for c in STATUS_COLUMNS)],
        [
            [line.label, *(c.show(v) for c, v in zip(STATUS_COLUMNS, line.cells, strict=True))]
            for line in report.lines
        ],
        widths=(52, 10, 15, 19, 17, 21, 17, 17, 17, 18, 16, 16, 15, 17, 17, 16, 26),
        align=("L", *STATUS_ALIGN),
        bold_rows={i for i, line in enumerate(report.lines) if line.total},
        size=7.5,
    )
    return bytes(pdf.output())
