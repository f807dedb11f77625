"""A pool's SAML signing keys (the private key sealed at rest, bound to its pool and generation) and the
SAML assertion IDs it accepted (replay refused by the primary key)."""

from __future__ import annotations

import sqlalchemy as sa

from userpool.crypto.sealing import Sealer
from userpool.model.saml_service_provider import SamlSigningKey
from userpool.store.sql.rows import conflicts_as
from userpool.store.sql.tables import saml_assertions, saml_signing_keys

_k = saml_signing_keys.c
_a = saml_assertions.c


def _context(pool_id: str, generation: int) -> str:
    return f"saml-signing-key:{pool_id}:{generation}"


class SqlSamlSigningKeyRepo:
    def __init__(self, conn: sa.Connection, sealer: Sealer) -> None:
        self._conn = conn
        self._sealer = sealer

    def add(self, key: SamlSigningKey) -> None:
        with conflicts_as({}, "generation"):
            self._conn.execute(
                saml_signing_keys.insert().values(
                    pool_id=key.pool_id,
                    generation=key.generation,
                    certificate=key.certificate,
                    private_sealed=self._sealer.seal(key.private_key_pem, _context(key.pool_id, key.generation)),
                    created_at=key.created_at,
                )
            )

    def newest(self, pool_id: str) -> SamlSigningKey | None:
        row = self._conn.execute(
            sa.select(saml_signing_keys).where(_k.pool_id == pool_id).order_by(_k.generation.desc()).limit(1)
        ).first()
        if row is None:
            return None
        pem = self._sealer.unseal(row.private_sealed, _context(row.pool_id, row.generation))
        return SamlSigningKey(row.pool_id, row.generation, row.certificate, pem, row.created_at)


class SqlSamlAssertionRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def remember(self, pool_id: str, issuer: str, assertion_id: str, keep_until: float, now: float) -> None:
        key = (_a.pool_id == pool_id, _a.issuer == issuer, _a.assertion_id == assertion_id)
        # A row whose time is over no longer refuses anything, swept or not.
        self._conn.execute(saml_assertions.delete().where(*key, _a.keep_until <= now))
        with conflicts_as({}, "assertion_id"):
            self._conn.execute(
                saml_assertions.insert().values(
                    pool_id=pool_id, issuer=issuer, assertion_id=assertion_id, keep_until=keep_until
                )
            )

    def delete_expired(self, now: float) -> None:
        self._conn.execute(saml_assertions.delete().where(_a.keep_until <= now))
