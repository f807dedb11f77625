"""The console's sign-in attempt counters (table ``console_sign_in_attempts``).

A count is taken by one conditional UPDATE: the database row lock (PostgreSQL) or the write lock (SQLite's
BEGIN IMMEDIATE) makes racing attempts queue on it, and the condition re-checked on the current row lets
exactly ``limit`` of them through.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from userpool.model.operators import AttemptCount
from userpool.store.sql.rows import count
from userpool.store.sql.tables import console_sign_in_attempts as t

_c = t.c
# Built once (docs/architecture.md, Hot-path rules). Parameters are named unlike any column: an UPDATE executed with a
# parameter named after a column would also SET that column.
_ENDED = _c.expires_at <= sa.bindparam("at")
_TAKE = (
    t.update()
    .where(_c.counter_key == sa.bindparam("key"), sa.or_(_ENDED, _c.attempts < sa.bindparam("most")))
    .values(attempts=sa.case((_ENDED, 1), else_=_c.attempts + 1), expires_at=sa.bindparam("until"))
)
_GIVE_BACK = (
    t.update()
    .where(_c.counter_key == sa.bindparam("key"), _c.attempts > 0, _c.expires_at > sa.bindparam("at"))
    .values(attempts=_c.attempts - 1)
)


class SqlConsoleAttemptRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def take(self, key: str, limit: int, now: float, period: float, max_keys: int) -> bool:
        params = {"key": key, "at": now, "most": limit, "until": now + period}
        if self._conn.execute(_TAKE, params).rowcount:
            return True
        insert = (postgresql.insert if self._conn.dialect.name == "postgresql" else sqlite.insert)(t)
        added = self._conn.execute(
            insert.values(counter_key=key, attempts=1, expires_at=now + period)
            .on_conflict_do_nothing()
            .returning(_c.counter_key)
        ).first()
        if added is not None:
            self._bound(now, max_keys)
            return True
        # Another transaction added the row between the UPDATE and the INSERT (PostgreSQL; the INSERT waited
        # for it to commit): count against that row.
        return bool(self._conn.execute(_TAKE, params).rowcount)

    def _bound(self, now: float, max_keys: int) -> None:
        self._conn.execute(t.delete().where(_c.expires_at <= now))
        excess = count(self._conn, t) - max_keys
        if excess > 0:
            nearest = sa.select(_c.counter_key).order_by(_c.expires_at).limit(excess)
            self._conn.execute(t.delete().where(_c.counter_key.in_(nearest)))

    def give_back(self, key: str, now: float) -> None:
        self._conn.execute(_GIVE_BACK, {"key": key, "at": now})

    def forget(self, key: str) -> None:
        self._conn.execute(t.delete().where(_c.counter_key == key))

    def get(self, key: str, now: float) -> AttemptCount | None:
        row = self._conn.execute(
            sa.select(_c.attempts, _c.expires_at).where(_c.counter_key == key, _c.expires_at > now)
        ).first()
        return AttemptCount(int(row.attempts), float(row.expires_at)) if row else None
