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


# Statements built once (docs/architecture.md, Hot-path rules).
_WHERE = sa.and_(
    t.c.pool_id == sa.bindparam("pool_id"), t.c.sub == sa.bindparam("sub"), t.c.purpose == sa.bindparam("purpose")
)
_GET = sa.select(t).where(_WHERE)
_GET_LOCKED = _GET.with_for_update()
_DELETE = t.delete().where(_WHERE)


def _upsert(dialect: Any) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE in ``dialect``: two requests racing to issue a user's code cannot fail
    on the primary key."""
    insert = dialect.insert(t).values({c.name: sa.bindparam(c.name) for c in t.columns})
    changes = {c.name: insert.excluded[c.name] for c in t.columns if c.name not in _KEY}
    return insert.on_conflict_do_update(index_elements=list(_KEY), set_=changes)


_PUT = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}


class SqlCodeRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self._put = _PUT["postgresql" if conn.dialect.name == "postgresql" else "sqlite"]

    def get(self, pool_id: str, sub: str, purpose: str, for_update: bool = False) -> OneTimeCode | None:
        params = {"pool_id": pool_id, "sub": sub, "purpose": purpose}
        row = self._conn.execute(_GET_LOCKED if for_update else _GET, params).first()
        return _code(row) if row is not None else None

    def put(self, code: OneTimeCode) -> None:
        self._conn.execute(self._put, _values(code))

    def delete(self, pool_id: str, sub: str, purpose: str) -> None:
        self._conn.execute(_DELETE, {"pool_id": pool_id, "sub": sub, "purpose": purpose})
