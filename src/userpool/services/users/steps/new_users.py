"""The record of a user about to be created, as SignUp, AdminCreateUser and a UserMigration sign-in build it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userpool.ids import new_sub
from userpool.model.attributes import aliases_for, new_user_attributes
from userpool.model.records import Pool, User
from userpool.model.usernames import normalise
from userpool.model.vocabulary import UserStatus


def new_user(
    pool: Pool,
    typed: str,
    kind: str | None,
    given: Mapping[str, str],
    status: UserStatus,
    now: float,
    *,
    password_expires_at: float | None = None,
    mfa: dict[str, Any] | None = None,
) -> User:
    """A user with the attributes ``given`` and no password yet, not stored. ``kind`` is the attribute the
    name ``typed`` is in a pool whose usernames are emails or phone numbers: there the name is that
    attribute's value, and the username is the new ``sub``."""
    attributes_given = dict(given)
    if kind is not None:
        attributes_given[kind] = typed
    sub = new_sub()
    attributes = {"sub": sub, **new_user_attributes(pool, attributes_given)}
    internal = sub if kind is not None else typed
    return User(
        pool_id=pool.id,
        sub=sub,
        username=internal,
        username_norm=normalise(pool, internal),
        status=status,
        enabled=True,
        password_hash=None,
        password_expires_at=password_expires_at,
        attributes=attributes,
        created_at=now,
        updated_at=now,
        aliases=aliases_for(pool, attributes),
        mfa=mfa if mfa is not None else {},
    )
