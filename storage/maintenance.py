"""Backups, restore, and purging personal data for real: out of the tables, free pages and WAL."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, delete, exists, func, or_, select
from sqlalchemy.orm import Session as OrmSession

from core import fmt
from core.errors import InvalidInput
from storage import crypto, filecopy
from storage import sqlite as sqlite_file
from storage.db import MIGRATIONS, engine_passphrase
from storage.dbfile import (
    SQLITE_HEADER,
    DatabaseError,
    file_problem,
    in_sole_use,
    sqlite_problem,
)
from storage.dialects import compact, lock_for_write
from storage.figures import refresh_figures
from storage.models import (
    AbsenceSpell,
    Employee,
    EmployeeReview,
    Employment,
    Measure,
    MeasureFollowUp,
    MilestoneDone,
    PresenceFactor,
    Session,
    Setting,
    SurveyScore,
    Unit,
    UnitMonthFigure,
)
from storage.paths import backup_dir, ensure_private_dir, free_path

AUTO_PREFIX = "auto-"
IN_USE = "Databasen er i bruk. Lukk Nærvær og prøv igjen; ingenting er endret."
# Well under SQLite's oldest limit of 999 bound variables per statement.
CHUNK = 500

# Table name -> Norwegian singular and plural, in the order a report lists them.
LABELS = {
    "units": ("enhet", "enheter"),
    "employees": ("ansatt", "ansatte"),
    "employments": ("arbeidsforhold", "arbeidsforhold"),
    "absence_spells": ("fraværsperiode", "fraværsperioder"),
    "sessions": ("møte", "møter"),
    "employee_reviews": ("gjennomgang av ansatt", "gjennomganger av ansatte"),
    "measures": ("tiltak", "tiltak"),
    "measure_follow_ups": ("oppfølging av tiltak", "oppfølginger av tiltak"),
    "milestones_done": ("milepæl", "milepæler"),
    "survey_scores": ("kartleggingsresultat", "kartleggingsresultater"),
    "presence_factors": ("nærværsfaktor", "nærværsfaktorer"),
    "settings": ("innstilling", "innstillinger"),
}

# What belongs to one person (apart from measures' follow-ups), and what else to one unit.
PERSON_TABLES: tuple[type[Any], ...] = (
    Measure,
    EmployeeReview,
    MilestoneDone,
    AbsenceSpell,
    Employment,
)
UNIT_TABLES: tuple[type[Any], ...] = (AbsenceSpell, Employment, SurveyScore, PresenceFactor)

# Free text (and names of other people) where an advisor may have written a person's name:
# purging cannot rewrite such text safely, so the report points to it instead.
FREE_TEXT = (
    (Unit.leader,),
    (Session.advisor, Session.note, Session.summary),
    (EmployeeReview.note,),
    (Measure.text, Measure.owner),
    (MeasureFollowUp.comment,),
    (PresenceFactor.text,),
    (Setting.value,),
)


def _counted(count: int, table: str) -> str:
    singular, plural = LABELS[table]
    return f"{count} {singular if count == 1 else plural}"


def _listed(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} og {parts[-1]}"


# --- Backup ------------------------------------------------------------------------------------


def _key_for(path: Path, passphrase: str | None, what: str) -> str | None:
    """The key to open `path` with: None for a plain file, `passphrase` for an encrypted one."""
    if not crypto.is_encrypted(path):
        return None
    if passphrase is None:
        raise crypto.EncryptionError(
            f"Databasen {path} er kryptert, så {what} trenger passordet. "
            f"Oppgi det når Nærvær spør, eller sett {crypto.PASSPHRASE_ENV}."
        )
    return passphrase


def _db_path(engine_or_path: Engine | Path) -> Path:
    if isinstance(engine_or_path, Path):
        return engine_or_path
    database = engine_or_path.url.database
    if not database or database == ":memory:":
        raise ValueError("Only a database file can be backed up.")
    return Path(database)


def backup(
    engine_or_path: Engine | Path, target: Path | None = None, passphrase: str | None = None
) -> Path:
    """Copy the database to `target` (default: the backup folder) while it may be in use.

    An encrypted database needs its `passphrase`, and its copy is encrypted with the same one:
    a backup is never less protected than the database. A process that has the database open
    gives its engine, which knows the passphrase: it must not read the file's header itself
    (see `storage.db.engine_passphrase`).
    """
    source = _db_path(engine_or_path)
    if not source.is_file():
        raise DatabaseError(f"Finner ingen database i {source}.")
    if isinstance(engine_or_path, Path):
        key = _key_for(source, passphrase, "sikkerhetskopien")
    else:
        key = engine_passphrase(engine_or_path)
    if target is None:
        folder = backup_dir(source)
        ensure_private_dir(folder)
        target = free_path(folder / f"{source.stem}-{dt.datetime.now():%Y%m%d-%H%M%S}.sqlite")
    elif target.exists():
        raise DatabaseError(f"{target} finnes allerede. Velg et annet filnavn.")
    elif not target.parent.is_dir():
        raise DatabaseError(f"Mappen {target.parent} finnes ikke.")
    filecopy.copy_private(source, target, key)
    return target


def daily_backup(
    engine_or_path: Engine | Path,
    keep: int = 7,
    today: dt.date | None = None,
    passphrase: str | None = None,
) -> Path | None:
    """Back up once a day (at start) and keep the newest `keep` automatic backups.

    `passphrase` is an encrypted database's; its backups are encrypted with it too. The app,
    which has the database open, gives its engine (see `backup`).
    """
    if keep < 1:
        raise ValueError("keep must be at least 1")
    db_path = _db_path(engine_or_path)
    if not db_path.is_file():
        return None
    today = today or dt.date.today()
    folder = backup_dir(db_path)
    pattern = _auto_pattern(db_path)
    made: Path | None = None
    found = _auto_backups(folder, pattern)
    if not any(day == f"{today:%Y%m%d}" for day, _ in found):
        ensure_private_dir(folder)
        stamp = f"{today:%Y%m%d}-{dt.datetime.now():%H%M%S}"
        target = free_path(folder / f"{AUTO_PREFIX}{db_path.stem}-{stamp}.sqlite")
        made = backup(engine_or_path, target, passphrase)
        found = _auto_backups(folder, pattern)
    for _, old in found[:-keep]:
        old.unlink()
    return made


def renew_daily_backups(engine: Engine) -> Path | None:
    """After a purge: the automatic backups held what it removed, so they give way to one copy
    of the database as it is now (if there were any). Copies made by hand are the user's and
    stay."""
    db_path = _db_path(engine)
    found = _auto_backups(backup_dir(db_path), _auto_pattern(db_path))
    for _, old in found:
        old.unlink()
    return daily_backup(engine) if found else None


def _auto_pattern(db_path: Path) -> re.Pattern[str]:
    """The names of the database's automatic backups, with the day they were taken."""
    return re.compile(rf"{AUTO_PREFIX}{re.escape(db_path.stem)}-(\d{{8}})-\d{{6}}(?:-\d+)?\.sqlite")


