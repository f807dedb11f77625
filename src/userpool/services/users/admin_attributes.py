"""Admin attribute operations: AdminUpdateUserAttributes, AdminDeleteUserAttributes.

Also how a user's aliases are claimed when it is written (AdminCreateUser uses it too): an alias held by
another user is refused with AliasExistsException, or moved when ForceAliasCreation allows it
(AWS: AdminUpdateUserAttributes API reference). The database's unique index on aliases is the last word under races.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from userpool.context import Ctx
from userpool.errors import AliasExistsException, CognitoError, UsernameExistsException
from userpool.model.attributes import (
    alias_kind,
    aliases_for,
    attributes_without,
    is_username_alias,
    updated_attributes,
)
from userpool.model.records import Pool, User
from userpool.services.lookup.records import pool_or_404, user_or_404
from userpool.store.base import Conflict, Tx

USER_EXISTS = "User account already exists"


def _alias_taken(pool: Pool, key: str, creating: bool) -> CognitoError:
    kind = alias_kind(key)
    message = f"An account with the given {kind} already exists."
    # Where email/phone is the username itself, a duplicate is a duplicate user (UsernameExistsException).
    if creating and is_username_alias(pool, key):
        return UsernameExistsException(message)
    return AliasExistsException(message)


def conflict_error(pool: Pool, conflict: Conflict, user: User, creating: bool) -> CognitoError:
    """The Cognito error for a uniqueness conflict the database reported while writing ``user``."""
    if conflict.field == "username" or not user.aliases:
        return UsernameExistsException(USER_EXISTS)
    # The database does not say which alias collided; a sign-in identifier is the likelier one.
    key = next((k for k in user.aliases if is_username_alias(pool, k)), user.aliases[0])
    return _alias_taken(pool, key, creating)


def claim_aliases(tx: Tx, pool: Pool, user: User, *, force: bool, now: float, creating: bool) -> None:
    """Make ``user``'s aliases free for it: refuse those held by others, or move them when ``force``.

    Only a verified email / phone_number alias moves (ForceAliasCreation); the previous holder keeps the
    attribute, un-verified, so that it no longer signs in with it.
    """
    for key in user.aliases:
        # Who holds it, without locking the holder: two users asking for each other's alias at once, each
        # with its own row locked, would otherwise wait for each other.
        holder_sub = tx.users.alias_holder(pool.id, key)
        if holder_sub is None or holder_sub == user.sub:
            continue
        kind = alias_kind(key)
        if not force or kind == "preferred_username" or is_username_alias(pool, key):
            raise _alias_taken(pool, key, creating)
        holder = tx.users.get_by_sub(pool.id, holder_sub)
        if holder is None or key not in holder.aliases:
            continue  # deleted or moved since; the unique index refuses the alias if someone else has it now
        released = {**holder.attributes, f"{kind}_verified": "false"}
        tx.users.update(replace(holder, attributes=released, aliases=aliases_for(pool, released), updated_at=now))


def save_user(tx: Tx, pool: Pool, user: User, *, now: float) -> None:
    """Write an existing user's new state, with its aliases claimed (no forced moves)."""
    claim_aliases(tx, pool, user, force=False, now=now, creating=False)
    try:
        tx.users.update(user)
    except Conflict as conflict:
        raise conflict_error(pool, conflict, user, creating=False) from None


def admin_update_user_attributes(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Set or (with an empty value) delete a user's attributes: AdminUpdateUserAttributes.

    Admins may set ``email_verified`` / ``phone_number_verified`` directly; aliases follow the new values.
    """
    changes = {a["Name"]: a.get("Value") or "" for a in req["UserAttributes"]}
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        user = user_or_404(tx, pool, req["Username"])
        attributes = updated_attributes(pool, user.attributes, changes)
        updated = replace(user, attributes=attributes, aliases=aliases_for(pool, attributes), updated_at=ctx.now)
        save_user(tx, pool, updated, now=ctx.now)
    return {}


def admin_delete_user_attributes(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Remove attributes from a user by name: AdminDeleteUserAttributes (required ones cannot be removed)."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        user = user_or_404(tx, pool, req["Username"])
        attributes = attributes_without(pool, user.attributes, req["UserAttributeNames"])
        updated = replace(user, attributes=attributes, aliases=aliases_for(pool, attributes), updated_at=ctx.now)
        save_user(tx, pool, updated, now=ctx.now)
    return {}
