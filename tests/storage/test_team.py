"""The team on a server: advisors are login roles, and the database itself keeps each to the
personal data of their own units (row-level security), with figures for every unit."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.exc import ProgrammingError

from storage.db import open_server, transaction
from storage.figures import refresh_figures
from storage.models import (
    AbsenceSpell,
    Employee,
    Measure,
    Session,
    Unit,
    UnitMonthFigure,
    UnitPrognosisFigure,
)
from storage.repos import units
from storage.repos.figures import figures_as_of
from storage.usecases import team
from storage.usecases.forecast import prognosis
from storage.usecases.status import status_report
from tests.pg import Server
from tests.team import Team
from tui.cli import EXIT_OK, EXIT_REJECTED, main

pytest.importorskip("psycopg", reason="needs the server extra (psycopg)")

D = dt.date


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def spells_seen(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        rows = conn.execute(select(AbsenceSpell.employee_id).order_by(AbsenceSpell.employee_id))
        return list(rows.scalars())


def test_an_advisor_reads_only_the_people_of_their_own_units(crew: Team) -> None:
    anne = crew.as_login(crew.anne)
    assert spells_seen(anne) == [1]
    with anne.connect() as conn:
        assert conn.execute(select(Employee.number)).scalars().all() == ["100001"]
        # Even asked for by id, Berg's person and spell are not there.
        assert conn.execute(select(Employee).where(Employee.id == 2)).first() is None
        berg = text("SELECT count(*) FROM absence_spells WHERE unit_id = 2")
        assert conn.execute(berg).scalar() == 0
    assert spells_seen(crew.as_login(crew.bent)) == [2]


def test_every_advisor_reads_every_units_monthly_figures_and_the_unit_list(crew: Team) -> None:
    with crew.as_login(crew.anne).connect() as conn:
        units = conn.execute(select(UnitMonthFigure.unit_id).distinct()).scalars().all()
        assert sorted(units) == [1, 2]
        assert conn.execute(select(Unit.code).order_by(Unit.code)).scalars().all() == ["E1", "E2"]


def test_the_lead_reads_every_unit(crew: Team) -> None:
    assert spells_seen(crew.as_login(crew.leah)) == [1, 2]


def test_an_advisor_cannot_write_a_spell_into_another_advisors_unit(crew: Team) -> None:
    anne = crew.as_login(crew.anne)
    spell = {"employee_id": 1, "from_date": dt.date(2025, 4, 1), "absence_type": "egenmelding"}
    with anne.begin() as conn:  # into her own unit: allowed
        conn.execute(insert(AbsenceSpell), [{**spell, "unit_id": 1, "grade_pct": 100.0}])
    with pytest.raises(ProgrammingError, match="row-level security"), anne.begin() as conn:
        conn.execute(insert(AbsenceSpell), [{**spell, "unit_id": 2, "grade_pct": 100.0}])
    with pytest.raises(ProgrammingError, match="permission denied"), anne.begin() as conn:
        conn.execute(text("UPDATE unit_month_figures SET lost = 0"))
    assert spells_seen(crew.as_login(crew.leah)) == [1, 1, 2]


def test_the_team_is_listed_and_only_its_lead_or_the_owner_changes_it(
    crew: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", crew.url, "team", "list", "--json")
    assert code == EXIT_OK
    assert json.loads(out) == {
        "advisors": [
            {"login": crew.anne, "name": "Anne Rådgiver", "lead": False, "units": ["E1"]},
            {"login": crew.bent, "name": "Bent Rådgiver", "lead": False, "units": ["E2"]},
            {"login": crew.leah, "name": "Leah Leder", "lead": True, "units": []},
        ]
    }
    anne = crew.as_login(crew.anne)
    with pytest.raises(team.InvalidInput, match="Bare prosjektlederen eller databaseeieren"):
        team.assign(anne, crew.anne, ["E2"])
    leah = crew.as_login(crew.leah)
    with pytest.raises(team.InvalidInput, match="det krever retten CREATEROLE"):
        team.add_member(leah, crew.bent, "Bent", lead=True)  # a lead without the right
    team.assign(leah, crew.anne, ["E2"])  # the lead may
    assert spells_seen(anne) == [1, 2]
    team.unassign(crew.as_login(crew.leah), crew.anne, ["E1", "E2"])
    assert spells_seen(anne) == []
    assert team.me(anne) == team.Me(crew.anne, "Anne Rådgiver", lead=False, owner=False)


def test_a_new_login_is_made_without_a_password_and_that_is_said(
    pg_url: str, pg_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    login = f"nina_{secrets.token_hex(4)}"
    try:
        code, out, _ = run(capsys, "--db", pg_url, "team", "add", login, "--name", "Nina")
        assert code == EXIT_OK
        assert "uten passord: databaseadministratoren setter det" in out
        code, out, _ = run(capsys, "--db", pg_url, "team", "add", login, "--name", "Nina N")
        assert code == EXIT_OK and "uten passord" not in out  # already there: kept as it is
        code, _, err = run(capsys, "--db", pg_url, "team", "assign", login, "E9")
        assert code == EXIT_REJECTED and "Ukjent enhet: E9" in err
        code, _, err = run(capsys, "--db", pg_url, "team", "add", "Robert'); --", "--name", "R")
        assert code == EXIT_REJECTED and "ikke et gyldig brukernavn" in err
    finally:
        admin = pg_server.admin()
        with admin.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
        admin.dispose()


def test_a_database_file_has_no_team(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "naervaer.sqlite"
    assert run(capsys, "--db", str(path), "demo")[0] == EXIT_OK
    code, _, err = run(capsys, "--db", str(path), "team", "add", "anne", "--name", "Anne")
    assert code == EXIT_REJECTED
    assert "Et team trenger en felles database på en PostgreSQL-server" in err


def test_every_advisor_counts_every_units_people_without_seeing_them(crew: Team) -> None:
    """The headcount is a figure per unit: the unit list's groups and the small-number rule."""
    with crew.as_login(crew.anne).connect() as conn:
        assert units.headcount_on(conn, dt.date(2025, 6, 30)) == {1: 1, 2: 1}
        assert units.headcount_on(conn, dt.date(2025, 6, 30), 2) == {2: 1}
        assert conn.execute(select(Employee.id).where(Employee.id == 2)).first() is None


