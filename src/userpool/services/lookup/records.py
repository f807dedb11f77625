"""Finding the pool, client, user or group an operation names, with Cognito's not-found errors."""

from __future__ import annotations

from userpool.errors import ResourceNotFoundException, UserNotFoundException
from userpool.model.records import Client, Pool, User
from userpool.model.usernames import alias_key, looks_like_sub, normalise
from userpool.store.base import Tx


def pool_or_404(tx: Tx, pool_id: str, for_update: bool = False) -> Pool:
    pool = tx.pools.get(pool_id, for_update)
    if pool is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return pool


def client_or_404(tx: Tx, pool_id: str, client_id: str) -> Client:
    client = tx.clients.get(client_id)
    if client is None or client.pool_id != pool_id:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return client


_ALIAS_KINDS = ("email", "phone_number", "preferred_username")


def find_user(tx: Tx, pool: Pool, username: str) -> User | None:
    """Resolve a Username parameter: the username, then an active alias, then the sub; a name no user has
    costs the same statements as one that names a user."""
    aliases = tuple(alias_key(pool, kind, username) for kind in _ALIAS_KINDS)
    sub = username.lower() if looks_like_sub(username) else None
    return tx.users.find(pool.id, normalise(pool, username), aliases, sub)


def user_or_404(tx: Tx, pool: Pool, username: str) -> User:
    user = find_user(tx, pool, username)
    if user is None:
        raise UserNotFoundException("User does not exist.")
    return user
