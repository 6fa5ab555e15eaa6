"""The `naervaer` command: opens the app, or runs one of the commands FORMATS.md specifies.

Heavy modules (textual, pandas, sqlalchemy) are imported inside the commands that need them, so
that `naervaer --help` and a bad argument answer at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REJECTED = 2


class UserError(Exception):
    """Something the user can put right; the message is Norwegian and shown as it is."""


def _date(text: str) -> dt.date:
    from core.periods import parse_date

    try:
        return parse_date(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _number(text: str) -> float:
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} er ikke et tall") from None


class _Parser(argparse.ArgumentParser):
    """argparse with its fixed English phrases in Norwegian."""

    def error(self, message: str) -> None:  # type: ignore[override]
        replacements = {
            "the following arguments are required": "disse må være med",
            "unrecognized arguments": "ukjente argumenter",
            "invalid choice": "ugyldig valg",
            "argument ": "argument ",
            "expected one argument": "mangler verdi",
        }
        for english, norwegian in replacements.items():
            message = message.replace(english, norwegian)
        self.print_usage(sys.stderr)
        self.exit(EXIT_REJECTED, f"naervaer: feil: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    db_help = "databasefilen (standard: $NAERVAER_DB, ellers i brukerens datamappe)"
    parser = _Parser(
        prog="naervaer",
        description="Nærvær: sykefraværsrådgivning for HR-rådgivere. Uten kommando åpnes appen.",
    )
    parser.add_argument("--db", metavar="FIL", help=db_help)
    parser.add_argument(
        "--demo", action="store_true", help="åpne appen på en innebygd demodatabase"
    )
    commands = parser.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=_Parser)

    def command(name: str, help_text: str, figures: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--db", metavar="FIL", help=db_help)
        if figures:
            sub.add_argument("--json", action="store_true", help="maskinlesbar JSON på stdout")
        return sub

    demo = command("demo", "fyll databasen med realistiske, oppdiktede data", figures=False)
    demo.add_argument("--scale", choices=["small", "municipality"], default="small")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument(
        "--replace", action="store_true", help="erstatt alt som ligger i databasen fra før"
    )

    imp = command("import", "importer CSV-filer (enheter, ansatte, fravær)", figures=False)
    imp.add_argument("files", nargs="+", metavar="FIL", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="bare kontroller, skriv ingenting")

    stats = command("stats", "sykefravær per enhet og totalt for en periode")
    stats.add_argument("--from", dest="start", type=_date, required=True, metavar="DATO")
    stats.add_argument("--to", dest="end", type=_date, required=True, metavar="DATO")
    stats.add_argument("--unit", metavar="ENHET_ID")

    groups = command("groups", "målgruppe for hver enhet, med antall ansatte og snitt to år")
    groups.add_argument("--as-of", dest="as_of", type=_date, required=True, metavar="DATO")

    cases = command("cases", "pågående fraværstilfeller med milepæler")
    cases.add_argument("--as-of", dest="as_of", type=_date, required=True, metavar="DATO")
    cases.add_argument("--unit", metavar="ENHET_ID")

    forecast = command("forecast", "prognose per enhet for de neste kvartalene")
    forecast.add_argument("--as-of", dest="as_of", type=_date, required=True, metavar="DATO")
    forecast.add_argument("--unit", metavar="ENHET_ID")
    forecast.add_argument("--quarters", type=int, default=4, metavar="N")

    backup = command("backup", "ta en sikkerhetskopi (også mens appen er åpen)", figures=False)
    backup.add_argument("file", nargs="?", type=Path, metavar="FIL")

    restore = command("restore", "gjenopprett databasen fra en sikkerhetskopi", figures=False)
    restore.add_argument("file", type=Path, metavar="FIL")

    purge = command("purge", "slett personopplysninger for godt", figures=False)
    what = purge.add_mutually_exclusive_group(required=True)
    what.add_argument("--unit", metavar="ENHET_ID", help="en enhet og alt som bare hører til den")
    what.add_argument("--employee", metavar="ANSATTNR", help="én ansatt med alt om vedkommende")
    what.add_argument(
        "--older-than", dest="older_than", type=int, metavar="ÅR", help="fravær eldre enn ÅR år"
    )
    what.add_argument(
        "--clean", action="store_true", help="rydd filen (VACUUM) etter en avbrutt sletting"
    )

    savings = command("savings", "anslått besparelse av redusert sykefravær")
    savings.add_argument("--reduction-pp", dest="reduction_pp", type=_number, required=True)
    savings.add_argument("--fte", type=_number, required=True, help="antall årsverk")
    savings.add_argument("--cost-per-day", dest="cost_per_day", type=_number, default=None)
    savings.add_argument("--workdays", type=_number, default=None)
    return parser


def _engine(args: argparse.Namespace) -> Any:
    from storage.db import open_database
    from storage.paths import resolve_db_path

    return open_database(resolve_db_path(args.db))


def _print_json(document: Any) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> None:
    """A plain text table; columns in `right` (numbers) are right-aligned."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def cmd_demo(args: argparse.Namespace) -> int:
    from storage.demo import load_demo

    engine = _engine(args)
    print(f"Lager demodata ({args.scale}, frø {args.seed}) …", file=sys.stderr)
    try:
        summary = load_demo(engine, scale=args.scale, seed=args.seed, replace=args.replace)
    except ValueError as error:  # the demo refuses to write over data, in Norwegian
        raise UserError(str(error)) from None
    print(summary)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from storage.importer import format_problems, import_files

    engine = _engine(args)

    def progress(name: str, done: int, total: int) -> None:
        # One line rewritten in place, for a person watching; scripts get only the result.
        end = "\r" if done < total else "\n"
        print(f"  {name}: {done:,} av {total:,} rader".replace(",", " "), end=end, file=sys.stderr)

    show = progress if sys.stderr.isatty() else None
    report = import_files(engine, list(args.files), dry_run=args.dry_run, progress=show)
    for line in format_problems(report.warnings):
        print(f"Advarsel: {line}", file=sys.stderr)
    if not report.ok:
        for line in format_problems(report.errors):
            print(f"Feil: {line}", file=sys.stderr)
        print(
            f"Importen ble avvist: {len(report.errors)} feil. Ingenting er skrevet.",
            file=sys.stderr,
        )
        return EXIT_REJECTED
    print(report.summary())
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from core import fmt
    from storage.reports import stats

    if args.end < args.start:
        raise UserError("--to kan ikke være før --from.")
    with _engine(args).connect() as conn:
        document = stats(conn, args.start, args.end, args.unit)
    if args.json:
        _print_json(document)
        return EXIT_OK
    rows = [*document["units"], document["total"]]
    print(f"Sykefravær {fmt.date(args.start)}–{fmt.date(args.end)}")
    print_table(
        ["Enhet", "Navn", "Ansatte", "Årsverk", "Fravær", "Egenmeldt", "Legemeldt", "Kort", "Lang"],
        [
            [
                row["unit_id"] or "Totalt",
                row["name"] or "",
                str(row["headcount"]),
                fmt.number(row["fte"]),
                fmt.percent(row["sick_leave_pct"]),
                fmt.percent(row["self_certified_pct"]),
                fmt.percent(row["doctor_certified_pct"]),
                fmt.percent(row["short_term_pct"]),
                fmt.percent(row["long_term_pct"]),
            ]
            for row in rows
        ],
        right={2, 3, 4, 5, 6, 7, 8},
    )
    return EXIT_OK


