"""Users written straight into a store, for tests that need many users or states no API call makes quickly."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from userpool.model.records import User
from userpool.model.usernames import alias_key, normalise
from userpool.store.base import Store

ALIAS_KINDS = ("email", "phone_number", "preferred_username")


@dataclass(frozen=True)
class NewUser:
    username: str
    attributes: dict[str, str] = field(default_factory=dict)
    status: str = "CONFIRMED"
    enabled: bool = True


def add_users(store: Store, pool_id: str, users: Iterable[NewUser], now: float = 1_700_000_000.0) -> list[User]:
    """Insert ``users`` into the pool in one transaction, as AdminCreateUser stores them: the ``sub`` also as
    an attribute, usernames folded in case-insensitive pools, alias rows for the alias attributes."""
    added: list[User] = []
    with store.write() as tx:
        pool = tx.pools.get(pool_id)
        assert pool is not None, pool_id
        alias_names = set(pool.config.get("AliasAttributes") or ())
        for new in users:
            sub = str(uuid.uuid4())
            attributes = {"sub": sub, **new.attributes}
            user = User(
                pool_id=pool_id,
                sub=sub,
                username=new.username,
                username_norm=normalise(pool, new.username),
                status=new.status,
                enabled=new.enabled,
                password_hash=None,
                password_expires_at=None,
                attributes=attributes,
                created_at=now,
                updated_at=now,
                aliases=tuple(
                    alias_key(pool, kind, attributes[kind])
                    for kind in ALIAS_KINDS
                    if kind in alias_names and kind in attributes
                ),
            )
            tx.users.add(user)
            added.append(user)
    return added


def add_user(
    store: Store,
    pool_id: str,
    username: str,
    attributes: dict[str, str] | None = None,
    status: str = "CONFIRMED",
    enabled: bool = True,
) -> User:
    return add_users(store, pool_id, [NewUser(username, attributes or {}, status, enabled)])[0]
