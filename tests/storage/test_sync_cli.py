"""`naervaer sync`, a meeting held on a replica with no server at all, and the read commands
on a replica: the same JSON as on the server for the units it holds."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.errors import InvalidInput
from core.measures import MeasureChange
from storage.db import open_database, open_server
from storage.figures import PROGNOSIS_QUARTERS
from storage.models import Employee, Session, Unit, UnitPrognosisFigure, UnitStatus
from storage.usecases import agenda, measures, project, sessions
from storage.usecases.importing import import_files, load_demo
from storage.usecases.maintenance import purge
from storage.usecases.review import review
from storage.usecases.settings import change_setting, current_settings, reset_setting
from storage.usecases.status import status_report
from storage.usecases.sync import sync, sync_status
from storage.usecases.units import ensure_figures_current
from tests.conftest import Builder, unreadable_without_the_passphrase
from tests.storage.sync_fixtures import Offline, offline, own_server
from tests.storage.test_sync import ADVICE
from tui.cli import EXIT_FAILED, EXIT_OK, EXIT_REJECTED, main

__all__ = ["offline", "own_server"]

DAY = dt.date(2025, 3, 12)


def test_a_meeting_from_start_to_summary_with_the_server_out_of_reach(
    offline: Offline, capsys: pytest.CaptureFixture[str]
):
    offline.server.halt()
    anne = offline.anne
    assert agenda.unit_agenda(anne, "E1", DAY).name == "Lia sykehjem"
    started = sessions.start_or_resume(anne, 1, ADVICE, DAY)
    session_id = started.session_id
    assert session_id is not None
    seen = review(anne, session_id, 1, DAY)
    assert [d.employee_id for d in seen.details] == [1]
    sessions.set_reviewed(anne, session_id, 1, True)
    sessions.set_review_note(anne, session_id, 1, "Tilbake i full stilling fra mai")
    sessions.set_milestone_done(
        anne, 1, dt.date(2025, 3, 3), "followup_plan", True, DAY, session_id
    )
    measure = measures.add_measure(
        anne, 1, "enhet", "Felles rutine", due_date=dt.date(2025, 5, 1), session_id=session_id
    )
    measures.change_measure(anne, measure, session_id, MeasureChange(comment="Leder følger opp"))
    sessions.set_session_note(anne, session_id, "Godt møte")
    sessions.end_session(anne, session_id)
    summary = sessions.session_summary(anne, session_id)
    assert summary.note == "Godt møte"
    assert [m.text for m in summary.measures_agreed] == ["Felles rutine"]
    waiting = sync_status(anne)
    assert waiting is not None and waiting.pending > 0
    anne.dispose()

    replica = str(offline.anne_path)
    assert main(["--db", replica, "sync"]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "Får ikke kontakt" in err and f"{waiting.pending} endringer venter" in err
    assert "Traceback" not in err

    offline.server.resume()
    assert main(["--db", replica, "sync"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == (
        f"Sendt {waiting.pending} endringer, hentet 1 enhet."
    )
    lead = offline.team.as_login(offline.team.leah)
    with lead.connect() as conn:
        note, ended = conn.execute(select(Session.note, Session.ended_at)).one()
    assert note == "Godt møte" and ended is not None


READS = (
    ["stats", "--from", "01.01.2025", "--to", "31.03.2025", "--json"],
    ["groups", "--as-of", "2025-06-30", "--json"],
    ["cases", "--as-of", "2025-03-05", "--json"],
    ["forecast", "--as-of", "2025-06-30", "--json"],
    ["forecast", "--json"],  # today's: the prognosis the server keeps with its figures
)
# `groups` on the server rebuilds the monthly figures when they are older than today, which
# only a lead may: read there as the lead (the same figures for Lia, and Lia's headcount).
READER = {"groups": "leah", "forecast --json": "leah"}


def held(document: dict[str, object]) -> dict[str, object]:
    """The document with its units list cut to Lia, the unit the replica holds people of."""
    units = document.get("units")
    if isinstance(units, list):
        document = {**document, "units": [u for u in units if u["unit_id"] == "E1"]}
    return document


@pytest.mark.parametrize("command", READS, ids=lambda c: "-".join(c[:2]))
def test_a_read_command_gives_on_the_replica_what_the_server_gives(
    offline: Offline, command: list[str], capsys: pytest.CaptureFixture[str]
):
    capsys.readouterr()
    reader = getattr(offline.team, READER.get(" ".join(command), READER.get(command[0], "anne")))
    assert main(["--db", offline.team.login_url(reader), *command]) == EXIT_OK
    on_server = json.loads(capsys.readouterr().out)
    sync(offline.anne)  # the figures as the server has them now (the lead's read rebuilt them)
    offline.server.halt()  # offline
    assert main(["--db", str(offline.anne_path), *command]) == EXIT_OK
    on_replica = json.loads(capsys.readouterr().out)
    assert held(on_replica) == held(on_server)
    assert held(on_server) != {**on_server, "units": []}  # Lia is in it


def test_sync_refuses_a_server_as_the_replica_and_a_file_that_is_none(
    offline: Offline, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    assert main(["--db", offline.owner_url, "sync"]) == EXIT_REJECTED
    assert "--db er den lokale kopien" in capsys.readouterr().err
    plain = tmp_path / "egen.sqlite"
    open_database(plain).dispose()
    assert main(["--db", str(plain), "sync"]) == EXIT_REJECTED
    assert "ikke en lokal kopi" in capsys.readouterr().err
    assert main(["--db", str(tmp_path / "ingen.sqlite"), "sync"]) == EXIT_REJECTED
    assert "Fant ingen lokal kopi" in capsys.readouterr().err
    assert not (tmp_path / "ingen.sqlite").exists()


def test_sync_with_server_makes_the_replica_and_remembers_the_server_without_password(
    offline: Offline, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    replica = tmp_path / "ny" / "kopi.sqlite"
    with_password = offline.team.login_url(offline.team.bent).replace("@/", ":hemmelig@/")
    assert main(["--db", str(replica), "sync", "--server", with_password]) == EXIT_OK
    assert "Lokal kopi laget" in capsys.readouterr().out
    assert b"hemmelig" not in replica.read_bytes()
    assert main(["--db", str(replica), "sync"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == "Sendt 0 endringer, hentet 1 enhet."
    assert oct(replica.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    "command",
    [["purge", "--employee", "100001"], ["project", "add", "E1"], ["demo"]],
    ids=lambda c: c[0],
)
def test_what_is_the_servers_is_refused_on_a_replica(
    offline: Offline, command: list[str], capsys: pytest.CaptureFixture[str]
):
    """A purge there would go to the server as the advisor's own deletions."""
    offline.anne.dispose()
    assert main(["--db", str(offline.anne_path), *command]) == EXIT_REJECTED
    assert "gjøres på serveren" in capsys.readouterr().err
    status = sync_status(offline.anne)
    assert status is not None and status.pending == 0
    with offline.anne.connect() as conn:
        assert conn.execute(select(Session.id)).first() is None
        assert conn.execute(select(Employee.number)).scalars().all() == ["100001"]


