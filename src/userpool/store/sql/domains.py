"""Pool domains and resource servers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from userpool.model.records import Domain, Page, ResourceServer
from userpool.store.base import NotFound
from userpool.store.sql.config_cache import CachedRead, ConfigReads
from userpool.store.sql.driver import Link
from userpool.store.sql.rows import conflicts_as, count, keyset_page
from userpool.store.sql.tables import domains, resource_servers

# Built once (docs/architecture.md, Hot-path rules).
_GET_DOMAIN = sa.select(domains).where(domains.c.domain == sa.bindparam("domain"))
# A Host that names no domain (the server's own URL) is kept as absent too: a CreateUserPoolDomain bumps the
# generation (the domains table's triggers), so it is found by the next read anywhere.
_CACHED_GET_DOMAIN = CachedRead(_GET_DOMAIN, keep_absent=True)


def _domain(row: Any) -> Domain:
    return Domain(row.domain, row.pool_id, dict(row.config), row.created_at, row.updated_at)


def _first_domain(rows: Sequence[Any]) -> Domain | None:
    return _domain(rows[0]) if rows else None


class SqlDomainRepo:
    def __init__(self, link: Link, config: ConfigReads | None = None) -> None:
        self._link = link
        self._config = config

    @property
    def _conn(self) -> sa.Connection:
        # SQLAlchemy's connection, made when first asked for: a read answered from the configuration cache
        # never asks (driver.py).
        return self._link.sa

    def add(self, domain: Domain) -> None:
        with conflicts_as({}, "domain"):
            self._conn.execute(
                domains.insert().values(
                    domain=domain.domain,
                    pool_id=domain.pool_id,
                    config=domain.config,
                    created_at=domain.created_at,
                    updated_at=domain.updated_at,
                )
            )

    def get(self, domain: str) -> Domain | None:
        # The Host of every hosted page and OAuth request names one (services/hosted/oauth_clients.py).
        if self._config is not None:
            return self._config.fetch(_CACHED_GET_DOMAIN, {"domain": domain}, _first_domain)
        return _first_domain(self._conn.execute(_GET_DOMAIN, {"domain": domain}).all())

    def for_pool(self, pool_id: str) -> list[Domain]:
        rows = self._conn.execute(
            sa.select(domains).where(domains.c.pool_id == pool_id).order_by(domains.c.created_at)
        ).all()
        return [_domain(r) for r in rows]

    def update(self, domain: Domain) -> None:
        stmt = (
            domains.update()
            .where(domains.c.domain == domain.domain)
            .values(config=domain.config, updated_at=domain.updated_at)
        )
        if self._conn.execute(stmt).rowcount == 0:
            raise NotFound(domain.domain)

    def delete(self, domain: str) -> None:
        if self._conn.execute(domains.delete().where(domains.c.domain == domain)).rowcount == 0:
            raise NotFound(domain)


def _server(row: Any) -> ResourceServer:
    return ResourceServer(row.pool_id, row.identifier, row.name, list(row.scopes), row.created_at, row.updated_at)


class SqlResourceServerRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, server: ResourceServer) -> None:
        with conflicts_as({}, "identifier"):
            self._conn.execute(
                resource_servers.insert().values(
                    pool_id=server.pool_id,
                    identifier=server.identifier,
                    name=server.name,
                    scopes=server.scopes,
                    created_at=server.created_at,
                    updated_at=server.updated_at,
                )
            )

    def get(self, pool_id: str, identifier: str) -> ResourceServer | None:
        t = resource_servers
        row = self._conn.execute(sa.select(t).where(t.c.pool_id == pool_id, t.c.identifier == identifier)).first()
        return _server(row) if row else None

    def update(self, server: ResourceServer) -> None:
        t = resource_servers
        stmt = (
            t.update()
            .where(t.c.pool_id == server.pool_id, t.c.identifier == server.identifier)
            .values(name=server.name, scopes=server.scopes, updated_at=server.updated_at)
        )
        if self._conn.execute(stmt).rowcount == 0:
            raise NotFound(server.identifier)

    def delete(self, pool_id: str, identifier: str) -> None:
        t = resource_servers
        if self._conn.execute(t.delete().where(t.c.pool_id == pool_id, t.c.identifier == identifier)).rowcount == 0:
            raise NotFound(identifier)

    def list(self, pool_id: str, limit: int, after: str | None) -> Page[ResourceServer]:
        t = resource_servers
        stmt = sa.select(t).where(t.c.pool_id == pool_id)
        if after is not None:
            stmt = stmt.where(t.c.identifier > after)
        rows = self._conn.execute(stmt.order_by(t.c.identifier).limit(limit + 1)).all()
        return keyset_page(rows, limit, _server, lambda r: str(r.identifier))

    def count(self, pool_id: str) -> int:
        return count(self._conn, resource_servers, resource_servers.c.pool_id == pool_id)
