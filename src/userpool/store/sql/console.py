"""Admin console operators and their sessions (tables ``console_operators`` and ``console_sessions``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from userpool.model.operators import Operator, OperatorSession
from userpool.store.base import NotFound
from userpool.store.sql.rows import conflicts_as
from userpool.store.sql.tables import console_operators, console_sessions

_o = console_operators.c
_s = console_sessions.c


def _operator(row: Any) -> Operator:
    return Operator(
        username=row.username,
        password_hash=row.password_hash,
        created_at=row.created_at,
        last_sign_in_at=row.last_sign_in_at,
    )


class SqlOperatorRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, operator: Operator) -> None:
        with conflicts_as({}, "username"):
            # The retired lockout columns (tables.py) keep their neutral values.
            values = {**_values(operator), "failed_sign_ins": 0, "locked_until": None}
            self._conn.execute(console_operators.insert().values(**values))

    def get(self, username: str, for_update: bool = False) -> Operator | None:
        query = sa.select(console_operators).where(_o.username == username)
        if for_update:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return _operator(row) if row else None

    def list(self) -> list[Operator]:
        rows = self._conn.execute(sa.select(console_operators).order_by(_o.username)).all()
        return [_operator(r) for r in rows]

    def update(self, operator: Operator) -> None:
        values = _values(operator)
        del values["username"]
        self._conn.execute(console_operators.update().where(_o.username == operator.username).values(**values))

    def delete(self, username: str) -> None:
        # Sessions first: SQLite enforces the cascade only with foreign keys on, which tests may not assume.
        self._conn.execute(console_sessions.delete().where(_s.username == username))
        if self._conn.execute(console_operators.delete().where(_o.username == username)).rowcount == 0:
            raise NotFound(username)


def _values(operator: Operator) -> dict[str, Any]:
    return {
        "username": operator.username,
        "password_hash": operator.password_hash,
        "created_at": operator.created_at,
        "last_sign_in_at": operator.last_sign_in_at,
    }


class SqlOperatorSessionRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, session: OperatorSession) -> None:
        self._conn.execute(
            console_sessions.insert().values(
                session_hash=session.session_hash,
                username=session.username,
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
                expires_at=session.expires_at,
            )
        )

    def get(self, session_hash: str) -> OperatorSession | None:
        row = self._conn.execute(sa.select(console_sessions).where(_s.session_hash == session_hash)).first()
        if row is None:
            return None
        return OperatorSession(row.session_hash, row.username, row.created_at, row.last_seen_at, row.expires_at)

    def touch(self, session_hash: str, now: float) -> None:
        self._conn.execute(console_sessions.update().where(_s.session_hash == session_hash).values(last_seen_at=now))

    def delete(self, session_hash: str) -> None:
        self._conn.execute(console_sessions.delete().where(_s.session_hash == session_hash))

    def delete_expired(self, now: float, idle_before: float) -> None:
        self._conn.execute(console_sessions.delete().where(sa.or_(_s.expires_at <= now, _s.last_seen_at < idle_before)))