def test_an_encrypted_replica(offline: Offline, tmp_path: Path):
    from storage.usecases.sync import create_replica

    path = tmp_path / "kryptert" / "kopi.sqlite"
    engine = create_replica(path, offline.team.login_url(offline.team.anne), "et langt passord")
    try:
        assert unreadable_without_the_passphrase(path)
        measures.add_measure(engine, 1, "enhet", "Felles rutine")
        assert sync(engine).pushed == 1
    finally:
        engine.dispose()


def test_a_replica_is_not_made_while_the_server_is_out_of_reach(
    offline: Offline, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    offline.server.halt()
    replica = tmp_path / "ny" / "kopi.sqlite"
    url = offline.team.login_url(offline.team.bent)
    assert main(["--db", str(replica), "sync", "--server", url]) == EXIT_FAILED
    assert "Får ikke kontakt" in capsys.readouterr().err
    assert not replica.exists()


def test_a_replica_keeps_the_servers_prognosis_of_every_unit(offline: Offline):
    """The prognosis the server keeps with its figures comes with each sync, for every unit
    (the replica holds the people of its own units only)."""
    lead = offline.team.as_login(offline.team.leah)
    ensure_figures_current(lead)  # the lead's start: the figures and the prognosis of today
    with lead.connect() as conn:
        kept = conn.execute(select(func.count()).select_from(UnitPrognosisFigure)).scalar_one()
    assert kept == 2 * PROGNOSIS_QUARTERS  # Lia and Berg
    sync(offline.anne)
    with offline.anne.connect() as conn:
        units = conn.execute(select(UnitPrognosisFigure.unit_id).distinct()).scalars().all()
    assert sorted(units) == [1, 2]


def test_a_replica_keeps_the_servers_status_of_every_unit(offline: Offline):
    """The status the server stores with its figures comes with each sync, for every unit: the
    replica's status overview reads it as the server's does."""
    owner = open_server(offline.owner_url)
    for person in (1, 2):  # since 2020: the figures reach back as far as the status reads
        Builder(owner).employment(person, person, 100.0, dt.date(2020, 1, 1), dt.date(2024, 12, 31))
    ensure_figures_current(offline.team.as_login(offline.team.leah))
    on_server = status_report(owner, dt.date.today())
    owner.dispose()
    sync(offline.anne)
    with offline.anne.connect() as conn:
        units = conn.execute(select(UnitStatus.unit_id)).scalars().all()
    assert sorted(units) == [1, 2]
    on_replica = status_report(offline.anne, dt.date.today())
    columns = ["code", "headcount", "target_group", "last_four_lost", "last_four_possible"]
    assert on_replica.units[columns].equals(on_server.units[columns])


def test_a_setting_is_not_changed_on_a_replica(offline: Offline):
    """The settings are the server's, replaced by each sync: changed on a replica they would be
    lost at the next one, so they are refused there, saying why, and nothing is stored."""
    before = current_settings(offline.anne)
    with pytest.raises(InvalidInput, match="hentes fra serveren"):
        change_setting(offline.anne, "cost_per_day", 5000.0)
    with pytest.raises(InvalidInput, match="hentes fra serveren"):
        reset_setting(offline.anne, "cost_per_day")
    assert current_settings(offline.anne) == before


def test_the_apps_import_and_project_changes_are_refused_on_a_replica(
    offline: Offline, tmp_path: Path
):
    """The app's ways to the server's data (the import screen, joining and leaving the project)
    are refused by the use cases themselves: written here, the next sync would undo them."""
    units_file = tmp_path / "enheter.csv"
    units_file.write_text("enhet_id;enhet\nE3;Nygård barnehage\n", encoding="utf-8")
    today = dt.date.today()
    refused = (
        lambda: import_files(offline.anne, [units_file]),
        lambda: project.join_project(offline.anne, ["E1"], today),
        lambda: project.leave_project(offline.anne, ["E1"], today),
        lambda: purge(offline.anne, employee_number="100001"),
        lambda: load_demo(offline.anne, replace=True),
    )
    for attempt in refused:
        with pytest.raises(InvalidInput, match="gjøres på serveren"):
            attempt()
    with offline.anne.connect() as conn:
        assert conn.execute(select(Unit.code).order_by(Unit.code)).scalars().all() == ["E1", "E2"]
        assert conn.execute(select(Employee.number)).scalars().all() == ["100001"]
    status = sync_status(offline.anne)
    assert status is not None and status.pending == 0
