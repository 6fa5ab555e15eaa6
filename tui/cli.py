"""The `naervaer` command: opens the app, or runs one of the commands FORMATS.md specifies.

Heavy modules (textual, pandas, sqlalchemy) are imported inside the commands that need them, so
that `naervaer --help` and a bad argument answer at once.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REJECTED = 2
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a tool its reader left


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


# argparse's fixed English phrases (Python 3.11 and later) and what the user reads instead.
NORWEGIAN_PHRASES = (
    ("the following arguments are required", "disse må være med"),
    ("one of the arguments", "ett av argumentene"),
    ("is required", "må være med"),
    ("unrecognized arguments", "ukjente argumenter"),
    ("invalid choice", "ugyldig valg"),
    ("choose from", "velg blant"),
    ("invalid int value", "ugyldig heltall"),
    ("invalid float value", "ugyldig tall"),
    ("expected at least one argument", "mangler verdi"),
    ("expected one argument", "mangler verdi"),
    ("ambiguous option", "tvetydig valg"),
    ("could match", "kan bety"),
    ("not allowed with argument", "kan ikke brukes sammen med"),
)


class _HelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "bruk: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with its fixed English phrases in Norwegian: usage, headings, help, errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **{**kwargs, "add_help": False})
        self._positionals.title = "argumenter"
        self._optionals.title = "valg"
        self.add_argument(
            "-h",
            "--help",
            action="help",
            default=argparse.SUPPRESS,
            help="vis denne hjelpen og avslutt",
        )

    def error(self, message: str) -> None:  # type: ignore[override]
        for english, norwegian in NORWEGIAN_PHRASES:
            message = message.replace(english, norwegian)
        self.print_usage(sys.stderr)
        self.exit(EXIT_REJECTED, f"naervaer: feil: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    db_help = (
        "databasefilen, eller serverens URL (postgresql+psycopg://BRUKER@VERT/DATABASE) "
        "(standard: $NAERVAER_DB, ellers i brukerens datamappe)"
    )
    parser = _Parser(
        prog="naervaer",
        description="Nærvær: sykefraværsrådgivning for HR-rådgivere. Uten kommando åpnes appen.",
    )
    parser.add_argument("--db", metavar="FIL", help=db_help)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="bruk den innebygde demodatabasen (appen lager den ved første start)",
    )
    commands = parser.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=_Parser)

    def command(name: str, help_text: str, figures: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        # SUPPRESS: without it the command's default would overwrite `naervaer --db FIL KOMMANDO`.
        sub.add_argument("--db", metavar="FIL", help=db_help, default=argparse.SUPPRESS)
        if figures:
            sub.add_argument("--json", action="store_true", help="maskinlesbar JSON på stdout")
        return sub

    demo = command("demo", "fyll databasen med realistiske, oppdiktede data", figures=False)
    demo.add_argument("--scale", choices=["small", "municipality"], default="small")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument(
        "--replace", action="store_true", help="erstatt alt som ligger i databasen fra før"
    )

    imp = command(
        "import", "importer CSV- og Excel-filer (enheter, ansatte, fravær)", figures=False
    )
    imp.add_argument("files", nargs="+", metavar="FIL", type=Path, help="filer eller mapper")
    imp.add_argument("--dry-run", action="store_true", help="bare kontroller, skriv ingenting")
    imp.add_argument(
        "--mapping",
        type=Path,
        metavar="FIL",
        help="kolonnetilordning (TOML) for eksporter med egne overskrifter og koder",
    )

    template = command(
        "template", "skriv tomme importmaler (CSV og Excel) med overskriftene", figures=False
    )
    template.add_argument("folder", type=Path, metavar="MAPPE")
    template.add_argument("--force", action="store_true", help="skriv over maler som finnes")

    stats = command("stats", "sykefravær per enhet og totalt for en periode")
    stats.add_argument("--from", dest="start", type=_date, required=True, metavar="DATO")
    stats.add_argument("--to", dest="end", type=_date, required=True, metavar="DATO")
    stats.add_argument("--unit", metavar="ENHET_ID")

    groups = command("groups", "målgruppe for hver enhet, med antall ansatte og snitt to år")
    groups.add_argument("--as-of", dest="as_of", type=_date, metavar="DATO", help="standard: i dag")

    cases = command("cases", "pågående fraværstilfeller med milepæler")
    cases.add_argument("--as-of", dest="as_of", type=_date, metavar="DATO", help="standard: i dag")
    cases.add_argument("--unit", metavar="ENHET_ID")

    forecast = command("forecast", "prognose per enhet for de neste kvartalene")
    forecast.add_argument(
        "--as-of", dest="as_of", type=_date, metavar="DATO", help="standard: i dag"
    )
    forecast.add_argument("--unit", metavar="ENHET_ID")
    forecast.add_argument("--quarters", type=int, default=4, metavar="N")

    status = command("status", "statusoversikten: prosjektenhetene mot nullpunktet, med summer")
    status.add_argument("--as-of", dest="as_of", type=_date, metavar="DATO", help="standard: i dag")

    agenda = command(
        "agenda",
        "agendaen for et møte med enheten: hva som har skjedd siden sist og de neste 6 ukene, "
        "med enhetens del av målet",
    )
    agenda.add_argument("--unit", metavar="ENHET_ID", required=True)
    agenda.add_argument("--as-of", dest="as_of", type=_date, metavar="DATO", help="standard: i dag")
    agenda.add_argument("--names", action="store_true", help="med navn (standard: ansattnummer)")

    effect = command(
        "effect",
        "sykefraværet før og etter fullførte tiltak for enheten og lederen, og per type tiltak",
    )
    effect.add_argument("--as-of", dest="as_of", type=_date, metavar="DATO", help="standard: i dag")
    effect.add_argument("--unit", metavar="ENHET_ID")
    effect.add_argument("--names", action="store_true", help="med navn (standard: ansattnummer)")

    project = command("project", "enheter inn i og ut av prosjektet", figures=False)
    steps = project.add_subparsers(dest="step", metavar="HANDLING", parser_class=_Parser)
    steps.required = True
    add = steps.add_parser(
        "add",
        help="ta enheter med i prosjektet",
        description="ta enheter med i prosjektet, alle fra samme dag",
    )
    add.add_argument("units", nargs="+", metavar="ENHET_ID")
    add.add_argument(
        "--joined", type=_date, metavar="DATO", help="første dag i prosjektet (standard: i dag)"
    )
    add.add_argument(
        "--baseline",
        metavar="KVARTAL",
        help="nullpunkt, f.eks. 2024Q3 (standard: prosjektets nullpunkt for enheter med fra "
        "oppstart, ellers kvartalet før enheten ble med)",
    )
    remove = steps.add_parser(
        "remove",
        help="ta enheter ut av prosjektet (historikken beholdes)",
        description="ta enheter ut av prosjektet; historikken beholdes",
    )
    remove.add_argument("units", nargs="+", metavar="ENHET_ID")
    remove.add_argument(
        "--left", type=_date, metavar="DATO", help="første dag utenfor prosjektet (standard: i dag)"
    )
    listing = steps.add_parser(
        "list",
        help="enhetene som er eller har vært i prosjektet, med periodene sine",
        description="enhetene som er eller har vært i prosjektet, med periodene sine",
    )
    listing.add_argument("--json", action="store_true", help="maskinlesbar JSON på stdout")
    for step in (add, remove, listing):
        step.add_argument("--db", metavar="FIL", help=db_help, default=argparse.SUPPRESS)

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

    command("encrypt", "krypter databasen med et passord (krever naervaer[crypto])", figures=False)
    command("decrypt", "gjør en kryptert database ukryptert igjen", figures=False)

    savings = command("savings", "anslått besparelse av redusert sykefravær")
    savings.add_argument("--reduction-pp", dest="reduction_pp", type=_number, required=True)
    stored = "standard: innstillingen i databasen"
    savings.add_argument("--fte", type=_number, default=None, help=f"antall årsverk ({stored})")
    savings.add_argument(
        "--cost-per-day", dest="cost_per_day", type=_number, default=None, help=stored
    )
    savings.add_argument("--workdays", type=_number, default=None, help=stored)

    database = command("db", "databasens skjema", figures=False)
    schema = database.add_subparsers(dest="step", metavar="HANDLING", parser_class=_Parser)
    schema.required = True
    upgrade = schema.add_parser(
        "upgrade",
        help="oppgrader skjemaet til denne versjonen (på en server: databaseeieren)",
        description="oppgrader databasens skjema til denne versjonen av Nærvær; på en server "
        "gjør databaseeieren dette",
    )
    upgrade.add_argument("--db", metavar="FIL", help=db_help, default=argparse.SUPPRESS)

    members = command(
        "team", "teamet på serveren: rådgivere og enhetene deres (prosjektleder)", figures=False
    )
    team_steps = members.add_subparsers(dest="step", metavar="HANDLING", parser_class=_Parser)
    team_steps.required = True
    member = team_steps.add_parser(
        "add",
        help="legg til en rådgiver (lager innloggingen på serveren om den mangler)",
        description="legg til en rådgiver, eller endre navnet og om hen er prosjektleder",
    )
    member.add_argument("login", metavar="BRUKER")
    member.add_argument("--name", required=True, metavar="NAVN")
    member.add_argument("--lead", action="store_true", help="prosjektleder: ser alle enheter")
    give = team_steps.add_parser(
        "assign", help="gi rådgiveren enheter", description="gi rådgiveren enheter"
    )
    take = team_steps.add_parser(
        "unassign", help="ta enheter fra rådgiveren", description="ta enheter fra rådgiveren"
    )
    for step in (give, take):
        step.add_argument("login", metavar="BRUKER")
        step.add_argument("units", nargs="+", metavar="ENHET_ID")
    roster = team_steps.add_parser(
        "list", help="teamet med enhetene", description="rådgiverne og enhetene deres"
    )
    roster.add_argument("--json", action="store_true", help="maskinlesbar JSON på stdout")
    for step in (member, give, take, roster):
        step.add_argument("--db", metavar="FIL", help=db_help, default=argparse.SUPPRESS)

    replica = command(
        "sync",
        "send endringene i den lokale kopien (--db) til serveren og hent serverens; første "
        "gang med --server, som lager kopien",
        figures=False,
    )
    replica.add_argument(
        "--server",
        metavar="URL",
        help="serveren (postgresql+psycopg://BRUKER@VERT/DATABASE) første gang; den huskes, "
        "uten passord",
    )

    export = command("export", "lagre et dokument: oppsummering eller rapport", figures=False)
    export.add_argument(
        "document",
        choices=["summary", "unit", "status"],
        help="summary: et møte, unit: en enhet, status: alle enheter",
    )
    export.add_argument("--session", type=int, metavar="ID", help="møtet (summary)")
    export.add_argument("--unit", metavar="ENHET_ID", help="enheten (unit)")
    export.add_argument("--as-of", dest="as_of", type=_date, metavar="DATO", help="standard: i dag")
    export.add_argument("--format", dest="form", choices=["pdf", "xlsx", "md"], default="pdf")
    export.add_argument("--out", type=Path, metavar="MAPPE", help="standard: dokumentmappen")
    export.add_argument("--names", action="store_true", help="med navn (standard: ansattnummer)")
    return parser


def _refuse_unusable(path: Path) -> None:
    """A file that is no usable database (text, damaged, cut short) is refused, saying which,
    before a passphrase is asked for it or anything is done with it."""
    from storage.db import file_problem

    problem = file_problem(path)
    if problem is not None:
        raise problem


def _engine(args: argparse.Namespace, *, create: bool = False) -> Any:
    """The database engine; only a command that writes data in (`create`) makes a new file."""
    from storage.db import open_database, open_server
    from storage.paths import given_url, resolve_db_path

    url = given_url(args.db)
    if url is not None:
        return open_server(url)  # the server's database exists: its owner made it
    path = resolve_db_path(args.db)
    _refuse_unusable(path)
    passphrase = passphrase_for(path) if path.is_file() else None
    return open_database(path, passphrase, notice=_tell, create=create)


def _refuse_server(args: argparse.Namespace) -> None:
    """A command for the database file alone refuses a server, saying what the server has."""
    from storage.db import file_only
    from storage.paths import given_url

    url = given_url(args.db)
    if url is not None:
        raise file_only(args.command, url)


def _tell(text: str) -> None:
    say(f"naervaer: {text}", error=True)


PASSPHRASE_TRIES = 3


def passphrase_for(path: Path) -> str | None:
    """An encrypted database's passphrase: $NAERVAER_PASSPHRASE, else asked for; None if plain."""
    from storage.usecases.encryption import (
        PASSPHRASE_ENV,
        WrongPassphrase,
        check_passphrase,
        is_encrypted,
    )

    if not is_encrypted(path):
        return None
    given = os.environ.get(PASSPHRASE_ENV)
    if given is not None:
        check_passphrase(path, given)
        return given
    if not sys.stdin.isatty():
        raise UserError(
            f"Databasen er kryptert. Sett {PASSPHRASE_ENV}, eller kjør naervaer i en "
            "terminal for å skrive passordet."
        )
    for _ in range(PASSPHRASE_TRIES):
        passphrase = getpass.getpass(f"Passord for {path.name}: ")
        try:
            check_passphrase(path, passphrase)
        except WrongPassphrase:
            print("Feil passord.", file=sys.stderr)
            continue
        return passphrase
    raise UserError(f"Feil passord {PASSPHRASE_TRIES} ganger.")


