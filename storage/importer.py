"""Import of CSV files and Excel workbooks: all or nothing, every problem reported in Norwegian."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from sqlalchemy.orm import Session

from core import fmt
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
    "Package",
    "TableCounts",
    "Tables",
    "WriteCounts",
    "format_problems",
    "load_mapping",
    "read_package",
    "write_package",
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


@dataclass
class Package:
    """The files of one import as read, before they are checked against the database."""

    report: ImportReport
    raws: list[RawTable] = field(default_factory=list)
    # For listing problems in the user's order: file name -> place, (file, sheet) -> place.
    order: dict[str, int] = field(default_factory=dict)
    sheets: dict[tuple[str, str | None], int] = field(default_factory=dict)
    read: bool = True  # False: the mapping file was refused, and no file read

    @cached_property
    def sources(self) -> dict[str, tuple[str, str | None]]:
        """Source ("data.xlsx, ark fravær") -> file and sheet, once every file is read."""
        return {table.source: (table.file, table.sheet) for table in self.raws}

    def located(self, problem: ImportProblem) -> ImportProblem:
        """The checks name each row by its source: back to file and sheet."""
        file, sheet = self.sources.get(problem.file, (problem.file, problem.sheet))
        return replace(problem, file=file, sheet=sheet)

    def position(self, problem: ImportProblem) -> tuple[int, int, int]:
        sheet = self.sheets.get((problem.file, problem.sheet), -1)
        return self.order.get(problem.file, len(self.order)), sheet, problem.line or 0


def read_package(
    paths: list[Path],
    dry_run: bool = False,
    progress: Progress | None = None,
    mapping: Path | None = None,
) -> Package:
    """Read the files (CSV files, workbooks, or folders of them) with the column `mapping`.

    A bad mapping file rejects the import before any file is read. `progress(label, done,
    total)` is called with each file's (or sheet's) name when it has been read (every 10,000
    rows for large ones).
    """
    package = Package(ImportReport(ok=False, dry_run=dry_run))
    report, order = package.report, package.order
    columns: ColumnMapping | None = None
    if mapping is not None:
        columns, problems = load_mapping(Path(mapping))
        if problems:
            report.errors = problems
            package.read = False
            return package
    files: list[Path] = []
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
    for path in dict.fromkeys(files):  # one file named twice counts once
        result = read_file(path, progress, columns)
        report.errors += result.errors
        report.warnings += result.warnings
        for table in result.tables:
            package.raws.append(table)
            package.sheets[(table.file, table.sheet)] = len(package.sheets)
            report.tables[table.source] = table.spec.kind
            report.rows[table.source] = len(table.frame)
    return package


def write_package(
    session: Session,
    package: Package,
    join: membership.JoinFromImport,
    progress: Progress | None = None,
) -> ImportReport:
    """Check the package against the database and (unless a dry run) write it, in the caller's
    transaction; the units whose `prosjekt_fra` is filled in then join the project by `join`.
    Any error rejects the whole import and nothing is written; warnings are reported and the
    import goes on. `progress` is called with "lagrer i databasen" every 10,000 rows written.
    """
    report = package.report
    existing = load_existing(session)
    validated = validate(package.raws, existing)
    # A cell the reader already refused (an Excel error value) reads as empty to the checks:
    # its "mangler verdi" would only repeat the reader's message.
    refused = {(p.file, p.sheet, p.line, p.column) for p in report.errors if p.line}
    report.errors += [
        problem
        for problem in map(package.located, validated.errors)
        if (problem.file, problem.sheet, problem.line, problem.column) not in refused
    ]
    report.warnings += map(package.located, validated.warnings)
    report.errors += map(
        package.located, membership.problems(session.connection(), validated.tables.units)
    )
    report.errors.sort(key=package.position)
    report.warnings.sort(key=package.position)
    if report.errors:
        return report  # nothing has been written
    if report.dry_run:
        report.counts = plan_writes(existing, validated.tables).counts
    else:
        report.counts = write_plan(session, existing, validated.tables, progress)
        membership.apply(session.connection(), validated.tables.units, join)
    report.ok = True
    return report
