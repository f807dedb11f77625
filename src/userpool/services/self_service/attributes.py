"""A user's own profile, authorized by its access token: GetUser, UpdateUserAttributes,
DeleteUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute.

Operations authorized by an access token, held to the app client's ReadAttributes / WriteAttributes; aliases,
verification codes and UserAttributeUpdateSettings (Cognito developer guide: 'Working with user attributes',
'Configuring email or phone verification'); CustomMessage_UpdateUserAttribute and CustomMessage_VerifyUserAttribute
('Custom message Lambda trigger').

With ``AttributesRequireVerificationBeforeUpdate``, a new email / phone number is held back until it is
verified: the user record keeps it under ``mfa["pending_attributes"]`` (a document that is never shown on
the wire), bound to the code that was sent for it, while the old value stays active and verified.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException
from userpool.model.attributes import VERIFIABLE, aliases_for, attributes_without, definition, updated_attributes
from userpool.model.claims import readable_attributes
from userpool.model.client_config import check_writable
from userpool.model.codes import VERIFY_EMAIL, VERIFY_PHONE_NUMBER, mismatch
from userpool.model.destinations import Channel
from userpool.model.federated_identities import IDENTITIES
from userpool.model.pool_config import attribute_update_settings, auto_verified_attributes
from userpool.model.records import Pool, User
from userpool.services.tokens.steps.tokens import authenticate_access_token
from userpool.services.users.admin_attributes import save_user
from userpool.services.users.steps.code_delivery import Outgoing, check_code, deliver, prepare, send_code
from userpool.services.users.steps.user_wire import admin_get_user_shape, attribute_list
from userpool.triggers.sources import MessageEvent

PURPOSE_OF = {"email": VERIFY_EMAIL, "phone_number": VERIFY_PHONE_NUMBER}
PENDING = "pending_attributes"
_MFA_MEMBERS = ("MFAOptions", "PreferredMfaSetting", "UserMFASettingList")


def _verifiable(name: str) -> str:
    if name not in VERIFIABLE:
        raise InvalidParameterException("Invalid attribute name: only email and phone_number can be verified.")
    return name


def _pending(user: User) -> dict[str, dict[str, Any]]:
    return dict(user.mfa.get(PENDING) or {})


def _with_pending(user: User, pending: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    mfa = {k: v for k, v in user.mfa.items() if k != PENDING}
    if pending:
        mfa[PENDING] = dict(pending)
    return mfa


def get_user(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """The signed-in user's profile, limited to what its app client may read: GetUser."""
    with ctx.store.read() as tx:
        access = authenticate_access_token(ctx, tx, req["AccessToken"])
    user = access.user
    # ``identities`` is the server's, in no schema: read wherever the user is, as in userInfo and the ID token.
    readable = readable_attributes(access.pool, access.client.config) | {"sub", IDENTITIES}
    shape = admin_get_user_shape(user)
    body: dict[str, Any] = {"Username": user.username, "UserAttributes": attribute_list(user, readable)}
    body.update({k: shape[k] for k in _MFA_MEMBERS if k in shape})
    return body


def _held_back(pool: Pool, user: User, changes: Mapping[str, str]) -> dict[str, str]:
    """The new email / phone number values that wait for verification before they replace the old ones."""
    settings = attribute_update_settings(pool)
    hold = settings.get("AttributesRequireVerificationBeforeUpdate") or []
    auto = auto_verified_attributes(pool)
    return {
        kind: value
        for kind, value in changes.items()
        if kind in VERIFIABLE and kind in hold and kind in auto and value and value != user.attributes.get(kind)
    }


@dataclass(frozen=True, slots=True)
class _Update:
    """What UpdateUserAttributes will write: the user, and the addresses that get a verification code."""

    user: User
    codes: tuple[Channel, ...]


def _planned_update(
    pool: Pool, user: User, client_config: dict[str, Any], changes: dict[str, str], now: float
) -> _Update:
    """UpdateUserAttributes' changes checked and applied to ``user``, without writing anything."""
    check_writable(client_config, changes, lambda name: definition(pool, name) is not None)
    updated_attributes(pool, user.attributes, changes)  # every value is checked, held back or not
    held = _held_back(pool, user, changes)
    attributes = updated_attributes(pool, user.attributes, {k: v for k, v in changes.items() if k not in held})
    pending = {k: v for k, v in _pending(user).items() if k not in changes}
    auto = auto_verified_attributes(pool)
    codes = []
    for kind in VERIFIABLE:
        changed = attributes.get(kind) if attributes.get(kind) != user.attributes.get(kind) else None
        new = held.get(kind) or changed
        if not new or kind not in auto:
            continue
        codes.append(Channel(kind, new))
        if kind in held:
            pending[kind] = {"value": new, "code_created_at": now}
    updated = replace(
        user,
        attributes=attributes,
        aliases=aliases_for(pool, attributes),
        mfa=_with_pending(user, pending),
        updated_at=now,
    )
    return _Update(updated, tuple(codes))


