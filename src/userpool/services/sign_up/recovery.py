"""Password recovery by the user: ForgotPassword, ConfirmForgotPassword.

Cognito developer guide: 'Passwords, password recovery, and password policies' (RESET_REQUIRED,
FORCE_CHANGE_PASSWORD, codes valid one hour, AccountRecoverySetting and the legacy phone-first order), 'Managing user
existence error responses', and the Lambda trigger pages (CustomMessage_ForgotPassword,
PostConfirmation_ConfirmForgotPassword, UserMigration_ForgotPassword). ConfirmForgotPassword also takes the
code AdminResetUserPassword sent: both live in the code store under the ``forgot_password`` purpose.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from userpool.context import Ctx
from userpool.errors import (
    ExpiredCodeException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)
from userpool.model.auth_events import EventType
from userpool.model.codes import CODE_EXPIRED, FORGOT_PASSWORD, OneTimeCode, mismatch
from userpool.model.destinations import (
    Channel,
    recovery_channel,
    recovery_mechanisms,
    recovery_preference,
    simulated_details,
)
from userpool.model.password_policy import check_password
from userpool.model.records import Client, Pool, User
from userpool.model.vocabulary import UserStatus
from userpool.services.lookup.app_clients import app_client, authorised_client, hides_users
from userpool.services.lookup.records import find_user
from userpool.services.threat_protection.steps import compromised_credentials
from userpool.services.threat_protection.steps.event_log import around_user_event
from userpool.services.users.steps import stand_ins
from userpool.services.users.steps.code_delivery import check_found_code
from userpool.services.users.steps.credentials import new_password, with_password
from userpool.services.users.steps.password_history import (
    RecentPasswords,
    check_not_reused,
    recent_passwords,
    remember_replaced,
)
from userpool.services.users.steps.user_migration import migrate_for_reset, migrates_users
from userpool.store.base import Tx
from userpool.triggers.sign_up import post_confirmation
from userpool.triggers.sources import MessageEvent, Source

NO_RECOVERY_CHANNEL = "Cannot reset password for the user as there is no registered/verified email or phone_number"
CANNOT_RESET = "User password cannot be reset in the current state."


def _check_self_service(pool: Pool) -> None:
    # AccountRecoverySetting "admin_only": only AdminResetUserPassword / AdminSetUserPassword recover.
    if "admin_only" in recovery_mechanisms(pool):
        raise NotAuthorizedException("Contact administrator to reset password.")


def _recoverable(tx: Tx, pool: Pool, client: Client, username: str) -> tuple[User, Channel] | None:
    """The user ForgotPassword names and where its code goes; None when the answer must be simulated
    (PreventUserExistenceErrors hides a missing or disabled user, or one without a verified channel)."""
    _check_self_service(pool)
    user = find_user(tx, pool, username)
    hide = hides_users(client)
    if user is None:
        if hide:
            return None
        raise UserNotFoundException("User does not exist.")
    if not user.enabled:
        if hide:
            return None
        raise NotAuthorizedException("User is disabled.")
    # An invited user has no password of its own yet; its invitation is re-sent instead.
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        raise NotAuthorizedException(CANNOT_RESET)
    channel = recovery_channel(pool, user.attributes)
    if channel is None:
        if hide:
            return None
        raise InvalidParameterException(NO_RECOVERY_CHANNEL)
    return user, channel


def _reachable(pool: Pool, client: Client, user: User) -> bool:
    """Whether a user being migrated for a reset has somewhere to receive the code; it is not created
    otherwise (NO_RECOVERY_CHANNEL, or nothing said when the client hides users)."""
    if recovery_channel(pool, user.attributes) is not None:
        return True
    if hides_users(client):
        return False
    raise InvalidParameterException(NO_RECOVERY_CHANNEL)


def forgot_password(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Send a password-reset code to the user's verified email or phone: ForgotPassword.

    With PreventUserExistenceErrors, a missing or disabled user, or one without a verified channel, gets a
    normal-looking CodeDeliveryDetails and nothing is sent: the name's stand-in code is issued instead, so
    that the hourly cap and ConfirmForgotPassword answer as for a user. CustomMessage writes the message
    between the check and the transaction that issues the code, which checks again. A name no user has
    first goes to the pool's UserMigration function, which may move the user in (RESET_REQUIRED) to receive
    the code.
    """
    return around_user_event(
        ctx, req["ClientId"], req["Username"], EventType.ForgotPassword, req, lambda c: _forgot_password(c, req)
    )


