"""A user's failed-sign-in counter, lock and last global sign-out: columns of ``users`` that only this
repository writes, so that updating a user's profile never races with counting its sign-in attempts."""

from __future__ import annotations

import sqlalchemy as sa

from userpool.model.token_records import SignInCounters
from userpool.store.sql.tables import users

_u = users.c


class SqlSignInCounterRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def get(self, pool_id: str, sub: str, for_update: bool = False) -> SignInCounters | None:
        """The user's counters; ``for_update`` locks the row until commit (read-modify-write of the counter)."""
        query = sa.select(_u.failed_sign_ins, _u.last_sign_in_attempt_at, _u.locked_until, _u.signed_out_at).where(
            _u.pool_id == pool_id, _u.sub == sub
        )
        if for_update:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        if row is None:
            return None
        return SignInCounters(
            failed_attempts=int(row.failed_sign_ins or 0),
            last_attempt_at=row.last_sign_in_attempt_at,
            locked_until=row.locked_until,
            signed_out_at=row.signed_out_at,
        )

    def set_attempts(self, pool_id: str, sub: str, counters: SignInCounters) -> None:
        self._conn.execute(
            users.update()
            .where(_u.pool_id == pool_id, _u.sub == sub)
            .values(
                failed_sign_ins=counters.failed_attempts,
                last_sign_in_attempt_at=counters.last_attempt_at,
                locked_until=counters.locked_until,
            )
        )

    def sign_out(self, pool_id: str, sub: str, now: float) -> None:
        self._conn.execute(users.update().where(_u.pool_id == pool_id, _u.sub == sub).values(signed_out_at=now))