def cmd_groups(args: argparse.Namespace) -> int:
    from core import fmt
    from storage.reports import ensure_figures_current, groups, groups_json

    engine = _engine(args)
    ensure_figures_current(engine)
    with engine.connect() as conn:
        frame = groups(conn, args.as_of)
    if args.json:
        _print_json(groups_json(frame, args.as_of))
        return EXIT_OK
    print(f"Målgrupper per {fmt.date(args.as_of)}")
    frame = frame.sort_values(["target_group", "avg_2y_pct"], ascending=[True, False])
    print_table(
        ["Enhet", "Navn", "Ansatte", "Snitt 2 år", "Målgruppe", "Hvorfor"],
        [
            [
                row.code,
                row.name,
                str(row.headcount),
                fmt.percent(None if row.avg_2y_pct != row.avg_2y_pct else row.avg_2y_pct),
                str(row.target_group),
                row.reason,
            ]
            for row in frame.itertuples()
        ],
        right={2, 3, 4},
    )
    counts = frame["target_group"].value_counts()
    print(
        f"\nMålgruppe 1: {counts.get(1, 0)} enheter, målgruppe 2: {counts.get(2, 0)}, "
        f"målgruppe 3: {counts.get(3, 0)}"
    )
    return EXIT_OK


def cmd_cases(args: argparse.Namespace) -> int:
    from core import fmt
    from core.cases import milestone_dates
    from storage.reports import cases_json, ongoing_cases

    with _engine(args).connect() as conn:
        cases = ongoing_cases(conn, args.as_of, args.unit)
    if args.json:
        _print_json(cases_json(cases, args.as_of))
        return EXIT_OK
    print(f"Pågående fraværstilfeller per {fmt.date(args.as_of)}: {len(cases)}")

    def next_milestone(start: dt.date) -> str:
        upcoming = [(d, k) for k, d in milestone_dates(start).items() if d >= args.as_of]
        return fmt.date(min(upcoming)[0]) if upcoming else "–"

    print_table(
        ["Enhet", "Ansattnr", "Start", "Sist syk", "Dager", "Type", "Neste milepæl"],
        [
            [
                row.unit_code if isinstance(row.unit_code, str) else "–",
                row.employee_number,
                fmt.date(row.start.date()),
                "pågår" if row.open_ended else fmt.date(row.end.date()),
                str(row.sick_days),
                "lang" if row.long_term else "kort",
                next_milestone(row.start.date()),
            ]
            for row in cases.itertuples()
        ],
        right={4},
    )
    return EXIT_OK