def _forgot_password(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    username = req["Username"]
    metadata = req.get("ClientMetadata")
    with ctx.store.read() as tx:
        pool, client = authorised_client(tx, req)
        _check_self_service(pool)
        migrating = migrates_users(pool) and find_user(tx, pool, username) is None
        found = None if migrating else _recoverable(tx, pool, client, username)
    if migrating:
        migrate_for_reset(ctx, pool, client, username, metadata, lambda user: _reachable(pool, client, user))
        with ctx.store.read() as tx:
            found = _recoverable(tx, pool, client, username)
    simulated = simulated_details(pool, username, recovery_preference(pool), ctx.deps.code_key)
    return stand_ins.send_code_or_stand_in(
        ctx,
        pool,
        client,
        username,
        found,
        purpose=FORGOT_PASSWORD,
        event=MessageEvent.FORGOT_PASSWORD,
        simulated=simulated,
        metadata=metadata,
        recheck=_recoverable,
    )


def _resettable(client: Client, user: User | None) -> User | None:
    """The user ConfirmForgotPassword names, if its password may be reset; None for a missing or disabled
    user where the client hides users (its stand-in code answers instead)."""
    if user is None:
        if hides_users(client):
            return None
        raise UserNotFoundException("User does not exist.")
    if not user.enabled:
        if hides_users(client):
            return None
        raise NotAuthorizedException("User is disabled.")
    return user


def _checked_code(
    ctx: Ctx, tx: Tx, pool: Pool, client: Client, user: User | None, req: dict[str, Any]
) -> OneTimeCode | None:
    """The user's code if ConfirmationCode is it; None for a wrong one (recorded in ``tx``). Where the client
    hides users, a name whose ForgotPassword was answered without a code (no user, a disabled one, one with no
    verified channel) answers from its stand-in code as a user's code would: ExpiredCode when none was asked
    for, CodeMismatch, then LimitExceeded past the hour's wrong entries (AWS, "Managing user existence error
    responses")."""
    given = req["ConfirmationCode"]
    if user is not None:
        found = tx.codes.get(pool.id, user.sub, FORGOT_PASSWORD, for_update=True)
        if found is not None or not hides_users(client):
            return check_found_code(ctx, tx.codes, found, given)
    stand_ins.check_code(ctx, tx, pool, req["Username"], FORGOT_PASSWORD, given)
    return None


def confirm_forgot_password(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Set a new password with the code ForgotPassword or AdminResetUserPassword sent: ConfirmForgotPassword.

    The code is checked first (a wrong one is counted), the password hashed outside any transaction only
    for a right one, then the code is consumed and the password set together. The user ends CONFIRMED,
    and its existing sessions are revoked. PostConfirmation follows the commit.
    """
    return around_user_event(
        ctx, req["ClientId"], req["Username"], EventType.ForgotPassword, req, lambda c: _confirm_forgot_password(c, req)
    )


def _confirm_forgot_password(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.write() as tx:
        pool, client = authorised_client(tx, req)
        # The policy is the pool's, so checking it first tells nothing about the user.
        check_password(pool, req["Password"])
        compromised_credentials.check_new_password(
            ctx, tx, pool, client.id, compromised_credentials.PASSWORD_CHANGE, req["Password"]
        )
        user = _resettable(client, find_user(tx, pool, req["Username"]))
        code = _checked_code(ctx, tx, pool, client, user, req)
        recent = recent_passwords(tx, pool, user) if code is not None and user is not None else RecentPasswords()
    if code is None or user is None:
        raise mismatch()
    # Refused, the code stays usable for another new password.
    check_not_reused(ctx, recent, req["Password"])
    password = new_password(ctx, user, req["Password"])
    with ctx.store.write() as tx:
        pool, client = app_client(tx, client.id)
        current = _resettable(client, tx.users.get_by_sub(pool.id, user.sub))
        if current is None:
            raise mismatch()
        stored = tx.codes.get(pool.id, current.sub, FORGOT_PASSWORD, for_update=True)
        if stored is None or stored.code_hash != code.code_hash:
            # A concurrent request used (or replaced) the code while the password was being hashed.
            raise ExpiredCodeException(CODE_EXPIRED)
        tx.codes.delete(pool.id, current.sub, FORGOT_PASSWORD)
        reset = replace(
            with_password(current, password), status=UserStatus.CONFIRMED, password_expires_at=None, updated_at=ctx.now
        )
        tx.users.update(reset)
        remember_replaced(ctx, tx, pool, current)
        # Whoever knew the old password may hold tokens: they stop working with it.
        tx.sign_in_sessions.revoke_user(pool.id, current.sub, ctx.now)
        tx.sign_in_counters.sign_out(pool.id, current.sub, ctx.now)
    post_confirmation(
        ctx.triggers,
        pool,
        reset,
        Source.POST_CONFIRMATION_CONFIRM_FORGOT_PASSWORD,
        client_id=client.id,
        client_metadata=req.get("ClientMetadata"),
    )
    return {}