def _new_passphrase() -> str:
    from storage.usecases.encryption import PASSPHRASE_ENV, passphrase_problem

    given = os.environ.get(PASSPHRASE_ENV)
    if given is None:
        if not sys.stdin.isatty():
            raise UserError(f"Sett passordet i {PASSPHRASE_ENV}, eller kjør i en terminal.")
        given = getpass.getpass("Nytt passord: ")
    problem = passphrase_problem(given)
    if problem:
        raise UserError(f"{problem} Ingenting er endret.")
    if PASSPHRASE_ENV not in os.environ and getpass.getpass("Gjenta passordet: ") != given:
        raise UserError("Passordene var ikke like. Ingenting er endret.")
    return given


def _print_json(document: Any) -> None:
    from core.text import json_text

    sys.stdout.write(json_text(document))
    sys.stdout.write("\n")


def say(text: object, error: bool = False) -> None:
    """Print a message that may hold text from the data (a name, a value, a file name).

    A control character in it is written out (`\\x1b`), not sent to the terminal.
    """
    from core.text import shown_lines

    print(shown_lines(str(text)), file=sys.stderr if error else sys.stdout)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> None:
    """A plain text table; columns in `right` (numbers) are right-aligned.

    Cells come from the data: each is printed through `shown`, and aligned as shown.
    """
    from core.text import shown

    headers = [shown(cell) for cell in headers]
    rows = [[shown(cell) for cell in row] for row in rows]
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
    from storage.usecases.importing import load_demo

    engine = _engine(args, create=True)
    print(f"Lager demodata ({args.scale}, frø {args.seed}) …", file=sys.stderr)
    try:
        summary = load_demo(engine, scale=args.scale, seed=args.seed, replace=args.replace)
    except ValueError as error:  # the demo refuses to write over data, in Norwegian
        raise UserError(str(error)) from None
    print(summary)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from core.text import shown
    from storage.usecases.importing import format_problems, import_files

    engine = _engine(args, create=True)

    def progress(name: str, done: int, total: int) -> None:
        # One line rewritten in place, for a person watching; scripts get only the result.
        end = "\r" if done < total else "\n"
        line = f"  {shown(name)}: {done:,} av {total:,} rader".replace(",", " ")
        print(line, end=end, file=sys.stderr)

    show = progress if sys.stderr.isatty() else None
    report = import_files(
        engine, list(args.files), dry_run=args.dry_run, progress=show, mapping=args.mapping
    )
    for line in format_problems(report.warnings):
        say(f"Advarsel: {line}", error=True)
    if not report.ok:
        for line in format_problems(report.errors):
            say(f"Feil: {line}", error=True)
        print(
            f"Importen ble avvist: {len(report.errors)} feil. Ingenting er skrevet.",
            file=sys.stderr,
        )
        return EXIT_REJECTED
    say(report.summary())
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    from storage.usecases.importing import write_templates

    try:
        paths = write_templates(args.folder, overwrite=args.force)
    except FileExistsError as error:
        raise UserError(
            f"Finnes allerede i {args.folder}: {error}. Bruk --force for å skrive over."
        ) from None
    print(f"Importmaler skrevet til {args.folder}:")
    for path in paths:
        print(f"  {path.name}")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from core import fmt
    from storage.usecases.reports import stats, stats_json
    from storage.usecases.units import ensure_figures_current

    if args.end < args.start:
        raise UserError("--to kan ikke være før --from.")
    engine = _engine(args)
    ensure_figures_current(engine)  # whole months are then read from the figures
    result = stats(engine, args.start, args.end, args.unit)
    if args.json:
        _print_json(stats_json(result))
        return EXIT_OK
    print(f"Sykefravær {fmt.date(args.start)}–{fmt.date(args.end)}")
    print_table(
        ["Enhet", "Navn", "Ansatte", "Årsverk", "Fravær", "Egenmeldt", "Legemeldt", "Kort", "Lang"],
        [
            [
                row.code or "Totalt",
                row.name or "",
                str(row.headcount),
                fmt.number(row.fte),
                fmt.percent(row.figures.sick_leave_pct),
                fmt.percent(row.figures.self_certified_pct),
                fmt.percent(row.figures.doctor_certified_pct),
                fmt.percent(row.figures.short_term_pct),
                fmt.percent(row.figures.long_term_pct),
            ]
            for row in (*result.units, result.total)
        ],
        right={2, 3, 4, 5, 6, 7, 8},
    )
    return EXIT_OK


