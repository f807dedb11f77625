"""Self-registration: SignUp, ConfirmSignUp, ResendConfirmationCode.

Cognito developer guide: 'Signing up and confirming user accounts' (UNCONFIRMED -> CONFIRMED, confirmation
codes), 'Working with user attributes' (schema, client write permissions, UsernameAttributes and aliases),
'Passwords, password recovery, and password policies', 'Managing user existence error responses', and the Lambda
trigger pages (PreSignUp, CustomMessage, PostConfirmation).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from userpool.context import Ctx
from userpool.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    UsernameExistsException,
    UserNotFoundException,
)
from userpool.model.attributes import aliases_for, definition, username_attribute
from userpool.model.auth_events import EventType
from userpool.model.client_config import check_writable
from userpool.model.codes import SIGNUP, mismatch
from userpool.model.destinations import Channel, confirmation_channel, confirmation_preference, simulated_details
from userpool.model.first_factors import allowed_factors
from userpool.model.password_policy import check_password
from userpool.model.pool_config import admin_create_user_only, alias_attributes
from userpool.model.records import Client, Pool, User
from userpool.model.vocabulary import ChallengeName, UserStatus
from userpool.services.lookup.app_clients import app_client, authorised_client, hides_users
from userpool.services.lookup.records import find_user
from userpool.services.threat_protection.steps import compromised_credentials
from userpool.services.threat_protection.steps.event_log import around_user_event
from userpool.services.users.admin_attributes import claim_aliases, conflict_error
from userpool.services.users.steps import stand_ins
from userpool.services.users.steps.code_delivery import Outgoing, check_code, deliver, prepare, send_code
from userpool.services.users.steps.credentials import new_password, with_password
from userpool.services.users.steps.new_users import new_user
from userpool.store.base import Conflict, Tx
from userpool.triggers.sign_up import post_confirmation, pre_sign_up
from userpool.triggers.sources import MessageEvent, Source

USER_EXISTS = "User already exists"
_PASSWORDLESS_FACTORS = frozenset({ChallengeName.EMAIL_OTP, ChallengeName.SMS_OTP, ChallengeName.WEB_AUTHN})


def _check_sign_up_allowed(pool: Pool) -> None:
    if admin_create_user_only(pool):
        raise NotAuthorizedException("SignUp is not permitted for this user pool")


def _check_password(pool: Pool, password: str | None) -> None:
    if password is not None:
        check_password(pool, password)
        return
    if not _PASSWORDLESS_FACTORS.intersection(allowed_factors(pool)):
        # Cognito's answer from the time Password was a required member; it still is, unless the pool
        # lets users sign in without one.
        raise InvalidParameterException(
            "1 validation error detected: Value null at 'password' failed to satisfy constraint: "
            "Member must not be null"
        )


def _new_user(ctx: Ctx, pool: Pool, client: Client, req: dict[str, Any]) -> User:
    """Validate SignUp's input and build the UNCONFIRMED user it creates (no password hash yet)."""
    username = req["Username"]
    given = {a["Name"]: a.get("Value") or "" for a in req.get("UserAttributes") or []}
    check_writable(client.config, given, lambda name: definition(pool, name) is not None)
    kind = username_attribute(pool, username)
    preferred_alias = "preferred_username" in alias_attributes(pool)
    if preferred_alias and given.get("preferred_username"):
        # An alias must belong to a confirmed user; it can be set once the user is confirmed.
        raise InvalidParameterException("preferred_username cannot be set at sign-up when it is an alias.")
    return new_user(pool, username, kind, given, UserStatus.UNCONFIRMED, ctx.now)


def _check_free(tx: Tx, pool: Pool, user: User, now: float) -> None:
    """UsernameExistsException for a taken username, or a taken email/phone where it is the username.

    Only a pool's UsernameAttributes are aliases of an unconfirmed user (an alias email is unverified),
    so with AliasAttributes a duplicate email passes here and meets AliasExistsException at confirmation.
    """
    if tx.users.get_by_username(pool.id, user.username_norm) is not None:
        raise UsernameExistsException(USER_EXISTS)
    claim_aliases(tx, pool, user, force=False, now=now, creating=True)


def _add_user(ctx: Ctx, client_id: str, user: User, outgoing: Outgoing | None) -> dict[str, Any] | None:
    """Store the new user and, with ``outgoing``, issue its confirmation code; the CodeDeliveryDetails."""
    with ctx.store.write() as tx:
        pool, _ = app_client(tx, client_id)
        _check_free(tx, pool, user, ctx.now)
        try:
            tx.users.add(user)
        except Conflict as conflict:
            # A concurrent sign-up took the username or an alias after the checks above.
            if conflict.field == "username":
                raise UsernameExistsException(USER_EXISTS) from None
            raise conflict_error(pool, conflict, user, creating=True) from None
        channel = confirmation_channel(pool, user.attributes)
        if outgoing is None or channel is None:
            return None
        return send_code(ctx, tx, pool, user, SIGNUP, channel, outgoing=outgoing)


