"""A user's failed-sign-in counter, lock and last global sign-out: columns of ``users`` that only this
repository writes, so that updating a user's profile never races with counting its sign-in attempts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from userpool.model.token_records import SignInCounters
from userpool.store.sql.driver import Link
from userpool.store.sql.tables import users

_u = users.c
# Built once (docs/architecture.md, Hot-path rules). The update's parameters are named unlike any column: an UPDATE
# executed with a parameter named after a column would also SET that column.
_GET = sa.select(_u.failed_sign_ins, _u.last_sign_in_attempt_at, _u.locked_until, _u.signed_out_at).where(
    _u.pool_id == sa.bindparam("pool_id"), _u.sub == sa.bindparam("sub")
)
_GET_LOCKED = _GET.with_for_update()
_SET_ATTEMPTS = (
    users.update()
    .where(_u.pool_id == sa.bindparam("row_pool_id"), _u.sub == sa.bindparam("row_sub"))
    .values(
        failed_sign_ins=sa.bindparam("new_failed"),
        last_sign_in_attempt_at=sa.bindparam("new_last_attempt"),
        locked_until=sa.bindparam("new_locked_until"),
    )
)


# The counters are columns of the user's row: a transaction that has just read the row (users.get_by_sub /
# get_by_username) keeps them here, so that the access-token check reads the row once, not twice (docs/architecture.md,
# Hot-path rules). Per transaction only, and dropped by every write to the row in it, so no read sees anything the
# transaction's own SELECT would not have. In a write transaction every read of the row locks it (here as in users.py),
# so a kept entry is also what a locking read would see: the lockout count's read-modify-write may start from it.
CounterMemo = dict[tuple[str, str], SignInCounters]


def counters_of(row: Any) -> SignInCounters:
    return SignInCounters(
        failed_attempts=int(row.failed_sign_ins or 0),
        last_attempt_at=row.last_sign_in_attempt_at,
        locked_until=row.locked_until,
        signed_out_at=row.signed_out_at,
    )


class SqlSignInCounterRepo:
    def __init__(self, link: Link, memo: CounterMemo | None = None) -> None:
        self._link = link
        self._memo: CounterMemo = {} if memo is None else memo
        self._locking = link.locking

    @property
    def _conn(self) -> sa.Connection:
        return self._link.sa

    def get(self, pool_id: str, sub: str, for_update: bool = False) -> SignInCounters | None:
        """The user's counters; ``for_update`` locks the row until commit (read-modify-write of the counter)."""
        if not for_update or self._locking:
            known = self._memo.get((pool_id, sub))
            if known is not None:
                return known
        query = _GET_LOCKED if for_update or self._locking else _GET
        row = self._conn.execute(query, {"pool_id": pool_id, "sub": sub}).first()
        if row is None:
            return None
        counters = self._memo[(pool_id, sub)] = counters_of(row)
        return counters

    def set_attempts(self, pool_id: str, sub: str, counters: SignInCounters) -> None:
        self._memo.pop((pool_id, sub), None)
        self._conn.execute(
            _SET_ATTEMPTS,
            {
                "row_pool_id": pool_id,
                "row_sub": sub,
                "new_failed": counters.failed_attempts,
                "new_last_attempt": counters.last_attempt_at,
                "new_locked_until": counters.locked_until,
            },
        )

    def sign_out(self, pool_id: str, sub: str, now: float) -> None:
        self._memo.pop((pool_id, sub), None)
        self._conn.execute(users.update().where(_u.pool_id == pool_id, _u.sub == sub).values(signed_out_at=now))
