"""Records for the contract tests, written straight through the port: a pool, a client, users."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import sqlalchemy as sa

from userpool.model.records import Client, ClientSecret, Pool, User
from userpool.model.usernames import alias_key, normalise
from userpool.store.base import Tx
from userpool.store.sql.store import SqlStore
from userpool.store.sql.tables import metadata

NOW = 1_700_000_000.0
T = TypeVar("T")
# Long enough for a transaction started in another thread to reach the row it waits for.
OVERLAP_SECONDS = 0.2


def new_pool(tx: Tx, pool_id: str = "us-east-1_Contract1", case_sensitive: bool = True, **config: Any) -> Pool:
    pool = Pool(pool_id, "contract", {"UsernameConfiguration": {"CaseSensitive": case_sensitive}, **config}, NOW, NOW)
    tx.pools.add(pool)
    return pool


def new_client(tx: Tx, pool: Pool, client_id: str = "contractclient0001", secret: str | None = None) -> Client:
    secrets = (ClientSecret(secret, NOW),) if secret is not None else ()
    client = Client(client_id, pool.id, "app", secrets, {"ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"]}, NOW, NOW)
    tx.clients.add(client)
    return client


def user_record(
    pool: Pool,
    username: str,
    attributes: dict[str, str] | None = None,
    alias_kinds: tuple[str, ...] = (),
    sub: str | None = None,
    **fields: Any,
) -> User:
    """A user as AdminCreateUser would store it: ``sub`` also as an attribute, username folded as the pool
    says, an alias row for each of ``alias_kinds`` present in ``attributes``."""
    sub = sub or str(uuid.uuid4())
    attrs = {"sub": sub, **(attributes or {})}
    values: dict[str, Any] = {
        "pool_id": pool.id,
        "sub": sub,
        "username": username,
        "username_norm": normalise(pool, username),
        "status": "CONFIRMED",
        "enabled": True,
        "password_hash": None,
        "password_expires_at": None,
        "attributes": attrs,
        "created_at": NOW,
        "updated_at": NOW,
        "aliases": tuple(sorted(alias_key(pool, kind, attrs[kind]) for kind in alias_kinds if kind in attrs)),
    }
    values.update(fields)
    return User(**values)


def new_user(tx: Tx, pool: Pool, username: str, **kwargs: Any) -> User:
    user = user_record(pool, username, **kwargs)
    tx.users.add(user)
    return user


def rows_in(store: SqlStore, table: str) -> int:
    """How many rows ``table`` holds, read past the port (what no repository method shows)."""
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(metadata.tables[table])).scalar_one())


def race(store: SqlStore, attempt: Callable[[Tx], T], contenders: int = 4) -> list[T]:
    """``attempt`` run by ``contenders`` write transactions started together: what each answered. A
    conditional write must let exactly one through, whether the database queues the writers (SQLite) or
    re-checks the condition once a concurrent writer's row lock is released (PostgreSQL)."""
    start = threading.Barrier(contenders)

    def one(_: int) -> T:
        start.wait()
        with store.write() as tx:
            return attempt(tx)

    with ThreadPoolExecutor(contenders) as workers:
        return list(workers.map(one, range(contenders)))


def database_order(store: SqlStore, table: str, column: str) -> list[str]:
    """``column``'s values in the order the database sorts them. Ids the server makes (pools, clients,
    devices) are compared in the database's default collation: byte order on SQLite, and on PostgreSQL the
    database's own, which for a database created with a language's collation is not byte order. What
    callers rely on is that the pages follow that order and that each row is on exactly one page."""
    t = metadata.tables[table]
    with store.engine.connect() as conn:
        return [str(v) for v in conn.execute(sa.select(t.c[column]).order_by(t.c[column])).scalars()]


def overlapping(store: SqlStore, first: Callable[[Tx], Any], second: Callable[[Tx], T]) -> T:
    """Run ``second`` in a write transaction begun while ``first``'s is still open, and give it time to run
    into what ``first`` wrote before ``first`` commits; ``second``'s answer, or its exception. SQLite makes
    the second writer wait for the first to end; PostgreSQL runs it alongside, waiting only at a row the
    first wrote or locked, so a read-then-insert in both meets the other's row only on insert."""

    def then(_: int) -> T:
        with store.write() as tx:
            return second(tx)

    workers = ThreadPoolExecutor(1)
    try:
        with store.write() as tx:
            first(tx)
            answer = workers.submit(then, 0)
            time.sleep(OVERLAP_SECONDS)
        return answer.result(timeout=30)
    finally:
        workers.shutdown()
