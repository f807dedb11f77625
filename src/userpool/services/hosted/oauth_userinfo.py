"""``/oauth2/userInfo``: the signed-in user's claims for a bearer access token with the ``openid`` scope
(Cognito developer guide: 'UserInfo endpoint'; OIDC Core §5.3).

Which attributes are returned follows the token's scopes: ``email`` and ``phone`` give those attributes and
their verification flags, ``profile`` the other standard attributes; custom attributes whenever the client
may read them, ``identities`` (a JSON string) always. As on AWS every value is a string, the ``*_verified``
flags included.
"""

from __future__ import annotations

from typing import Any

from userpool.context import Ctx
from userpool.errors import NotAuthorizedException, UserNotFoundException
from userpool.model.claims import readable_attributes
from userpool.model.oauth_requests import OPENID, OAuthError
from userpool.model.schema import DEV_PREFIX
from userpool.services.tokens.steps.tokens import authenticate_access_token

INVALID_TOKEN = "Access token is expired, disabled, or deleted, or the user has globally signed out."  # noqa: S105
_SCOPED = {
    "email": "email",
    "email_verified": "email",
    "phone_number": "phone",
    "phone_number_verified": "phone",
}


def _scope_of(name: str) -> str | None:
    """The scope that releases attribute ``name``; None for attributes every openid token may read."""
    if name in _SCOPED:
        return _SCOPED[name]
    if name.startswith("custom:") or name == "identities":
        return None
    return "profile"


def user_info(ctx: Ctx, token: str, domain_pool_id: str | None) -> dict[str, Any]:
    """The claims of the token's user; OAuthError ``invalid_token`` (401) for a token that is not (or no
    longer) good for userInfo. On a pool's domain (``domain_pool_id``) only that pool's tokens are: each
    pool's domain is its own authorization server, whose issuer is the pool's."""
    try:
        with ctx.store.read() as tx:
            access = authenticate_access_token(ctx, tx, token, required_scope=OPENID)
    except (NotAuthorizedException, UserNotFoundException):
        raise OAuthError("invalid_token", INVALID_TOKEN, 401) from None
    # The token's iss was checked to be its pool's issuer: the pools must be the same.
    if domain_pool_id is not None and access.pool.id != domain_pool_id:
        raise OAuthError("invalid_token", INVALID_TOKEN, 401)
    scopes = set(str(access.claims.get("scope", "")).split())
    readable = readable_attributes(access.pool, access.client.config)
    user = access.user
    body: dict[str, Any] = {"sub": user.sub}
    for name in sorted(user.attributes):
        # ``identities`` is the server's, in no schema: it is read wherever the user is (as in the ID token).
        if name == "sub" or name.startswith(DEV_PREFIX) or (name not in readable and name != "identities"):
            continue
        needed = _scope_of(name)
        if needed is None or needed in scopes:
            body[name] = user.attributes[name]
    body["username"] = user.username
    return body
