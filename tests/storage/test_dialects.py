"""One upsert for both backends: a new key inserts, a known key updates only what is given."""

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select

from storage.db import make_engine
from storage.dialects import upsert

pytestmark = pytest.mark.both_backends

metadata = MetaData()
pairs = Table(
    "pairs",
    metadata,
    Column("a", Integer, primary_key=True),
    Column("b", Integer, primary_key=True),
    Column("note", String),
    Column("flag", Integer, nullable=False, default=0),
)


def test_upsert_inserts_then_updates_only_the_given_columns(backend: str, db_url: str) -> None:
    engine = make_engine(db_url if backend == "postgresql" else f"sqlite:///{db_url}")
    metadata.create_all(engine)
    with engine.begin() as conn:
        upsert(conn, pairs, {"a": 1, "b": 2, "note": "først", "flag": 1}, key=("a", "b"))
        upsert(conn, pairs, {"a": 1, "b": 2, "note": "så"}, key=("a", "b"))
        upsert(conn, pairs, {"a": 1, "b": 3}, key=("a", "b"))
        upsert(conn, pairs, {"a": 1, "b": 3}, key=("a", "b"))
        rows = conn.execute(select(pairs).order_by(pairs.c.b)).all()
    assert [tuple(r) for r in rows] == [(1, 2, "så", 1), (1, 3, None, 0)]
    engine.dispose()
