"""Users' previous password hashes (PasswordHistorySize), numbered per user so the newest sort first.

``record`` runs in the write transaction that replaces the user's password, which holds the user's row: the
next position cannot be taken by a concurrent writer (SQLite writes one at a time, PostgreSQL waits on the
row lock).
"""

from __future__ import annotations

import sqlalchemy as sa

from userpool.store.sql.tables import password_history as t


class SqlPasswordHistoryRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def _of(self, pool_id: str, sub: str) -> sa.ColumnElement[bool]:
        return sa.and_(t.c.pool_id == pool_id, t.c.sub == sub)

    def recent(self, pool_id: str, sub: str, limit: int) -> list[str]:
        if limit <= 0:
            return []
        stmt = sa.select(t.c.password_hash).where(self._of(pool_id, sub)).order_by(t.c.position.desc()).limit(limit)
        return [str(h) for h in self._conn.execute(stmt).scalars()]

    def record(self, pool_id: str, sub: str, password_hash: str | None, replaced_at: float, keep: int) -> None:
        if password_hash is not None and keep > 0:
            last = self._conn.execute(sa.select(sa.func.max(t.c.position)).where(self._of(pool_id, sub))).scalar()
            position = (last or 0) + 1
            self._conn.execute(
                t.insert().values(
                    pool_id=pool_id, sub=sub, position=position, password_hash=password_hash, replaced_at=replaced_at
                )
            )
        newest = (
            sa.select(t.c.position)
            .where(self._of(pool_id, sub))
            .order_by(t.c.position.desc())
            .limit(max(keep, 0))
            .scalar_subquery()
        )
        self._conn.execute(t.delete().where(self._of(pool_id, sub), t.c.position.not_in(newest)))
