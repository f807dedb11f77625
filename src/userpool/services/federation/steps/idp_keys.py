"""An identity provider's signing keys, from its ``jwks_uri`` (RFC 7517 §5), kept per process.

A key set is fetched when first needed and again once it is an hour old. A token naming a ``kid`` the set
does not have makes the set be fetched again at once (providers rotate keys: OpenID Connect Core 1.0
§10.1.1), but at most once per 30 seconds per ``jwks_uri``, so that tokens with made-up key ids cannot
make the server hammer the provider. The keys live in ``ctx.deps.idp_keys`` (crypto/idp_key_sets.py).
"""

from __future__ import annotations

from userpool.context import Ctx
from userpool.crypto.idp_key_sets import IdpKey, KeySetError, parse_key_set
from userpool.services.federation.steps.idp_calls import call_idp, json_object
from userpool.services.federation.steps.idp_errors import IdpError, IdpFailure

MAX_AGE_SECONDS = 3600.0
REFETCH_INTERVAL_SECONDS = 30.0


def idp_signing_key(ctx: Ctx, jwks_uri: str, kid: str) -> IdpKey:
    """The key ``kid`` published at ``jwks_uri``; IdpError ID_TOKEN_UNKNOWN_KEY when the provider does not
    publish it, JWKS_UNREACHABLE / JWKS_INVALID when its key set cannot be had."""
    cache = ctx.deps.idp_keys
    entry = cache.entry(jwks_uri)
    fresh = entry.fetched_at is not None and ctx.now - entry.fetched_at < MAX_AGE_SECONDS
    if fresh and kid in entry.keys:
        return entry.keys[kid]
    if cache.claim_fetch(jwks_uri, ctx.now, REFETCH_INTERVAL_SECONDS):
        keys = _fetch(ctx, jwks_uri)
        cache.store(jwks_uri, keys, ctx.now)
    else:
        # Fetched (or tried) moments ago: what that fetch found is the answer.
        keys = dict(cache.entry(jwks_uri).keys)
    key = keys.get(kid)
    if key is None:
        raise IdpError(IdpFailure.ID_TOKEN_UNKNOWN_KEY, "The ID token is signed with a key the IdP does not publish")
    return key


def _fetch(ctx: Ctx, jwks_uri: str) -> dict[str, IdpKey]:
    answer = call_idp(
        ctx, jwks_uri, unreachable=IdpFailure.JWKS_UNREACHABLE, timeout_words="Timeout in calling jwks uri"
    )
    if answer.status != 200:
        raise IdpError(IdpFailure.JWKS_UNREACHABLE, f"{answer.status} error getting the IdP jwks")
    try:
        return parse_key_set(json_object(answer.body))
    except KeySetError:
        raise IdpError(IdpFailure.JWKS_INVALID, "The IdP jwks_uri does not answer a JWK Set") from None
