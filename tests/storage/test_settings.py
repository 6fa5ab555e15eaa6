"""Settings: DOMAIN.md's defaults, Norwegian validation, the round trip through the database."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, insert, select

from core.errors import InvalidInput
from core.settings import FIELD, SETTING_FIELDS, Settings
from storage.db import transaction
from storage.models import Setting
from storage.repos.settings import load_settings
from storage.usecases.reports import groups_of
from storage.usecases.settings import change_setting, current_settings, reset_setting
from tests.conftest import Builder
from tui.cli import main

pytestmark = pytest.mark.both_backends

D = dt.date


def test_the_defaults_are_the_domain_briefs() -> None:
    settings = Settings()
    assert settings.group_rules().large_unit_headcount == 100
    assert (settings.avg_threshold_pct, settings.any_size_threshold_pct) == (11.0, 16.0)
    assert settings.goal_pp == 1.0
    assert (settings.baseline_quarter, settings.project_start) == ("2024Q3", D(2024, 10, 1))
    assert (settings.cost_per_day, settings.workdays_per_year, settings.fte) == (
        4200.0,
        230.0,
        15000.0,
    )
    assert settings.cost_source == "SINTEF/NAV/Falck"
    assert settings.flag_rules().self_cert_rule == "utvidet"
    assert settings.retention_years == 5


@pytest.mark.parametrize(
    ("key", "typed", "value"),
    [
        ("cost_per_day", "4.200 kr", 4200.0),  # as the project's slides write it
        ("cost_per_day", "2 600", 2600.0),
        ("fte", "15\u00a0000", 15000.0),
        ("avg_threshold_pct", "11,5 %", 11.5),
        ("goal_pp", "−1,0 p.p.", 1.0),  # a goal is a reduction, whichever sign is typed
        ("large_unit_headcount", "120", 120),
        ("baseline_quarter", "2025-q1", "2025Q1"),
        ("baseline_quarter", "3. kv. 2024", "2024Q3"),  # as the app shows it
        ("project_start", "1.2.2025", D(2025, 2, 1)),
        ("self_cert_rule", " Nasjonal ", "nasjonal"),
    ],
)
def test_typed_values_are_read_the_norwegian_way(key: str, typed: str, value: object) -> None:
    assert FIELD[key].parse(typed) == value


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        ("cost_per_day", "mye", "Kostnaden per fraværsdag: «mye» er ikke et tall."),
        ("fte", "", "Årsverk i kommunen: skriv inn et tall."),
        ("large_unit_headcount", "10,5", "Grensen for store enheter må være et helt tall."),
        ("baseline_quarter", "2024Q5", "er ikke et kvartal"),
        ("project_start", "31.02.2024", "er ikke en gyldig dato"),
        ("self_cert_rule", "streng", "velg «utvidet» eller «nasjonal»"),
    ],
)
def test_what_cannot_be_read_is_told_in_norwegian(key: str, typed: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        FIELD[key].parse(typed)


def test_the_baseline_quarter_stands_in_its_field_as_the_app_shows_it() -> None:
    field = FIELD["baseline_quarter"]
    assert field.text("2024Q3") == "3. kv. 2024" == field.show("2024Q3")
    assert field.parse(field.text("2024Q3")) == "2024Q3"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("avg_threshold_pct", 0.0, "Grensen for snittet må være over 0 og høyst 100"),
        ("workdays_per_year", 400.0, "Arbeidsdager per år må være mellom 1 og 366"),
        ("retention_years", 0, "Oppbevaringstiden må være mellom 1 og 100"),
        ("any_size_threshold_pct", 10.0, "kan ikke være lavere enn grensen for snittet"),
    ],
)
def test_values_out_of_bounds_are_refused(key: str, value: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Settings().with_value(key, value)


def test_every_setting_round_trips_and_resets(engine: Engine) -> None:
    changed = {
        "large_unit_headcount": 80,
        "avg_threshold_pct": 10.5,
        "any_size_threshold_pct": 15.0,
        "goal_pp": 0.5,
        "baseline_quarter": "2025Q1",
        "project_start": D(2025, 4, 1),
        "cost_per_day": 2600.0,
        "workdays_per_year": 225.0,
        "fte": 9000.0,
        "self_cert_rule": "nasjonal",
        "retention_years": 3,
        "advisor_name": "Kari Rådgiver",
    }
    assert set(changed) == {field.key for field in SETTING_FIELDS}
    for key, value in changed.items():
        change_setting(engine, key, value)
    with engine.connect() as conn:
        stored = load_settings(conn)
    assert stored == Settings(**changed)  # type: ignore[arg-type]

    for key in changed:
        reset_setting(engine, key)
    with engine.connect() as conn:
        assert load_settings(conn) == Settings()
        # A reset removes the value, so that the default stays the default.
        keys = set(conn.execute(select(Setting.key)).scalars())
    assert not keys & set(changed)


def test_a_refused_value_leaves_the_database_as_it_was(engine: Engine) -> None:
    change_setting(engine, "avg_threshold_pct", 12.0)
    with pytest.raises(InvalidInput, match="kan ikke være lavere"):
        change_setting(engine, "any_size_threshold_pct", 11.5)
    with engine.connect() as conn:
        settings = load_settings(conn)
    assert (settings.avg_threshold_pct, settings.any_size_threshold_pct) == (12.0, 16.0)


def test_limits_valid_only_together_are_read_together(engine: Engine) -> None:
    # 5 % and 8 % are each refused against the other's default, but fine as a pair.
    with transaction(engine) as session:
        session.execute(
            insert(Setting),
            [
                {"key": "avg_threshold_pct", "value": "5.0"},
                {"key": "any_size_threshold_pct", "value": "8.0"},
            ],
        )
    with engine.connect() as conn:
        settings = load_settings(conn)
    assert (settings.avg_threshold_pct, settings.any_size_threshold_pct) == (5.0, 8.0)


def test_a_broken_stored_value_falls_back_to_its_default(engine: Engine) -> None:
    with transaction(engine) as session:
        session.execute(
            insert(Setting),
            [
                {"key": "cost_per_day", "value": json.dumps("mye")},
                {"key": "project_start", "value": "not json"},
                {"key": "fte", "value": json.dumps(12000)},
            ],
        )
    with engine.connect() as conn:
        settings = load_settings(conn)
    assert settings.cost_per_day == 4200.0
    assert settings.project_start == D(2024, 10, 1)
    assert settings.fte == 12000


def test_a_changed_threshold_changes_a_units_group(build: Builder, engine: Engine) -> None:
    # 5 people, one of them sick for the whole two years: 20 % whatever the size.
    build.unit(1, "E1", "Lia sykehjem")
    for person in range(1, 6):
        build.employee(person, f"100{person}").employment(person, 1, 100.0, D(2020, 1, 1))
    build.spell(1, D(2022, 10, 1), D(2024, 9, 30)).refresh(D(2025, 11, 24))
    as_of = D(2024, 10, 1)
    with engine.connect() as conn:
        before = groups_of(conn, as_of).iloc[0]
    assert before["target_group"] == 1
    assert "over 16 % uansett størrelse" in before["reason"]

    change_setting(engine, "any_size_threshold_pct", 25.0)
    with engine.connect() as conn:
        after = groups_of(conn, as_of).iloc[0]
    assert after["target_group"] == 2
    assert after["reason"].startswith("Målgruppe 2: 5 ansatte (100 eller færre)")

    change_setting(engine, "large_unit_headcount", 4)
    with engine.connect() as conn:
        assert groups_of(conn, as_of).iloc[0]["target_group"] == 1


def test_naervaer_savings_uses_the_stored_assumptions(
    engine: Engine, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    change_setting(engine, "cost_per_day", 2600.0)
    change_setting(engine, "fte", 10000.0)
    db = db_url
    assert main(["savings", "--db", db, "--reduction-pp", "1", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["cost_per_day"], document["fte"], document["workdays"]) == (
        2600.0,
        10000.0,
        230.0,
    )
    assert document["savings_nok"] == pytest.approx(1 * 10000 / 100 * 2600 * 230)
    # What is given on the command line wins.
    assert main(["savings", "--db", db, "--reduction-pp", "1", "--fte", "100", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["fte"] == 100.0


def test_a_setting_changed_twice_is_one_row_with_the_last_value(engine: Engine) -> None:
    """The second change updates the stored row (an upsert), it does not add one."""
    change_setting(engine, "goal_pp", 2.0)
    assert change_setting(engine, "goal_pp", 3.0).goal_pp == 3.0
    assert current_settings(engine).goal_pp == 3.0
    with engine.connect() as conn:
        rows = conn.execute(select(Setting.value).where(Setting.key == "goal_pp")).all()
    assert [json.loads(value) for (value,) in rows] == [3.0]
