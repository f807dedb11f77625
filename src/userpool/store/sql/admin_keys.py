"""SigV4 access keys of the admin API; the secret is sealed (SigV4 needs it back to verify)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from userpool.crypto.sealing import Sealer
from userpool.model.records import AdminKey
from userpool.store.base import NotFound
from userpool.store.sql.config_cache import CachedRead, ConfigReads
from userpool.store.sql.rows import conflicts_as
from userpool.store.sql.tables import admin_keys

# Every signed call by a key of the database (not the settings') looks its secret up: kept per process, unsealed,
# until the configuration generation changes (a deleted key is refused by the next call).
_GET = sa.select(admin_keys).where(admin_keys.c.access_key_id == sa.bindparam("access_key_id"))
_CACHED_GET = CachedRead(_GET)


class SqlAdminKeyRepo:
    def __init__(self, conn: sa.Connection, sealer: Sealer, config: ConfigReads | None = None) -> None:
        self._conn = conn
        self._sealer = sealer
        self._config = config

    def _key(self, row: Any) -> AdminKey:
        secret = self._sealer.unseal(row.secret_sealed, row.access_key_id)
        return AdminKey(row.access_key_id, secret, row.description, row.created_at)

    def add(self, key: AdminKey) -> None:
        with conflicts_as({}, "access_key_id"):
            self._conn.execute(
                admin_keys.insert().values(
                    access_key_id=key.access_key_id,
                    secret_sealed=self._sealer.seal(key.secret_access_key, key.access_key_id),
                    description=key.description,
                    created_at=key.created_at,
                )
            )

    def _first_key(self, rows: Sequence[Any]) -> AdminKey | None:
        return self._key(rows[0]) if rows else None

    def get(self, access_key_id: str) -> AdminKey | None:
        params = {"access_key_id": access_key_id}
        if self._config is not None:
            return self._config.fetch(_CACHED_GET, params, self._first_key)
        return self._first_key(self._conn.execute(_GET, params).all())

    def list(self) -> list[AdminKey]:
        rows = self._conn.execute(sa.select(admin_keys).order_by(admin_keys.c.created_at)).all()
        return [self._key(r) for r in rows]

    def delete(self, access_key_id: str) -> None:
        stmt = admin_keys.delete().where(admin_keys.c.access_key_id == access_key_id)
        if self._conn.execute(stmt).rowcount == 0:
            raise NotFound(access_key_id)
