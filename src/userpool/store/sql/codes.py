"""One-time codes: one live row per (pool, user, purpose), replaced by each new code."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from userpool.model.codes import OneTimeCode
from userpool.store.sql.tables import one_time_codes as t

_KEY = ("pool_id", "sub", "purpose")


def _code(row: Any) -> OneTimeCode:
    return OneTimeCode(
        pool_id=row.pool_id,
        sub=row.sub,
        purpose=row.purpose,
        code_hash=row.code_hash,
        attribute=row.attribute,
        expires_at=row.expires_at,
        attempts=row.attempts,
        attempts_since=row.attempts_since,
        issued=row.issued,
        issued_since=row.issued_since,
        created_at=row.created_at,
    )


def _values(code: OneTimeCode) -> dict[str, Any]:
    return {
        "pool_id": code.pool_id,
        "sub": code.sub,
        "purpose": code.purpose,
        "code_hash": code.code_hash,
        "attribute": code.attribute,
        "expires_at": code.expires_at,
        "attempts": code.attempts,
        "attempts_since": code.attempts_since,
        "issued": code.issued,
        "issued_since": code.issued_since,
        "created_at": code.created_at,
    }


class SqlCodeRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def _where(self, pool_id: str, sub: str, purpose: str) -> sa.ColumnElement[bool]:
        return sa.and_(t.c.pool_id == pool_id, t.c.sub == sub, t.c.purpose == purpose)

    def get(self, pool_id: str, sub: str, purpose: str, for_update: bool = False) -> OneTimeCode | None:
        query = sa.select(t).where(self._where(pool_id, sub, purpose))
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return _code(row) if row is not None else None

    def put(self, code: OneTimeCode) -> None:
        values = _values(code)
        # An upsert, so that two requests racing to issue a user's code cannot fail on the primary key.
        insert = (postgresql.insert if self._conn.dialect.name == "postgresql" else sqlite.insert)(t).values(**values)
        changes = {k: v for k, v in values.items() if k not in _KEY}
        self._conn.execute(insert.on_conflict_do_update(index_elements=list(_KEY), set_=changes))

    def delete(self, pool_id: str, sub: str, purpose: str) -> None:
        self._conn.execute(t.delete().where(self._where(pool_id, sub, purpose)))
