"""A PostgreSQL server by its URL: connecting, the schema its owner upgrades, and the messages
for a server that can't be reached, a wrong password, a missing database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import URL, select, text

from storage.db import (
    SCHEMA_REVISION,
    DatabaseError,
    alembic_config,
    make_engine,
    open_database,
    open_server,
    server_url,
    shown_url,
    stored_revision,
)
from storage.models import ProjectMembership
from tests.pg import LOGIN, Server
from tui.cli import EXIT_OK, EXIT_REJECTED, main

pytest.importorskip("psycopg", reason="needs the server extra (psycopg)")

NOWHERE = "postgresql+psycopg://advisor@127.0.0.1:1/naervaer"  # port 1: nothing listens


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def without_password(url: str) -> str:
    u = server_url(url)
    bare = URL.create(u.drivername, u.username, None, u.host, u.port, u.database)
    return bare.render_as_string(hide_password=False)


def test_a_url_is_shown_with_its_password_hidden() -> None:
    assert shown_url("postgresql+psycopg://advisor:hemmelig@db.example/naervaer") == (
        "postgresql+psycopg://advisor:***@db.example/naervaer"
    )
    assert shown_url("postgresql+psycopg://advisor@db.example/naervaer") == (
        "postgresql+psycopg://advisor@db.example/naervaer"
    )
    # Not even a URL SQLAlchemy can't read shows its password.
    assert "hemmelig" not in shown_url("postgresql+psycopg://advisor:hemmelig@db:x:y/n")


def test_a_plain_postgresql_url_runs_on_psycopg_3() -> None:
    assert server_url("postgresql://advisor@db/naervaer").drivername == "postgresql+psycopg"


def test_a_url_of_another_database_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", "mysql://advisor@db/naervaer", "stats", "--from",
                       "01.01.2025", "--to", "31.01.2025")  # fmt: skip
    assert code == EXIT_REJECTED
    assert "ikke mysql" in err
    assert "Traceback" not in err


def test_a_server_that_cannot_be_reached_is_said_in_norwegian_and_makes_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "--db", NOWHERE, "groups")
    assert code == EXIT_REJECTED
    assert "Får ikke kontakt med databaseserveren 127.0.0.1:1" in err
    assert list(tmp_path.iterdir()) == []  # the URL was never taken for a path


def test_a_server_on_a_socket_is_named_by_its_folder_when_it_cannot_be_reached(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # libpq takes a socket's folder and the port from the URL's query; the message names them,
    # not a server on localhost:5432 that was never asked.
    url = f"postgresql+psycopg://anne@/naervaer?host={tmp_path}&port=5999"
    code, _, err = run(capsys, "--db", url, "groups")
    assert code == EXIT_REJECTED
    assert f"Får ikke kontakt med databaseserveren {tmp_path}:5999." in err


def test_the_same_through_naervaer_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NAERVAER_DB", NOWHERE)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "cases")
    assert code == EXIT_REJECTED
    assert "Får ikke kontakt" in err


@pytest.mark.parametrize("argv", [["backup"], ["restore", "kopi.sqlite"], ["encrypt"], ["decrypt"]])
def test_file_only_commands_point_a_server_to_its_own_backup(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://advisor:hemmelig@db.example/naervaer"
    code, _, err = run(capsys, "--db", url, *argv)
    assert code == EXIT_REJECTED
    assert f"naervaer {argv[0]} gjelder en databasefil" in err
    assert "pg_dump" in err
    assert "hemmelig" not in err
    assert "advisor:***@db.example" in err


def test_db_upgrade_on_a_file_upgrades_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "naervaer.sqlite"
    code, _, err = run(capsys, "--db", str(path), "db", "upgrade")
    assert code == EXIT_REJECTED  # a missing file is not made by it
    assert "Fant ingen database" in err
    open_database(path).dispose()
    code, out, _ = run(capsys, "--db", str(path), "db", "upgrade")
    assert code == EXIT_OK
    assert f"har skjemaversjon {SCHEMA_REVISION}" in out


def test_the_migrations_run_on_postgresql_and_an_old_schema_is_refused_until_upgraded(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(server_url(pg_url))
    config = alembic_config(engine)
    command.downgrade(config, "0001")
    with engine.begin() as conn:  # a unit that joined the project under the first schema
        conn.execute(
            text(
                "INSERT INTO units (code, name, project_joined_on) "
                "VALUES ('E1', 'Lia', '2025-03-01')"
            )
        )
    with pytest.raises(DatabaseError) as refused:
        open_server(pg_url)
    assert str(refused.value) == (
        "Databasen på serveren har skjemaversjon 0001, denne versjonen av Nærvær trenger "
        f"{SCHEMA_REVISION}. "
        f"Databaseeieren må kjøre: naervaer --db {shown_url(pg_url)} db upgrade"
    )
    code, out, _ = run(capsys, "--db", pg_url, "db", "upgrade")
    assert code == EXIT_OK
    assert f"er oppgradert fra 0001 til {SCHEMA_REVISION}" in out
    assert "***" in out and server_url(pg_url).password not in out
    upgraded = open_server(pg_url)
    with upgraded.connect() as conn:
        joined = conn.execute(
            select(ProjectMembership.joined_on, ProjectMembership.baseline_quarter)
        ).all()
    assert joined == [(dt.date(2025, 3, 1), "2024Q4")]
    upgraded.dispose()
    code, out, _ = run(capsys, "--db", pg_url, "db", "upgrade")
    assert code == EXIT_OK
    assert f"har allerede skjemaversjon {SCHEMA_REVISION}. Ingenting endret." in out
    engine.dispose()


def test_a_schema_newer_than_this_version_is_refused_and_left_alone(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(server_url(pg_url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(DatabaseError, match="har skjemaversjon 0099, som er nyere enn denne"):
        open_server(pg_url)
    code, _, err = run(capsys, "--db", pg_url, "db", "upgrade")
    assert code == EXIT_REJECTED
    assert "Oppgrader Nærvær på denne maskinen" in err
    assert stored_revision(engine) == "0099"
    engine.dispose()


def test_an_empty_database_gets_its_schema_from_db_upgrade(
    pg_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = pg_server.admin()
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE empty_one OWNER {LOGIN}"))
    url = pg_server.url("empty_one")
    code, _, err = run(capsys, "--db", url, "groups")
    assert code == EXIT_REJECTED
    assert "har ikke Nærværs skjema ennå. Databaseeieren må kjøre: naervaer --db" in err
    code, out, _ = run(capsys, "--db", url, "db", "upgrade")
    assert code == EXIT_OK
    assert f"er oppgradert fra tom til {SCHEMA_REVISION}." in out
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE empty_one WITH (FORCE)"))
    admin.dispose()


def test_a_wrong_password_is_said_and_never_shown(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = server_url(pg_url).set(password="feil-passord-42").render_as_string(False)
    code, out, err = run(capsys, "--db", wrong, "groups")
    assert code == EXIT_REJECTED
    assert f"avviste innloggingen som {LOGIN}: passordet er feil eller mangler" in err
    assert "feil-passord-42" not in out + err


def test_the_password_comes_from_pgpassword(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = without_password(pg_url)
    code, _, err = run(capsys, "--db", bare, "db", "upgrade")
    assert code == EXIT_REJECTED
    assert "passordet er feil eller mangler" in err
    monkeypatch.setenv("PGPASSWORD", str(server_url(pg_url).password))
    code, _, _ = run(capsys, "--db", bare, "db", "upgrade")
    assert code == EXIT_OK


def test_the_password_comes_from_pgpass(
    pg_url: str, pg_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    pgpass = Path.home() / ".pgpass"
    pgpass.write_text(f"127.0.0.1:{pg_server.port}:*:{LOGIN}:{pg_server.password}\n")
    pgpass.chmod(0o600)
    code, _, _ = run(capsys, "--db", without_password(pg_url), "db", "upgrade")
    assert code == EXIT_OK


def test_a_missing_database_says_who_must_make_it(
    pg_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--db", pg_server.url("finnes_ikke"), "db", "upgrade")
    assert code == EXIT_REJECTED
    assert f"Databasen finnes_ikke finnes ikke på serveren 127.0.0.1:{pg_server.port}" in err
    assert pg_server.password not in err


def test_the_migrated_schema_on_the_server_is_the_models(pg_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from storage.models import Base

    engine = make_engine(server_url(pg_url))
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert differences == []
