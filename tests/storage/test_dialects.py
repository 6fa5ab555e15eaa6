"""One upsert for both backends: a new key inserts, a known key updates only what is given."""

from sqlalchemy import Column, Integer, MetaData, String, Table, select

from storage.db import make_engine
from storage.dialects import upsert

metadata = MetaData()
pairs = Table(
    "pairs",
    metadata,
    Column("a", Integer, primary_key=True),
    Column("b", Integer, primary_key=True),
    Column("note", String),
    Column("flag", Integer, nullable=False, default=0),
)


def test_upsert_inserts_then_updates_only_the_given_columns(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    metadata.create_all(engine)
    with engine.begin() as conn:
        upsert(conn, pairs, {"a": 1, "b": 2, "note": "først", "flag": 1}, key=("a", "b"))
        upsert(conn, pairs, {"a": 1, "b": 2, "note": "så"}, key=("a", "b"))
        upsert(conn, pairs, {"a": 1, "b": 3}, key=("a", "b"))
        upsert(conn, pairs, {"a": 1, "b": 3}, key=("a", "b"))
        rows = conn.execute(select(pairs).order_by(pairs.c.b)).all()
    assert [tuple(r) for r in rows] == [(1, 2, "så", 1), (1, 3, None, 0)]


def test_upsert_with_update_keeps_the_other_given_values_for_a_new_row_only(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    metadata.create_all(engine)
    with engine.begin() as conn:
        upsert(conn, pairs, {"a": 1, "b": 2, "note": "ny", "flag": 5}, ("a", "b"), update=["flag"])
        upsert(
            conn, pairs, {"a": 1, "b": 2, "note": "ikke", "flag": 7}, ("a", "b"), update=["flag"]
        )
        rows = conn.execute(select(pairs)).all()
    assert [tuple(r) for r in rows] == [(1, 2, "ny", 7)]
