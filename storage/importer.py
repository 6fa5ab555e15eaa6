"""Import of the canonical CSV files: all or nothing, every problem reported in Norwegian."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from core import fmt
from storage.db import transaction
from storage.importing.problems import ImportProblem, format_problems
from storage.importing.read import Progress, read_csv
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
    "ImportProblem",
    "ImportReport",
    "TableCounts",
    "Tables",
    "WriteCounts",
    "format_problems",
    "import_files",
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
    tables: dict[str, str] = field(default_factory=dict)  # file name -> table recognised
    rows: dict[str, int] = field(default_factory=dict)  # file name -> data rows read

    def summary(self) -> str:
        """What was read and written, in Norwegian; errors and warnings are listed apart."""
        lines = [
            f"{name}: {kind}, {fmt.number(self.rows.get(name, 0), 0)} rader"
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
            lines.append(f"{fmt.number(len(self.warnings), 0)} advarsler.")
        return "\n".join(lines)


def import_files(
    engine: Engine,
    paths: list[Path],
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Read, validate and (unless `dry_run`) write the files in one transaction.

    Any error rejects the whole import and nothing is written; warnings are reported and the
    import goes on. `progress(label, done, total)` is called with each file's name when it has
    been read (every 10,000 rows for files that need the line-by-line reader), then with
    "lagrer i databasen" every 10,000 rows written.
    """
    paths = list(dict.fromkeys(Path(path) for path in paths))  # one file named twice counts once
    report = ImportReport(ok=False, dry_run=dry_run)
    raws = []
    for path in paths:
        result = read_csv(path, progress)
        report.errors += result.errors
        report.warnings += result.warnings
        if result.table is not None:
            raws.append(result.table)
            report.tables[path.name] = result.table.spec.kind
            report.rows[path.name] = len(result.table.frame)

    with transaction(engine) as session:
        existing = load_existing(session)
        validated = validate(raws, existing)
        report.errors += validated.errors
        report.warnings += validated.warnings
        order = {path.name: index for index, path in enumerate(paths)}

        def position(problem: ImportProblem) -> tuple[int, int]:
            return order.get(problem.file, len(order)), problem.line or 0

        report.errors.sort(key=position)
        report.warnings.sort(key=position)
        if report.errors:
            return report  # nothing has been written: the transaction ends empty
        if dry_run:
            report.counts = plan_writes(existing, validated.tables).counts
        else:
            report.counts = write_plan(session, existing, validated.tables, progress)
    report.ok = True
    return report
