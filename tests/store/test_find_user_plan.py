"""Resolving a Username (services/lookup/records.py find_user: the username, three aliases, the sub) reads through
unique indexes only, on SQLite and PostgreSQL, with 2,000 users in the pool: whether or not the name is a
user's, no statement reads the pool's rows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.conftest import make_settings, running_server
from tests.support import postgres
from tests.support.plans import analyze, captured_sql, explain
from tests.support.users import NewUser, add_users
from userpool.model.records import Pool
from userpool.services.lookup.records import find_user
from userpool.store.sql.store import SqlStore

# One pytest-xdist worker runs the module, so that the pools below are loaded once, not once per worker.
pytestmark = pytest.mark.xdist_group("find_user_plan")

USERS = 2_000
_PG_KEYS = re.compile(r"\b(sub|username_norm|alias)\b")


def _reads_the_pool(dialect: str, line: str) -> bool:
    """A plan line that reads a table without a key (the ranked hits, five rows at most, are no table)."""
    if dialect == "sqlite":
        return (line.startswith("SCAN ") and line != "SCAN ranked") or line.endswith("(pool_id=?)")
    if "Seq Scan" in line:
        return True
    return "Index Cond:" in line and not _PG_KEYS.search(line.split("Index Cond:", 1)[1])


@dataclass(frozen=True)
class Loaded:
    store: SqlStore
    pool: Pool


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """The pool of 2,000 users on each database, loaded once for every name looked up (the lookups only read):
    loading it took most of the module's time. PostgreSQL in a database of the module's own, which no other
    test empties meanwhile."""
    data_dir = tmp_path_factory.mktemp("plans")
    with ExitStack() as stack:
        if request.param == "sqlite":
            database_url = f"sqlite:///{data_dir / 'userpool.sqlite3'}"
        else:
            try:
                database_url = stack.enter_context(
                    postgres.scratch_database(stack.enter_context(postgres.server_url()))
                )
            except (RuntimeError, sa.exc.OperationalError) as exc:
                pytest.skip(f"PostgreSQL is not available for the tests: {exc}")
        server = stack.enter_context(running_server(make_settings(data_dir / "data", database_url)))
        idp = server.client()
        pool_id = idp.create_user_pool(PoolName="plans", AliasAttributes=["email"])["UserPool"]["Id"]
        people = [
            NewUser(f"user{i:05d}", {"email": f"user{i:05d}@example.com", "email_verified": "true"})
            for i in range(USERS)
        ]
        store = server.runtime.store
        add_users(store, pool_id, people)
        analyze(store.engine)
        with store.read() as tx:
            pool = tx.pools.get(pool_id)
        assert pool is not None
        yield Loaded(store, pool)


@pytest.mark.parametrize("name", ["user01234", "user01234@example.com", "nobody", "nobody@example.com"])
def test_find_user__reads_through_unique_indexes(loaded: Loaded, name: str) -> None:
    store = loaded.store
    with captured_sql(store.engine) as statements, store.read() as tx:
        found = find_user(tx, loaded.pool, name)
    assert (found is not None) == name.startswith("user")
    queries = [s for s in statements if not s.sql.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
    # The user's row, then its attributes and aliases (read for nobody too: the same statements either way).
    assert len(queries) == 2
    dialect = store.engine.dialect.name
    for statement in queries:
        plan = explain(store.engine, statement)
        assert [line for line in plan if _reads_the_pool(dialect, line)] == [], (statement.sql, plan)
