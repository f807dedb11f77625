"""Federated sign-ins without a browser or an identity provider: what the ``/oauth2/idpresponse`` flow does once
it has verified a provider's answer (services/federation/steps/federated_users.py), and the tokens a hosted
sign-in then issues for the user (TokenGeneration_HostedAuth), on a server the test started."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jwt

from tests.support.bridge import REGION
from userpool.context import Ctx, Deps
from userpool.model.records import User
from userpool.services.federation.steps.federated_calls import ProviderIdentity
from userpool.services.federation.steps.federated_users import sign_in_federated_user
from userpool.services.tokens.steps.token_issuance import issue_tokens
from userpool.services.tokens.steps.tokens import OAuthIssue, start_session
from userpool.triggers.sources import Source

# ProviderDetails of an OIDC IdP record with every endpoint given, so that creating it discovers nothing.
OIDC_DETAILS = {
    "client_id": "userpool-rp",
    "client_secret": "s3cr3t",
    "authorize_scopes": "openid email profile",
    "attributes_request_method": "GET",
    "oidc_issuer": "https://idp.example.com",
    "authorize_url": "https://idp.example.com/authorize",
    "token_url": "https://idp.example.com/token",
    "attributes_url": "https://idp.example.com/userinfo",
    "jwks_uri": "https://idp.example.com/jwks",
}
CORP = ProviderIdentity("Corp", "OIDC", None, {"email": "email", "given_name": "given_name", "username": "sub"})


def call_context(deps: Deps) -> Ctx:
    return Ctx(deps=deps, request_id="federated-sign-in", now=deps.clock.now(), region=REGION)


def federated_sign_in(
    deps: Deps,
    pool_id: str,
    client_id: str,
    subject: str,
    claims: Mapping[str, Any],
    provider: ProviderIdentity = CORP,
    **options: Any,
) -> User:
    """The user a verified sign-in of ``subject`` through ``provider`` signs in, as the browser flow asks for it."""
    with deps.store.read() as tx:
        pool, client = tx.pools.get(pool_id), tx.clients.get(client_id)
    assert pool is not None and client is not None
    return sign_in_federated_user(call_context(deps), pool, client, provider, subject, claims, **options)


def hosted_tokens(deps: Deps, pool_id: str, client_id: str, user: User) -> dict[str, Any]:
    """The AuthenticationResult a hosted sign-in of ``user`` gets at /oauth2/token (TokenGeneration_HostedAuth)."""
    ctx = call_context(deps)
    with deps.store.write() as tx:
        pool, client = tx.pools.get(pool_id), tx.clients.get(client_id)
        assert pool is not None and client is not None
        grant = start_session(ctx, tx, pool, client, user, scopes=("openid", "email"), auth_time=ctx.now)
    return issue_tokens(ctx, grant, Source.TOKEN_GENERATION_HOSTED_AUTH, oauth=OAuthIssue(nonce="app-nonce"))


def hosted_id_token(deps: Deps, pool_id: str, client_id: str, user: User) -> dict[str, Any]:
    """The claims of the ID token a hosted sign-in of ``user`` gets at /oauth2/token, verified by PyJWT."""
    token = hosted_tokens(deps, pool_id, client_id, user)["IdToken"]
    with deps.store.read() as tx:
        published = tx.signing_keys.published_key(jwt.get_unverified_header(token)["kid"])
    assert published is not None
    key = jwt.PyJWK(published.public_jwk, algorithm="RS256").key
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["RS256"], audience=client_id)
    return claims