def update_user_attributes(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Set (or, with an empty value, delete) the user's own attributes: UpdateUserAttributes.

    A changed email / phone number that the pool auto-verifies gets a code. Unless the pool holds it back
    for verification, the new value applies at once, un-verified, and an alias on it stops working until
    it is verified; held back, the old value keeps working and the new one waits in the user record.
    When codes go out, CustomMessage_UpdateUserAttribute writes them first, outside the transaction.
    """
    changes = {a["Name"]: a.get("Value") or "" for a in req["UserAttributes"]}
    with ctx.store.read() as tx:
        access = authenticate_access_token(ctx, tx, req["AccessToken"])
        plan = _planned_update(access.pool, access.user, access.client.config, changes, ctx.now)
    event, metadata = MessageEvent.UPDATE_USER_ATTRIBUTE, req.get("ClientMetadata")
    outgoing = (
        prepare(ctx, access.pool, plan.user, event, client_id=access.client.id, client_metadata=metadata)
        if plan.codes
        else Outgoing(event, access.client.id)
    )
    with ctx.store.write() as tx:
        access = authenticate_access_token(ctx, tx, req["AccessToken"])
        pool, user = access.pool, access.user
        plan = _planned_update(pool, user, access.client.config, changes, ctx.now)
        details = [
            send_code(ctx, tx, pool, plan.user, PURPOSE_OF[channel.attribute], channel, outgoing=outgoing)
            for channel in plan.codes
        ]
        save_user(tx, pool, plan.user, now=ctx.now)
    if details:
        deliver(ctx, outgoing)
        return {"CodeDeliveryDetailsList": details}
    return {}


def delete_user_attributes(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Remove the user's own attributes by name: DeleteUserAttributes (needs the client's write permission;
    required and immutable ones cannot go)."""
    names = list(req["UserAttributeNames"])
    with ctx.store.write() as tx:
        access = authenticate_access_token(ctx, tx, req["AccessToken"])
        pool, user = access.pool, access.user
        check_writable(access.client.config, names, lambda name: definition(pool, name) is not None)
        attributes = attributes_without(pool, user.attributes, names)
        pending = {k: v for k, v in _pending(user).items() if k not in names}
        for kind in VERIFIABLE:
            # A code for an address that is gone must not verify anything later.
            if kind in names:
                tx.codes.delete(pool.id, user.sub, PURPOSE_OF[kind])
        updated = replace(
            user,
            attributes=attributes,
            aliases=aliases_for(pool, attributes),
            mfa=_with_pending(user, pending),
            updated_at=ctx.now,
        )
        save_user(tx, pool, updated, now=ctx.now)
    return {}


def _verification_address(user: User, kind: str) -> str:
    """Where GetUserAttributeVerificationCode sends the code: a value waiting for verification first."""
    pending = _pending(user)
    address = pending[kind]["value"] if kind in pending else user.attributes.get(kind)
    if not address:
        raise InvalidParameterException(f"User does not have a value for the attribute {kind}.")
    return str(address)


def get_user_attribute_verification_code(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Send a code that verifies the user's email or phone number: GetUserAttributeVerificationCode.

    A value waiting for verification is the one the code goes to. Five codes an hour, then LimitExceededException.
    CustomMessage_VerifyUserAttribute writes the message before the transaction that issues the code.
    """
    kind = _verifiable(req["AttributeName"])
    with ctx.store.read() as tx:
        access = authenticate_access_token(ctx, tx, req["AccessToken"])
        _verification_address(access.user, kind)
    outgoing = prepare(
        ctx,
        access.pool,
        access.user,
        MessageEvent.VERIFY_USER_ATTRIBUTE,
        client_id=access.client.id,
        client_metadata=req.get("ClientMetadata"),
    )
    with ctx.store.write() as tx:
        access = authenticate_access_token(ctx, tx, req["AccessToken"])
        pool, user = access.pool, access.user
        address = _verification_address(user, kind)
        details = send_code(ctx, tx, pool, user, PURPOSE_OF[kind], Channel(kind, address), outgoing=outgoing)
        pending = _pending(user)
        if kind in pending:
            pending[kind] = {**pending[kind], "code_created_at": ctx.now}
            tx.users.update(replace(user, mfa=_with_pending(user, pending), updated_at=ctx.now))
    deliver(ctx, outgoing)
    return {"CodeDeliveryDetails": details}


def _verified_user(pool: Pool, user: User, kind: str, code_created_at: float, now: float) -> User:
    """The user once ``kind`` is verified: the value the code was sent for applied, marked verified."""
    pending = _pending(user)
    held = pending.pop(kind, None)
    attributes = dict(user.attributes)
    # A held-back value applies only with the code sent for it; an older code verifies the current value.
    if held is not None and held.get("code_created_at") == code_created_at:
        attributes[kind] = str(held["value"])
    elif held is not None:
        pending[kind] = held
    if not attributes.get(kind):
        raise InvalidParameterException(f"User does not have a value for the attribute {kind}.")
    attributes[f"{kind}_verified"] = "true"
    return replace(
        user,
        attributes=attributes,
        aliases=aliases_for(pool, attributes),
        mfa=_with_pending(user, pending),
        updated_at=now,
    )


def verify_user_attribute(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Check the code sent to the user's email or phone number and mark it verified: VerifyUserAttribute.

    The verified address becomes the user's alias where the pool signs in with it; one held by another
    user is refused with AliasExistsException. Fifteen wrong codes an hour, then
    LimitExceededException.
    """
    kind = _verifiable(req["AttributeName"])
    purpose = PURPOSE_OF[kind]
    with ctx.store.write() as tx:
        access = authenticate_access_token(ctx, tx, req["AccessToken"])
        pool, user = access.pool, access.user
        code = check_code(ctx, tx, user, purpose, req["Code"])
        if code is not None:
            save_user(tx, pool, _verified_user(pool, user, kind, code.created_at, ctx.now), now=ctx.now)
            tx.codes.delete(pool.id, user.sub, purpose)
    # The wrong entry was counted in the transaction that just committed.
    if code is None:
        raise mismatch()
    return {}
