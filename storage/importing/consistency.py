"""Warnings that need all tables at once: absence outside employment, grades summing over 100."""

from __future__ import annotations

from collections.abc import Callable

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


def outside_employment(tables: Tables, existing: Existing, header: Header) -> list[ImportProblem]:
    """Spells with no day inside an employment of the person (in the spell's unit, if given)."""
    assert tables.spells is not None
    spells = _spell_days(tables.spells).reset_index(names="row")
    pairs = spells.merge(_final_employments(tables, existing), on="employee_number")
    covered = (
        ((pairs["unit_code"] == "") | (pairs["unit_code"] == pairs["employment_unit"]))
        & (pairs["start"] <= pairs["last"])
        & (pairs["end"] >= pairs["first"])
    )
    outside = tables.spells.loc[~tables.spells.index.isin(pairs.loc[covered, "row"])]
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
    # Stored spells with the key of an imported one are replaced by it.
    new_keys = _spell_days(new)[["employee_number", "unit_code"]].assign(
        from_date=new["from_date"], absence_type=new["absence_type"], replaced=True
    )
    old_keys = _spell_days(old)[["employee_number", "unit_code"]].assign(
        from_date=old["from_date"], absence_type=old["absence_type"]
    )
    replaced = old_keys.merge(new_keys.drop_duplicates(SPELL_KEY), on=SPELL_KEY, how="left")
    old = old[~replaced["replaced"].fillna(False).astype(bool).to_numpy()]
    return pd.concat(
        [
            _spell_days(new).assign(grade=new["grade_pct"], row=new.index),
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
    with_unit = spells[spells["unit_code"] != ""]
    # Spells without a unit are counted in their own group and in each unit's group.
    spread = spells[spells["unit_code"] == ""].drop(columns="unit_code")
    spread = spread.merge(
        with_unit[["employee_number", "unit_code"]].drop_duplicates(), on="employee_number"
    )
    grouped = pd.concat([spells, spread], ignore_index=True)
    key = ["employee_number", "unit_code"]
    starts = grouped[[*key, "first", "grade"]].rename(columns={"first": "day"})
    starts = starts.assign(starting=1)
    ends = grouped.loc[grouped["last"] < OPEN, [*key, "last", "grade"]]
    ends = ends.assign(day=ends["last"] + 1, grade=-ends["grade"], starting=0).drop(columns="last")
    days = (
        pd.concat([starts, ends], ignore_index=True)
        .groupby([*key, "day"], sort=True, as_index=False)[["grade", "starting"]]
        .sum()
    )
    days["level"] = days.groupby(key)["grade"].cumsum()
    # The sum rises only where a spell starts: that spell is the one that pushes it over 100.
    hot = days[(days["level"] > 100 + 1e-9) & (days["starting"] > 0)]
    culprits = grouped[grouped["row"] >= 0].merge(
        hot[[*key, "day", "level"]], left_on=[*key, "first"], right_on=[*key, "day"]
    )
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
