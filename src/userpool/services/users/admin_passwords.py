"""Admin password operations: AdminSetUserPassword, AdminResetUserPassword.

The reset code AdminResetUserPassword sends is a ``forgot_password`` code of the code store, so that
ConfirmForgotPassword accepts it as it does a ForgotPassword code (AWS: AdminResetUserPassword API reference).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException, NotAuthorizedException, UserNotFoundException
from userpool.model.codes import FORGOT_PASSWORD
from userpool.model.destinations import Channel, recovery_channel
from userpool.model.password_policy import check_password, temporary_password_expiry
from userpool.model.records import Pool, User
from userpool.model.vocabulary import UserStatus
from userpool.services.lookup.records import pool_or_404, user_or_404
from userpool.services.users.steps.code_delivery import deliver, prepare, send_code
from userpool.services.users.steps.credentials import new_password, with_password
from userpool.services.users.steps.password_history import check_not_reused, recent_passwords, remember_replaced
from userpool.store.base import Tx
from userpool.triggers.sources import MessageEvent


def current_user(tx: Tx, pool: Pool, user: User) -> User:
    """The user re-read in this transaction: it may have been deleted since it was first looked up."""
    found = tx.users.get_by_sub(pool.id, user.sub)
    if found is None:
        raise UserNotFoundException("User does not exist.")
    return found


def admin_set_user_password(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Set a user's password, permanent (-> CONFIRMED) or temporary (-> FORCE_CHANGE_PASSWORD):
    AdminSetUserPassword."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        user = user_or_404(tx, pool, req["Username"])
        recent = recent_passwords(tx, pool, user)
    check_password(pool, req["Password"])
    # Temporary passwords too: the model declares PasswordHistoryPolicyViolationException for the operation.
    check_not_reused(ctx, recent, req["Password"])
    password = new_password(ctx, user, req["Password"])
    permanent = bool(req.get("Permanent", False))
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, pool.id)
        user = current_user(tx, pool, user)
        # A new password makes any outstanding reset code useless.
        tx.codes.delete(pool.id, user.sub, FORGOT_PASSWORD)
        tx.users.update(
            replace(
                with_password(user, password),
                status=UserStatus.CONFIRMED if permanent else UserStatus.FORCE_CHANGE_PASSWORD,
                password_expires_at=None if permanent else temporary_password_expiry(pool, ctx.now),
                updated_at=ctx.now,
            )
        )
        remember_replaced(ctx, tx, pool, user)
    return {}


def _resettable(pool: Pool, user: User) -> Channel:
    """Where the reset code for ``user`` goes, if AdminResetUserPassword may reset it."""
    # An invited user has no password of its own yet; RESEND gives it a new temporary one.
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        raise NotAuthorizedException("User password cannot be reset in the current state.")
    channel = recovery_channel(pool, user.attributes)
    if channel is None:
        raise InvalidParameterException(
            "Cannot reset password for the user as there is no registered/verified email or phone_number"
        )
    return channel


def admin_reset_user_password(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Require a user to reset its password and send it a reset code: AdminResetUserPassword.

    CustomMessage_ForgotPassword writes the message between the checks and the transaction that issues
    the code, which checks again (triggers run outside transactions).
    """
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        user = user_or_404(tx, pool, req["Username"])
        _resettable(pool, user)
    outgoing = prepare(
        ctx, pool, user, MessageEvent.FORGOT_PASSWORD, client_id=None, client_metadata=req.get("ClientMetadata")
    )
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, pool.id)
        user = current_user(tx, pool, user)
        channel = _resettable(pool, user)
        tx.users.update(replace(user, status=UserStatus.RESET_REQUIRED, updated_at=ctx.now))
        # The administrator's request is not the user's: it does not count against the user's hourly cap.
        send_code(ctx, tx, pool, user, FORGOT_PASSWORD, channel, capped=False, outgoing=outgoing)
    deliver(ctx, outgoing)
    return {}