def sign_up(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Register an UNCONFIRMED user and send its confirmation code: SignUp.

    PreSignUp sees the user before it is stored (a rejection leaves nothing) and may confirm it and
    verify its email / phone; then CustomMessage writes the code message. Both run before the write
    transaction; PostConfirmation follows the commit of an auto-confirmed user.
    """
    return around_user_event(ctx, req["ClientId"], req["Username"], EventType.SignUp, req, lambda c: _sign_up(c, req))


def _sign_up(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.read() as tx:
        pool, client = authorised_client(tx, req)
        _check_sign_up_allowed(pool)
        _check_password(pool, req.get("Password"))
        if req.get("Password") is not None:
            compromised_credentials.check_new_password(
                ctx, tx, pool, client.id, compromised_credentials.SIGN_UP, req["Password"]
            )
        user = _new_user(ctx, pool, client, req)
        # Refuse a known duplicate before paying for the password hash or asking the triggers.
        _check_free(tx, pool, user, ctx.now)
    decision = pre_sign_up(
        ctx.triggers,
        pool,
        user,
        Source.PRE_SIGN_UP_SIGN_UP,
        client_id=client.id,
        validation_data=req.get("ValidationData"),
        client_metadata=req.get("ClientMetadata"),
    )
    user = decision.applied(pool, user, may_confirm=True)
    confirmed = user.status == UserStatus.CONFIRMED
    outgoing = None
    if not confirmed and confirmation_channel(pool, user.attributes) is not None:
        outgoing = prepare(
            ctx, pool, user, MessageEvent.SIGN_UP, client_id=client.id, client_metadata=req.get("ClientMetadata")
        )
    if req.get("Password") is not None:
        user = with_password(user, new_password(ctx, user, req["Password"]))
    details = _add_user(ctx, client.id, user, outgoing)
    response: dict[str, Any] = {"UserConfirmed": confirmed, "UserSub": user.sub}
    if outgoing is not None and details is not None:
        deliver(ctx, outgoing)
        response["CodeDeliveryDetails"] = details
    if confirmed and ctx.settings.auto_confirm_post_confirmation:
        post_confirmation(
            ctx.triggers,
            pool,
            user,
            Source.POST_CONFIRMATION_CONFIRM_SIGN_UP,
            client_id=client.id,
            client_metadata=req.get("ClientMetadata"),
        )
    return response


def _confirmed(pool: Pool, user: User, attribute: str | None, now: float) -> User:
    """The user after its sign-up code was confirmed: CONFIRMED, the attribute the code went to verified."""
    attributes = dict(user.attributes)
    if attribute and attributes.get(attribute):
        attributes[f"{attribute}_verified"] = "true"
    return replace(
        user, status=UserStatus.CONFIRMED, attributes=attributes, aliases=aliases_for(pool, attributes), updated_at=now
    )


def confirm_sign_up(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Confirm a self-registered user with the code it was sent: ConfirmSignUp.

    The verified email / phone number becomes an alias where the pool has one; another user holding it
    is AliasExistsException unless ForceAliasCreation moves it here. PostConfirmation follows
    the commit.
    """
    with ctx.store.write() as tx:
        pool, client = authorised_client(tx, req)
        user = find_user(tx, pool, req["Username"])
        if user is None:
            if hides_users(client):
                raise mismatch()
            raise UserNotFoundException("User does not exist.")
        if user.status != UserStatus.UNCONFIRMED:
            raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status}")
        code = check_code(ctx, tx, user, SIGNUP, req["ConfirmationCode"])
        if code is not None:
            tx.codes.delete(pool.id, user.sub, SIGNUP)
            confirmed = _confirmed(pool, user, code.attribute, ctx.now)
            force = bool(req.get("ForceAliasCreation", False))
            # Raising here rolls the whole confirmation back, the code included: it can be used again
            # with ForceAliasCreation.
            claim_aliases(tx, pool, confirmed, force=force, now=ctx.now, creating=False)
            try:
                tx.users.update(confirmed)
            except Conflict as conflict:
                raise conflict_error(pool, conflict, confirmed, creating=False) from None
    if code is None:
        raise mismatch()
    post_confirmation(
        ctx.triggers,
        pool,
        confirmed,
        Source.POST_CONFIRMATION_CONFIRM_SIGN_UP,
        client_id=client.id,
        client_metadata=req.get("ClientMetadata"),
    )
    return {}


def _resendable(tx: Tx, pool: Pool, client: Client, username: str) -> tuple[User, Channel] | None:
    """The unconfirmed user ResendConfirmationCode names and where its code goes; None when a missing user
    is hidden (PreventUserExistenceErrors)."""
    user = find_user(tx, pool, username)
    if user is None:
        if hides_users(client):
            return None
        raise UserNotFoundException("User does not exist.")
    if user.status != UserStatus.UNCONFIRMED:
        raise InvalidParameterException("User is already confirmed.")
    channel = confirmation_channel(pool, user.attributes)
    if channel is None:
        raise InvalidParameterException("Cannot resend codes. Auto verification not turned on.")
    return user, channel


def resend_confirmation_code(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Send an unconfirmed user a new confirmation code, replacing the previous one: ResendConfirmationCode.

    The user is checked, CustomMessage writes the message, and the user is checked again in the
    transaction that issues the code (triggers run outside transactions). A name no user has, where the
    client hides users, gets a normal-looking CodeDeliveryDetails and its stand-in code is counted instead.
    """
    return around_user_event(
        ctx, req["ClientId"], req["Username"], EventType.ResendCode, req, lambda c: _resend_confirmation_code(c, req)
    )


def _resend_confirmation_code(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    username = req["Username"]
    with ctx.store.read() as tx:
        pool, client = authorised_client(tx, req)
        found = _resendable(tx, pool, client, username)
    simulated = simulated_details(pool, username, confirmation_preference(pool), ctx.deps.code_key)
    return stand_ins.send_code_or_stand_in(
        ctx,
        pool,
        client,
        username,
        found,
        purpose=SIGNUP,
        event=MessageEvent.RESEND_CODE,
        simulated=simulated,
        metadata=req.get("ClientMetadata"),
        recheck=_resendable,
    )
