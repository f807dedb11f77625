"""What the unsigned, client-scoped operations share: the app client named by ClientId, its SECRET_HASH
check, and whether it hides which users exist.

The operations that name their client and are not signed (SignUp, ConfirmSignUp, ResendConfirmationCode,
ForgotPassword, ConfirmForgotPassword; Cognito developer guide: 'Understanding API, OIDC, and managed login pages
authentication'), SECRET_HASH ('Computing secret hash values') and PreventUserExistenceErrors ('Managing user
existence error responses').
"""

from __future__ import annotations

from typing import Any

from userpool.crypto.secret_hash import secret_hash_matches
from userpool.errors import NotAuthorizedException, ResourceNotFoundException
from userpool.model.client_config import prevents_user_existence_errors
from userpool.model.records import Client, Pool
from userpool.store.base import Tx


def app_client(tx: Tx, client_id: str) -> tuple[Pool, Client]:
    """The pool and client a ClientId names; client ids are unique across the server."""
    found = tx.clients.with_pool(client_id)
    if found is None:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return found


def secret_hash_matches_client(client: Client, username: str, given: str) -> bool:
    """Whether ``given`` is the SECRET_HASH of ``username`` under one of the client's secrets (two while
    they are rotated: model/client_secrets.py); every secret is tried, each in constant time."""
    found = False
    for secret in client.secrets:
        found |= secret_hash_matches(secret.value, username, client.id, given)
    return found


def check_secret_hash(client: Client, username: str, given: str | None) -> None:
    """Refuse the call unless a client with a secret sent the right SECRET_HASH for ``username``.

    Clients without a secret ignore whatever SECRET_HASH arrives.
    """
    if not client.secrets:
        return
    if not given:
        raise NotAuthorizedException(f"Client {client.id} is configured for secret but secret was not received")
    if not secret_hash_matches_client(client, username, given):
        raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")


def authorised_client(tx: Tx, req: dict[str, Any]) -> tuple[Pool, Client]:
    """ClientId resolved and SecretHash checked against the request's Username."""
    pool, client = app_client(tx, req["ClientId"])
    check_secret_hash(client, req["Username"], req.get("SecretHash"))
    return pool, client


def hides_users(client: Client) -> bool:
    """PreventUserExistenceErrors=ENABLED: answers must not tell a missing user from a present one."""
    return prevents_user_existence_errors(client)