def cmd_groups(args: argparse.Namespace) -> int:
    from collections import Counter

    from core import fmt
    from storage.usecases.reports import groups, groups_json
    from storage.usecases.units import ensure_figures_current

    engine = _engine(args)
    ensure_figures_current(engine)
    rows = groups(engine, args.as_of)
    if args.json:
        _print_json(groups_json(rows, args.as_of))
        return EXIT_OK
    print(f"Målgrupper per {fmt.date(args.as_of)}")
    # By group, the highest average first, units without one last; by name where equal.
    shown = sorted(
        rows,
        key=lambda r: (r.target_group, r.avg_2y_pct is None, -(r.avg_2y_pct or 0.0)),
    )
    print_table(
        ["Enhet", "Navn", "Ansatte", "Snitt 2 år", "Målgruppe", "Hvorfor"],
        [
            [
                row.code,
                row.name,
                str(row.headcount),
                fmt.percent(row.avg_2y_pct),
                str(row.target_group),
                row.reason,
            ]
            for row in shown
        ],
        right={2, 3, 4},
    )
    counts = Counter(row.target_group for row in rows)
    print(
        f"\nMålgruppe 1: {fmt.count(counts.get(1, 0), 'enhet', 'enheter')}, "
        f"målgruppe 2: {counts.get(2, 0)}, "
        f"målgruppe 3: {counts.get(3, 0)}"
    )
    return EXIT_OK


