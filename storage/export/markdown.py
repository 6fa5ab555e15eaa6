"""The session summary as Markdown: core.summary's text with the unit's figures added."""

from __future__ import annotations

from core import fmt
from core.overview import UnitOverview
from core.summary import summary_markdown
from storage.export.documents import SummaryDocument, key_figures, monthly_series


def _figures(overview: UnitOverview) -> list[str]:
    lines = ["## Sykefraværet i enheten", "", "| Nøkkeltall | |", "|---|---|"]
    lines += [f"| {f.label} | {f.display()} |" for f in key_figures(overview)]
    # The 24 months as a year × month grid: the chart's figures, compact enough to read.
    series = monthly_series(overview)
    years = sorted({month.year for month, _ in series})
    values = {(month.year, month.month): value for month, value in series}
    lines += [
        "",
        "Sykefravær per måned, siste 24 måneder (%):",
        "",
        "| År | " + " | ".join(fmt.MONTHS) + " |",
        "|---|" + "---:|" * 12,
    ]
    for year in years:
        cells = [fmt.number(values[year, m]) if (year, m) in values else "" for m in range(1, 13)]
        lines.append(f"| {year} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def summary_document_markdown(doc: SummaryDocument) -> str:
    """The summary with the unit's figures before its first section."""
    text = summary_markdown(doc.summary, masked=doc.masked)
    head, found, rest = text.partition("\n## ")
    figures = "\n".join(_figures(doc.overview))
    if not found:
        return f"{text}\n{figures}"
    return f"{head}\n{figures}\n## {rest}"
