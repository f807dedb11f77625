"""Sending a one-time code and checking one, for the operations that use them: SignUp,
ResendConfirmationCode, ConfirmSignUp, ForgotPassword, ConfirmForgotPassword, AdminResetUserPassword.

Spec users-attributes-policies §5. The code leaves this module only inside the outbox message; the store
keeps its keyed hash (crypto/codes.py) and the attempt counters (model/codes.py).
"""

from __future__ import annotations

from typing import Any

from userpool.context import Ctx
from userpool.crypto.codes import code_hash, code_matches, new_code
from userpool.model.codes import OneTimeCode, after_failure, issue, usable
from userpool.model.destinations import Channel, delivery_details
from userpool.model.messages import code_message
from userpool.model.records import NewMessage, Pool, User
from userpool.store.base import Tx


def send_code(
    ctx: Ctx, tx: Tx, pool: Pool, user: User, purpose: str, channel: Channel, *, capped: bool = True
) -> dict[str, Any]:
    """Replace the user's code for ``purpose`` with a new one, queue it to ``channel`` with the pool's
    verification template, and return the CodeDeliveryDetails. Commit, then wake the outbox."""
    now = ctx.now
    code = new_code()
    stored = issue(
        tx.codes.get(pool.id, user.sub, purpose, for_update=True),
        pool_id=pool.id,
        sub=user.sub,
        purpose=purpose,
        code_hash=code_hash(ctx.deps.code_key, pool.id, user.sub, purpose, code),
        attribute=channel.attribute,
        now=now,
        capped=capped,
    )
    tx.codes.put(stored)
    message = code_message(pool, channel.medium, code)
    tx.outbox.add(NewMessage(pool.id, channel.medium, channel.address, message.subject, message.body), now)
    return delivery_details(channel.attribute, channel.address)


def check_code(ctx: Ctx, tx: Tx, user: User, purpose: str, given: str) -> OneTimeCode | None:
    """The user's live code for ``purpose`` when ``given`` is it (left in place: the caller consumes it).

    None when ``given`` is wrong: the wrong entry is recorded in ``tx``, which the caller must let commit
    before raising CodeMismatchException, or the attempt cap would never be reached. No code, an expired
    one, or a reached cap raise at once (nothing to record).
    """
    stored = usable(tx.codes.get(user.pool_id, user.sub, purpose, for_update=True), ctx.now)
    if code_matches(ctx.deps.code_key, stored.code_hash, user.pool_id, user.sub, purpose, given):
        return stored
    tx.codes.put(after_failure(stored, ctx.now))
    return None
