"""Pools and their configuration documents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from userpool.model.records import Page, Pool
from userpool.store.base import NotFound
from userpool.store.sql.config_cache import CachedRead, ConfigReads
from userpool.store.sql.driver import Link
from userpool.store.sql.rows import conflicts_as, keyset_page
from userpool.store.sql.tables import pools

# Built once: a statement object memoises its cache key, so executing it skips construction and key
# generation (the hot reads are pure overhead otherwise; docs/architecture.md, Hot-path rules).
_GET = sa.select(pools).where(pools.c.id == sa.bindparam("pool_id"))
_GET_LOCKED = _GET.with_for_update()
_CACHED_GET = CachedRead(_GET)


def _pool(row: Any) -> Pool:
    return Pool(row.id, row.name, dict(row.config), row.created_at, row.updated_at)


def _first_pool(rows: Sequence[Any]) -> Pool | None:
    return _pool(rows[0]) if rows else None


class SqlPoolRepo:
    def __init__(self, link: Link, config: ConfigReads | None = None) -> None:
        self._link = link
        self._config = config

    @property
    def _conn(self) -> sa.Connection:
        # SQLAlchemy's connection, made when first asked for: a read answered from the configuration cache
        # never asks (driver.py).
        return self._link.sa

    def add(self, pool: Pool) -> None:
        with conflicts_as({}, "id"):
            self._conn.execute(
                pools.insert().values(
                    id=pool.id,
                    name=pool.name,
                    config=pool.config,
                    created_at=pool.created_at,
                    updated_at=pool.updated_at,
                )
            )

    def get(self, pool_id: str, for_update: bool = False) -> Pool | None:
        if self._config is not None:  # a read transaction: no lock to take
            return self._config.fetch(_CACHED_GET, {"pool_id": pool_id}, _first_pool)
        # PostgreSQL: row lock. SQLite: nothing to add, BEGIN IMMEDIATE already serialises writers.
        query = _GET_LOCKED if for_update else _GET
        row = self._conn.execute(query, {"pool_id": pool_id}).first()
        return _pool(row) if row else None

    def update(self, pool: Pool) -> None:
        result = self._conn.execute(
            pools.update()
            .where(pools.c.id == pool.id)
            .values(name=pool.name, config=pool.config, updated_at=pool.updated_at)
        )
        if result.rowcount == 0:
            raise NotFound(pool.id)

    def delete(self, pool_id: str) -> None:
        if self._conn.execute(pools.delete().where(pools.c.id == pool_id)).rowcount == 0:
            raise NotFound(pool_id)

    def list(self, limit: int, after: str | None) -> Page[Pool]:
        query = sa.select(pools).order_by(pools.c.id).limit(limit + 1)
        if after is not None:
            query = query.where(pools.c.id > after)
        return keyset_page(self._conn.execute(query).all(), limit, _pool, lambda r: str(r.id))
