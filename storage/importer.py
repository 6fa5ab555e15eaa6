"""Import of CSV files and Excel workbooks: all or nothing, every problem reported in Norwegian."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import Engine

from core import fmt
from storage.db import transaction
from storage.importing import membership
from storage.importing.files import in_folder, read_file
from storage.importing.mapping import ColumnMapping, load_mapping
from storage.importing.problems import ImportProblem, format_problems
from storage.importing.read import Progress, RawTable
from storage.importing.validate import validate
from storage.importing.write import (
    TableCounts,
    Tables,
    WriteCounts,
    load_existing,
    plan_writes,
    write_plan,
    write_tables,
)

__all__ = [
    "ColumnMapping",
    "ImportProblem",
    "ImportReport",
    "TableCounts",
    "Tables",
    "WriteCounts",
    "format_problems",
    "import_files",
    "load_mapping",
    "write_tables",
]

_COUNT_LABELS = (
    ("units", "enheter"),
    ("employees", "ansatte"),
    ("employments", "arbeidsforhold"),
    ("spells", "fraværsperioder"),
)


@dataclass
class ImportReport:
    """The outcome; `counts` is what was written (a dry run: would be), None when rejected."""

    ok: bool
    dry_run: bool = False
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)
    counts: WriteCounts | None = None
    # Keyed by source: the file's name, or "data.xlsx, ark fravær" for a workbook's sheet.
    tables: dict[str, str] = field(default_factory=dict)  # source -> table recognised
    rows: dict[str, int] = field(default_factory=dict)  # source -> data rows read

    def summary(self) -> str:
        """What was read and written, in Norwegian; errors and warnings are listed apart."""
        lines = [
            f"{name}: {kind}, {fmt.count(self.rows.get(name, 0), 'rad', 'rader')}"
            for name, kind in self.tables.items()
        ]
        if not self.ok:
            count = fmt.number(len(self.errors), 0)
            lines.append(f"Importen er avvist: {count} feil. Ingenting er lagret.")
        elif self.counts is not None:
            lines.append(
                "Prøvekjøring, ingenting er lagret. Ville lagret:" if self.dry_run else "Lagret:"
            )
            for attribute, label in _COUNT_LABELS:
                counts: TableCounts = getattr(self.counts, attribute)
                lines.append(
                    f"  {label}: {fmt.number(counts.inserted, 0)} nye, "
                    f"{fmt.number(counts.updated, 0)} endret, "
                    f"{fmt.number(counts.unchanged, 0)} uendret"
                )
        if self.warnings:
            lines.append(f"{fmt.count(len(self.warnings), 'advarsel', 'advarsler')}.")
        return "\n".join(lines)


def import_files(
    engine: Engine,
    paths: list[Path],
    dry_run: bool = False,
    progress: Progress | None = None,
    mapping: Path | None = None,
) -> ImportReport:
    """Read, validate and (unless `dry_run`) write the files in one transaction.

    `paths` are CSV files, workbooks, or folders (their CSV and Excel files are read).
    `mapping` is a column mapping file (see storage.importing.mapping); a bad one rejects the
    import before any file is read. Any error rejects the whole import and nothing is written;
    warnings are reported and the import goes on. `progress(label, done, total)` is called with
    each file's (or sheet's) name when it has been read (every 10,000 rows for large ones),
    then with "lagrer i databasen" every 10,000 rows written.
    """
    report = ImportReport(ok=False, dry_run=dry_run)
    columns: ColumnMapping | None = None
    if mapping is not None:
        columns, problems = load_mapping(Path(mapping))
        if problems:
            report.errors = problems
            return report
    files: list[Path] = []
    order: dict[str, int] = {}  # file name -> place, for listing problems in the user's order
    for path in map(Path, paths):
        order.setdefault(path.name, len(order))
        if not path.is_dir():
            files.append(path)
        elif found := in_folder(path):
            files += found
            for file in found:
                order.setdefault(file.name, len(order))
        else:
            report.errors.append(
                ImportProblem(
                    path.name, None, None, None, "er en mappe uten CSV- eller Excel-filer"
                )
            )
    raws: list[RawTable] = []
    sheets: dict[tuple[str, str | None], int] = {}
    for path in dict.fromkeys(files):  # one file named twice counts once
        result = read_file(path, progress, columns)
        report.errors += result.errors
        report.warnings += result.warnings
        for table in result.tables:
            raws.append(table)
            sheets[(table.file, table.sheet)] = len(sheets)
            report.tables[table.source] = table.spec.kind
            report.rows[table.source] = len(table.frame)
    # The checks name each row by its source ("data.xlsx, ark fravær"): back to file and sheet.
    sources = {table.source: (table.file, table.sheet) for table in raws}

    def located(problem: ImportProblem) -> ImportProblem:
        file, sheet = sources.get(problem.file, (problem.file, problem.sheet))
        return replace(problem, file=file, sheet=sheet)

    def position(problem: ImportProblem) -> tuple[int, int, int]:
        sheet = sheets.get((problem.file, problem.sheet), -1)
        return order.get(problem.file, len(order)), sheet, problem.line or 0

    with transaction(engine) as session:
        existing = load_existing(session)
        validated = validate(raws, existing)
        # A cell the reader already refused (an Excel error value) reads as empty to the checks:
        # its "mangler verdi" would only repeat the reader's message.
        refused = {(p.file, p.sheet, p.line, p.column) for p in report.errors if p.line}
        report.errors += [
            problem
            for problem in map(located, validated.errors)
            if (problem.file, problem.sheet, problem.line, problem.column) not in refused
        ]
        report.warnings += map(located, validated.warnings)
        report.errors += map(
            located, membership.problems(session.connection(), validated.tables.units)
        )
        report.errors.sort(key=position)
        report.warnings.sort(key=position)
        if report.errors:
            return report  # nothing has been written: the transaction ends empty
        if dry_run:
            report.counts = plan_writes(existing, validated.tables).counts
        else:
            report.counts = write_plan(session, existing, validated.tables, progress)
            membership.apply(session.connection(), validated.tables.units)
    report.ok = True
    return report
