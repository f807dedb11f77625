"""Resolving a Username (services/lookup/records.py find_user: the username, three aliases, the sub) reads through
unique indexes only, on SQLite and PostgreSQL, with 2,000 users in the pool: whether or not the name is a
user's, no statement reads the pool's rows."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Server
from tests.support.plans import analyze, captured_sql, explain
from tests.support.users import NewUser, add_users
from userpool.services.lookup.records import find_user

USERS = 2_000
_PG_KEYS = re.compile(r"\b(sub|username_norm|alias)\b")


def _reads_the_pool(dialect: str, line: str) -> bool:
    """A plan line that reads a table without a key (the ranked hits, five rows at most, are no table)."""
    if dialect == "sqlite":
        return (line.startswith("SCAN ") and line != "SCAN ranked") or line.endswith("(pool_id=?)")
    if "Seq Scan" in line:
        return True
    return "Index Cond:" in line and not _PG_KEYS.search(line.split("Index Cond:", 1)[1])


@pytest.mark.parametrize("name", ["user01234", "user01234@example.com", "nobody", "nobody@example.com"])
def test_find_user__reads_through_unique_indexes(idp: Any, app_server: Server, name: str) -> None:
    store = app_server.runtime.store
    pool_id = idp.create_user_pool(PoolName="plans", AliasAttributes=["email"])["UserPool"]["Id"]
    people = [
        NewUser(f"user{i:05d}", {"email": f"user{i:05d}@example.com", "email_verified": "true"}) for i in range(USERS)
    ]
    add_users(store, pool_id, people)
    analyze(store.engine)
    with store.read() as tx:
        pool = tx.pools.get(pool_id)
    assert pool is not None
    with captured_sql(store.engine) as statements, store.read() as tx:
        found = find_user(tx, pool, name)
    assert (found is not None) == name.startswith("user")
    queries = [s for s in statements if not s.sql.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
    # The user's row, then its attributes and aliases (read for nobody too: the same statements either way).
    assert len(queries) == 2
    dialect = store.engine.dialect.name
    for statement in queries:
        plan = explain(store.engine, statement)
        assert [line for line in plan if _reads_the_pool(dialect, line)] == [], (statement.sql, plan)
