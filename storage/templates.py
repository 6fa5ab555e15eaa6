"""Import templates for the HR department: the three tables as CSV and as one workbook."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from storage.importing.columns import SPECS, TableSpec
from storage.importing.mapping import EXAMPLE, EXAMPLE_NAME
from storage.paths import write_private

WORKBOOK_NAME = "naervaer-mal.xlsx"
DATE_FORMAT = "dd.mm.yyyy"
DATE_FIELDS = frozenset({"start_date", "end_date", "from_date", "to_date", "project_from"})
CODE_FIELDS = frozenset({"code", "unit_code", "employee_number"})

# What each column holds, as a comment on its header cell in the workbook. The templates hold
# no example row: one left in by HR would be imported as a real unit, employee and absence.
HINTS: dict[str, str] = {
    "enhet_id": "Påkrevd. Enhetens kode i HR-systemet.",
    "enhet": "Påkrevd. Enhetens navn.",
    "tjenesteområde": "Valgfri, f.eks. Helse og velferd.",
    "leder": "Valgfri. Lederens navn.",
    "prosjekt_fra": "Valgfri. Første dag i prosjektet (dd.mm.åååå); tom = som satt i appen.",
    "ansattnr": "Påkrevd. Ansattnummeret i HR-systemet.",
    "navn": "Valgfri. Fullt navn (personopplysning).",
    "stillingsprosent": "Påkrevd. Prosent over 0 og høyst 100, f.eks. 80 eller 62,5.",
    "startdato": "Påkrevd. Første dag i dette arbeidsforholdet (dd.mm.åååå).",
    "sluttdato": "Valgfri. Siste dag; tom = fortsatt ansatt.",
    "stilling": "Valgfri, f.eks. Helsefagarbeider.",
    "fra_dato": "Påkrevd. Første fraværsdag (dd.mm.åååå).",
    "til_dato": "Valgfri. Siste fraværsdag; tom = pågår.",
    "fraværstype": "Påkrevd: egenmelding, sykmelding, sykt barn eller annet.",
    "grad": "Valgfri. Sykmeldingsgrad 1–100; tom = 100.",
}


def csv_name(spec: TableSpec) -> str:
    return f"{spec.kind}.csv"


def template_names() -> list[str]:
    """The files `write_templates` writes, in order."""
    return [*(csv_name(spec) for spec in SPECS), WORKBOOK_NAME, EXAMPLE_NAME]


def _csv(spec: TableSpec) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.header for column in spec.columns])
    # With the BOM, Excel opens the file as UTF-8 and æøå survive.
    return buffer.getvalue().encode("utf-8-sig")


def _workbook() -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for spec in SPECS:
        sheet = book.create_sheet(spec.kind)
        sheet.append([column.header for column in spec.columns])
        for header, column in zip(sheet[1], spec.columns, strict=True):
            header.font = Font(bold=True)
            header.comment = Comment(HINTS[column.header], "Nærvær")
            dimension = sheet.column_dimensions[header.column_letter]
            dimension.width = max(14, len(column.header) + 4)
            # The formats go on the whole column, for the rows HR adds below the header.
            if column.name in DATE_FIELDS:
                dimension.number_format = DATE_FORMAT
            elif column.name in CODE_FIELDS:
                # As text, so that Excel keeps the leading zeros (0042) some HR systems use.
                dimension.number_format = "@"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_templates(folder: Path, overwrite: bool = False) -> list[Path]:
    """Write the templates and the example column mapping into `folder` (made if missing).

    Raises FileExistsError naming the files already there, unless `overwrite`.
    """
    paths = [folder / name for name in template_names()]
    if not overwrite and (taken := [path for path in paths if path.exists()]):
        raise FileExistsError(", ".join(path.name for path in taken))
    contents = [*(_csv(spec) for spec in SPECS), _workbook(), EXAMPLE.encode("utf-8")]
    for path, content in zip(paths, contents, strict=True):
        write_private(path, content)
    return paths
