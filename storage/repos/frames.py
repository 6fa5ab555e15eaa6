"""Rows of a query as a pandas DataFrame, fast: what the loaders of large tables share."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, String, cast


def dates(values: pd.Series) -> pd.Series:
    """ISO date text (as cast in the query, which is portable) to datetime64; NULL to NaT."""
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")


def frame(conn: Connection, query: Any, columns: list[str]) -> pd.DataFrame:
    """Rows of a query as a DataFrame; plain tuples, since pandas is slow on Row objects.

    When no column's type converts what the driver returns (integers, floats, text: all the
    large queries here), the tuples come from the driver's cursor as they are, without a Row
    object per row: the same values, in a fraction of the time.
    """
    result = conn.execute(query)
    if _as_returned(conn, query):
        rows = result.cursor.fetchall()
        result.close()
        return pd.DataFrame(rows, columns=columns)
    return pd.DataFrame([tuple(row) for row in result], columns=columns)


def _as_returned(conn: Connection, query: Any) -> bool:
    """Whether SQLAlchemy would hand on every column's values as the driver returns them."""
    dialect = conn.dialect

    def processed(column: Any) -> bool:
        try:
            return column.type.dialect_impl(dialect).result_processor(dialect, None) is not None
        except TypeError:  # psycopg's numeric needs the column's type code: it converts
            return True

    return not any(processed(column) for column in query.selected_columns)


def iso(column: Any) -> Any:
    # Casting dates to text in SQL and parsing them in bulk is far faster than a date object
    # per row, and CAST(date AS VARCHAR) is ISO text on SQLite and PostgreSQL alike.
    return cast(column, String)
