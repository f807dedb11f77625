"""Admin user management: AdminCreateUser, AdminGetUser, AdminGetUserAuthFactors, AdminDeleteUser, AdminEnableUser,
AdminDisableUser, AdminConfirmSignUp; the attribute and password operations live beside this module
(admin_attributes, admin_passwords) and are re-exported here, where the registry finds them.

Cognito developer guide: 'Creating user accounts as administrator', the Admin* API references and the Lambda trigger
pages (PreSignUp_AdminCreateUser, CustomMessage_AdminCreateUser, PostConfirmation from AdminConfirmSignUp).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from userpool.context import Ctx
from userpool.crypto.passwords import generate_temporary_password
from userpool.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    UnsupportedUserStateException,
    UsernameExistsException,
)
from userpool.model.attributes import username_attribute
from userpool.model.messages import invitation, outbox_message
from userpool.model.password_policy import check_password, minimum_length, temporary_password_expiry
from userpool.model.pool_config import username_attributes
from userpool.model.records import Pool, User
from userpool.model.vocabulary import DeliveryMedium, UserStatus
from userpool.services.lookup.records import pool_or_404, user_or_404
from userpool.services.tokens.revocation import sign_out_user
from userpool.services.users.admin_attributes import USER_EXISTS, claim_aliases, conflict_error
from userpool.services.users.admin_passwords import current_user
from userpool.services.users.steps.auth_factors import auth_factors
from userpool.services.users.steps.code_delivery import Outgoing, deliver, prepare
from userpool.services.users.steps.credentials import new_password, with_password
from userpool.services.users.steps.new_users import new_user
from userpool.services.users.steps.user_wire import admin_get_user_shape, user_type
from userpool.store.base import Conflict, Tx
from userpool.triggers.sign_up import post_confirmation, pre_sign_up
from userpool.triggers.sources import MessageEvent, Source

Delivery = tuple[str, str]  # (EMAIL | SMS, destination)


@dataclass(frozen=True, slots=True)
class _Invited:
    """A user about to be created or re-invited, with the temporary password its invitation carries."""

    user: User
    password: str
    deliveries: tuple[Delivery, ...]


def _deliveries(req: dict[str, Any], attributes: dict[str, str]) -> tuple[Delivery, ...]:
    """Where the invitation goes: DesiredDeliveryMediums that the user has an address for."""
    if req.get("MessageAction") == "SUPPRESS":
        return ()
    addresses = {
        m: attributes[a]
        for m, a in ((DeliveryMedium.EMAIL, "email"), (DeliveryMedium.SMS, "phone_number"))
        if attributes.get(a)
    }
    requested = req.get("DesiredDeliveryMediums")
    if requested:
        found = tuple((m, addresses[m]) for m in dict.fromkeys(requested) if m in addresses)
        if not found:
            raise InvalidParameterException("User has no attribute matching desired delivery mediums")
        return found
    # SMS is the default medium (AWS: AdminCreateUser API reference, DesiredDeliveryMediums); inviting a user without a
    # phone number by email instead is our choice [unverified against AWS].
    return tuple((m, addresses[m]) for m in (DeliveryMedium.SMS, DeliveryMedium.EMAIL) if m in addresses)[:1]


def _temporary_password(pool: Pool, req: dict[str, Any]) -> str:
    given = req.get("TemporaryPassword")
    if given is None:
        return generate_temporary_password(minimum_length(pool))
    check_password(pool, given)
    return str(given)


def _sign_in_name(pool: Pool, user: User) -> str:
    """What the user types to sign in: its email/phone in UsernameAttributes pools, else its username."""
    for kind in ("email", "phone_number"):
        if kind in username_attributes(pool) and user.attributes.get(kind):
            return user.attributes[kind]
    return user.username


def _new_user(ctx: Ctx, pool: Pool, req: dict[str, Any]) -> _Invited:
    """Validate AdminCreateUser's input and build the user it creates (no password hash yet)."""
    username = req["Username"]
    given = {a["Name"]: a.get("Value") or "" for a in req.get("UserAttributes") or []}
    kind = username_attribute(pool, username)
    expires_at = temporary_password_expiry(pool, ctx.now)
    status = UserStatus.FORCE_CHANGE_PASSWORD
    user = new_user(pool, username, kind, given, status, ctx.now, password_expires_at=expires_at)
    return _Invited(user, _temporary_password(pool, req), _deliveries(req, user.attributes))


def _prepare_invitation(ctx: Ctx, pool: Pool, invited: _Invited, req: dict[str, Any]) -> Outgoing:
    """CustomMessage_AdminCreateUser for an invitation that will be sent; run outside any transaction."""
    if not invited.deliveries:
        return Outgoing(MessageEvent.ADMIN_CREATE_USER)
    return prepare(
        ctx,
        pool,
        invited.user,
        MessageEvent.ADMIN_CREATE_USER,
        client_id=None,
        client_metadata=req.get("ClientMetadata"),
    )


def _queue_invitations(tx: Tx, pool: Pool, invited: _Invited, outgoing: Outgoing, now: float) -> None:
    name = _sign_in_name(pool, invited.user)
    for medium, destination in invited.deliveries:
        if outgoing.takes(pool, medium, invited.user, invited.password):
            continue
        message = invitation(pool, medium, name, invited.password, outgoing.override)
        tx.outbox.add(outbox_message(pool, medium, destination, message), now)


