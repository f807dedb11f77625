"""Token signing keys per pool; private keys are sealed at rest (docs/architecture.md, Storage)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from userpool.crypto.sealing import Sealer
from userpool.model.token_records import CURRENT, PREVIOUS, PublishedKey, SigningKey
from userpool.store.sql.config_cache import CachedRead, ConfigReads
from userpool.store.sql.driver import Link
from userpool.store.sql.rows import conflicts_as
from userpool.store.sql.tables import signing_keys

_k = signing_keys.c


def _published(row: Any) -> PublishedKey:
    return PublishedKey(row.kid, row.pool_id, row.token_use, dict(row.public_jwk), row.expires_at)


# Built once (docs/architecture.md, Hot-path rules).
_CURRENT_KIDS = (
    sa.select(_k.token_use, _k.kid)
    .where(_k.pool_id == sa.bindparam("pool_id"), _k.status == CURRENT)
    .order_by(_k.generation)
)
_CACHED_CURRENT_KIDS = CachedRead(_CURRENT_KIDS)


def _kids(rows: Sequence[Any]) -> dict[str, str] | None:
    # None before the pool's first keys: not kept (config_cache.py), the first sign-in makes them at once.
    return {r.token_use: r.kid for r in rows} or None


class SqlSigningKeyRepo:
    def __init__(self, link: Link, sealer: Sealer, config: ConfigReads | None = None) -> None:
        self._link = link
        self._sealer = sealer
        self._config = config

    @property
    def _conn(self) -> sa.Connection:
        # SQLAlchemy's connection, made when first asked for: a read answered from the configuration cache
        # never asks (driver.py).
        return self._link.sa

    def add(self, keys: list[SigningKey]) -> None:
        """Insert a generation of keys; Conflict("generation") when that generation already exists."""
        rows = [
            {
                "kid": k.kid,
                "pool_id": k.pool_id,
                "token_use": k.token_use,
                "generation": k.generation,
                "status": k.status,
                # The kid binds the sealed blob to its row: a blob copied onto another key will not open.
                "private_sealed": self._sealer.seal(k.private_pem, k.kid),
                "public_jwk": k.public_jwk,
                "created_at": k.created_at,
                "retired_at": k.retired_at,
                "expires_at": k.expires_at,
            }
            for k in keys
        ]
        with conflicts_as({}, "generation"):
            self._conn.execute(signing_keys.insert(), rows)

    def current_kids(self, pool_id: str) -> dict[str, str]:
        """token_use -> kid of the pool's current keys (empty before the first sign-in)."""
        if self._config is not None:
            return self._config.fetch(_CACHED_CURRENT_KIDS, {"pool_id": pool_id}, _kids) or {}
        return _kids(self._conn.execute(_CURRENT_KIDS, {"pool_id": pool_id}).all()) or {}

    def private_pem(self, kid: str) -> str | None:
        sealed = self._conn.execute(sa.select(_k.private_sealed).where(_k.kid == kid)).scalar()
        return self._sealer.unseal(sealed, kid) if sealed else None

    def published_key(self, kid: str) -> PublishedKey | None:
        row = self._conn.execute(
            sa.select(_k.kid, _k.pool_id, _k.token_use, _k.public_jwk, _k.expires_at).where(_k.kid == kid)
        ).first()
        return _published(row) if row else None

    def published(self, pool_id: str, now: float) -> list[PublishedKey]:
        """Current keys and previous keys whose tokens may still be alive, newest first."""
        rows = self._conn.execute(
            sa.select(_k.kid, _k.pool_id, _k.token_use, _k.public_jwk, _k.expires_at)
            .where(_k.pool_id == pool_id, sa.or_(_k.expires_at.is_(None), _k.expires_at > now))
            .order_by(_k.generation.desc(), _k.token_use)
        ).all()
        return [_published(r) for r in rows]

    def latest_generation(self, pool_id: str) -> int:
        found = self._conn.execute(sa.select(sa.func.max(_k.generation)).where(_k.pool_id == pool_id)).scalar()
        return int(found or 0)

    def retire_current(self, pool_id: str, now: float, expires_at: float) -> None:
        self._conn.execute(
            signing_keys.update()
            .where(_k.pool_id == pool_id, _k.status == CURRENT)
            .values(status=PREVIOUS, retired_at=now, expires_at=expires_at)
        )

    def delete_expired(self, pool_id: str, now: float) -> None:
        self._conn.execute(signing_keys.delete().where(_k.pool_id == pool_id, _k.expires_at <= now))
