"""Access tokens for an app client itself, with no user: the client_credentials grant of ``/oauth2/token`` and
GetClientToken issue the same token (Cognito developer guide: 'Scopes, M2M, and APIs with resource servers')."""

from __future__ import annotations

from userpool.context import Ctx
from userpool.crypto import jwt
from userpool.ids import new_uuid
from userpool.model.claims import client_credentials_claims
from userpool.model.client_config import token_lifetimes
from userpool.model.records import Client, Pool
from userpool.services.tokens.steps.signing_keys import issuer
from userpool.services.tokens.steps.tokens import Signer, signer


def machine_access_token(
    ctx: Ctx, pool: Pool, client: Client, scopes: tuple[str, ...], keys: Signer | None = None
) -> tuple[str, int]:
    """A signed access token whose subject is ``client``, carrying ``scopes``, and its lifetime in seconds (the
    client's access-token validity); signed with ``keys`` when the caller read the pool's current keys."""
    lifetime = token_lifetimes(client.config).access
    if keys is None:
        with ctx.store.read() as tx:
            keys = signer(ctx, tx, pool.id)
    claims = client_credentials_claims(
        issuer(ctx.settings, pool.id), client.id, scopes, int(ctx.now), lifetime, new_uuid()
    )
    return jwt.sign(claims, keys.access_kid, keys.access_key), lifetime
