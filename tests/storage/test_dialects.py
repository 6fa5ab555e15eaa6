"""What differs between the backends: one upsert for both (a new key inserts, a known key updates
only what is given), and SQLite's bulk writing under its write lock."""

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select, text
from sqlalchemy.exc import OperationalError

from storage.db import make_engine
from storage.dialects import bulk_insert, bulk_update, lock_for_write, reserve_ids, upsert
from storage.postgresql import WRITE_LOCK_KEY

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


people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String),
    Column("age", Integer),
)


def test_bulk_rows_take_the_reserved_ids_and_other_writers_wait(backend: str, db_url: str) -> None:
    url = db_url if backend == "postgresql" else f"sqlite:///{db_url}"
    engine, other = make_engine(url), make_engine(url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(people.insert(), [{"id": 7, "name": "Kari", "age": 40}])
    with engine.begin() as conn:
        lock_for_write(conn)
        # 1,200 rows of 3 values: more than one statement under SQLite's 999 bound values.
        first = reserve_ids(conn, people, 1200)
        flat = [value for i in range(1200) for value in (first + i, f"p{i}", i)]
        bulk_insert(conn, people, ["id", "name", "age"], flat)
        bulk_update(conn, people, ["name", "age"], [("Ola", 41, 7), ("Per", 1, first)])
        if backend == "sqlite":  # the file's write lock: every other writer waits
            with pytest.raises(OperationalError), other.connect() as writer:
                writer.execute(text("PRAGMA busy_timeout = 0"))
                writer.execute(people.insert().values(name="for tidlig"))
        else:  # the server's advisory lock: the other bulk writers (import, demo, purge) wait
            with other.connect() as writer:
                taken = f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK_KEY})"
                assert writer.exec_driver_sql(taken).scalar() is False
    with engine.begin() as conn:
        # A row added the ordinary way after them gets the next id (on a server: its sequence's).
        added = conn.execute(people.insert().values(name="etter")).inserted_primary_key
        rows = conn.execute(select(people).order_by(people.c.id)).all()
    assert first == 8
    assert tuple(added) == (1208,)
    assert len(rows) == 1202
    assert [tuple(r) for r in rows[:3]] == [(7, "Ola", 41), (8, "Per", 1), (9, "p1", 1)]
    assert tuple(rows[-2]) == (1207, "p1199", 1199)
    engine.dispose()
    other.dispose()


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
