"""Verifying an identity provider's ID token (OpenID Connect Core 1.0 §3.1.3.7), as Cognito does before it
signs a user in through an OIDC provider, Google or Sign in with Apple.

Cognito accepts ID tokens signed with RSA, ECDSA or HMAC, and requires a ``kid`` that the provider's
``jwks_uri`` publishes ("Using OIDC identity providers with a user pool", Amazon Cognito developer guide).
The algorithm is taken from the token but only from a fixed list, and the key must fit it: an RSA or EC key
from the JWK Set for RS*/PS*/ES*, the client secret for HS* (§10.1) and never the other way round, so a
token cannot choose to be checked against a public key used as an HMAC secret. ``alg=none`` is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Collection
from typing import Any

from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import ECKey, RSAKey

from userpool.context import Ctx
from userpool.crypto.idp_key_sets import IdpKey
from userpool.services.federation.steps.idp_calls import json_object
from userpool.services.federation.steps.idp_errors import IdpError, IdpFailure
from userpool.services.federation.steps.idp_keys import idp_signing_key

# How far the provider's clock may be from ours when exp, iat and nbf are compared.
CLOCK_SKEW_SECONDS = 120

_HMAC = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
_RSA = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
_EC_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}


def verify_id_token(
    ctx: Ctx,
    id_token: str,
    *,
    issuer: str,
    client_id: str,
    client_secret: str,
    jwks_uri: str,
    nonce: str,
    issuer_aliases: Collection[str] = (),
) -> dict[str, Any]:
    """The claims of ``id_token`` once its signature, ``iss``, ``aud``/``azp``, ``exp``/``iat``/``nbf``,
    ``nonce`` and ``sub`` are checked (Core §3.1.3.7); IdpError with the first failed check's reason.

    ``iss`` must equal ``issuer`` exactly, or one of ``issuer_aliases``: Google's ID tokens may carry
    ``accounts.google.com`` for ``https://accounts.google.com`` (Google Identity, "Validating an ID token")."""
    signing_input, header, signature = _split(id_token)
    alg = header.get("alg")
    if alg in _HMAC:
        _check_hmac(signing_input, signature, str(alg), client_secret)
        payload = _segment(id_token.split(".")[1])
    elif alg in _RSA or alg in _EC_CURVES:
        key = _provider_key(ctx, header, str(alg), jwks_uri)
        try:
            payload = jws.deserialize_compact(id_token, key, algorithms=[str(alg)]).payload
        except BadSignatureError:
            raise IdpError(IdpFailure.ID_TOKEN_SIGNATURE, "The IdP ID token signature is invalid") from None
        except (JoseError, ValueError):
            raise IdpError(IdpFailure.ID_TOKEN_MALFORMED, "The IdP ID token is malformed") from None
    else:
        raise IdpError(IdpFailure.ID_TOKEN_ALGORITHM, "The IdP ID token is not signed with an accepted algorithm")
    claims = json_object(payload)
    if claims is None:
        raise IdpError(IdpFailure.ID_TOKEN_MALFORMED, "The IdP ID token is malformed")
    _check_claims(claims, issuers={issuer, *issuer_aliases}, client_id=client_id, nonce=nonce, now=ctx.now)
    return claims


def _segment(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise IdpError(IdpFailure.ID_TOKEN_MALFORMED, "The IdP ID token is malformed") from None


def _split(token: str) -> tuple[bytes, dict[str, Any], bytes]:
    """The JWS signing input, the protected header and the signature of a compact JWS (RFC 7515 §7.1)."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise IdpError(IdpFailure.ID_TOKEN_MALFORMED, "The IdP ID token is malformed")
    header = json_object(_segment(parts[0]))
    if header is None:
        raise IdpError(IdpFailure.ID_TOKEN_MALFORMED, "The IdP ID token is malformed")
    if "crit" in header:
        # RFC 7515 §4.1.11: no extension is understood here, so a token that requires one is refused.
        raise IdpError(IdpFailure.ID_TOKEN_MALFORMED, "The IdP ID token requires an unsupported extension")
    return f"{parts[0]}.{parts[1]}".encode(), header, _segment(parts[2])


def _check_hmac(signing_input: bytes, signature: bytes, alg: str, client_secret: str) -> None:
    """HS* with the client secret as the key (Core §10.1), compared in constant time."""
    if not client_secret:
        raise IdpError(IdpFailure.ID_TOKEN_ALGORITHM, "The IdP ID token is HMAC-signed but no client secret is set")
    expected = hmac.new(client_secret.encode(), signing_input, _HMAC[alg]).digest()
    if not hmac.compare_digest(expected, signature):
        raise IdpError(IdpFailure.ID_TOKEN_SIGNATURE, "The IdP ID token signature is invalid")


def _provider_key(ctx: Ctx, header: dict[str, Any], alg: str, jwks_uri: str) -> IdpKey:
    """The JWK Set's key named by ``kid``, if its type (and curve, and declared ``alg``) fit ``alg``."""
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise IdpError(IdpFailure.ID_TOKEN_UNKNOWN_KEY, "The IdP ID token names no key (kid)")
    key = idp_signing_key(ctx, jwks_uri, kid)
    fits = isinstance(key, RSAKey) if alg in _RSA else isinstance(key, ECKey) and key.curve_name == _EC_CURVES[alg]
    declared = key.alg
    if not fits or (declared is not None and declared != alg):
        raise IdpError(IdpFailure.ID_TOKEN_ALGORITHM, f"The IdP key {kid} is not a key for {alg}")
    return key


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise IdpError(IdpFailure.ID_TOKEN_MALFORMED, f"The IdP ID token {name} is not a number")
    return float(value)


def _check_claims(claims: dict[str, Any], *, issuers: set[str], client_id: str, nonce: str, now: float) -> None:
    issued_by = claims.get("iss")
    if not isinstance(issued_by, str) or issued_by not in issuers:
        raise IdpError(IdpFailure.ID_TOKEN_ISSUER, "The IdP ID token issuer does not match oidc_issuer")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or client_id not in audiences:
        raise IdpError(IdpFailure.ID_TOKEN_AUDIENCE, "The IdP ID token audience does not include client_id")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise IdpError(IdpFailure.ID_TOKEN_AUTHORIZED_PARTY, "The IdP ID token authorized party is not client_id")
    expires, issued, not_before = (_number(claims, name) for name in ("exp", "iat", "nbf"))
    if expires is None or issued is None:
        raise IdpError(IdpFailure.ID_TOKEN_MALFORMED, "The IdP ID token has no exp or iat")
    if now >= expires + CLOCK_SKEW_SECONDS:
        raise IdpError(IdpFailure.ID_TOKEN_EXPIRED, "The IdP ID token has expired")
    if issued > now + CLOCK_SKEW_SECONDS or (not_before is not None and not_before > now + CLOCK_SKEW_SECONDS):
        raise IdpError(IdpFailure.ID_TOKEN_NOT_YET_VALID, "The IdP ID token is not valid yet")
    sent = claims.get("nonce")
    if not nonce or not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), nonce.encode()):
        raise IdpError(IdpFailure.ID_TOKEN_NONCE, "The IdP ID token nonce does not match")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise IdpError(IdpFailure.ID_TOKEN_SUBJECT, "The IdP ID token has no subject")
