"""A pool's token signing keys and what it publishes about them: the issuer, JWKS and OIDC discovery.

Cognito developer guide: 'Verifying JSON web tokens'; OpenID Connect Discovery 1.0. Each pool has two current keys, one
for ID tokens and one for access tokens, created on the pool's first use; ``userpool keys rotate`` adds a new generation
and the previous keys stay published (and keep verifying) until every token they signed has expired.
"""

from __future__ import annotations

from typing import Any

from userpool.config import Settings
from userpool.context import Ctx
from userpool.crypto.jwt import ParsedKey
from userpool.crypto.keys import generate_private_pem, public_jwk
from userpool.errors import ResourceNotFoundException
from userpool.model.oauth_requests import S256
from userpool.model.token_records import ACCESS_TOKEN, CURRENT, ID_TOKEN, SigningKey
from userpool.services.lookup.records import pool_or_404
from userpool.store.base import Conflict, Tx

TOKEN_USES = (ID_TOKEN, ACCESS_TOKEN)
# ID and access tokens live at most one day (AWS: CreateUserPoolClient API reference); five minutes more covers clock
# skew.
RETIRED_KEY_SECONDS = 86_400 + 300
# Also cached by verifiers; clients refetch on an unknown kid.
JWKS_MAX_AGE = 3600


def pool_region(pool_id: str) -> str:
    """The region part of a pool id (``us-east-1`` of ``us-east-1_AbC123``), as Amplify derives it."""
    return pool_id.split("_", 1)[0]


def issuer(settings: Settings, pool_id: str) -> str:
    """``<issuer_base>/<poolId>``, the issuer base defaulting to the public URL."""
    base = (settings.issuer_base or settings.base_url).replace("{region}", pool_region(pool_id))
    return f"{base.rstrip('/')}/{pool_id}"


def _new_generation(pool_id: str, generation: int, now: float) -> list[SigningKey]:
    keys = []
    for use in TOKEN_USES:
        pem = generate_private_pem()
        jwk = public_jwk(pem)
        keys.append(SigningKey(jwk["kid"], pool_id, use, generation, CURRENT, pem, jwk, now))
    return keys


def current_kids(ctx: Ctx, pool_id: str) -> dict[str, str]:
    """token_use -> kid of the pool's current keys, creating the first pair if the pool has none.

    Two first sign-ins at once both generate keys (outside any transaction: RSA generation is slow), but
    only one generation 1 can be stored; the loser reads the winner's keys.
    """
    with ctx.store.read() as tx:
        kids = tx.signing_keys.current_kids(pool_id)
    if len(kids) == len(TOKEN_USES):
        return kids
    keys = _new_generation(pool_id, 1, ctx.now)
    try:
        with ctx.store.write() as tx:
            pool_or_404(tx, pool_id)
            tx.signing_keys.add(keys)
    except Conflict:
        pass
    with ctx.store.read() as tx:
        kids = tx.signing_keys.current_kids(pool_id)
    if len(kids) != len(TOKEN_USES):
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return kids


def rotate_signing_keys(ctx: Ctx, pool_id: str) -> list[str]:
    """Start signing with a new pair of keys; the current ones become previous (``userpool keys rotate``).

    Previous keys are published and verify tokens until ``RETIRED_KEY_SECONDS`` after the rotation; keys
    past that are deleted.
    """
    keys: list[SigningKey] = []
    for _attempt in range(3):
        with ctx.store.read() as tx:
            pool_or_404(tx, pool_id)
            generation = tx.signing_keys.latest_generation(pool_id) + 1
        keys = _new_generation(pool_id, generation, ctx.now)
        try:
            with ctx.store.write() as tx:
                pool_or_404(tx, pool_id)
                tx.signing_keys.delete_expired(pool_id, ctx.now)
                tx.signing_keys.retire_current(pool_id, ctx.now, ctx.now + RETIRED_KEY_SECONDS)
                tx.signing_keys.add(keys)
            return [k.kid for k in keys]
        except Conflict:
            continue  # a concurrent rotation took this generation number
    raise Conflict("generation")


def signing_key(ctx: Ctx, kid: str) -> ParsedKey:
    """The parsed private key ``kid``; unsealed and parsed only the first time this process needs it, in a
    transaction of its own (the key may be newer than the caller's snapshot)."""
    cache = ctx.deps.jwt_keys
    key = cache.signing_key(kid)
    if key is None:
        with ctx.store.read() as tx:
            pem = tx.signing_keys.private_pem(kid)
        if pem is None:
            raise ResourceNotFoundException("Signing key does not exist.")
        key = cache.add_signing_key(kid, pem)
    return key


def verifying_key(ctx: Ctx, tx: Tx, kid: str) -> tuple[str, ParsedKey] | None:
    """(pool id, public key) of ``kid``, or None when no pool has such a key or it has expired."""
    cache = ctx.deps.jwt_keys
    found = cache.verifying_key(kid)
    if found is not None:
        return found
    key = tx.signing_keys.published_key(kid)
    if key is None or (key.expires_at is not None and key.expires_at <= ctx.now):
        return None
    # Cached without its expiry: a retired key outlives every token it signed, whose exp is checked anyway.
    return cache.remember(kid, key.pool_id, key.public_jwk)


def jwks(ctx: Ctx, pool_id: str) -> dict[str, Any]:
    """``GET /<poolId>/.well-known/jwks.json``: every key that may have signed a live token."""
    with ctx.store.read() as tx:
        pool_or_404(tx, pool_id)
    current_kids(ctx, pool_id)
    with ctx.store.read() as tx:
        keys = tx.signing_keys.published(pool_id, ctx.now)
    return {"keys": [k.public_jwk for k in keys]}


def openid_configuration(ctx: Ctx, pool_id: str, endpoint_base: str | None = None) -> dict[str, Any]:
    """``GET /<poolId>/.well-known/openid-configuration`` (OpenID Connect Discovery 1.0 §3, §4).

    ``issuer`` and ``jwks_uri`` are issuer-relative; the OAuth endpoints live under ``endpoint_base``, the
    URL the document was fetched from (a pool domain, or the server), the public URL by default.
    """
    with ctx.store.read() as tx:
        pool_or_404(tx, pool_id)
    iss = issuer(ctx.settings, pool_id)
    base = endpoint_base or ctx.settings.base_url
    return {
        "issuer": iss,
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "token_endpoint": f"{base}/oauth2/token",
        "userinfo_endpoint": f"{base}/oauth2/userInfo",
        "end_session_endpoint": f"{base}/logout",
        "revocation_endpoint": f"{base}/oauth2/revoke",
        "jwks_uri": f"{iss}/.well-known/jwks.json",
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "grant_types_supported": ["authorization_code", "implicit", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": [S256],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "token_use",
            "cognito:username",
            "cognito:groups",
            "email",
            "email_verified",
            "phone_number",
            "phone_number_verified",
            "name",
            "given_name",
            "family_name",
            "preferred_username",
        ],
    }
