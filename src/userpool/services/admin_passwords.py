"""Admin password operations: AdminSetUserPassword, AdminResetUserPassword.

The reset code AdminResetUserPassword sends is kept, hashed, in the user's ``mfa`` document under
``password_reset`` = ``{"code_sha256": <hex SHA-256 of the 6 digits>, "expires_at": <epoch seconds>}``,
for ConfirmForgotPassword to accept as it does a ForgotPassword code (spec users-attributes-policies §1, §5).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException, NotAuthorizedException, UserNotFoundException
from userpool.model.messages import EMAIL, SMS, code_message
from userpool.model.password_policy import check_password, temporary_password_expiry
from userpool.model.records import NewMessage, Pool, User
from userpool.services.lookup import pool_or_404, user_or_404
from userpool.store.base import Tx

RESET_KEY = "password_reset"
# Forgot-password codes are valid for one hour (spec users-attributes-policies §5).
RESET_CODE_SECONDS = 3600.0
# Pools created without AccountRecoverySetting prefer the phone over email (spec §7, legacy behaviour).
LEGACY_RECOVERY = ("verified_phone_number", "verified_email")


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
    check_password(pool, req["Password"])
    password_hash = ctx.deps.hasher.hash(req["Password"])
    permanent = bool(req.get("Permanent", False))
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, pool.id)
        user = current_user(tx, pool, user)
        # A new password makes any outstanding reset code useless.
        mfa = {k: v for k, v in user.mfa.items() if k != RESET_KEY}
        tx.users.update(
            replace(
                user,
                password_hash=password_hash,
                status="CONFIRMED" if permanent else "FORCE_CHANGE_PASSWORD",
                password_expires_at=None if permanent else temporary_password_expiry(pool, ctx.now),
                mfa=mfa,
                updated_at=ctx.now,
            )
        )
    return {}


def recovery_channel(pool: Pool, attributes: dict[str, str]) -> tuple[str, str] | None:
    """(medium, destination) of the first verified channel AccountRecoverySetting allows, if any."""
    setting = pool.config.get("AccountRecoverySetting") or {}
    mechanisms = sorted(setting.get("RecoveryMechanisms") or [], key=lambda m: int(m.get("Priority", 0)))
    names = [m.get("Name") for m in mechanisms] or list(LEGACY_RECOVERY)
    for name in names:
        if name == "verified_email" and attributes.get("email") and attributes.get("email_verified") == "true":
            return EMAIL, attributes["email"]
        if (
            name == "verified_phone_number"
            and attributes.get("phone_number")
            and attributes.get("phone_number_verified") == "true"
        ):
            return SMS, attributes["phone_number"]
    return None


def admin_reset_user_password(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Require a user to reset its password and send it a reset code: AdminResetUserPassword."""
    code = f"{secrets.randbelow(10**6):06d}"
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        user = user_or_404(tx, pool, req["Username"])
        # An invited user has no password of its own yet; RESEND gives it a new temporary one.
        if user.status == "FORCE_CHANGE_PASSWORD":
            raise NotAuthorizedException("User password cannot be reset in the current state.")
        channel = recovery_channel(pool, user.attributes)
        if channel is None:
            raise InvalidParameterException(
                "Cannot reset password for the user as there is no registered/verified email or phone_number"
            )
        reset = {
            "code_sha256": hashlib.sha256(code.encode()).hexdigest(),
            "expires_at": ctx.now + RESET_CODE_SECONDS,
        }
        tx.users.update(replace(user, status="RESET_REQUIRED", mfa={**user.mfa, RESET_KEY: reset}, updated_at=ctx.now))
        medium, destination = channel
        message = code_message(pool, medium, code)
        tx.outbox.add(NewMessage(pool.id, medium, destination, message.subject, message.body), ctx.now)
    ctx.deps.wake_outbox()
    return {}