def _require_invited(user: User) -> None:
    if user.status != UserStatus.FORCE_CHANGE_PASSWORD:
        raise UnsupportedUserStateException(
            f"Resend is only possible for users in FORCE_CHANGE_PASSWORD status; the user's status is {user.status}."
        )


def _resend_invitation(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """AdminCreateUser with MessageAction=RESEND: a new temporary password, validity restarted, re-sent."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        user = user_or_404(tx, pool, req["Username"])
    _require_invited(user)
    invited = _Invited(user, _temporary_password(pool, req), _deliveries(req, user.attributes))
    outgoing = _prepare_invitation(ctx, pool, invited, req)
    password = new_password(ctx, user, invited.password)
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, pool.id)
        current = current_user(tx, pool, user)
        _require_invited(current)
        updated = replace(
            with_password(current, password),
            password_expires_at=temporary_password_expiry(pool, ctx.now),
            updated_at=ctx.now,
        )
        tx.users.update(updated)
        _queue_invitations(tx, pool, replace(invited, user=updated), outgoing, ctx.now)
    deliver(ctx, outgoing)
    return {"User": user_type(updated)}


def admin_create_user(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Create a user in FORCE_CHANGE_PASSWORD with a temporary password and invite it: AdminCreateUser.

    PreSignUp_AdminCreateUser sees the user before it is stored (only its autoVerify answers count), then
    CustomMessage_AdminCreateUser writes the invitation; both before the write transaction.
    """
    if req.get("MessageAction") == "RESEND":
        return _resend_invitation(ctx, req)
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        invited = _new_user(ctx, pool, req)
        # Refuse a known duplicate before paying for the password hash or asking the triggers.
        if tx.users.get_by_username(pool.id, invited.user.username_norm) is not None:
            raise UsernameExistsException(USER_EXISTS)
    decision = pre_sign_up(
        ctx.triggers,
        pool,
        invited.user,
        Source.PRE_SIGN_UP_ADMIN_CREATE_USER,
        client_id=None,
        validation_data=req.get("ValidationData"),
        client_metadata=req.get("ClientMetadata"),
    )
    invited = replace(invited, user=decision.applied(pool, invited.user, may_confirm=False))
    outgoing = _prepare_invitation(ctx, pool, invited, req)
    user = with_password(invited.user, new_password(ctx, invited.user, invited.password))
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, pool.id)
        if tx.users.get_by_username(pool.id, user.username_norm) is not None:
            raise UsernameExistsException(USER_EXISTS)
        force = bool(req.get("ForceAliasCreation", False))
        claim_aliases(tx, pool, user, force=force, now=ctx.now, creating=True)
        try:
            tx.users.add(user)
        except Conflict as conflict:
            # A concurrent request took the username or an alias after the checks above.
            raise conflict_error(pool, conflict, user, creating=True) from None
        _queue_invitations(tx, pool, invited, outgoing, ctx.now)
    if invited.deliveries:
        deliver(ctx, outgoing)
    return {"User": user_type(user)}


def admin_get_user(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Read a user by username, alias or sub: AdminGetUser."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        return admin_get_user_shape(user_or_404(tx, pool, req["Username"]))


def admin_get_user_auth_factors(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """A user's MFA settings and the factors it can sign in with, as an administrator sees them:
    AdminGetUserAuthFactors (GetUserAuthFactors without the user's access token)."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        return auth_factors(tx, pool, user_or_404(tx, pool, req["Username"]))


def admin_delete_user(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Delete a user, its attributes, aliases and group memberships: AdminDeleteUser."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        tx.users.delete(pool.id, user_or_404(tx, pool, req["Username"]).sub)
    return {}


def _set_enabled(ctx: Ctx, req: dict[str, Any], enabled: bool) -> dict[str, Any]:
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        user = user_or_404(tx, pool, req["Username"])
        if user.enabled != enabled:
            tx.users.update(replace(user, enabled=enabled, updated_at=ctx.now))
        if not enabled:
            # A disabled user's tokens are revoked with it, and stay so once re-enabled.
            sign_out_user(tx, pool.id, user.sub, ctx.now)
    return {}


def admin_disable_user(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Stop a user from signing in (idempotent): AdminDisableUser."""
    return _set_enabled(ctx, req, False)


def admin_enable_user(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Let a disabled user sign in again (idempotent): AdminEnableUser."""
    return _set_enabled(ctx, req, True)


def admin_confirm_sign_up(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Confirm a self-registered user without a code (UNCONFIRMED -> CONFIRMED): AdminConfirmSignUp.
    PostConfirmation follows the commit."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        user = user_or_404(tx, pool, req["Username"])
        if user.status != UserStatus.UNCONFIRMED:
            raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status}")
        confirmed = replace(user, status=UserStatus.CONFIRMED, updated_at=ctx.now)
        tx.users.update(confirmed)
    post_confirmation(
        ctx.triggers,
        pool,
        confirmed,
        Source.POST_CONFIRMATION_CONFIRM_SIGN_UP,
        client_id=None,
        client_metadata=req.get("ClientMetadata"),
    )
    return {}
