"""A request's ``Logins``: each provider name and token checked, and turned into the login it proves.

A user pool of this server is named as AWS names it, ``cognito-idp.<region>.amazonaws.com/<user pool id>`` (what
the AWS SDKs send), or by its issuer URL, with or without its scheme (what Amplify sends: it names the provider
after the ID token's ``iss``). Either names a provider of the identity pool when one of its
CognitoIdentityProviders names the same user pool; the login is then kept under that provider's ProviderName,
so that both spellings reach the same identity. The token must be the user pool's ID token (Cognito developer
guide: 'Identity pools authentication flow': "The token is valid and from the configured provider", "not
expired", "matches the application identifier"): signed by the user pool's key, ``iss`` its issuer, ``aud``
the ClientId of such a provider, ``exp`` in the future; where that provider has ServerSideTokenCheck, the user
must exist, be enabled, and not be signed out (the token's sign-in session not revoked).

The developer provider (DeveloperProviderName) is accepted only where the operation is signed
(GetOpenIdTokenForDeveloperIdentity): its "token" is the developer user identifier, which the signed call
vouches for. Tokens of other providers (social, OIDC and SAML providers) cannot be verified by this server and
are refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from userpool.context import Ctx
from userpool.crypto import jwt
from userpool.errors import CognitoError, NotAuthorizedException, ResourceConflictException
from userpool.model.identity_pools import IdentityPool, principal_tags
from userpool.services.tokens.steps.signing_keys import issuer, verifying_key
from userpool.services.tokens.steps.tokens import authenticate_id_token

NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."
_AWS_PROVIDER = re.compile(r"cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/(([\w-]+)_[0-9a-zA-Z]+)", re.ASCII)
_USER_POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+", re.ASCII)


@dataclass(frozen=True, slots=True)
class VerifiedLogin:
    """A login a request proved: its provider as the identity pool names it, the user's identifier there, the
    ``amr`` entry of the identity's tokens, the RoleMappings key of its provider, and its token's claims."""

    provider: str
    subject: str
    amr: str
    mapping_key: str
    claims: Mapping[str, Any] = field(default_factory=dict)


def _bare(url: str) -> str:
    return url.split("://", 1)[-1].rstrip("/")


def user_pool_named(ctx: Ctx, provider: str) -> str | None:
    """The user pool id a provider name names, in either spelling; None for any other name."""
    aws = _AWS_PROVIDER.fullmatch(provider)
    if aws is not None:
        region, pool_id, pool_region_part = aws.groups()
        return pool_id if region == pool_region_part else None
    pool_id = provider.rstrip("/").rsplit("/", 1)[-1]
    if not _USER_POOL_ID.fullmatch(pool_id):
        return None
    return pool_id if _bare(issuer(ctx.settings, pool_id)) == _bare(provider) else None


def _configured(ctx: Ctx, pool: IdentityPool, user_pool_id: str) -> list[dict[str, Any]]:
    """The identity pool's CognitoIdentityProviders that name ``user_pool_id``."""
    return [p for p in pool.cognito_providers if user_pool_named(ctx, str(p["ProviderName"])) == user_pool_id]


def _claims(ctx: Ctx, user_pool_id: str, token: str) -> dict[str, Any]:
    """The claims of a correctly signed token of ``user_pool_id``, with cognito-identity's refusals."""
    try:
        header = jwt.unverified_header(token)
    except jwt.JwtError:
        raise NotAuthorizedException("Invalid login token. Not a valid OpenId Connect identity token.") from None
    with ctx.store.read() as tx:
        found = verifying_key(ctx, tx, str(header["kid"]))
    if found is None:
        raise NotAuthorizedException("Invalid login token. Couldn't verify signed token.")
    owner, key = found
    try:
        claims = jwt.verify(token, key)
    except jwt.JwtError:
        raise NotAuthorizedException("Invalid login token. Couldn't verify signed token.") from None
    if owner != user_pool_id or claims.get("iss") != issuer(ctx.settings, user_pool_id):
        raise NotAuthorizedException("Invalid login token. Issuer doesn't match providerName")
    if not isinstance(claims.get("aud"), str):
        raise NotAuthorizedException("Invalid login token. Missing a required claim: aud")
    if not isinstance(claims.get("sub"), str):
        raise NotAuthorizedException("Invalid login token. Missing a required claim: sub")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= ctx.now:
        raise NotAuthorizedException(f"Invalid login token. Token expired: {int(ctx.now)} >= {exp}")
    return claims


