"""The identity pools' OpenID tokens: their issuer, their signing keys, the tokens themselves, and what an IAM OpenID
Connect provider reads to trust them (discovery and JWKS at ``<issuer>/.well-known/...``).

As AWS's ``https://cognito-identity.amazonaws.com`` signs the tokens of every identity pool, one issuer of this
server (``<public URL>/identity`` unless the settings name another) signs them all, with one current key made on
first use; ``rotate_identity_keys`` starts a new one, and the previous stays published for a day. A token's
claims are those of the Cognito developer guide ('Role trust and permissions', 'IAM roles'): ``sub`` the identity
id, ``aud`` the identity pool id, ``amr`` ``["authenticated", <provider>, <provider>:<login detail>, ...]`` or
``["unauthenticated"]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from userpool.context import Ctx
from userpool.crypto import jwt
from userpool.crypto.keys import ALGORITHM, generate_private_pem, public_jwk
from userpool.errors import NotAuthorizedException
from userpool.model.identity_pools import IdentityPool, IdentitySigningKey, identity_pool_arn
from userpool.store.base import Conflict

# "The OpenID token is valid for 10 minutes." (GetOpenIdToken); GetOpenIdTokenForDeveloperIdentity's default is
# 15 minutes, its TokenDuration at most a day.
OPEN_ID_TOKEN_SECONDS = 600
DEVELOPER_TOKEN_SECONDS = 900
MAX_TOKEN_SECONDS = 86_400
# A retired key outlives every token it signed, and five minutes of clock skew.
RETIRED_KEY_SECONDS = MAX_TOKEN_SECONDS + 300
JWKS_MAX_AGE = 3600
UNAUTHENTICATED_AMR = "unauthenticated"
AUTHENTICATED_AMR = "authenticated"
# The claims AWS puts in its tokens beside the standard ones, under their names: the pool's ARN, and the
# principal tags STS turns into session tags (IAM user guide: 'Passing session tags using
# AssumeRoleWithWebIdentity').
POOL_ARN_CLAIM = "https://cognito-identity.amazonaws.com/identity-pool-arn"
TAGS_CLAIM = "https://aws.amazon.com/tags"
# The provider name of an identity pool's own tokens in a Logins map (GetCredentialsForIdentity: "If the token is
# for cognito-identity.amazonaws.com, it will be passed through to Security Token Service").
AWS_IDENTITY_PROVIDER = "cognito-identity.amazonaws.com"


def issuer(ctx: Ctx) -> str:
    return ctx.settings.identity_issuer


def names_this_issuer(ctx: Ctx, provider: str) -> bool:
    """Whether a Logins key names the identity pools' own tokens: AWS's name for them, or this issuer's URL with
    or without its scheme."""
    own = issuer(ctx)
    bare = own.split("://", 1)[-1]
    return provider in (AWS_IDENTITY_PROVIDER, own, bare)


def _new_key(generation: int, now: float) -> IdentitySigningKey:
    pem = generate_private_pem()
    jwk = public_jwk(pem)
    return IdentitySigningKey(jwk["kid"], generation, pem, jwk, now)


def current_kid(ctx: Ctx) -> str:
    """The kid of the current key, made now if there is none. Two first tokens at once both make a key (outside
    any transaction: RSA generation is slow), but only one generation 1 is stored; the other reads it."""
    with ctx.store.read() as tx:
        kid = tx.identity_signing_keys.current()
    if kid is not None:
        return kid
    try:
        with ctx.store.write() as tx:
            tx.identity_signing_keys.add(_new_key(1, ctx.now))
    except Conflict:
        pass
    with ctx.store.read() as tx:
        kid = tx.identity_signing_keys.current()
    if kid is None:  # a rotation in between retired the key just read; the next call finds the new one
        raise Conflict("generation")
    return kid


def rotate_identity_keys(ctx: Ctx) -> str:
    """Start signing with a new key (``userpool keys rotate --identity-pools``); the previous one stays published
    for RETIRED_KEY_SECONDS, and keys past that are deleted. The new kid."""
    for _attempt in range(3):
        with ctx.store.read() as tx:
            generation = tx.identity_signing_keys.latest_generation() + 1
        key = _new_key(generation, ctx.now)
        try:
            with ctx.store.write() as tx:
                tx.identity_signing_keys.delete_expired(ctx.now)
                tx.identity_signing_keys.retire_current(ctx.now, ctx.now + RETIRED_KEY_SECONDS)
                tx.identity_signing_keys.add(key)
            return key.kid
        except Conflict:
            continue  # a concurrent rotation took this generation
    raise Conflict("generation")


def _key(ctx: Ctx, kid: str) -> jwt.ParsedKey | None:
    """The parsed private key ``kid`` (parsed once per process), or None when no such key is stored."""
    cache = ctx.deps.jwt_keys
    key = cache.signing_key(kid)
    if key is None:
        with ctx.store.read() as tx:
            pem = tx.identity_signing_keys.private_pem(kid)
        if pem is None:
            return None
        key = cache.add_signing_key(kid, pem)
    return key


def open_id_token(
    ctx: Ctx,
    pool: IdentityPool,
    identity_id: str,
    amr: Sequence[str],
    seconds: int = OPEN_ID_TOKEN_SECONDS,
    principal_tags: Mapping[str, str] | None = None,
) -> str:
    """An OpenID token of ``identity_id`` in ``pool``, valid for ``seconds``."""
    now = int(ctx.now)
    claims: dict[str, Any] = {
        "sub": identity_id,
        "aud": pool.id,
        "amr": list(amr),
        "iss": issuer(ctx),
        POOL_ARN_CLAIM: identity_pool_arn(pool.id, ctx.settings.account_id),
        "exp": now + seconds,
        "iat": now,
    }
    if principal_tags:
        claims[TAGS_CLAIM] = {"principal_tags": {k: [v] for k, v in principal_tags.items()}}
    kid = current_kid(ctx)
    key = _key(ctx, kid)
    if key is None:
        raise Conflict("generation")
    return jwt.sign(claims, kid, key)


def verified_open_id_token(ctx: Ctx, token: str, pool: IdentityPool, identity_id: str) -> dict[str, Any]:
    """The claims of an OpenID token of this server for ``identity_id`` in ``pool``, unexpired;
    NotAuthorizedException with cognito-identity's words otherwise."""
    try:
        header = jwt.unverified_header(token)
        key = _key(ctx, str(header["kid"]))
        if key is None:
            raise NotAuthorizedException("Invalid login token. Couldn't verify signed token.")
        claims = jwt.verify(token, key)
    except jwt.JwtError:
        raise NotAuthorizedException("Invalid login token. Not a valid OpenId Connect identity token.") from None
    if claims.get("iss") != issuer(ctx) or claims.get("aud") != pool.id or claims.get("sub") != identity_id:
        raise NotAuthorizedException("Invalid login token. Issuer doesn't match providerName")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= ctx.now:
        raise NotAuthorizedException(f"Invalid login token. Token expired: {int(ctx.now)} >= {exp}")
    return claims


def jwks(ctx: Ctx) -> dict[str, Any]:
    """``GET /identity/.well-known/jwks.json``: every key that may have signed a live token (the first made now
    if there is none, so that an IAM OIDC provider can be set up before the first sign-in)."""
    current_kid(ctx)
    with ctx.store.read() as tx:
        keys = tx.identity_signing_keys.published(ctx.now)
    return {"keys": [k.public_jwk for k in keys]}


def openid_configuration(ctx: Ctx) -> dict[str, Any]:
    """``GET /identity/.well-known/openid-configuration`` (OpenID Connect Discovery 1.0 §3): what a relying
    party (an IAM OIDC provider, STS) needs to verify the tokens; nobody signs in here."""
    iss = issuer(ctx)
    return {
        "issuer": iss,
        "jwks_uri": f"{iss}/.well-known/jwks.json",
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "claims_supported": ["sub", "aud", "amr", "iss", "exp", "iat", POOL_ARN_CLAIM],
    }


def well_known_path(ctx: Ctx) -> str:
    """The path of the issuer URL (``/identity`` by default), under which discovery and JWKS are served."""
    return urlsplit(issuer(ctx)).path.rstrip("/")
