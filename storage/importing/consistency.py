"""Warnings that need all tables at once: absence outside employment, grades summing over 100."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from core import fmt
from storage.importing.problems import ImportProblem
from storage.importing.read import FILE, LINE
from storage.importing.values import SICK_TYPES, day_numbers, format_number
from storage.importing.write import EMPLOYMENT_KEY, SPELL_KEY, Existing, Tables

Header = Callable[[str, str], str]  # (file, field) -> the header as written in that file

OPEN = 10**8  # day number standing for an open end: far beyond any real date
FROM_TEXT = "_from_text"


def _final_employments(tables: Tables, existing: Existing) -> pd.DataFrame:
    """Employments as they will be stored: the file's rows replace stored ones with their key."""
    columns = [*EMPLOYMENT_KEY, "end_date"]
    parts = [existing.employments[columns]]
    if tables.employments is not None:
        parts.insert(0, tables.employments[columns])
    merged = pd.concat(parts, ignore_index=True).drop_duplicates(EMPLOYMENT_KEY, keep="first")
    return pd.DataFrame(
        {
            "employee_number": merged["employee_number"].astype(object),
            "employment_unit": merged["unit_code"].astype(object),
            "start": day_numbers(merged["start_date"], -OPEN),
            "end": day_numbers(merged["end_date"], OPEN),
        }
    )


def _spell_days(spells: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employee_number": spells["employee_number"].astype(object),
            "unit_code": spells["unit_code"].astype(object).fillna(""),
            "first": day_numbers(spells["from_date"], OPEN),
            "last": day_numbers(spells["to_date"], OPEN),
        },
        index=spells.index,
    )


def _codes(first: pd.Series, second: pd.Series) -> np.ndarray:
    """One integer per distinct value of both columns, concatenated; missing values get -1."""
    values = np.concatenate((first.to_numpy(dtype=object), second.to_numpy(dtype=object)))
    codes: np.ndarray = pd.factorize(values)[0]
    return codes


def outside_employment(tables: Tables, existing: Existing, header: Header) -> list[ImportProblem]:
    """Spells with no day inside an employment of the person (in the spell's unit, if given)."""
    assert tables.spells is not None
    spells = _spell_days(tables.spells)
    employments = _final_employments(tables, existing)
    # People and units as integer codes shared by both sides: a join on one integer column is
    # many times faster than on text.
    size = len(spells)
    people = _codes(spells["employee_number"], employments["employee_number"])
    units = _codes(spells["unit_code"], employments["employment_unit"])
    left = pd.DataFrame(
        {
            "person": people[:size],
            "unit": units[:size],
            "any_unit": (spells["unit_code"] == "").to_numpy(),
            "first": spells["first"].to_numpy(),
            "last": spells["last"].to_numpy(),
            "row": np.arange(size),
        }
    )
    right = pd.DataFrame(
        {
            "person": people[size:],
            "employment_unit": units[size:],
            "start": employments["start"].to_numpy(),
            "end": employments["end"].to_numpy(),
        }
    )
    pairs = left.merge(right, on="person")
    covered = (
        (pairs["any_unit"] | (pairs["unit"] == pairs["employment_unit"]))
        & (pairs["start"] <= pairs["last"])
        & (pairs["end"] >= pairs["first"])
    )
    inside = np.zeros(size, dtype=bool)
    inside[pairs.loc[covered, "row"].to_numpy()] = True
    outside = tables.spells.loc[~inside]
    problems = []
    columns = [FILE, LINE, FROM_TEXT, "employee_number", "unit_code"]
    for file, line, text, number, unit in outside[columns].itertuples(index=False):
        where = f" i enhet {unit}" if unit else ""
        problems.append(
            ImportProblem(
                str(file),
                int(line),
                header(str(file), "from_date"),
                str(text),
                f"ligger utenfor alle arbeidsforholdene til ansatt {number}{where}; "
                "dagene teller ikke i sykefraværet",
            )
        )
    return problems