def cmd_cases(args: argparse.Namespace) -> int:
    from core import fmt
    from core.cases import next_milestone_due
    from storage.usecases.reports import cases_json, ongoing_cases

    cases = ongoing_cases(_engine(args), args.as_of, args.unit)
    if args.json:
        _print_json(cases_json(cases, args.as_of))
        return EXIT_OK
    print(f"Pågående fraværstilfeller per {fmt.date(args.as_of)}: {len(cases)}")

    print_table(
        ["Enhet", "Ansattnr", "Start", "Sist syk", "Dager", "Type", "Neste milepæl"],
        [
            [
                case.unit_code or "–",
                case.employee_number,
                fmt.date(case.start),
                "pågår" if case.end is None else fmt.date(case.end),
                str(case.sick_days),
                "lang" if case.long_term else "kort",
                fmt.date(next_milestone_due(case.start, args.as_of)),
            ]
            for case in cases
        ],
        right={4},
    )
    return EXIT_OK


def cmd_savings(args: argparse.Namespace) -> int:
    from core import fmt
    from core.savings import cost_source_label
    from storage.paths import given_url, resolve_db_path
    from storage.usecases.savings import estimate_savings

    # A calculation needs no database, so none is created for it.
    there = given_url(args.db) is not None or resolve_db_path(args.db).exists()
    engine = _engine(args) if there else None
    try:
        result = estimate_savings(
            engine,
            args.reduction_pp,
            fte=args.fte,
            cost_per_day=args.cost_per_day,
            workdays=args.workdays,
        )
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
    from storage.usecases.forecast import prognosis

    if not 1 <= args.quarters <= 12:
        raise UserError("--quarters må være mellom 1 og 12.")
    document = prognosis(_engine(args), args.as_of, args.unit, args.quarters).json()
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


def cmd_status(args: argparse.Namespace) -> int:
    from core import fmt
    from core.errors import InvalidInput
    from core.savings import FTE_FROM_DATA, FTE_FROM_SETTINGS
    from core.status import HIDDEN, HIDDEN_NOTE
    from storage.usecases.status import status_json, status_report
    from storage.usecases.units import ensure_figures_current

    engine = _engine(args)
    ensure_figures_current(engine)
    try:
        document = status_json(status_report(engine, args.as_of or dt.date.today()))
    except InvalidInput as error:
        raise UserError(str(error)) from None
    if args.json:
        _print_json(document)
        return EXIT_OK
    print(f"Status per {fmt.date(dt.date.fromisoformat(document['as_of']))}")

    def line(label: str, name: str, figures: dict[str, Any]) -> list[str]:
        quarter = figures.get("baseline_quarter")
        shown = [
            fmt.percent(figures["baseline_pct"]),
            fmt.percent(figures["current_pct"]),
            fmt.points(figures["change_pp"]),
        ]
        return [
            label,
            name,
            fmt.quarter_label(quarter) if quarter else "",
            *([HIDDEN] * 3 if figures["hidden"] else shown),
        ]

    rows = []
    for group in document["groups"]:
        rows += [line(unit["unit_id"], unit["name"], unit) for unit in group["units"]]
        rows.append(line(f"Målgruppe {group['target_group']}", "", group["total"]))
    rows.append(line("Prosjektet", "", document["project"]))
    print_table(["Enhet", "Navn", "Nullpunkt", "Nullp. %", "Nå", "Endring"], rows, {3, 4, 5})
    if any(row[3] == HIDDEN for row in rows):
        print(HIDDEN_NOTE)
    saved = document["savings"]
    if saved["savings_nok"] is not None:
        source = FTE_FROM_SETTINGS if saved["fte_source"] == "settings" else FTE_FROM_DATA
        print(
            f"Besparelse, kommunen: {fmt.kroner(saved['savings_nok'])} "
            f"({fmt.number(saved['fte'], 0)} {source})"
        )
    return EXIT_OK