def _auto_backups(folder: Path, pattern: re.Pattern[str]) -> list[tuple[str, Path]]:
    """This database's automatic backups, oldest first; nothing the user made by hand."""
    if not folder.is_dir():
        return []
    matches = ((pattern.fullmatch(path.name), path) for path in folder.iterdir())
    return sorted((match[1], path) for match, path in matches if match)


# --- Check and restore -------------------------------------------------------------------------


def _known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}


def check_database_file(path: Path, passphrase: str | None = None) -> None:
    """Raise DatabaseError unless `path` is an intact Nærvær database this version can open.

    An encrypted file is opened with `passphrase`; a plain one needs none.
    """
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise DatabaseError(f"Finner ikke filen {path}.") from None
    except OSError as error:
        raise DatabaseError(f"Kan ikke lese {path}: {error.strerror}.") from error
    key = None
    if header != SQLITE_HEADER:
        # Without SQLite's header a file is encrypted, or no database at all: only a
        # passphrase that opens it tells the two apart.
        if not header or passphrase is None:
            maybe = ", eller den er kryptert og passordet mangler" if header else ""
            raise DatabaseError(
                f"{path.name} er ikke en Nærvær-database (ikke en SQLite-fil){maybe}."
            )
        key = passphrase
    damaged = DatabaseError(f"{path.name} er skadet og kan ikke brukes.")
    try:
        with closing(filecopy.connect(path, key)) as conn:
            if sqlite_file.damage(conn, key is not None) is not None:
                raise damaged
            revisions = sqlite_file.revisions(conn)
    except crypto.WrongPassphrase:
        if key is not None and crypto.fits_first_page(path, key):
            raise damaged from None
        raise DatabaseError(
            f"Passordet åpner ikke {path.name}: den er kryptert med et annet passord, "
            "eller den er ikke en Nærvær-database."
        ) from None
    # "database disk image is malformed" and the like
    except filecopy.sqlite_errors(key is not None) as error:
        raise damaged from error
    if not revisions:
        raise DatabaseError(f"{path.name} er en SQLite-database, men ikke fra Nærvær.")
    if not revisions <= _known_revisions():
        raise DatabaseError(
            f"{path.name} er laget av en nyere versjon av Nærvær enn denne. "
            "Oppgrader Nærvær før du gjenoppretter fra den."
        )


