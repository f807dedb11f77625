"""GetCredentialsForIdentity: the enhanced flow's AWS credentials (Cognito developer guide: 'Identity pools
authentication flow': "Amazon Cognito is actually making the call to AssumeRoleWithWebIdentity on your behalf").

The identity is found as GetOpenIdToken finds it (steps/linking.py); its role is the pool's default role for
guests or for authenticated identities, or the one a role mapping of its login's provider picks
(model/identity_roles.py). STS (``ctx.deps.sts``, at the endpoint the settings name) is then asked for that role's
credentials for one hour with an OpenID token of the identity, or, for a token of GetOpenIdTokenForDeveloperIdentity
passed under ``cognito-identity.amazonaws.com``, with that token as it is. What STS refuses is the pool's
configuration's fault (InvalidIdentityPoolConfigurationException, as AWS answers); an STS that does not answer
is an ExternalServiceException.
"""

from __future__ import annotations

from typing import Any

from userpool.context import Ctx
from userpool.errors import ExternalServiceException, InvalidIdentityPoolConfigurationException
from userpool.model.identity_pools import IdentityPool
from userpool.model.identity_roles import RoleRequest, chosen_role
from userpool.outbound.sts_port import StsError
from userpool.services.identity_pools.steps.linking import identity_of_request, linked_identity
from userpool.services.identity_pools.steps.logins import VerifiedLogin, amr, session_tags, verified_logins
from userpool.services.identity_pools.steps.openid_tokens import (
    AUTHENTICATED_AMR,
    names_this_issuer,
    open_id_token,
    verified_open_id_token,
)
from userpool.services.identity_pools.steps.records import identity_or_404, identity_pool_or_404, usable

SESSION_NAME = "CognitoIdentityCredentials"
# "AWS credentials from enhanced authentication are valid for one hour."
CREDENTIALS_SECONDS = 3600


def _role_request(pool: IdentityPool, logins: list[VerifiedLogin], custom_role_arn: str | None) -> RoleRequest:
    """The first login whose provider has a role mapping decides; without one, the first login's provider."""
    if not logins:
        return RoleRequest(authenticated=False)
    mapped = next((login for login in logins if pool.role_mapping(login.mapping_key) is not None), logins[0])
    return RoleRequest(True, mapped.mapping_key, mapped.claims, custom_role_arn)


def _developer_token(
    ctx: Ctx, identity_id: str, token: str, others: dict[str, str]
) -> tuple[IdentityPool, str, RoleRequest]:
    """A GetOpenIdTokenForDeveloperIdentity token: checked, and passed on to STS as it is. Other logins sent with
    it are linked to its identity, which the token proves."""
    with ctx.store.read() as tx:
        identity = usable(identity_or_404(tx, identity_id))
        pool = identity_pool_or_404(tx, identity.pool_id)
    claims = verified_open_id_token(ctx, token, pool, identity.id)
    if others:
        pool, _ = linked_identity(ctx, pool.id, verified_logins(ctx, pool, others), identity.id, signed=True)
    authenticated = AUTHENTICATED_AMR in claims.get("amr", [])
    key = pool.developer_provider if authenticated else None
    return pool, token, RoleRequest(authenticated, key, {})


def get_credentials_for_identity(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """GetCredentialsForIdentity: credentials of the role the identity is given, from STS."""
    logins = dict(req.get("Logins") or {})
    own = [key for key in logins if names_this_issuer(ctx, key)]
    if own:
        identity_id = req["IdentityId"]
        pool, web_token, role_request = _developer_token(ctx, identity_id, logins.pop(own[0]), logins)
        role = chosen_role(pool, role_request)
    else:
        pool, identity, verified = identity_of_request(ctx, req["IdentityId"], logins)
        role = chosen_role(pool, _role_request(pool, verified, req.get("CustomRoleArn")))
        identity_id = identity.id
        web_token = open_id_token(ctx, pool, identity_id, amr(verified), principal_tags=session_tags(pool, verified))
    try:
        found = ctx.deps.sts.assume_role_with_web_identity(
            pool.region, role, SESSION_NAME, web_token, CREDENTIALS_SECONDS
        )
    except StsError as err:
        if err.answered:
            raise InvalidIdentityPoolConfigurationException() from None
        raise ExternalServiceException(f"The Security Token Service did not answer: {err.message}") from None
    return {
        "IdentityId": identity_id,
        "Credentials": {
            "AccessKeyId": found.access_key_id,
            "SecretKey": found.secret_access_key,
            "SessionToken": found.session_token,
            "Expiration": int(found.expiration),
        },
    }