def cmd_agenda(args: argparse.Namespace) -> int:
    from core import fmt
    from core.agenda import figure_text, since_text
    from core.status import HIDDEN_NOTE, too_few
    from core.vocabulary import MEASURE_LEVELS, MEASURE_STATUSES
    from storage.usecases.agenda import agenda_json, unit_agenda
    from storage.usecases.units import ensure_figures_current

    engine = _engine(args)
    ensure_figures_current(engine)
    result = unit_agenda(engine, args.unit, args.as_of, masked=not args.names)
    if args.json:
        _print_json(agenda_json(result))
        return EXIT_OK
    agenda = result.agenda
    say(f"Agenda for {result.name} ({result.code}) per {fmt.date(agenda.as_of)}")

    def days(first: dt.date, last: dt.date) -> str:
        return f"{fmt.date(first)}–{fmt.date(last)}"

    def milestones(items: Sequence[Any]) -> None:
        print_table(
            ["Ansatt", "Milepæl", "Frist", "Status"],
            [
                [
                    result.person(m.employee_id),
                    m.milestone.label,
                    fmt.date(m.milestone.due),
                    m.milestone.status_label,
                ]
                for m in items
            ],
            right=set(),
        )

    def measures(items: Sequence[Any]) -> None:
        print_table(
            ["Tiltak", "Nivå", "Gjelder", "Frist", "Status"],
            [
                [
                    m.text,
                    MEASURE_LEVELS.get(m.level, m.level),
                    result.person(m.employee_id),
                    fmt.date(m.due_date),
                    MEASURE_STATUSES.get(m.status, m.status),
                ]
                for m in items
            ],
            right=set(),
        )

    def heading(text: str, count: int) -> bool:
        print()
        print(f"{text}: {fmt.number(count, 0) if count else 'ingen'}")
        return count > 0

    print()
    print(since_text(agenda))
    print(figure_text(agenda))
    then, now = agenda.figure_then, agenda.figure_now
    if too_few(then.persons) or too_few(now.persons):
        print(HIDDEN_NOTE)
    if heading("Fraværstilfeller som startet", len(agenda.began)):
        print_table(
            ["Ansatt", "Start", "Sykedager"],
            [
                [result.person(e.employee_id), fmt.date(e.start), str(e.sick_days)]
                for e in agenda.began
            ],
            right={2},
        )
    if heading("Fraværstilfeller som sluttet", len(agenda.ended)):
        print_table(
            ["Ansatt", "Start", "Siste sykedag", "Sykedager"],
            [
                [result.person(e.employee_id), fmt.date(e.start), fmt.date(e.end), str(e.sick_days)]
                for e in agenda.ended
            ],
            right={3},
        )
    if heading("Milepæler med frist i perioden", len(agenda.milestones_passed)):
        milestones(agenda.milestones_passed)
    if heading("Nye flagg", len(agenda.new_flags)):
        for flag in agenda.new_flags:
            say(f"  {result.person(flag.employee_id)}: {flag.explanation}")
    if heading("Tiltak med frist i perioden", len(agenda.measures_came_due)):
        measures(agenda.measures_came_due)
    print()
    print(f"De neste 6 ukene ({days(agenda.ahead.start, agenda.ahead.end)})")
    if heading("Milepæler", len(agenda.milestones_ahead)):
        milestones(agenda.milestones_ahead)
    if heading("Tiltak med frist", len(agenda.measures_ahead)):
        measures(agenda.measures_ahead)
    print()
    goal = result.goal
    if goal is None:
        print("Enhetens del av målet: enheten er ikke med i prosjektet")
    else:
        print(
            f"Enhetens del av målet: nullpunkt {fmt.percent(goal.baseline_pct)} "
            f"({fmt.quarter_label(goal.baseline_quarter)}), mål {fmt.percent(goal.goal_pct)} "
            f"({fmt.points(-goal.goal_pp)})"
        )
        print(
            f"  Mål per kvartal: {fmt.number(goal.goal_days)} dagsverk "
            f"({fmt.kroner(goal.goal_kroner)}; {fmt.number(goal.possible, 0)} mulige dagsverk i "
            f"{fmt.quarter_label(goal.last_quarter)}, {fmt.kroner(goal.cost_per_day)} per dag)"
        )
        if goal.compare_quarter is None:
            print("  Oppnådd: ingen sammenlignbart kvartal ennå (samme kvartal et år senere)")
        else:
            left = (
                "målet er nådd"
                if goal.to_go_days == 0
                else f"igjen: {fmt.number(goal.to_go_days)} dagsverk "
                f"({fmt.kroner(goal.to_go_kroner)})"
            )
            print(
                f"  Oppnådd i {fmt.quarter_label(goal.compare_quarter)} "
                f"({fmt.percent(goal.compare_pct)}): {fmt.number(goal.achieved_days)} dagsverk "
                f"({fmt.kroner(goal.achieved_kroner)}); {left}"
            )
    print(f"Trafikklys mot sektoren: {result.sector.text}")
    print()
    print(agenda.since_last.line.capitalize())
    return EXIT_OK


