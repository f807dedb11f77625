"""Token refresh through InitiateAuth and AdminInitiateAuth: REFRESH_TOKEN_AUTH and its alias REFRESH_TOKEN
(API reference, InitiateAuth ``AuthFlow``). The token's checks are GetTokensFromRefreshToken's
(services/tokens/refresh.py); a client that rotates refresh tokens must use that operation instead.
"""

from __future__ import annotations

from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException, NotAuthorizedException
from userpool.services.lookup.app_clients import secret_hash_matches_client
from userpool.services.sign_in.steps.calls import FlowCall, required_parameter
from userpool.services.tokens.refresh import REFRESH_SOURCE, RefreshRead, granted, read_refresh, rotation_of
from userpool.services.tokens.steps.token_issuance import issue_tokens
from userpool.store.base import Tx


def refresh_reads(ctx: Ctx, tx: Tx, call: FlowCall) -> RefreshRead:
    """REFRESH_TOKEN_AUTH / REFRESH_TOKEN up to its writes, in the caller's read transaction (the one that found
    the client: auth_flows.py): the request's checks, then the token, its sign-in and user."""
    value = required_parameter(call.params, "REFRESH_TOKEN")
    client = call.client
    if client.secret and not call.params.get("SECRET_HASH"):
        raise NotAuthorizedException(f"Client {client.id} is configured for secret but secret was not received")
    rotation = rotation_of(client)
    if rotation.enabled:
        # "Refresh token rotation must be completed with GetTokensFromRefreshToken" (RefreshTokenRotationType).
        raise InvalidParameterException(
            "Refresh token rotation is enabled for this client: use GetTokensFromRefreshToken."
        )
    return read_refresh(ctx, tx, call.pool, client, value, rotation, call.params.get("DEVICE_KEY") or None)


def refresh_sign_in(ctx: Ctx, call: FlowCall) -> dict[str, Any]:
    """REFRESH_TOKEN_AUTH / REFRESH_TOKEN: new ID and access tokens, no new refresh token."""
    found = call.ahead
    if not isinstance(found, RefreshRead):
        with ctx.store.read() as tx:
            found = refresh_reads(ctx, tx, call)
    grant, _ = granted(ctx, call.pool, found)
    client = call.client
    given_hash = call.params.get("SECRET_HASH")
    if client.secret and given_hash:
        # No USERNAME travels with a refresh token: clients hash the internal username (the pitfall of pools
        # that sign in with an email address); the sub is accepted too.
        names = (grant.user.username, grant.user.sub)
        if not any(secret_hash_matches_client(client, n, given_hash) for n in names):
            raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")
    # InitiateAuth hands its ClientMetadata to no PreTokenGeneration function (API reference).
    return {"ChallengeParameters": {}, "AuthenticationResult": issue_tokens(ctx, grant, REFRESH_SOURCE)}
