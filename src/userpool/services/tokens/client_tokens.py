"""GetClientToken: an access token for an app client itself, machine to machine (API reference; Cognito developer
guide: 'Scopes, M2M, and APIs with resource servers').

The client authenticates with one of its secrets (two while they are rotated) and must have
ALLOW_CLIENT_TOKEN_AUTH as its only ExplicitAuthFlows value; the token is the one the client_credentials grant
of ``/oauth2/token`` issues (tokens/steps/machine_tokens.py), with the same claims and lifetime. IAM
credentials do not authorize this operation: a signature on it is not checked (api/service_model.py).
"""

from __future__ import annotations

from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException, NotAuthorizedException
from userpool.model.client_config import allowed_oauth_scopes, effective_auth_flows
from userpool.model.client_secrets import secret_matches
from userpool.model.oauth_requests import OAuthError, client_credentials_scopes
from userpool.model.vocabulary import ExplicitAuthFlow
from userpool.services.lookup.app_clients import app_client
from userpool.services.tokens.steps.machine_tokens import machine_access_token
from userpool.services.tokens.steps.tokens import stored_signer


def get_client_token(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """An access token for the client named by ClientId and proven by Secret, carrying the requested custom
    scopes, or all of the client's when none are asked for: GetClientToken."""
    with ctx.store.read() as tx:
        pool, client = app_client(tx, req["ClientId"])
        keys = stored_signer(ctx, tx, pool.id)
    if not secret_matches(client, req["Secret"]):
        raise NotAuthorizedException(f"Unable to verify secret for client {client.id}")
    if ExplicitAuthFlow.ALLOW_CLIENT_TOKEN_AUTH not in effective_auth_flows(client.config):
        raise InvalidParameterException("CLIENT_TOKEN_AUTH flow not enabled for this client")
    try:
        scopes = client_credentials_scopes(" ".join(req.get("Scopes") or []), allowed_oauth_scopes(client))
    except OAuthError as err:
        raise InvalidParameterException(err.description) from None
    token, lifetime = machine_access_token(ctx, pool, client, scopes, keys)
    return {"ClientAuthenticationResult": {"AccessToken": token, "ExpiresIn": lifetime, "TokenType": "Bearer"}}
