"""The pool's PasswordHistorySize: a new password may repeat none of the user's ``n`` most recent passwords,
the current one included (PasswordPolicyType: "Users can't set a password that matches any of n previous
passwords"), or the operation fails with PasswordHistoryPolicyViolationException. The botocore model
declares it for exactly the operations that take a new password from the user or an administrator:
ChangePassword, ConfirmForgotPassword, AdminSetUserPassword (temporary or permanent) and the
NEW_PASSWORD_REQUIRED answer of (Admin)RespondToAuthChallenge; the hosted pages call those.

The previous passwords are kept as their argon2id hashes, at most ``n - 1`` of them (the current one is the user's own
hash). Checking a password against them is a slow hash each: it runs outside any transaction, between the read that
fetched them and the write that sets the new password (docs/architecture.md, Storage). Should another request change the
password in between, the check ran against the history as it was read.
"""

from __future__ import annotations

from dataclasses import dataclass

from userpool.context import Ctx
from userpool.errors import PasswordHistoryPolicyViolationException
from userpool.model.password_policy import history_size
from userpool.model.records import Pool, User
from userpool.store.base import Tx

REUSED = "Password has previously been used"


@dataclass(frozen=True, slots=True)
class RecentPasswords:
    """The hashes a new password must not match: the current one, then the previous ones, newest first."""

    hashes: tuple[str, ...] = ()


def recent_passwords(tx: Tx, pool: Pool, user: User) -> RecentPasswords:
    """What ``user``'s next password is checked against; nothing in a pool without a history size."""
    size = history_size(pool)
    if size == 0:
        return RecentPasswords()
    previous = tx.password_history.recent(pool.id, user.sub, size - 1) if size > 1 else []
    current = (user.password_hash,) if user.password_hash else ()
    return RecentPasswords((*current, *previous))


def check_not_reused(ctx: Ctx, recent: RecentPasswords, password: str) -> None:
    """PasswordHistoryPolicyViolationException when ``password`` is one of ``recent``; call it outside any
    transaction (argon2id)."""
    if any(ctx.deps.hasher.verify(stored, password) for stored in recent.hashes):
        raise PasswordHistoryPolicyViolationException(REUSED)


def remember_replaced(ctx: Ctx, tx: Tx, pool: Pool, replaced: User) -> None:
    """In the write that gives ``replaced`` (as it was) a new password: keep its old hash among the previous
    ones, and no more of them than the pool's history size needs (none without one)."""
    tx.password_history.record(pool.id, replaced.sub, replaced.password_hash, ctx.now, keep=history_size(pool) - 1)
