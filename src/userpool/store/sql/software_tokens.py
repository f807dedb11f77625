"""Users' TOTP authenticators; both secrets sealed under one context bound to the user's row.

Accepting a code is a conditional UPDATE (``WHERE generation = :read AND last_step < :step``), not a read
then a write: of two requests that present the same code at once, the database lets exactly one through,
on SQLite and on PostgreSQL alike, without holding a row lock across the caller's work.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from userpool.crypto.sealing import Sealer
from userpool.model.user_mfa import SoftwareToken
from userpool.store.sql.tables import software_tokens as t

# Built once (docs/architecture.md, Hot-path rules).
_GET = sa.select(t).where(t.c.pool_id == sa.bindparam("pool_id"), t.c.sub == sa.bindparam("sub"))


class SqlSoftwareTokenRepo:
    def __init__(self, conn: sa.Connection, sealer: Sealer) -> None:
        self._conn = conn
        self._sealer = sealer

    def _context(self, pool_id: str, sub: str) -> str:
        # One context for the pending and the verified secret, so that verification can move the sealed
        # text from one column to the other inside the database; bound to the user, so a sealed secret
        # copied onto another user's row does not open.
        return f"totp:{pool_id}:{sub}"

    def _open(self, row: Any, sealed: str | None) -> str | None:
        return self._sealer.unseal(sealed, self._context(row.pool_id, row.sub)) if sealed else None

    def _key(self, pool_id: str, sub: str) -> sa.ColumnElement[bool]:
        return sa.and_(t.c.pool_id == pool_id, t.c.sub == sub)

    def get(self, pool_id: str, sub: str) -> SoftwareToken | None:
        row = self._conn.execute(_GET, {"pool_id": pool_id, "sub": sub}).first()
        if row is None:
            return None
        return SoftwareToken(
            pool_id=row.pool_id,
            sub=row.sub,
            generation=row.generation,
            created_at=row.created_at,
            updated_at=row.updated_at,
            secret=self._open(row, row.secret_sealed),
            pending_secret=self._open(row, row.pending_secret_sealed),
            last_step=row.last_step,
            friendly_name=row.friendly_name,
            verified_at=row.verified_at,
            associated_at=row.associated_at,
        )

    def associate(self, pool_id: str, sub: str, secret: str, now: float) -> None:
        sealed = self._sealer.seal(secret, self._context(pool_id, sub))
        values = {
            "pool_id": pool_id,
            "sub": sub,
            "pending_secret_sealed": sealed,
            "generation": 1,
            "associated_at": now,
            "created_at": now,
            "updated_at": now,
        }
        # An upsert, so that two first associations racing for the same user cannot fail on the key.
        insert = (postgresql.insert if self._conn.dialect.name == "postgresql" else sqlite.insert)(t).values(**values)
        changes = {
            "pending_secret_sealed": sealed,
            "generation": t.c.generation + 1,
            "associated_at": now,
            "updated_at": now,
        }
        self._conn.execute(insert.on_conflict_do_update(index_elements=["pool_id", "sub"], set_=changes))

    def promote(self, token: SoftwareToken, step: int, friendly_name: str | None, now: float) -> bool:
        stmt = (
            t.update()
            .where(
                self._key(token.pool_id, token.sub),
                t.c.generation == token.generation,
                t.c.pending_secret_sealed.is_not(None),
            )
            .values(
                secret_sealed=t.c.pending_secret_sealed,
                pending_secret_sealed=None,
                last_step=step,
                generation=t.c.generation + 1,
                friendly_name=friendly_name,
                verified_at=now,
                updated_at=now,
            )
        )
        return bool(self._conn.execute(stmt).rowcount == 1)

    def accept_step(self, token: SoftwareToken, step: int, now: float) -> bool:
        stmt = (
            t.update()
            .where(
                self._key(token.pool_id, token.sub),
                t.c.generation == token.generation,
                t.c.secret_sealed.is_not(None),
                sa.or_(t.c.last_step.is_(None), t.c.last_step < step),
            )
            .values(last_step=step, updated_at=now)
        )
        return bool(self._conn.execute(stmt).rowcount == 1)

    def delete(self, pool_id: str, sub: str) -> bool:
        return bool(self._conn.execute(t.delete().where(self._key(pool_id, sub))).rowcount == 1)