def cmd_effect(args: argparse.Namespace) -> int:
    from core import fmt
    from core.effect import CAUTION
    from core.status import HIDDEN, too_few
    from core.vocabulary import MEASURE_LEVELS
    from storage.usecases.effect import measure_effects

    engine = _engine(args)
    report = measure_effects(engine, args.as_of, args.unit, masked=not args.names)
    if args.json:
        from storage.usecases.effect import effect_json

        _print_json(effect_json(report))
        return EXIT_OK
    print(f"Før og etter fullførte tiltak per {fmt.date(args.as_of)}")
    say(CAUTION)

    def shown(value: Any) -> str:
        if value is None:
            return "–"
        persons = fmt.count(value.persons, "ansatt", "ansatte")
        return f"{HIDDEN if too_few(value.persons) else fmt.percent(value.pct)} ({persons})"

    rows = []
    for row in report.measures:
        effect = row.effect
        for comparison in effect.comparisons:
            changes = (
                [comparison.verdict, ""]
                if comparison.verdict
                else [
                    fmt.points(comparison.change_vs_year_pp),
                    fmt.points(comparison.change_vs_before_pp),
                ]
            )
            rows.append(
                [
                    row.code,
                    effect.measure.text,
                    fmt.date(effect.measure.completed_on),
                    f"{comparison.months} mnd",
                    shown(comparison.after),
                    shown(comparison.year_before),
                    shown(effect.before),
                    *changes,
                ]
            )
    print()
    if rows:
        print_table(
            [
                "Enhet",
                "Tiltak",
                "Fullført",
                "Etter",
                "Sykefravær etter",
                "Samme tid året før",
                "3 mnd før",
                "Mot året før",
                "Mot før",
            ],
            rows,
            right={4, 5, 6, 8},
        )
    else:
        print("Ingen fullførte tiltak for enheten eller lederen.")
    if report.undated:
        print(
            fmt.count(report.undated, "fullført tiltak", "fullførte tiltak")
            + " uten møte som viser når: ikke med"
        )
    if report.kinds:
        print()
        print("Per type tiltak (endring etter 6 måneder mot samme måneder året før)")
        print_table(
            ["Tiltak", "Nivå", "Enheter", "Tiltak", "Med tall", "Median endring"],
            [
                [
                    kind.text,
                    MEASURE_LEVELS.get(kind.level, kind.level),
                    str(kind.units),
                    str(kind.measures),
                    str(kind.compared),
                    fmt.points(kind.median_change_pp),
                ]
                for kind in report.kinds
            ],
            right={2, 3, 4, 5},
        )
    return EXIT_OK


def cmd_project(args: argparse.Namespace) -> int:
    from core import fmt
    from core.errors import InvalidInput
    from storage.usecases import project

    engine = _engine(args)
    today = dt.date.today()
    try:
        if args.step == "add":
            joined = args.joined or today
            added = project.join_project(engine, args.units, joined, args.baseline)
            print(
                f"{fmt.count(len(added), 'enhet', 'enheter')} med i prosjektet "
                f"fra {fmt.date(joined)}, "
                f"nullpunkt {fmt.quarter_label(added[0].baseline_quarter)}."
            )
            return EXIT_OK
        if args.step == "remove":
            left = args.left or today
            project.leave_project(engine, args.units, left)
            print(
                f"{fmt.count(len(set(args.units)), 'enhet', 'enheter')} ute av prosjektet "
                f"fra {fmt.date(left)}."
            )
            return EXIT_OK
    except InvalidInput as error:
        raise UserError(f"{error} Ingenting er endret.") from None
    units = project.project_units(engine)
    if args.json:
        _print_json(project.list_json(units))
        return EXIT_OK
    print_table(
        ["Enhet", "Navn", "Med fra", "Ute fra", "Nullpunkt", "Målgruppe ved start"],
        [
            [
                unit.code,
                unit.name,
                fmt.date(period.joined_on),
                fmt.date(period.left_on) if period.left_on else "",
                fmt.quarter_label(period.baseline_quarter),
                str(period.target_group or "–"),
            ]
            for unit in units
            for period in unit.periods
        ],
        right={5},
    )
    return EXIT_OK