def _final_sick_spells(tables: Tables, existing: Existing) -> pd.DataFrame:
    """Sick spells of the file's people as they will be stored; `row` is -1 for stored ones."""
    assert tables.spells is not None
    new = tables.spells[tables.spells["absence_type"].isin(SICK_TYPES)]
    old = existing.spells[
        existing.spells["absence_type"].isin(SICK_TYPES)
        & existing.spells["employee_number"].isin(set(new["employee_number"]))
    ]
    new_days = _spell_days(new)
    if len(old):
        # Stored spells with the key of an imported one are replaced by it.
        new_keys = new_days[["employee_number", "unit_code"]].assign(
            from_date=new["from_date"], absence_type=new["absence_type"], replaced=True
        )
        old_keys = _spell_days(old)[["employee_number", "unit_code"]].assign(
            from_date=old["from_date"], absence_type=old["absence_type"]
        )
        replaced = old_keys.merge(new_keys.drop_duplicates(SPELL_KEY), on=SPELL_KEY, how="left")
        old = old[~replaced["replaced"].fillna(False).astype(bool).to_numpy()]
    return pd.concat(
        [
            new_days.assign(grade=new["grade_pct"], row=new.index),
            _spell_days(old).assign(grade=old["grade_pct"], row=-1),
        ],
        ignore_index=True,
    )


def overgraded(tables: Tables, existing: Existing, header: Header) -> list[ImportProblem]:
    """Imported sick spells that start on a day when the grades of the person's spells sum > 100.

    A spell for one unit overlaps spells for that unit and spells without a unit (which cover
    every employment); spells for two different units do not overlap.
    """
    spells = _final_sick_spells(tables, existing)
    if spells.empty:
        return []
    # Person and unit as integer codes ("" = no unit has one too): pandas groups and joins one
    # integer key many times faster than two text columns, with the same groups in the same order.
    no_unit = (spells["unit_code"] == "").to_numpy()
    units, unit_codes = pd.factorize(spells["unit_code"].to_numpy(dtype=object))
    coded = pd.DataFrame(
        {
            "person": pd.factorize(spells["employee_number"].to_numpy(dtype=object))[0],
            "unit": units,
            "first": spells["first"].to_numpy(),
            "last": spells["last"].to_numpy(),
            "grade": spells["grade"].to_numpy(),
            "row": spells["row"].to_numpy(),
        }
    )
    # Spells without a unit are counted in their own group and in each unit's group.
    with_unit = coded[~no_unit]
    spread = coded[no_unit].drop(columns="unit")
    spread = spread.merge(with_unit[["person", "unit"]].drop_duplicates(), on="person")
    grouped = pd.concat([coded, spread], ignore_index=True)
    person = grouped["person"].to_numpy(dtype=np.int64)
    group = person * len(unit_codes) + grouped["unit"].to_numpy(dtype=np.int64)
    first = grouped["first"].to_numpy(dtype=np.int64)
    last = grouped["last"].to_numpy(dtype=np.int64)
    grade = grouped["grade"].to_numpy(dtype=np.float64)
    closed = last < OPEN
    # Each spell raises the sum on its first day and lowers it the day after its last.
    day = np.concatenate((first, last[closed] + 1))
    low = int(day.min())
    span = int(day.max()) - low + 1
    events = pd.DataFrame(
        {
            "grade": np.concatenate((grade, -grade[closed])),
            "starting": np.concatenate(
                (np.ones(len(first), dtype=np.int64), np.zeros(int(closed.sum()), dtype=np.int64))
            ),
        }
    )
    key = np.concatenate((group, group[closed])) * span + (day - low)
    days = events.groupby(key, sort=True)[["grade", "starting"]].sum()
    day_key = days.index.to_numpy(dtype=np.int64)
    level = days["grade"].groupby(day_key // span).cumsum()
    # The sum rises only where a spell starts: that spell is the one that pushes it over 100.
    hot_rows = (level.to_numpy() > 100 + 1e-9) & (days["starting"].to_numpy() > 0)
    hot = pd.DataFrame({"key": day_key[hot_rows], "level": level.to_numpy()[hot_rows]})
    own = grouped["row"].to_numpy() >= 0
    culprits = pd.DataFrame(
        {"row": grouped["row"].to_numpy()[own], "key": (group * span + (first - low))[own]}
    ).merge(hot, on="key")
    culprits = culprits.sort_values("level", ascending=False).drop_duplicates("row")
    assert tables.spells is not None
    found = tables.spells.loc[culprits["row"], [FILE, LINE, "grade_pct", "from_date"]]
    problems = []
    for file, line, grade, day, level in zip(
        found[FILE],
        found[LINE],
        found["grade_pct"],
        found["from_date"],
        culprits["level"],
        strict=True,
    ):
        problems.append(
            ImportProblem(
                str(file),
                int(line),
                header(str(file), "grade_pct"),
                format_number(float(grade)),
                f"gir samlet grad {format_number(float(level))} % den "
                f"{fmt.date(pd.Timestamp(day).date())} sammen med annet sykefravær "
                "(over 100 % regnes som 100 %)",
            )
        )
    return problems