def test_every_advisors_status_overview_counts_every_units_measures_and_meetings(
    crew: Team,
) -> None:
    """Open and overdue measures and the last meeting are figures per unit: an advisor's status
    overview counts those of the other advisors' units too, and reads none of them."""
    owner = create_engine(crew.url)
    with owner.begin() as conn:
        conn.execute(
            insert(Session),
            [{"id": 1, "unit_id": 2, "session_type": "radgivning", "held_on": D(2025, 5, 2)}],
        )
        conn.execute(
            insert(Measure).values(unit_id=2, level="enhet"),
            [
                {"text": "Rutine", "due_date": D(2025, 5, 20), "status": "apen"},
                {"text": "Plan", "due_date": D(2025, 8, 1), "status": "apen"},
                {"text": "Ferdig", "due_date": D(2025, 5, 1), "status": "fullfort"},
            ],
        )
    owner.dispose()
    anne = crew.as_login(crew.anne)
    report = status_report(anne, D(2025, 6, 30))
    berg = report.units.set_index("code").loc["E2"]
    assert (berg["open_measures"], berg["overdue_measures"]) == (2, 1)
    assert berg["last_session"] == D(2025, 5, 2)
    with anne.connect() as conn:
        assert conn.execute(select(Measure.id)).first() is None
        assert conn.execute(select(Session.id)).first() is None


def test_every_advisor_reads_the_prognosis_of_every_unit_as_the_owner_computed_it(
    crew: Team,
) -> None:
    """The prognosis, kept with the monthly figures, is a figure per unit: an advisor's is the
    owner's, also for units whose people the advisor cannot read."""
    day = D(2025, 6, 30)
    owner = open_server(crew.url)
    with transaction(owner) as session:
        refresh_figures(session, day)
    computed = prognosis(owner, day).json()
    owner.dispose()
    assert prognosis(crew.as_login(crew.anne), day).json() == computed
    with crew.as_login(crew.anne).connect() as conn:
        seen = conn.execute(select(UnitPrognosisFigure.unit_id).distinct()).scalars()
        assert sorted(seen) == [1, 2]


def test_an_advisors_read_commands_leave_the_figures_to_the_lead(
    crew: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    """stats, groups and status bring the figures to today where the login may rebuild them;
    an advisor's would lack the other units, and the advisor may not write them."""
    anne = crew.login_url(crew.anne)
    period = ["--from", "01.01.2025", "--to", "31.03.2025", "--json"]
    code, out, err = run(capsys, "--db", anne, "stats", *period)
    assert (code, err) == (EXIT_OK, "")
    units_seen = {row["unit_id"]: row for row in json.loads(out)["units"]}
    assert set(units_seen) == {"E1", "E2"}
    assert run(capsys, "--db", anne, "groups", "--json")[0] == EXIT_OK
    with crew.as_login(crew.anne).connect() as conn:
        assert figures_as_of(conn) is None  # not rebuilt by the advisor


def test_the_lead_imports_on_the_server(
    crew: Team, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The lead imports (README, "For a team"): the ids come from the sequences, which the lead
    moves past the rows it writes."""
    units_file = tmp_path / "enheter.csv"
    units_file.write_text("enhet_id;enhet\nE3;Nygård barnehage\n", encoding="utf-8")
    code, _out, err = run(capsys, "--db", crew.login_url(crew.leah), "import", str(units_file))
    assert err == ""
    assert code == EXIT_OK
    with crew.as_login(crew.leah).connect() as conn:
        names = conn.execute(select(Unit.code, Unit.name).order_by(Unit.code)).all()
    assert [tuple(row) for row in names] == [
        ("E1", "Lia sykehjem"),
        ("E2", "Berg skole"),
        ("E3", "Nygård barnehage"),
    ]
