"""The advisory session (møte): starting or resuming it, the review, its note, ending it and its
summary, and what the unit's screen shows of its meetings. Every write commits at once
(autosave)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from core.cases import MILESTONES
from core.errors import InvalidInput
from core.masking import Masker
from core.meeting import StartChoice, start_choice
from core.summary import SessionSummary, summary_markdown
from core.text import clean_text
from core.vocabulary import FACTOR_KINDS, KS_FACTORS, SESSION_TYPES, SURVEYS
from storage.models import utcnow
from storage.repos import measures, reviews, sessions, summary, unit_profile

# The read models the screens receive, handed on from the repositories that fill them.
from storage.repos.agenda import AgendaRead
from storage.repos.audit import Change
from storage.repos.measures import ChecklistItem, MeasureRow
from storage.repos.sessions import SessionInfo
from storage.repos.staff import unit_masker
from storage.repos.unit_profile import PRESENCE_POSITIONS
from storage.usecases import reading, writing

MIN_SCORE: Final = 1.0
MAX_SCORE: Final = 5.0
MILESTONE_KEYS: Final = frozenset(m.key for m in MILESTONES)


# --- starting ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeasureBoard:
    """What the measures screen shows: a session's checklist and the measures agreed in it,
    or (outside a session) all the unit's measures."""

    names: Masker  # the unit's masker, for the measures' texts
    info: SessionInfo | None
    checklist: tuple[ChecklistItem, ...]
    measures: tuple[MeasureRow, ...]


def _board(conn: Connection, unit_id: int, session_id: int | None) -> MeasureBoard:
    names = unit_masker(conn, unit_id)
    if session_id is None:
        return MeasureBoard(names, None, (), tuple(measures.for_unit(conn, unit_id)))
    return MeasureBoard(
        names,
        sessions.require(conn, session_id),
        tuple(measures.checklist(conn, session_id)),
        tuple(measures.created_in(conn, session_id)),
    )


def _check_session_type(session_type: str) -> None:
    if session_type not in SESSION_TYPES:
        raise InvalidInput(
            f"Ukjent økttype «{session_type}». Gyldige: {', '.join(SESSION_TYPES.values())}."
        )


def _start(
    session: Session, unit_id: int, session_type: str, held_on: dt.date, advisor: str | None
) -> int:
    """A new session, with the unit's open measures snapshotted as its checklist."""
    _check_session_type(session_type)
    if not isinstance(held_on, dt.date):
        raise InvalidInput("Økten må ha en dato.")
    if advisor is not None:
        advisor = clean_text(advisor).strip() or None
    if not sessions.unit_exists(session.connection(), unit_id):
        raise InvalidInput(f"Fant ikke enheten (id {unit_id}).")
    now = utcnow()
    session_id = sessions.insert(session, unit_id, session_type, held_on, advisor, now)
    measures.snapshot_open(session, unit_id, session_id, now)
    return session_id


def start_session(
    engine: Engine,
    unit_id: int,
    session_type: str,
    held_on: dt.date,
    advisor: str | None = None,
) -> int:
    """Create a session and snapshot the unit's open measures as its checklist."""
    with writing(engine) as session:
        return _start(session, unit_id, session_type, held_on, advisor)


@dataclass(frozen=True, slots=True)
class SessionStart:
    """`choice` ASK: nothing started, `ended_today` sessions were held today already;
    otherwise the session gone on with or started, and its measures screen's data."""

    choice: StartChoice
    ended_today: int
    session_id: int | None = None
    board: MeasureBoard | None = None


def start_or_resume(
    engine: Engine, unit_id: int, session_type: str, today: dt.date, *, asked: bool = False
) -> SessionStart:
    """Go on with the unit's open session of this type, else start one; a unit already met
    today is asked about first (`asked`: the advisor said yes)."""
    with writing(engine) as session:
        conn = session.connection()
        current = sessions.open_session(conn, unit_id)
        ended_today = sessions.ended_on(conn, unit_id, today)
        choice = start_choice(
            current.session_type if current is not None else None,
            session_type,
            ended_today,
            asked=asked,
        )
        if choice is StartChoice.ASK:
            return SessionStart(choice, ended_today)
        if choice is StartChoice.RESUME:
            assert current is not None
            session_id = current.id
        else:
            session_id = _start(session, unit_id, session_type, today, None)
        # Read here, so that the checklist is drawn once, with its measures.
        return SessionStart(choice, ended_today, session_id, _board(conn, unit_id, session_id))


# --- reading ----------------------------------------------------------------------------------


def session_info(engine: Engine, session_id: int) -> SessionInfo:
    with reading(engine) as conn:
        return sessions.require(conn, session_id)


def measure_board(engine: Engine, unit_id: int, session_id: int | None) -> MeasureBoard:
    with reading(engine) as conn:
        return _board(conn, unit_id, session_id)


@dataclass(frozen=True, slots=True)
class UnitMeetings:
    """What the unit's screen shows of its meetings and of what was written about it."""

    factors: dict[str, list[str]]  # kind -> the four texts, "" where none
    scores: dict[str, dict[str, float | None]]  # survey -> factor -> score
    last: SessionInfo | None  # the latest session ended
    open: SessionInfo | None  # the latest session not ended


def unit_meetings(engine: Engine, unit_id: int) -> UnitMeetings:
    with reading(engine) as conn:
        return UnitMeetings(
            unit_profile.presence_factors(conn, unit_id),
            unit_profile.survey_scores(conn, unit_id),
            sessions.latest_ended(conn, unit_id),
            sessions.open_session(conn, unit_id),
        )


