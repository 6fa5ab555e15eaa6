"""The prognosis on hand-built units, checked by hand, and its back-test on the demo data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, select, update

from core.calendar import default_calendar
from core.errors import UnknownUnit
from storage.figures import PROGNOSIS_COLUMNS, PROGNOSIS_QUARTERS, compute_prognoses
from storage.models import UnitPrognosisFigure
from storage.usecases.forecast import backtest, prognosis
from storage.usecases.importing import load_demo
from tests.conftest import Builder

pytestmark = pytest.mark.both_backends

D = dt.date
AS_OF = D(2025, 8, 15)  # a Friday in 2025Q3
QUARTER_KEYS = {"quarter", "known_pct", "expected_pct", "pct"}


def workdays(start: dt.date, end: dt.date) -> int:
    return default_calendar().count(start, end)


Q3 = workdays(D(2025, 7, 1), D(2025, 9, 30))
Q4 = workdays(D(2025, 10, 1), D(2025, 12, 31))
Q1 = workdays(D(2026, 1, 1), D(2026, 3, 31))


def quarters_of(result: dict[str, Any], code: str) -> dict[str, dict[str, Any]]:
    units = {unit["unit_id"]: unit for unit in result["units"]}
    return {q["quarter"]: q for q in units[code]["quarters"]}


def test_a_sick_note_through_the_next_quarter_is_known_in_full(
    build: Builder, engine: Engine
) -> None:
    (
        build.unit(1, "E1", "Lia sykehjem")
        .employee(1, "1001")
        .employment(1, 1, 100.0, D(2020, 1, 1))
        .spell(1, D(2025, 8, 4), D(2026, 1, 15))
        .refresh(AS_OF)
    )
    result = prognosis(engine, AS_OF).json()
    quarters = quarters_of(result, "E1")
    assert list(quarters) == ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]
    # No absence in the history: the model expects nothing, so all is known.
    q3 = quarters["2025Q3"]
    assert q3["known_pct"] == pytest.approx(workdays(D(2025, 8, 4), D(2025, 9, 30)) / Q3 * 100)
    assert (q3["expected_pct"], q3["pct"]) == pytest.approx((0.0, q3["known_pct"]))
    assert quarters["2025Q4"] == {
        "quarter": "2025Q4",
        "known_pct": pytest.approx(100.0),
        "expected_pct": 0.0,
        "pct": pytest.approx(100.0),
    }
    q1 = quarters["2026Q1"]
    assert q1["known_pct"] == pytest.approx(workdays(D(2026, 1, 1), D(2026, 1, 15)) / Q1 * 100)
    assert quarters["2026Q2"]["pct"] == 0.0


def test_last_years_quarter_is_expected_less_what_the_notes_already_hold(
    build: Builder, engine: Engine
) -> None:
    (
        build.unit(1, "E1", "Lia sykehjem")
        .employee(1, "1001")
        # One year of history (2024Q3–2025Q2): the model is the same quarter last year.
        .employment(1, 1, 100.0, D(2024, 7, 1))
        .spell(1, D(2024, 10, 1), D(2024, 12, 31))
        .spell(1, D(2025, 8, 4), D(2025, 10, 31))
        .refresh(AS_OF)
    )
    quarters = quarters_of(prognosis(engine, AS_OF).json(), "E1")
    q3 = quarters["2025Q3"]
    assert q3["known_pct"] == pytest.approx(workdays(D(2025, 8, 4), D(2025, 9, 30)) / Q3 * 100)
    assert q3["expected_pct"] == pytest.approx(0.0)
    # Last Q4 was all sick (100 %). October is on a sick note; the rest is expected.
    q4 = quarters["2025Q4"]
    assert q4["known_pct"] == pytest.approx(workdays(D(2025, 10, 1), D(2025, 10, 31)) / Q4 * 100)
    assert q4["expected_pct"] == pytest.approx(workdays(D(2025, 11, 1), D(2025, 12, 31)) / Q4 * 100)
    assert q4["pct"] == pytest.approx(100.0)
    assert quarters["2026Q1"]["pct"] == pytest.approx(0.0)


def test_open_spells_count_to_the_as_of_day_and_employments_as_known(
    build: Builder, engine: Engine
) -> None:
    (
        build.unit(1, "E1", "Lia sykehjem")
        .employee(1, "1001")
        .employee(2, "1002")
        .employee(3, "1003")
        .employment(1, 1, 100.0, D(2020, 1, 1))
        .employment(2, 1, 50.0, D(2020, 1, 1), D(2025, 10, 31))
        .employment(3, 1, 100.0, D(2025, 9, 1))  # hired after the as-of day: not known yet
        .spell(1, D(2025, 8, 4), None)
        .spell(2, D(2025, 8, 11), D(2025, 12, 31))
        .refresh(AS_OF)
    )
    quarters = quarters_of(prognosis(engine, AS_OF, quarters=2).json(), "E1")
    assert list(quarters) == ["2025Q3", "2025Q4"]
    # The open spell counts up to the as-of day, the sick note to its end.
    known = workdays(D(2025, 8, 4), AS_OF) + 0.5 * workdays(D(2025, 8, 11), D(2025, 9, 30))
    assert quarters["2025Q3"]["known_pct"] == pytest.approx(known / (1.5 * Q3) * 100)
    # In Q4 the 50 % employment ends with October, and so does what its sick note can lose.
    october = workdays(D(2025, 10, 1), D(2025, 10, 31))
    assert quarters["2025Q4"]["known_pct"] == pytest.approx(
        0.5 * october / (Q4 + 0.5 * october) * 100
    )
    assert quarters["2025Q4"]["expected_pct"] == 0.0  # no absence in the history


@pytest.fixture
def town(build: Builder) -> Builder:
    (
        build.unit(1, "E1", "Lia sykehjem")
        .unit(2, "E2", "Berg skole")
        .unit(3, "E3", "Nytt kontor")
        .employee(1, "1001")
        .employee(2, "1002")
        .employee(3, "1003")
        .employee(4, "1004")
        .employment(1, 1, 100.0, D(2020, 1, 1))
        .employment(2, 1, 50.0, D(2020, 1, 1))
        .employment(3, 2, 80.0, D(2020, 1, 1))
        .employment(4, 3, 100.0, D(2025, 3, 1))
        .spell(1, D(2024, 1, 8), D(2024, 3, 1))
        .spell(2, D(2024, 11, 4), D(2024, 11, 8), kind="egenmelding")
        .spell(3, D(2023, 9, 4), D(2023, 12, 22), grade=50.0)
        .spell(3, D(2025, 2, 3), D(2025, 2, 14))
        .spell(1, D(2025, 7, 28), D(2025, 9, 19))
        .spell(4, D(2025, 8, 11), D(2025, 8, 12), kind="egenmelding")
        .refresh(AS_OF)
    )
    return build


def test_the_json_is_exactly_the_contract(town: Builder, engine: Engine) -> None:
    result = prognosis(engine, AS_OF).json()
    assert json.loads(json.dumps(result)) == result
    assert set(result) == {"as_of", "units"}
    assert result["as_of"] == "2025-08-15"
    assert [u["unit_id"] for u in result["units"]] == ["E2", "E1", "E3"]  # by name
    for unit in result["units"]:
        assert set(unit) == {"unit_id", "name", "quarters"}
        assert [q["quarter"] for q in unit["quarters"]] == ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]
        for quarter in unit["quarters"]:
            assert set(quarter) == QUARTER_KEYS
            assert all(
                v is None or isinstance(v, float) for k, v in quarter.items() if k != "quarter"
            )
    # Less than a year of history: the expected part and the whole are unknown (null).
    new = quarters_of(result, "E3")["2025Q4"]
    assert new == {"quarter": "2025Q4", "known_pct": 0.0, "expected_pct": None, "pct": None}
    lia = quarters_of(result, "E1")
    # Lia's sick note outweighs what the model expected for the rest of 2025Q3.
    assert lia["2025Q3"]["expected_pct"] == 0.0
    assert lia["2025Q3"]["pct"] == lia["2025Q3"]["known_pct"] > 0
    assert lia["2026Q1"]["known_pct"] == 0.0
    assert lia["2026Q1"]["pct"] == lia["2026Q1"]["expected_pct"] > 0


def test_one_unit_gets_the_same_figures_as_in_the_whole(town: Builder, engine: Engine) -> None:
    whole = prognosis(engine, AS_OF, quarters=6).json()
    one = prognosis(engine, AS_OF, unit_code="E1", quarters=6).json()
    with pytest.raises(UnknownUnit):
        prognosis(engine, AS_OF, unit_code="E9").json()
    assert [u["unit_id"] for u in one["units"]] == ["E1"]
    assert one["units"][0] == next(u for u in whole["units"] if u["unit_id"] == "E1")
    assert len(one["units"][0]["quarters"]) == 6


def test_the_forecast_uses_nothing_after_the_as_of_day(town: Builder, engine: Engine) -> None:
    before = prognosis(engine, AS_OF).json()
    later = AS_OF + dt.timedelta(days=60)
    (
        town.employee(5, "1005")
        .employment(5, 1, 100.0, AS_OF + dt.timedelta(days=1))
        .spell(5, AS_OF + dt.timedelta(days=3), D(2025, 12, 31))
        .spell(2, AS_OF + dt.timedelta(days=1), D(2026, 3, 31))
        .spell(3, D(2025, 9, 1), None)
        .refresh(later)
    )
    assert prognosis(engine, AS_OF).json() == before
    assert prognosis(engine, later).json() != before


def test_the_history_is_the_same_without_stored_figures(build: Builder, engine: Engine) -> None:
    (
        build.unit(1, "E1", "Lia sykehjem")
        .employee(1, "1001")
        .employment(1, 1, 100.0, D(2020, 1, 1))
        .spell(1, D(2024, 2, 5), D(2024, 3, 15))
        .spell(1, D(2025, 1, 6), D(2025, 1, 31), grade=60.0)
    )
    computed = prognosis(engine, AS_OF).json()
    build.refresh(AS_OF)
    assert prognosis(engine, AS_OF).json() == computed


def test_the_method_beats_naive_on_the_demo_data(engine: Engine) -> None:
    today = D(2026, 11, 24)
    load_demo(engine, "small", 1, today)
    result = backtest(engine, today).json()
    assert result["quarters"] == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert result["unit_quarters"] > 0
    assert result["method_mae_pp"] <= result["naive_mae_pp"]
    assert result["model_mae_pp"] <= result["naive_mae_pp"]


def stored_prognoses(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(UnitPrognosisFigure).order_by("unit_id", "quarter"))
        return pd.DataFrame(
            [tuple(getattr(r, name) for name in PROGNOSIS_COLUMNS) for r in rows],
            columns=PROGNOSIS_COLUMNS,
        ).astype(dict.fromkeys(PROGNOSIS_COLUMNS[2:], float))


def computed_prognoses(engine: Engine, as_of: dt.date) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = compute_prognoses(conn, as_of, PROGNOSIS_QUARTERS)
    return rows.sort_values(["unit_id", "quarter"]).reset_index(drop=True)


def test_the_stored_prognosis_is_the_computed_one_and_follows_the_data(
    build: Builder, engine: Engine
) -> None:
    (
        build.unit(1, "E1", "Lia sykehjem")
        .unit(2, "E2", "Berg skole")
        .employee(1, "1001")
        .employee(2, "1002")
        .employment(1, 1, 100.0, D(2020, 1, 1))
        .employment(2, 2, 80.0, D(2020, 1, 1))
        .spell(1, D(2024, 2, 5), D(2024, 3, 15))
        .spell(2, D(2024, 10, 1), D(2024, 11, 30), grade=50.0)
        .refresh(AS_OF)
    )
    before = stored_prognoses(engine)
    assert len(before) == 2 * PROGNOSIS_QUARTERS
    pd.testing.assert_frame_equal(before, computed_prognoses(engine, AS_OF))
    lia = before.set_index(["unit_id", "quarter"]).loc[(1, "2025Q4")]
    assert lia["known_pct"] == 0.0

    # A sick note through the next quarter, imported (the import rebuilds the figures).
    build.spell(1, D(2025, 8, 11), D(2025, 12, 31)).refresh(AS_OF)
    after = stored_prognoses(engine)
    pd.testing.assert_frame_equal(after, computed_prognoses(engine, AS_OF))
    lia = after.set_index(["unit_id", "quarter"]).loc[(1, "2025Q4")]
    assert lia["known_pct"] == pytest.approx(100.0)
    assert lia["possible"] == Q4
    assert lia["known_lost"] == pytest.approx(Q4)  # off sick every workday of the quarter
    berg = after.set_index(["unit_id", "quarter"]).loc[(2, "2025Q4")]
    assert berg["possible"] == pytest.approx(0.8 * Q4)


def test_the_prognosis_reads_the_stored_copy_of_its_day(build: Builder, engine: Engine) -> None:
    (
        build.unit(1, "E1", "Lia sykehjem")
        .employee(1, "1001")
        .employment(1, 1, 100.0, D(2020, 1, 1))
        .spell(1, D(2024, 2, 5), D(2024, 3, 15))
        .refresh(AS_OF)
    )
    computed = quarters_of(prognosis(engine, AS_OF).json(), "E1")["2025Q4"]
    with engine.begin() as conn:
        conn.execute(
            update(UnitPrognosisFigure)
            .where(UnitPrognosisFigure.quarter == "2025Q4")
            .values(pct=42.0)
        )
    assert quarters_of(prognosis(engine, AS_OF).json(), "E1")["2025Q4"]["pct"] == 42.0
    # Another day, or more quarters than are kept: computed, as before.
    day_after = prognosis(engine, AS_OF + dt.timedelta(days=1)).json()
    assert quarters_of(day_after, "E1")["2025Q4"]["pct"] == computed["pct"]
    longer = prognosis(engine, AS_OF, quarters=PROGNOSIS_QUARTERS + 1).json()
    assert quarters_of(longer, "E1")["2025Q4"] == computed