def cmd_savings(args: argparse.Namespace) -> int:
    from core import fmt
    from core.savings import (
        DEFAULT_COST_PER_DAY,
        DEFAULT_WORKDAYS,
        cost_source_label,
        savings_estimate,
    )

    cost = DEFAULT_COST_PER_DAY if args.cost_per_day is None else args.cost_per_day
    workdays = DEFAULT_WORKDAYS if args.workdays is None else args.workdays
    try:
        result = savings_estimate(args.reduction_pp, args.fte, cost, workdays)
    except ValueError as error:
        raise UserError(str(error)) from None
    if args.json:
        _print_json(
            {
                "reduction_pp": result.reduction_pp,
                "fte": result.fte,
                "cost_per_day": result.cost_per_day,
                "workdays": result.workdays,
                "saved_fte": result.saved_fte,
                "cost_per_fte": result.cost_per_fte,
                "savings_nok": result.savings_nok,
            }
        )
        return EXIT_OK
    print_table(
        ["Forutsetning / resultat", "Verdi"],
        [
            ["Reduksjon", fmt.points(-result.reduction_pp).replace("−", "")],
            ["Årsverk", fmt.number(result.fte, 0)],
            ["Spart arbeidstid", f"{fmt.number(result.saved_fte)} årsverk"],
            [
                "Kostnad per fraværsdag",
                f"{fmt.kroner(result.cost_per_day)} ({cost_source_label(result.cost_per_day)})",
            ],
            ["Arbeidsdager per år", fmt.number(result.workdays, 0)],
            ["Kostnad per årsverk i fravær", fmt.kroner(result.cost_per_fte)],
            ["Anslått besparelse", fmt.kroner(result.savings_nok)],
        ],
        right={1},
    )
    return EXIT_OK


def cmd_forecast(args: argparse.Namespace) -> int:
    from core import fmt
    from storage.forecast import forecast

    if not 1 <= args.quarters <= 12:
        raise UserError("--quarters må være mellom 1 og 12.")
    with _engine(args).connect() as conn:
        document = forecast(conn, args.as_of, args.unit, args.quarters)
    if args.json:
        _print_json(document)
        return EXIT_OK
    print(f"Prognose per {fmt.date(args.as_of)} (kjent fra sykmeldinger + forventet)")
    rows = []
    for unit in document["units"]:
        for q in unit["quarters"]:
            rows.append(
                [
                    unit["unit_id"],
                    unit["name"],
                    fmt.quarter_label(q["quarter"]),
                    fmt.percent(q["known_pct"]),
                    fmt.percent(q["expected_pct"]),
                    fmt.percent(q["pct"]),
                ]
            )
    print_table(["Enhet", "Navn", "Kvartal", "Kjent", "Forventet", "Prognose"], rows, {3, 4, 5})
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from storage.maintenance import backup
    from storage.paths import resolve_db_path

    path = resolve_db_path(args.db)
    if not path.exists():
        raise UserError(f"Fant ingen database på {path}.")
    print(f"Sikkerhetskopi lagret: {backup(path, args.file)}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from storage.db import open_database
    from storage.maintenance import restore
    from storage.paths import resolve_db_path

    path = resolve_db_path(args.db)
    safety = restore(args.file, path)
    open_database(path).dispose()  # an older backup is upgraded (and copied first)
    if safety is not None:
        print(f"Databasen slik den var før, er lagret i {safety}")
    print(f"Gjenopprettet fra {args.file}")
    return EXIT_OK


def cmd_purge(args: argparse.Namespace) -> int:
    from core.errors import InvalidInput
    from storage.maintenance import clean_file, purge

    engine = _engine(args)
    if args.clean:
        done = clean_file(engine)
        print("Filen er ryddet." if done else "Filen er i bruk; lukk appen og prøv igjen.")
        return EXIT_OK if done else EXIT_FAILED
    try:
        report = purge(
            engine,
            unit_code=args.unit,
            employee_number=args.employee,
            older_than_years=args.older_than,
        )
    except InvalidInput as error:
        raise UserError(str(error)) from None
    print(report)
    return EXIT_OK


def cmd_app(args: argparse.Namespace) -> int:
    from storage.paths import data_dir, resolve_db_path

    path = data_dir() / "demo.sqlite" if args.demo and not args.db else resolve_db_path(args.db)
    from tui.app import run_app

    return run_app(path, demo=args.demo)


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: cmd_app,
    "demo": cmd_demo,
    "import": cmd_import,
    "stats": cmd_stats,
    "groups": cmd_groups,
    "cases": cmd_cases,
    "savings": cmd_savings,
    "forecast": cmd_forecast,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "purge": cmd_purge,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UserError as error:
        print(f"naervaer: {error}", file=sys.stderr)
        return EXIT_REJECTED
    except KeyboardInterrupt:
        print("Avbrutt.", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:
        from storage.db import DatabaseError
        from storage.reports import UnknownUnit

        if isinstance(error, DatabaseError | UnknownUnit):
            print(f"naervaer: {error}", file=sys.stderr)
            return EXIT_REJECTED
        from tui.errors import describe

        print(f"naervaer: {describe(error)}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