def restore(source: Path, db_path: Path, passphrase: str | None = None) -> Path | None:
    """Replace the database with `source`; returns the backup of what was there (None if new).

    Nærvær must be closed: nothing is changed while the app holds the database or another
    connection has it open. `passphrase` opens an encrypted backup and an encrypted database;
    an encrypted backup is restored only where the database is encrypted too (with the same
    passphrase) or there is none yet, a plain one only where it is plain: restoring never
    takes away encryption, nor adds it behind the user's back.
    """
    check_database_file(source, passphrase)
    source_key = passphrase if crypto.is_encrypted(source) else None
    existed = db_path.exists()
    if existed and source.resolve() == db_path.resolve():
        raise DatabaseError("Kan ikke gjenopprette databasen fra seg selv.")
    blank = not existed or db_path.stat().st_size == 0
    db_key = None if blank else _key_for(db_path, passphrase, "gjenopprettingen")
    if not blank and (source_key is None) != (db_key is None):
        raise DatabaseError(_mismatch(source, encrypted_backup=source_key is not None))
    # Read before any connection is made: a file SQLite cannot read is replaced whole.
    unreadable = not blank and file_problem(db_path) is not None
    ensure_private_dir(db_path.parent)
    with ExitStack() as stack:
        # The app holds this lock as long as it is open (even when idle, with no connection).
        try:
            stack.enter_context(in_sole_use(db_path))
        except DatabaseError:
            raise DatabaseError(IN_USE) from None
        if not existed:
            os.close(os.open(db_path, os.O_CREAT | os.O_WRONLY, 0o600))
        try:
            if unreadable:
                raise _Unreadable
            safety_copy = _restore_into(source, source_key, db_path, db_key if existed else None)
        except _Unreadable:  # damaged past reading (its connection closed): replaced whole
            safety_copy = _replace_unreadable(source, source_key, db_path)
    return safety_copy


class _Unreadable(Exception):
    """The database to restore over is too damaged for SQLite to copy or rewrite it."""


def _restore_into(
    source: Path, source_key: str | None, db_path: Path, db_key: str | None
) -> Path | None:
    """Write `source` into the database through SQLite; returns the copy of what was there."""
    in_use = DatabaseError(IN_USE)
    existed = db_path.stat().st_size > 0
    with ExitStack() as stack:
        busy = _busy_errors(source_key is not None)
        try:
            with _refused_when(busy, in_use):
                # Keyed as the backup is: the restored database is encrypted exactly as it was.
                dst = stack.enter_context(
                    closing(filecopy.connect(db_path, source_key, timeout=1.0))
                )
                # Leaving WAL mode needs every other connection gone, so this refuses while
                # another process has the file open; SQLite folds the WAL into the file and
                # removes -wal and -shm itself (deleting them by hand could lose commits or
                # pair a stale WAL with new content).
                left = sqlite_file.leave_wal(dst)
        except filecopy.sqlite_errors(source_key is not None) as error:
            raise _Unreadable from error  # not "busy": the file is no database SQLite can read
        if not left:
            raise in_use
        # Not through `backup`: with `dst` connected, the file's header must not be read again.
        safety_copy = None
        if existed:
            safety_copy = _safety_path(db_path)
            try:
                # Kept as it is, damaged or not: it is what the restore replaces.
                filecopy.copy_private(db_path, safety_copy, db_key, checked=False)
            except DatabaseError as error:
                if sqlite_problem(error.__cause__ or error) == "damaged":
                    raise _Unreadable from error
                raise
        try:
            with closing(filecopy.connect(source, source_key)) as src:
                sqlite_file.copy_into(src, dst)
        except filecopy.sqlite_errors(source_key is not None) as error:
            kept = f" Databasen før forsøket ligger i {safety_copy}." if safety_copy else ""
            raise DatabaseError(f"Gjenopprettingen feilet: {error}.{kept}") from error
    if os.name == "posix":
        db_path.chmod(0o600)
    return safety_copy


