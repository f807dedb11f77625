"""OpenID tokens of identities: GetOpenIdToken, the basic (classic) flow's second step, after which the caller
asks STS itself (AssumeRoleWithWebIdentity); and GetOpenIdTokenForDeveloperIdentity, by which a developer's backend
vouches for its users (Cognito developer guide: 'Identity pools authentication flow', 'Developer-authenticated
identities'). The tokens are steps/openid_tokens.py's."""

from __future__ import annotations

from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException
from userpool.services.identity_pools.steps.linking import identity_of_request, linked_identity
from userpool.services.identity_pools.steps.logins import amr, session_tags, verified_logins
from userpool.services.identity_pools.steps.openid_tokens import DEVELOPER_TOKEN_SECONDS, open_id_token
from userpool.services.identity_pools.steps.records import identity_or_404, identity_pool_or_404

CLASSIC_FLOW_DISABLED = "Basic (classic) flow is not enabled, please use enhanced flow."


def get_open_id_token(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """GetOpenIdToken: a token valid for 10 minutes, in a pool that allows the basic flow (AllowClassicFlow)."""
    with ctx.store.read() as tx:
        pool = identity_pool_or_404(tx, identity_or_404(tx, req["IdentityId"]).pool_id)
    if not pool.allows_classic_flow:
        raise InvalidParameterException(CLASSIC_FLOW_DISABLED)
    pool, identity, logins = identity_of_request(ctx, req["IdentityId"], req.get("Logins") or {})
    token = open_id_token(ctx, pool, identity.id, amr(logins), principal_tags=session_tags(pool, logins))
    return {"IdentityId": identity.id, "Token": token}


def get_open_id_token_for_developer_identity(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """GetOpenIdTokenForDeveloperIdentity: the identity of the developer user identifier the Logins map gives
    under the pool's DeveloperProviderName (linked to IdentityId, or to a new identity, when it has none), and a
    token for TokenDuration seconds (15 minutes by default) carrying PrincipalTags."""
    with ctx.store.read() as tx:
        pool = identity_pool_or_404(tx, req["IdentityPoolId"])
    if not pool.developer_provider or pool.developer_provider not in req["Logins"]:
        raise InvalidParameterException("The Logins map must contain the identity pool's DeveloperProviderName.")
    verified = verified_logins(ctx, pool, req["Logins"], developer=True)
    pool, identity = linked_identity(ctx, pool.id, verified, req.get("IdentityId"), signed=True)
    seconds = int(req.get("TokenDuration", DEVELOPER_TOKEN_SECONDS))
    token = open_id_token(ctx, pool, identity.id, amr(verified), seconds, req.get("PrincipalTags"))
    return {"IdentityId": identity.id, "Token": token}
