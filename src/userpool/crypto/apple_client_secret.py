"""Sign in with Apple's client secret: an ES256 JWT signed with the developer's private key.

Apple's "Creating a client secret" (developer.apple.com, Sign in with Apple REST API): header ``alg=ES256``
and ``kid`` = the key ID; claims ``iss`` = the team ID, ``iat``, ``exp`` (at most six months later),
``aud`` = ``https://appleid.apple.com``, ``sub`` = the client ID (the Services ID). The key is the ``.p8``
file Apple issues: a PKCS#8 PEM of a P-256 key.
"""

from __future__ import annotations

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

APPLE_AUDIENCE = "https://appleid.apple.com"
# Apple refuses a secret whose exp is more than 15777000 s (six months) after iat.
MAX_LIFETIME_SECONDS = 15_777_000
# One secret is built per token request, so it need only live as long as that request.
DEFAULT_LIFETIME_SECONDS = 300


class AppleKeyError(ValueError):
    """The private key is not a P-256 EC private key in PEM."""


def load_apple_private_key(pem: str) -> ECKey:
    """The ``.p8`` key as a signing key; AppleKeyError when it is not a P-256 private key."""
    try:
        key = ECKey.import_key(pem.strip().encode())
    except (JoseError, ValueError, TypeError) as e:
        raise AppleKeyError("private_key is not an EC private key in PEM") from e
    if key.curve_name != "P-256" or not key.is_private:
        raise AppleKeyError("private_key is not a P-256 private key")
    return key


def apple_client_secret(
    key: ECKey,
    *,
    team_id: str,
    key_id: str,
    client_id: str,
    now: float,
    audience: str = APPLE_AUDIENCE,
    lifetime: int = DEFAULT_LIFETIME_SECONDS,
) -> str:
    """The client secret for a token request to Apple (or a stand-in whose issuer is ``audience``)."""
    if not 0 < lifetime <= MAX_LIFETIME_SECONDS:
        raise ValueError("an Apple client secret lives at most six months")
    issued = int(now)
    claims = {"iss": team_id, "iat": issued, "exp": issued + lifetime, "aud": audience, "sub": client_id}
    return jwt.encode({"alg": "ES256", "kid": key_id}, claims, key, algorithms=["ES256"], default_type=None)
