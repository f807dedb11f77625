"""App clients; their secrets (two at most, in two slots: the oldest in ``secret_sealed``) are sealed at rest,
each bound to its client (DescribeUserPoolClient must return them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from userpool.crypto.sealing import Sealer
from userpool.model.records import Client, ClientSecret, Page, Pool
from userpool.store.base import NotFound
from userpool.store.sql.config_cache import CachedRead, ConfigReads
from userpool.store.sql.driver import Link
from userpool.store.sql.rows import conflicts_as, count, keyset_page
from userpool.store.sql.tables import clients, pools

# Built once (docs/architecture.md, Hot-path rules).
_GET = sa.select(clients).where(clients.c.id == sa.bindparam("client_id"))
# The pool's columns under names of their own: both tables have id, name, config, created_at, updated_at
# (and clients a pool_id).
_WITH_POOL = (
    sa.select(clients, *(column.label(f"pool__{column.name}") for column in pools.c))
    .join(pools, pools.c.id == clients.c.pool_id)
    .where(clients.c.id == sa.bindparam("client_id"))
)
# Read transactions take these from the process's configuration cache: the secrets unsealed and the JSON
# parsed once per configuration generation, not per request.
_CACHED_GET = CachedRead(_GET)
_CACHED_WITH_POOL = CachedRead(_WITH_POOL)


class SqlClientRepo:
    def __init__(self, link: Link, sealer: Sealer, config: ConfigReads | None = None) -> None:
        self._link = link
        self._sealer = sealer
        self._config = config

    @property
    def _conn(self) -> sa.Connection:
        # SQLAlchemy's connection, made when first asked for: a read answered from the configuration cache
        # never asks (driver.py).
        return self._link.sa

    def _client(self, row: Any) -> Client:
        secrets: list[ClientSecret] = []
        if row.secret_sealed:
            created = row.secret_created_at if row.secret_created_at is not None else row.created_at
            secrets.append(ClientSecret(self._sealer.unseal(row.secret_sealed, row.id), created))
        if row.next_secret_sealed:
            second = self._sealer.unseal(row.next_secret_sealed, row.id)
            secrets.append(ClientSecret(second, row.next_secret_created_at))
        config = dict(row.config)
        return Client(row.id, row.pool_id, row.name, tuple(secrets), config, row.created_at, row.updated_at)

    def _values(self, client: Client) -> dict[str, Any]:
        if len(client.secrets) > 2:
            raise ValueError("an app client has two secrets at most")
        slots: list[ClientSecret | None] = [*client.secrets, None, None]
        first, second = slots[0], slots[1]
        return {
            "pool_id": client.pool_id,
            "name": client.name,
            "secret_sealed": self._sealer.seal(first.value, client.id) if first else None,
            "secret_created_at": first.created_at if first else None,
            "next_secret_sealed": self._sealer.seal(second.value, client.id) if second else None,
            "next_secret_created_at": second.created_at if second else None,
            "config": client.config,
            "updated_at": client.updated_at,
        }

    def add(self, client: Client) -> None:
        with conflicts_as({}, "id"):
            self._conn.execute(
                clients.insert().values(id=client.id, created_at=client.created_at, **self._values(client))
            )

    def _first_client(self, rows: Sequence[Any]) -> Client | None:
        return self._client(rows[0]) if rows else None

    def _first_with_pool(self, rows: Sequence[Any]) -> tuple[Pool, Client] | None:
        if not rows:
            return None
        row = rows[0]
        pool = Pool(row.pool__id, row.pool__name, dict(row.pool__config), row.pool__created_at, row.pool__updated_at)
        return pool, self._client(row)

    def get(self, client_id: str) -> Client | None:
        if self._config is not None:
            return self._config.fetch(_CACHED_GET, {"client_id": client_id}, self._first_client)
        return self._first_client(self._conn.execute(_GET, {"client_id": client_id}).all())

    def with_pool(self, client_id: str) -> tuple[Pool, Client] | None:
        if self._config is not None:
            return self._config.fetch(_CACHED_WITH_POOL, {"client_id": client_id}, self._first_with_pool)
        return self._first_with_pool(self._conn.execute(_WITH_POOL, {"client_id": client_id}).all())

    def update(self, client: Client) -> None:
        stmt = clients.update().where(clients.c.id == client.id).values(**self._values(client))
        if self._conn.execute(stmt).rowcount == 0:
            raise NotFound(client.id)

    def delete(self, client_id: str) -> None:
        if self._conn.execute(clients.delete().where(clients.c.id == client_id)).rowcount == 0:
            raise NotFound(client_id)

    def list(self, pool_id: str, limit: int, after: str | None) -> Page[Client]:
        query = sa.select(clients).where(clients.c.pool_id == pool_id).order_by(clients.c.id).limit(limit + 1)
        if after is not None:
            query = query.where(clients.c.id > after)
        return keyset_page(self._conn.execute(query).all(), limit, self._client, lambda r: str(r.id))

    def count(self, pool_id: str) -> int:
        return count(self._conn, clients, clients.c.pool_id == pool_id)
