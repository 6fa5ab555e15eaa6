"""A use case's reads see one snapshot, whatever another process commits meanwhile."""

from sqlalchemy import text

from storage.db import make_engine
from storage.usecases import reading


def test_reading_sees_one_snapshot(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    ours, theirs = make_engine(url), make_engine(url)
    with ours.begin() as conn:
        conn.execute(text("CREATE TABLE t (a INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    with reading(ours) as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
        with theirs.begin() as other:
            other.execute(text("INSERT INTO t VALUES (2)"))
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    with reading(ours) as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 2
