"""The storage port of identity pools (store/base.py's Tx hangs these repositories on a transaction): the pools,
their identities and the logins linked to them, and the keys that sign the pools' OpenID tokens. Errors are
base.py's NotFound and Conflict."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Protocol

from userpool.model.identity_pools import (
    Identity,
    IdentityLogin,
    IdentityPool,
    IdentitySigningKey,
    PublishedIdentityKey,
)
from userpool.model.records import Page


class IdentityPoolRepo(Protocol):
    def add(self, pool: IdentityPool) -> None:
        """Insert ``pool``; Conflict("id") when its id is taken."""
        ...

    def get(self, pool_id: str, for_update: bool = False) -> IdentityPool | None:
        """The pool; ``for_update`` locks its row until commit, for read-modify-write of its configuration."""
        ...

    def update(self, pool: IdentityPool) -> None:
        """Replace the pool's name, configuration, roles, tags and updated_at."""
        ...

    def delete(self, pool_id: str) -> bool:
        """Delete the pool with its identities and their logins; False when there was none."""
        ...

    def list(self, limit: int, after: str | None) -> Page[IdentityPool]:
        """A page of pools in id order; ``after`` is the cursor a previous page returned."""
        ...


class IdentityRepo(Protocol):
    """Identities by id, and the logins linked to them, unique per (pool, provider, subject)."""

    def add(self, identity: Identity) -> None:
        """Insert ``identity``; Conflict("id") when its id is taken."""
        ...

    def get(self, identity_id: str, for_update: bool = False) -> Identity | None: ...
    def update(self, identity: Identity) -> None:
        """Replace its updated_at and disabled."""
        ...

    def delete(self, identity_id: str) -> bool:
        """Delete the identity and its logins; False when there was none."""
        ...

    def list(self, pool_id: str, limit: int, after: str | None, hide_disabled: bool) -> Page[Identity]:
        """A page of the pool's identities in id order (without the disabled ones when ``hide_disabled``)."""
        ...

    def add_login(self, login: IdentityLogin) -> None:
        """Link a login to its identity; Conflict("login") when the pool has it linked already."""
        ...

    def login(self, pool_id: str, provider: str, subject: str) -> IdentityLogin | None:
        """The identity a login is linked to in the pool, through the login's key."""
        ...

    def logins_of(self, identity_ids: Sequence[str]) -> dict[str, builtins.list[IdentityLogin]]:
        """Each identity's logins, oldest first (an identity without any maps to an empty list)."""
        ...

    def move_logins(self, from_identity: str, to_identity: str) -> int:
        """Link every login of ``from_identity`` to ``to_identity`` instead; how many moved."""
        ...

    def remove_login(self, pool_id: str, provider: str, subject: str) -> bool:
        """Unlink a login; False when the pool had it linked to no identity."""
        ...

    def subjects_of(self, identity_id: str, provider: str, limit: int, after: str | None) -> Page[str]:
        """A page of the identity's subjects at ``provider`` (its developer user identifiers), in order."""
        ...


class IdentitySigningKeyRepo(Protocol):
    """The keys of the identity pools' OpenID tokens: one current generation for the server."""

    def add(self, key: IdentitySigningKey) -> None:
        """Insert a key; Conflict("generation") when that generation exists already."""
        ...

    def current(self) -> str | None:
        """The kid of the current key; None before the first token."""
        ...

    def private_pem(self, kid: str) -> str | None: ...
    def published(self, now: float) -> builtins.list[PublishedIdentityKey]:
        """The current key and retired keys not yet expired at ``now``, newest first."""
        ...

    def latest_generation(self) -> int: ...
    def retire_current(self, now: float, expires_at: float) -> None:
        """Make the current key a retired one, published until ``expires_at``."""
        ...

    def delete_expired(self, now: float) -> None: ...
