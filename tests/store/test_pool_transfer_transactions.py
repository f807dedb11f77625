"""The transactions pool export and import run in (store/sql/pool_transfer/), on SQLite and PostgreSQL: an
export's snapshot sees the database as it was at its first read, whatever commits meanwhile, and an import's
bulk write commits as a whole or not at all."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.store.contract.records import new_pool, new_user, rows_in
from userpool.store.sql.store import SqlStore
from userpool.store.sql.tables import pools, users


class Boom(Exception):
    pass


def test_snapshot__sees_one_state_of_the_database_throughout(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx, "us-east-1_first")
        new_user(tx, pool, "ann")
    with store.snapshot() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(pools)).scalar_one() == 1
        # Committed by another connection while the snapshot reads: not seen by it.
        with store.write() as tx:
            later = new_pool(tx, "us-east-1_later")
            new_user(tx, later, "bob")
        assert conn.execute(sa.select(sa.func.count()).select_from(pools)).scalar_one() == 1
        assert conn.execute(sa.select(users.c.username)).scalars().all() == ["ann"]
    assert rows_in(store, "pools") == 2


def test_bulk_write__commits_on_exit_or_leaves_nothing_written(store: SqlStore) -> None:
    row = {"name": "p", "config": {}, "created_at": 1.0, "updated_at": 1.0}
    with pytest.raises(Boom), store.bulk_write() as conn:
        conn.execute(pools.insert(), [{"id": f"us-east-1_{i}", **row} for i in range(3)])
        raise Boom
    assert rows_in(store, "pools") == 0
    with store.bulk_write() as conn:
        conn.execute(pools.insert(), [{"id": f"us-east-1_{i}", **row} for i in range(3)])
    assert rows_in(store, "pools") == 3