def _replace_unreadable(source: Path, source_key: str | None, db_path: Path) -> Path:
    """Keep the damaged file's bytes as they are, then put a copy of `source` in its place."""
    safety_copy = _safety_path(db_path)
    # The damaged file and its WAL, byte for byte: no connection of this process is open.
    for suffix in ("", "-wal"):
        part = Path(f"{db_path}{suffix}")
        if part.exists():
            kept = Path(f"{safety_copy}{suffix}")
            os.close(os.open(kept, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            shutil.copyfile(part, kept)
    # They belong to the damaged file: a WAL left beside would be replayed into the new one.
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    try:
        filecopy.copy_private(source, db_path, source_key)  # whole, or not at all
    except DatabaseError as error:
        raise DatabaseError(
            f"Gjenopprettingen feilet: {error} Databasen før forsøket ligger i {safety_copy}."
        ) from error
    if os.name == "posix":
        db_path.chmod(0o600)
    return safety_copy


def _busy_errors(encrypted: bool) -> tuple[type[Exception], ...]:
    if encrypted:
        return (sqlite3.OperationalError, crypto.dbapi().OperationalError)
    return (sqlite3.OperationalError,)


@contextmanager
def _refused_when(errors: tuple[type[Exception], ...], refusal: DatabaseError) -> Iterator[None]:
    try:
        yield
    except errors as error:
        raise refusal from error


def _mismatch(source: Path, *, encrypted_backup: bool) -> str:
    if encrypted_backup:
        return (
            f"{source.name} er kryptert, men databasen er ikke det; ingenting er endret. "
            "Krypter databasen med det samme passordet først (naervaer encrypt), "
            "og gjenopprett så."
        )
    return (
        f"{source.name} er ikke kryptert, men databasen er det; ingenting er endret. "
        "Gjenopprettingen ville lagret dataene ukryptert. Vil du likevel det, dekrypter "
        "databasen først (naervaer decrypt)."
    )


def _safety_path(db_path: Path) -> Path:
    folder = backup_dir(db_path)
    ensure_private_dir(folder)
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    return free_path(folder / f"{db_path.stem}-før-gjenoppretting-{stamp}.sqlite")


# --- Purge -------------------------------------------------------------------------------------


@dataclass
class PurgeReport:
    """Rows deleted per table, whether the file was cleaned, and text still naming the person."""

    removed: dict[str, int]  # table name -> rows deleted; tables with none left out
    file_cleaned: bool
    still_named_in: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = [_counted(self.removed[t], t) for t in LABELS if self.removed.get(t)]
        lines = [f"Slettet {_listed(parts)}."] if parts else ["Fant ingenting å slette."]
        if self.file_cleaned:
            lines.append("Databasefilen er ryddet, så slettede data ligger ikke igjen i den.")
        else:
            lines.append(
                "Databasen var i bruk, så slettede data kan ligge igjen i filen. "
                "Lukk Nærvær og rydd filen med «naervaer purge --clean»."
            )
        if self.still_named_in:
            where = _listed([_counted(n, t) for t, n in self.still_named_in.items()])
            lines.append(
                f"Navnet eller ansattnummeret står fortsatt i fritekst i {where}. "
                "Rediger teksten for hånd."
            )
        if parts:
            lines.append("Sikkerhetskopier tatt før slettingen inneholder fortsatt dataene.")
        return "\n".join(lines)


def cutoff_date(today: dt.date, years: int) -> dt.date:
    """The same day `years` years back (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def check_purge(
    unit_code: str | None, employee_number: str | None, older_than_years: int | None
) -> None:
    """InvalidInput unless exactly one thing to delete is asked for, and asked for right."""
    if [unit_code, employee_number, older_than_years].count(None) != 2:
        raise InvalidInput("Velg én ting å slette: en enhet, en ansatt eller data eldre enn N år.")
    if older_than_years is not None and older_than_years < 1:
        raise InvalidInput("Antall år må være minst 1.")


def delete_data(
    session: OrmSession,
    *,
    unit_code: str | None = None,
    employee_number: str | None = None,
    older_than_years: int | None = None,
    today: dt.date,
) -> tuple[dict[str, int], dict[str, int]]:
    """Delete one unit, one person, or what ended more than N years ago, in the caller's
    transaction, and rebuild the figures. Rows deleted per table (tables with none left out),
    and per table the rows whose free text still names the person."""
    check_purge(unit_code, employee_number, older_than_years)
    removed: Counter[str] = Counter()
    still_named_in: dict[str, int] = {}
    conn = session.connection()
    # The rows chosen below must still be the rows deleted when another process writes.
    lock_for_write(conn)
    if unit_code is not None:
        _purge_unit(conn, unit_code, removed)
    elif employee_number is not None:
        mention = _purge_employee(conn, employee_number, removed)
        still_named_in = _mentions(conn, mention)
    elif older_than_years is not None:
        _purge_older_than(conn, cutoff_date(today, older_than_years), removed)
    refresh_figures(session, today)
    return {table: n for table, n in removed.items() if n}, still_named_in


def _delete(conn: Connection, removed: Counter[str], model: type[Any], *where: Any) -> None:
    # Children are deleted explicitly before their parents (not left to ON DELETE CASCADE) so
    # that the report can count every row.
    removed[model.__tablename__] += conn.execute(delete(model).where(*where)).rowcount


def _remove_people(conn: Connection, ids: Sequence[int], removed: Counter[str]) -> None:
    """Everything held about these people, and the people."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        own_measures = select(Measure.id).where(Measure.employee_id.in_(chunk))
        _delete(conn, removed, MeasureFollowUp, MeasureFollowUp.measure_id.in_(own_measures))
        for model in PERSON_TABLES:
            _delete(conn, removed, model, model.employee_id.in_(chunk))
        _delete(conn, removed, Employee, Employee.id.in_(chunk))


def _purge_unit(conn: Connection, code: str, removed: Counter[str]) -> None:
    unit_id = conn.execute(select(Unit.id).where(Unit.code == code)).scalar()
    if unit_id is None:
        raise InvalidInput(f"Fant ingen enhet med enhet_id «{code}».")
    sessions = select(Session.id).where(Session.unit_id == unit_id)
    measures = select(Measure.id).where(Measure.unit_id == unit_id)
    linked = or_(
        Employee.id.in_(select(Employment.employee_id).where(Employment.unit_id == unit_id)),
        Employee.id.in_(select(AbsenceSpell.employee_id).where(AbsenceSpell.unit_id == unit_id)),
        Employee.id.in_(
            select(EmployeeReview.employee_id).where(EmployeeReview.session_id.in_(sessions))
        ),
        Employee.id.in_(select(Measure.employee_id).where(Measure.unit_id == unit_id)),
    )
    # People with an employment elsewhere stay, with their spells that have no unit (those
    # count in the other unit too); everyone else known only through this unit goes entirely.
    elsewhere = select(Employment.employee_id).where(Employment.unit_id != unit_id)
    doomed = select(Employee.id).where(linked, Employee.id.not_in(elsewhere)).order_by(Employee.id)
    _remove_people(conn, list(conn.execute(doomed).scalars()), removed)
    _delete(
        conn,
        removed,
        MeasureFollowUp,
        MeasureFollowUp.measure_id.in_(measures) | MeasureFollowUp.session_id.in_(sessions),
    )
    _delete(conn, removed, Measure, Measure.unit_id == unit_id)
    _delete(conn, removed, EmployeeReview, EmployeeReview.session_id.in_(sessions))
    # Milestones and other units' measures that name one of these sessions keep their row:
    # the foreign keys set the reference to NULL.
    _delete(conn, removed, Session, Session.unit_id == unit_id)
    for model in UNIT_TABLES:
        _delete(conn, removed, model, model.unit_id == unit_id)
    conn.execute(delete(UnitMonthFigure).where(UnitMonthFigure.unit_id == unit_id))
    _delete(conn, removed, Unit, Unit.id == unit_id)


def _purge_employee(conn: Connection, number: str, removed: Counter[str]) -> re.Pattern[str]:
    """Delete the person; returns a pattern for their name and number in free text."""
    person = conn.execute(
        select(Employee.id, Employee.name).where(Employee.number == number)
    ).one_or_none()
    if person is None:
        raise InvalidInput(f"Fant ingen ansatt med ansattnummer «{number}».")
    _remove_people(conn, [person.id], removed)
    terms = [number, *([person.name] if person.name else [])]
    # Whole words only, so that number 1001 is not found in 10010.
    return re.compile("|".join(rf"(?<!\w){re.escape(term)}(?!\w)" for term in terms), re.IGNORECASE)


def _purge_older_than(conn: Connection, cutoff: dt.date, removed: Counter[str]) -> None:
    _delete(conn, removed, AbsenceSpell, AbsenceSpell.to_date < cutoff)
    _delete(conn, removed, Employment, Employment.end_date < cutoff)
    # A milestone belongs to the case that started on `case_start`; with its first spell gone,
    # the case is gone.
    first_spell = select(AbsenceSpell.id).where(
        AbsenceSpell.employee_id == MilestoneDone.employee_id,
        AbsenceSpell.from_date == MilestoneDone.case_start,
    )
    _delete(conn, removed, MilestoneDone, MilestoneDone.case_start < cutoff, ~exists(first_spell))
    bare = (
        select(Employee.id)
        .where(
            ~exists(select(Employment.id).where(Employment.employee_id == Employee.id)),
            ~exists(select(AbsenceSpell.id).where(AbsenceSpell.employee_id == Employee.id)),
        )
        .order_by(Employee.id)
    )
    _remove_people(conn, list(conn.execute(bare).scalars()), removed)


def _mentions(conn: Connection, pattern: re.Pattern[str]) -> dict[str, int]:
    """Table -> rows whose free text still matches `pattern`."""
    found: dict[str, int] = {}
    for columns in FREE_TEXT:
        rows = conn.execute(select(*columns)).all()
        hits = sum(any(value and pattern.search(value) for value in row) for row in rows)
        if hits:
            found[columns[0].class_.__tablename__] = hits
    return found


def clean_file(engine: Engine) -> bool:
    """Rewrite the file without the deleted rows and empty the WAL; False if that was blocked
    (another connection is writing: the data is deleted all the same)."""
    return compact(engine)


# --- Retention ---------------------------------------------------------------------------------


def ended_before(conn: Connection, cutoff: dt.date) -> dict[str, int]:
    """Spells and employments that ended before `cutoff`, by table."""
    return {
        "absence_spells": conn.execute(
            select(func.count()).select_from(AbsenceSpell).where(AbsenceSpell.to_date < cutoff)
        ).scalar_one(),
        "employments": conn.execute(
            select(func.count()).select_from(Employment).where(Employment.end_date < cutoff)
        ).scalar_one(),
    }


def retention_text(counts: dict[str, int], cutoff: dt.date, years: int) -> str | None:
    """A one-line reminder of what ended before `cutoff`, `years` years ago; None if nothing."""
    parts = [_counted(n, table) for table, n in counts.items() if n]
    if not parts:
        return None
    return (
        f"Databasen har {_listed(parts)} som ble avsluttet før {fmt.date(cutoff)}, for mer enn "
        f"{years} år siden. Vurder å slette dem: naervaer purge --older-than {years}."
    )