def _still_signed_in(ctx: Ctx, token: str) -> None:
    """ServerSideTokenCheck: "the identity pool will check with the integrated user pools to make sure that the
    user has not been globally signed out or deleted"."""
    try:
        with ctx.store.read() as tx:
            authenticate_id_token(ctx, tx, token)
    except CognitoError:
        raise NotAuthorizedException("Invalid login token. The user is signed out, disabled or deleted.") from None


def _user_pool_login(ctx: Ctx, pool: IdentityPool, provider: str, token: str) -> VerifiedLogin:
    user_pool_id = user_pool_named(ctx, provider)
    configured = _configured(ctx, pool, user_pool_id) if user_pool_id else []
    if user_pool_id is None or not configured:
        raise NotAuthorizedException(NOT_SUPPORTED)
    claims = _claims(ctx, user_pool_id, token)
    matching = [p for p in configured if p["ClientId"] == claims["aud"]]
    if not matching:
        raise NotAuthorizedException(NOT_SUPPORTED)
    if claims.get("token_use") != "id":
        raise NotAuthorizedException("Invalid login token. Not a valid OpenId Connect identity token.")
    chosen = matching[0]
    if chosen.get("ServerSideTokenCheck"):
        _still_signed_in(ctx, token)
    name, sub = str(chosen["ProviderName"]), str(claims["sub"])
    return VerifiedLogin(name, sub, f"{name}:CognitoSignIn:{sub}", f"{name}:{chosen['ClientId']}", claims)


def developer_login(pool: IdentityPool, identifier: str) -> VerifiedLogin:
    """The login of a developer user identifier (its amr entry as AWS writes it: ``<provider>:<pool>:<user>``)."""
    name = str(pool.developer_provider)
    return VerifiedLogin(name, identifier, f"{name}:{pool.id}:{identifier}", name)


def verified_logins(
    ctx: Ctx, pool: IdentityPool, logins: Mapping[str, str], developer: bool = False
) -> list[VerifiedLogin]:
    """The logins ``logins`` proves, in its order, one per provider; the developer provider's only when
    ``developer`` (a signed call). NotAuthorizedException for any that does not check out; ResourceConflictException
    for two different users of one provider."""
    found: list[VerifiedLogin] = []
    for provider, token in logins.items():
        if developer and pool.developer_provider and provider == pool.developer_provider:
            login = developer_login(pool, token)
        else:
            login = _user_pool_login(ctx, pool, provider, token)
        earlier = next((f for f in found if f.provider == login.provider), None)
        if earlier is None:
            found.append(login)
        elif earlier.subject != login.subject:
            # Two spellings of one user pool's name, with tokens of two different users.
            raise ResourceConflictException(f"Logins name two different users of {login.provider}.")
    return found


def amr(logins: list[VerifiedLogin]) -> list[str]:
    """The ``amr`` claim of a token for ``logins``: ``authenticated``, each provider, and each login's detail."""
    if not logins:
        return ["unauthenticated"]
    providers = list(dict.fromkeys(login.provider for login in logins))
    return ["authenticated", *providers, *(login.amr for login in logins)]


def session_tags(pool: IdentityPool, logins: list[VerifiedLogin]) -> dict[str, str]:
    """The principal tags the pool's SetPrincipalTagAttributeMap mappings give ``logins`` (the first login's
    value of a tag wins)."""
    tags: dict[str, str] = {}
    for login in logins:
        for tag, value in principal_tags(pool, login.provider, login.claims).items():
            tags.setdefault(tag, value)
    return tags
