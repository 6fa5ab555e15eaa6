"""`naervaer agenda` and `naervaer effect`: the use cases' figures, in Norwegian or as JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.effect import CAUTION
from tests.conftest import Builder
from tests.storage.test_agenda_usecase import unit  # noqa: F401 (the fixture)
from tests.storage.test_effect_usecase import units  # noqa: F401 (the fixture)
from tui.cli import EXIT_OK, EXIT_REJECTED, main

NB = "\u00a0"


def db_of(engine: Engine) -> str:
    return str(engine.url.database)


def test_agenda_in_norwegian_and_masked(unit: Engine, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert main(["--db", db_of(unit), "agenda", "--unit", "E1", "--as-of", "31.03.2025"]) == 0
    out = capsys.readouterr().out
    assert "Agenda for Eika sykehjem (E1) per 31.03.2025" in out
    assert "Siden sist: etter møtet 28.02.2025 (01.03.2025–31.03.2025)" in out
    assert "ansatt 1001  Aktivitetskrav  02.03.2025  utført" in out
    assert f"ansatt 1001: Vurder gradert sykmelding: 100{NB}% sykmeldt i 85 dager" in out
    assert "Holde fagdag med ansatt 1001" in out and "Kari" not in out
    assert "De neste 6 ukene (01.04.2025–12.05.2025)" in out
    assert f"Enhetens del av målet: nullpunkt 20,0{NB}% (3. kv. 2024), mål 19,0{NB}%" in out
    assert f"Mål per kvartal: 3,2 dagsverk (13{NB}440{NB}kr;" in out
    assert "Oppnådd: ingen sammenlignbart kvartal ennå" in out
    assert f"Trafikklys mot sektoren: rødt (20,0{NB}% mot sektorens 10,3{NB}%, 4. kv. 2024)" in out
    assert out.rstrip().endswith("Siden sist: 1 fullført, 1 nytt, 1 forfalt")

    assert (
        main(["--db", db_of(unit), "agenda", "--unit", "E1", "--as-of", "31.03.2025", "--names"])
        == 0
    )
    named = capsys.readouterr().out
    assert "Kari Nordmann: Vurder gradert sykmelding" in named and "Holde fagdag med Kari" in named

    assert main(["--db", db_of(unit), "agenda", "--unit", "E1", "--as-of", "15.10.2025"]) == 0
    later = capsys.readouterr().out
    assert (
        f"Oppnådd i 3. kv. 2025 (20,0{NB}%): 0,0 dagsverk (0{NB}kr); igjen: 3,3 dagsverk" in later
    )


def test_agenda_json_has_the_use_cases_figures(
    unit: Engine,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        main(["--db", db_of(unit), "agenda", "--unit", "E1", "--as-of", "2025-03-31", "--json"])
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert document["last_session"] == "2025-02-28"
    assert document["since"] == {"from": "2025-03-01", "to": "2025-03-31"}
    assert document["since_last"] == {
        "completed": 1,
        "new": 1,
        "overdue": 1,
        "line": "siden sist: 1 fullført, 1 nytt, 1 forfalt",
    }
    assert document["new_flags"][0]["employee_id"] == "1001"
    assert document["new_flags"][0]["employee_name"] is None
    assert document["new_flags"][0]["flag"] == "graded_review"
    assert document["milestones_passed"] == [
        {
            "employee_id": "1001",
            "employee_name": None,
            "case_start": "2025-01-06",
            "milestone": "activity_requirement",
            "due": "2025-03-02",
            "status": "done",
            "done_on": "2025-03-05",
        }
    ]
    assert document["goal"]["goal_workdays"] == pytest.approx(3.2)
    assert document["goal"]["achieved_workdays"] is None
    assert document["sector"]["light"] == "rod"
    assert document["sector"]["sector_pct"] == pytest.approx(10.3)


def test_agenda_hides_the_figure_of_fewer_than_5(
    build: Builder, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    build.unit(1, "E1", "Lia").employee(1, "1001", "Kari Ås")
    build.employment(1, 1, 100.0, dt.date(2024, 1, 1)).spell(1, dt.date(2025, 3, 3), None)
    assert main(["--db", db_of(engine), "agenda", "--unit", "E1", "--as-of", "31.03.2025"]) == 0
    out = capsys.readouterr().out
    assert "per 03.02.2025 *** (1 ansatt), nå *** (1 ansatt)" in out
    assert "*** = færre enn 5 ansatte" in out


def test_agenda_refusals(unit: Engine, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert main(["--db", db_of(unit), "agenda", "--unit", "E9"]) == EXIT_REJECTED
    assert "Fant ingen enhet med enhet_id 'E9'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:
        main(["--db", db_of(unit), "agenda"])
    assert refused.value.code == EXIT_REJECTED
    assert "disse må være med: --unit" in capsys.readouterr().err


def test_agenda_as_of_is_today_unless_given(
    unit: Engine,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command in (["agenda", "--unit", "E1"], ["effect"]):
        assert main(["--db", db_of(unit), *command, "--json"]) == EXIT_OK
        assert json.loads(capsys.readouterr().out)["as_of"] == dt.date.today().isoformat()


def test_effect_side_by_side_with_the_caution(
    units: Engine,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--db", db_of(units), "effect", "--as-of", "15.10.2025"]) == 0
    out = capsys.readouterr().out
    assert CAUTION in out
    eika = [line for line in out.splitlines() if line.startswith("E1 ") and "6 mnd" in line]
    assert len(eika) == 1
    assert f"10,0{NB}% (5 ansatte)" in eika[0] and f"20,0{NB}% (5 ansatte)" in eika[0]
    assert f"−10,0{NB}p.p." in eika[0]
    assert any("for få ansatte til å si noe" in line and "***" in line for line in out.splitlines())
    assert "1 fullført tiltak uten møte som viser når: ikke med" in out

    assert main(["--db", db_of(units), "effect", "--as-of", "2025-10-15", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    [kind] = document["kinds"]
    assert kind["units"] == 2 and kind["compared"] == 1
    assert kind["median_change_pp"] == pytest.approx(-10.0)
    bjorka = document["measures"][0]
    assert bjorka["before"] == {
        "from": "2025-01-01",
        "to": "2025-03-31",
        "pct": None,
        "persons": 4,
        "hidden": True,
    }


def test_demo_agenda_and_effect(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("NAERVAER_DB", raising=False)
    assert main(["--demo", "demo"]) == EXIT_OK
    capsys.readouterr()
    assert main(["--demo", "status", "--json"]) == EXIT_OK
    project = json.loads(capsys.readouterr().out)["groups"][0]["units"][0]["unit_id"]
    assert main(["--demo", "agenda", "--unit", project]) == EXIT_OK
    assert "Siden sist" in capsys.readouterr().out
    assert main(["--demo", "effect", "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["measures"]