def session_summary(
    engine: Engine, session_id: int, kept: AgendaRead | None = None
) -> SessionSummary:
    """What the leader gets after the session (see core.summary for the document). `kept`:
    the session's agenda as read when it opened (SessionAgenda.read), built on where the
    spells it came of are unchanged."""
    with reading(engine) as conn:
        return summary.session_summary(conn, sessions.require(conn, session_id), kept)


# --- writing ----------------------------------------------------------------------------------


def _set_note(session: Session, session_id: int, text: str, base: int | None) -> int:
    # Not stripped: autosave runs while the advisor types, and a trailing space is still typing.
    version = sessions.set_note(session, session_id, clean_text(text), base, utcnow())
    if version is None:
        raise InvalidInput(f"Fant ikke økten (id {session_id}).")
    return version


def set_session_note(engine: Engine, session_id: int, text: str, base: int | None = None) -> int:
    """The session's note, as an edit of the session's version `base` (None: as it stands);
    the version after. EditConflict (core.conflicts) if another advisor wrote another note
    since `base`: a note is never overwritten by one written on an older text."""
    with writing(engine) as session:
        return _set_note(session, session_id, text, base)


def end_session(
    engine: Engine,
    session_id: int,
    summary_text: str | None = None,
    *,
    note: str | None = None,
    base: int | None = None,
) -> None:
    """Mark the session ended and keep its summary; ending again only replaces the summary.

    `note`: the session's note as it stands, saved first (an edit of the version `base`,
    as set_session_note). Without `summary_text` the
    summary is the session's as it stands with that note, always masked: it is shown again to
    whoever opens the unit next.
    """
    with writing(engine) as session:
        conn = session.connection()
        if note is not None:
            _set_note(session, session_id, note, base)
        text = summary_text
        if text is None:
            text = summary_markdown(
                summary.session_summary(conn, sessions.require(conn, session_id)), masked=True
            )
        if not sessions.end(session, session_id, clean_text(text), utcnow()):
            raise InvalidInput(f"Fant ikke økten (id {session_id}).")


def _review(
    engine: Engine, session_id: int, employee_id: int, base: int | None, **values: Any
) -> int:
    with writing(engine) as session:
        conn = session.connection()
        # Purged from another terminal while the review was open: said, not a crash.
        if not sessions.employee_exists(conn, employee_id):
            raise InvalidInput(
                "Den ansatte finnes ikke lenger i databasen; vedkommende er slettet "
                "(naervaer purge) mens gjennomgangen var åpen."
            )
        if sessions.session_unit(conn, session_id) is None:
            raise InvalidInput("Møtet finnes ikke lenger i databasen; det er slettet.")
        return reviews.save(session, session_id, employee_id, values, base, utcnow())


def set_reviewed(
    engine: Engine, session_id: int, employee_id: int, reviewed: bool, base: int | None = None
) -> int:
    """Tick the employee as gone through (or not), as an edit of the review's version `base`
    (0: none was written; None: as it stands); the version after."""
    return _review(engine, session_id, employee_id, base, reviewed=bool(reviewed))


def set_review_note(
    engine: Engine, session_id: int, employee_id: int, text: str, base: int | None = None
) -> int:
    """The employee's note in the session, as set_reviewed; EditConflict (core.conflicts) if
    another advisor wrote another note since `base`."""
    return _review(engine, session_id, employee_id, base, note=clean_text(text))


def set_milestone_done(
    engine: Engine,
    employee_id: int,
    case_start: dt.date,
    milestone: str,
    done: bool,
    done_on: dt.date,
    session_id: int | None,
    base: int | None = None,
) -> int:
    """Mark the case's milestone done on `done_on` (or not done), as an edit of its version
    `base` (0: never marked; None: as it stands); the version after. EditConflict
    (core.conflicts) if another advisor marked or unmarked it since `base`."""
    if milestone not in MILESTONE_KEYS:
        raise InvalidInput(f"Ukjent milepæl «{milestone}».")
    with writing(engine) as session:
        return reviews.mark(
            session,
            employee_id,
            case_start,
            milestone,
            done_on if done else None,
            session_id,
            base,
            utcnow(),
        )


def milestone_changes(
    engine: Engine, employee_id: int, case_start: dt.date
) -> tuple[tuple[str, Change], ...]:
    """Who marked or unmarked the case's milestones done, and when: (milestone key, change),
    oldest first."""
    with reading(engine) as conn:
        return tuple(reviews.milestone_changes(conn, employee_id, case_start))


# --- the unit's presence factors and survey scores --------------------------------------------


def set_presence_factor(engine: Engine, unit_id: int, kind: str, position: int, text: str) -> None:
    if kind not in FACTOR_KINDS:
        raise InvalidInput(f"Ukjent type nærværsfaktor «{kind}».")
    if isinstance(position, bool) or position not in range(1, PRESENCE_POSITIONS + 1):
        raise InvalidInput(f"Plassen må være mellom 1 og {PRESENCE_POSITIONS}.")
    with writing(engine) as session:
        unit_profile.set_presence_factor(
            session, unit_id, kind, position, clean_text(text), utcnow()
        )


def set_survey_score(
    engine: Engine,
    unit_id: int,
    survey: str,
    factor: str,
    score: float | None,
    measured_on: dt.date | None = None,
) -> None:
    if survey not in SURVEYS:
        raise InvalidInput(f"Ukjent kartlegging «{survey}».")
    if factor not in KS_FACTORS:
        raise InvalidInput(f"Ukjent faktor «{factor}».")
    if score is not None:
        if (
            isinstance(score, bool)
            or not isinstance(score, int | float)
            or not math.isfinite(score)
            or not MIN_SCORE <= score <= MAX_SCORE
        ):
            raise InvalidInput("Poengsum må være mellom 1 og 5.")
        score = float(score)
    with writing(engine) as session:
        unit_profile.set_survey_score(
            session, unit_id, survey, factor, score, measured_on, utcnow()
        )