def cmd_team(args: argparse.Namespace) -> int:
    from core.errors import InvalidInput
    from storage.usecases import team

    engine = _engine(args)
    try:
        if args.step == "add":
            created = team.add_member(engine, args.login, args.name, args.lead)
            role = "prosjektleder" if args.lead else "rådgiver"
            print(f"{args.login} er med i teamet som {role}.")
            if created:
                print(
                    f"Innloggingen {args.login} er laget på serveren uten passord: "
                    "databaseadministratoren setter det (ALTER ROLE … PASSWORD)."
                )
            return EXIT_OK
        if args.step == "assign":
            team.assign(engine, args.login, args.units)
            print(f"{args.login} har fått {', '.join(dict.fromkeys(args.units))}.")
            return EXIT_OK
        if args.step == "unassign":
            team.unassign(engine, args.login, args.units)
            print(f"{args.login} har ikke lenger {', '.join(dict.fromkeys(args.units))}.")
            return EXIT_OK
        found = team.members(engine)
    except InvalidInput as error:
        raise UserError(f"{error} Ingenting er endret.") from None
    finally:
        engine.dispose()
    if args.json:
        _print_json(team.list_json(found))
        return EXIT_OK
    print_table(
        ["Bruker", "Navn", "Rolle", "Enheter"],
        [
            [m.login, m.name, "prosjektleder" if m.lead else "rådgiver", " ".join(m.units)]
            for m in found
        ],
        right=set(),
    )
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from storage.paths import resolve_db_path
    from storage.usecases.maintenance import backup

    _refuse_server(args)
    path = resolve_db_path(args.db)
    if not path.exists():
        raise UserError(f"Fant ingen database på {path}.")
    _refuse_unusable(path)
    # An encrypted database's copy is encrypted with the same passphrase.
    print(f"Sikkerhetskopi lagret: {backup(path, args.file, passphrase_for(path))}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from storage.paths import resolve_db_path
    from storage.usecases.maintenance import restore

    _refuse_server(args)
    path = resolve_db_path(args.db)
    # The database's passphrase opens an encrypted backup too; where the database is plain or
    # not there yet, an encrypted backup's own passphrase is asked for.
    passphrase = passphrase_for(path) if path.is_file() else None
    if passphrase is None:
        passphrase = _backup_passphrase(args.file)
    safety = restore(args.file, path, passphrase)
    if safety is not None:
        print(f"Databasen slik den var før, er lagret i {safety}")
    print(f"Gjenopprettet fra {args.file}")
    return EXIT_OK


def _backup_passphrase(file: Path) -> str | None:
    """The passphrase of an encrypted backup (None for a plain one), asked for in a terminal."""
    from storage.usecases.encryption import PASSPHRASE_ENV, is_encrypted

    if not file.is_file() or not is_encrypted(file):
        return None
    if PASSPHRASE_ENV in os.environ or not sys.stdin.isatty():
        # Not checked here: without SQLite's header the file may be no database at all, and
        # restore says which, in Norwegian.
        return os.environ.get(PASSPHRASE_ENV)
    return passphrase_for(file)


def cmd_purge(args: argparse.Namespace) -> int:
    from core.errors import InvalidInput
    from storage.usecases.maintenance import clean_file, purge

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
    say(report)
    return EXIT_OK


def cmd_encrypt(args: argparse.Namespace) -> int:
    from storage.paths import resolve_db_path
    from storage.usecases.encryption import is_encrypted
    from storage.usecases.maintenance import encrypt, encryption_available

    _refuse_server(args)
    path = resolve_db_path(args.db)
    if not path.is_file():
        raise UserError(f"Fant ingen database på {path}.")
    _refuse_unusable(path)
    encryption_available()  # without the extra, say so before asking for a passphrase
    if is_encrypted(path):
        raise UserError(f"{path} er allerede kryptert.")
    copies = encrypt(path, _new_passphrase())
    print(f"Databasen er kryptert: {path}")
    print("Ta vare på passordet: uten det kan ingen lese dataene, heller ikke Nærvær.")
    if copies:
        print(
            f"Merk: {len(copies)} eldre kopier av databasen er ikke kryptert, blant annet "
            f"{copies[0]}. Slett dem når du ikke trenger dem lenger.",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_decrypt(args: argparse.Namespace) -> int:
    from storage.paths import resolve_db_path
    from storage.usecases.maintenance import decrypt

    _refuse_server(args)
    path = resolve_db_path(args.db)
    if not path.is_file():
        raise UserError(f"Fant ingen database på {path}.")
    _refuse_unusable(path)
    passphrase = passphrase_for(path)
    if passphrase is None:
        raise UserError(f"{path} er ikke kryptert.")
    decrypt(path, passphrase)
    print(f"Databasen er ikke lenger kryptert: {path}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from core.errors import InvalidInput
    from storage.usecases import export
    from storage.usecases.units import ensure_figures_current

    needs = {"summary": ("--session", args.session), "unit": ("--unit", args.unit)}
    if args.document in needs and needs[args.document][1] is None:
        raise UserError(f"export {args.document} trenger {needs[args.document][0]}.")
    if args.form not in export.FORMATS[args.document]:
        raise UserError(str(export.UnsupportedFormat(args.document, args.form)))
    engine = _engine(args)
    ensure_figures_current(engine)
    folder = args.out or export.documents_folder()
    as_of = args.as_of or dt.date.today()
    masked = not args.names
    try:
        if args.document == "summary":
            path = export.export_summary(engine, args.session, folder, args.form, masked=masked)
        elif args.document == "unit":
            unit_id = export.unit_id_of(engine, args.unit)
            path = export.export_unit_report(
                engine, unit_id, folder, args.form, as_of=as_of, masked=masked
            )
        else:
            path = export.export_status_report(engine, folder, args.form, as_of=as_of)
    except InvalidInput as error:
        raise UserError(str(error)) from None
    except OSError as error:
        raise UserError(f"Fikk ikke lagret i {folder}: {error.strerror}.") from None
    say(path)
    return EXIT_OK


def cmd_db(args: argparse.Namespace) -> int:
    from storage.db import SCHEMA_REVISION, shown_url, upgrade_server
    from storage.paths import given_url, resolve_db_path

    url = given_url(args.db)
    if url is None:
        _engine(args).dispose()  # a file is upgraded as it is opened, copied first
        print(f"Databasen {resolve_db_path(args.db)} har skjemaversjon {SCHEMA_REVISION}.")
        return EXIT_OK
    before, after = upgrade_server(url)
    if before == after:
        print(f"Databasen {shown_url(url)} har allerede skjemaversjon {after}. Ingenting endret.")
    else:
        print(f"Databasen {shown_url(url)} er oppgradert fra {before or 'tom'} til {after}.")
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    from core import fmt
    from storage.db import DatabaseError, server_url, shown_url
    from storage.paths import given_url, resolve_db_path
    from storage.usecases.sync import create_replica, sync, sync_status

    url = given_url(args.db)
    if url is not None:
        raise UserError(
            f"--db er den lokale kopien (en fil), ikke serveren ({shown_url(url)}). Oppgi "
            "serveren med --server URL og kopien med --db FIL."
        )
    if args.server is not None:
        server_url(args.server)  # what is no PostgreSQL URL is refused before anything else
    path = resolve_db_path(args.db)
    if not path.exists() or path.stat().st_size == 0:
        if args.server is None:
            raise UserError(
                f"Fant ingen lokal kopi på {path}. Lag den med naervaer sync --server URL "
                f"--db {path}."
            )
        from storage.usecases.encryption import PASSPHRASE_ENV

        try:
            engine = create_replica(path, args.server, os.environ.get(PASSPHRASE_ENV))
        except DatabaseError as error:  # the server out of reach: no copy is left behind
            say(f"naervaer: {error}", error=True)
            return EXIT_FAILED
        engine.dispose()
        say(f"Lokal kopi laget på {path} fra {shown_url(args.server)}.")
        return EXIT_OK
    engine = _engine(args)
    try:
        if sync_status(engine) is None:
            raise UserError(
                f"{path} er en vanlig Nærvær-database, ikke en lokal kopi av en server. "
                "Velg et nytt filnavn for kopien (--db), så lages den."
            )
        try:
            result = sync(engine, args.server)
        except DatabaseError as error:
            waiting = sync_status(engine)
            pending = waiting.pending if waiting is not None else 0
            say(f"naervaer: {error}", error=True)
            say(
                f"{fmt.count(pending, 'endring venter', 'endringer venter')} i den lokale "
                "kopien; de sendes neste gang.",
                error=True,
            )
            return EXIT_FAILED
    finally:
        engine.dispose()
    line = (
        f"Sendt {fmt.count(result.pushed, 'endring', 'endringer')}, hentet "
        f"{fmt.count(result.pulled, 'enhet', 'enheter')}"
    )
    if result.conflicts:
        line += f", {fmt.count(result.conflicts, 'konflikt', 'konflikter')} – se Konflikter i appen"
    say(f"{line}.")
    return EXIT_OK


def cmd_app(args: argparse.Namespace) -> int:
    from storage.db import in_sole_use
    from storage.paths import given_url, resolve_db_path
    from tui.app import run_app

    url = given_url(args.db)
    if url is not None:  # the server keeps its own: no file lock, backup or passphrase here
        return run_app(None, server=url, demo=args.demo)
    path = resolve_db_path(args.db)
    _refuse_unusable(path)  # said here, before the app takes the screen

    # One window per database: two would each keep notes in memory and overwrite each other.
    with in_sole_use(path):
        return run_app(path, demo=args.demo, passphrase=passphrase_for(path))


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: cmd_app,
    "demo": cmd_demo,
    "import": cmd_import,
    "template": cmd_template,
    "stats": cmd_stats,
    "groups": cmd_groups,
    "cases": cmd_cases,
    "savings": cmd_savings,
    "forecast": cmd_forecast,
    "status": cmd_status,
    "agenda": cmd_agenda,
    "effect": cmd_effect,
    "project": cmd_project,
    "team": cmd_team,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "purge": cmd_purge,
    "encrypt": cmd_encrypt,
    "decrypt": cmd_decrypt,
    "export": cmd_export,
    "db": cmd_db,
    "sync": cmd_sync,
}


def _reader_gone() -> int:
    """The reader of the output went away (`naervaer stats | head -1`): end quietly.

    What is still buffered can go nowhere; stdout is pointed at the null device so that
    Python's flush at exit does not complain about it on stderr.
    """
    # Without a file behind stdout (tests capture it) there is nothing to flush.
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_CLOSED_PIPE


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.demo and not args.db:
        # `--demo` before any command means the demo database, for the app and every command.
        from storage.paths import data_dir

        args.db = str(data_dir() / "demo.sqlite")
    if getattr(args, "as_of", dt.date.min) is None:
        args.as_of = dt.date.today()  # every command's --as-of is today unless given
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a reader gone shows here, not in Python's own flush at exit
        return code
    except BrokenPipeError:
        return _reader_gone()
    except UserError as error:
        say(f"naervaer: {error}", error=True)
        return EXIT_REJECTED
    except KeyboardInterrupt:
        print("Avbrutt.", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:
        from core.errors import InvalidInput, UnknownUnit
        from storage.db import DatabaseError, explain, explain_server
        from storage.paths import given_url, resolve_db_path

        # Said in Norwegian where it arose (e.g. what a replica leaves to its server).
        if isinstance(error, DatabaseError | UnknownUnit | InvalidInput):
            say(f"naervaer: {error}", error=True)
            return EXIT_REJECTED
        # A full disk, a damaged or read-only file, a lock, a server gone: said for what it is.
        url = given_url(getattr(args, "db", None))
        explained = (
            explain(error, resolve_db_path(getattr(args, "db", None)))
            if url is None
            else explain_server(error, url)
        )
        if explained is not None:
            say(f"naervaer: {explained}", error=True)
            return EXIT_REJECTED
        from tui.errors import describe

        say(f"naervaer: {describe(error)}", error=True)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
