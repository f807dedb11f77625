"""An app client's secrets: up to two at once, so that a secret can be rotated without downtime (API reference:
AddUserPoolClientSecret, ListUserPoolClientSecrets, DeleteUserPoolClientSecret, ClientSecretDescriptorType).

Either secret authenticates the client wherever it proves its secret: SECRET_HASH, the raw ClientSecret of
GetTokensFromRefreshToken, RevokeToken and GetClientToken, and client_secret_basic / client_secret_post at
``/oauth2/token``. Every secret is compared, in constant time, whichever one matches.
"""

from __future__ import annotations

import dataclasses
import hmac
from typing import Any

from userpool.errors import InvalidParameterException, LimitExceededException, ResourceNotFoundException
from userpool.model.records import Client, ClientSecret

# AddUserPoolClientSecret: "Supports up to 2 active secrets per app client".
MAX_SECRETS = 2
_MILLISECOND = 0.001

NOT_CONFIDENTIAL = "Client {client_id} has no client secret: secrets can be added only to a confidential app client."
TOO_MANY = "Client {client_id} already has {limit} client secrets; delete one before adding another."
IN_USE = "The client secret is already a secret of client {client_id}."
NO_SUCH_SECRET = "Client secret {secret_id} does not exist."  # noqa: S105 (a message)
LAST_SECRET = "Client secret {secret_id} is the last secret of client {client_id} and cannot be deleted."  # noqa: S105


def secret_id(client_id: str, secret: ClientSecret) -> str:
    """ClientSecretId: ``<client-id>--<epoch-create-time>`` (ClientSecretDescriptorType), the time in
    milliseconds."""
    return f"{client_id}--{round(secret.created_at * 1000)}"


def descriptor(client: Client, secret: ClientSecret, with_value: bool = False) -> dict[str, Any]:
    """ClientSecretDescriptorType; the value only where Cognito returns it (a secret it just generated)."""
    body: dict[str, Any] = {"ClientSecretId": secret_id(client.id, secret)}
    if with_value:
        body["ClientSecretValue"] = secret.value
    body["ClientSecretCreateDate"] = secret.created_at
    return body


def secret_matches(client: Client, given: str) -> bool:
    """Whether ``given`` is one of the client's secrets; each is compared in constant time, all of them."""
    encoded = given.encode("utf-8", "surrogatepass")
    found = False
    for secret in client.secrets:
        found |= hmac.compare_digest(secret.value.encode(), encoded)
    return found


def with_added_secret(client: Client, value: str, now: float) -> tuple[Client, ClientSecret]:
    """The client with a new secret ``value`` made at ``now``, and that secret; the error Cognito gives when
    the client has no secret to rotate, has two already, or has this one."""
    if not client.secrets:
        raise InvalidParameterException(NOT_CONFIDENTIAL.format(client_id=client.id))
    if len(client.secrets) >= MAX_SECRETS:
        raise LimitExceededException(TOO_MANY.format(client_id=client.id, limit=MAX_SECRETS))
    if secret_matches(client, value):
        raise InvalidParameterException(IN_USE.format(client_id=client.id))
    # Ids are derived from the creation time: a secret made in the same millisecond as the newest one is
    # dated a millisecond after it, so that ids stay distinct and in creation order.
    created_at = max(now, client.secrets[-1].created_at + _MILLISECOND)
    secret = ClientSecret(value, created_at)
    return dataclasses.replace(client, secrets=(*client.secrets, secret)), secret


def with_deleted_secret(client: Client, secret_id_: str) -> Client:
    """The client without the secret ``secret_id_``; the last secret cannot be deleted
    (DeleteUserPoolClientSecret)."""
    kept = tuple(s for s in client.secrets if secret_id(client.id, s) != secret_id_)
    if len(kept) == len(client.secrets):
        raise ResourceNotFoundException(NO_SUCH_SECRET.format(secret_id=secret_id_))
    if not kept:
        raise InvalidParameterException(LAST_SECRET.format(secret_id=secret_id_, client_id=client.id))
    return dataclasses.replace(client, secrets=kept)
