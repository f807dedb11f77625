"""Finding the identity pool or identity an operation names, with cognito-identity's not-found errors."""

from __future__ import annotations

from userpool.errors import NotAuthorizedException, ResourceNotFoundException
from userpool.model.identity_pools import Identity, IdentityPool
from userpool.store.base import Tx


def identity_pool_or_404(tx: Tx, pool_id: str, for_update: bool = False) -> IdentityPool:
    pool = tx.identity_pools.get(pool_id, for_update)
    if pool is None:
        raise ResourceNotFoundException(f"IdentityPool '{pool_id}' not found.")
    return pool


def identity_or_404(tx: Tx, identity_id: str, for_update: bool = False) -> Identity:
    identity = tx.identities.get(identity_id, for_update)
    if identity is None:
        raise ResourceNotFoundException(f"Identity '{identity_id}' not found.")
    return identity


def identity_in_pool(tx: Tx, pool: IdentityPool, identity_id: str, for_update: bool = False) -> Identity:
    """An identity of ``pool``; one of another pool is not found there."""
    identity = tx.identities.get(identity_id, for_update)
    if identity is None or identity.pool_id != pool.id:
        raise ResourceNotFoundException(f"Identity '{identity_id}' not found.")
    return identity


def usable(identity: Identity) -> Identity:
    """An identity that may have tokens and credentials: not one merged into another."""
    if identity.disabled:
        raise NotAuthorizedException(f"Access to Identity '{identity.id}' is forbidden.")
    return identity
