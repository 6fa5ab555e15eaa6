"""A use case's reads see one snapshot, whatever another process commits meanwhile."""

import pytest
from sqlalchemy import text

from storage.db import make_engine
from storage.usecases import reading

pytestmark = pytest.mark.both_backends


def test_reading_sees_one_snapshot(backend: str, db_url: str) -> None:
    url = db_url if backend == "postgresql" else f"sqlite:///{db_url}"
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
    ours.dispose()
    theirs.dispose()
