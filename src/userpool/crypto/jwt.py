"""RS256 JSON Web Tokens: signing, verification, and a cache of parsed keys (RFC 7519; docs/architecture.md,
Hot-path rules).

Parsing a PEM private key costs tens of milliseconds and a public JWK about a hundred microseconds, far more
than signing (~0.3 ms) or verifying (~50 µs); keys are therefore parsed once per key id and kept. A key id
is the hash of its public key (crypto/keys.py), so a cached entry can never disagree with the stored key.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections import OrderedDict
from typing import Any

import orjson
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from userpool.crypto.keys import ALGORITHM

# A parsed RSA key, private or public, as sign() and verify() take it.
ParsedKey = RSAKey


class JwtError(Exception):
    """The string is not a well-formed, correctly signed RS256 token."""


class KeyCache:
    """Parsed signing and verification keys by kid, bounded (least recently used first out), thread-safe.

    A verification entry also remembers the key's owner (the pool) so that a token cannot borrow another
    pool's key.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._signing: OrderedDict[str, RSAKey] = OrderedDict()
        self._verifying: OrderedDict[str, tuple[str, RSAKey]] = OrderedDict()

    def _put(self, table: OrderedDict[str, Any], kid: str, value: Any) -> None:
        with self._lock:
            table[kid] = value
            table.move_to_end(kid)
            while len(table) > self._capacity:
                table.popitem(last=False)

    def _get(self, table: OrderedDict[str, Any], kid: str) -> Any:
        with self._lock:
            value = table.get(kid)
            if value is not None:
                table.move_to_end(kid)
            return value

    def signing_key(self, kid: str) -> RSAKey | None:
        """The private key ``kid`` if it has been parsed already."""
        key: RSAKey | None = self._get(self._signing, kid)
        return key

    def add_signing_key(self, kid: str, pem: str) -> RSAKey:
        key = RSAKey.import_key(pem)
        self._put(self._signing, kid, key)
        return key

    def verifying_key(self, kid: str) -> tuple[str, RSAKey] | None:
        """(owner, public key) of ``kid`` if it has been remembered."""
        found: tuple[str, RSAKey] | None = self._get(self._verifying, kid)
        return found

    def remember(self, kid: str, owner: str, jwk: dict[str, Any]) -> tuple[str, RSAKey]:
        entry = (owner, RSAKey.import_key({k: str(v) for k, v in jwk.items()}))
        self._put(self._verifying, kid, entry)
        return entry


def sign(claims: dict[str, Any], kid: str, key: RSAKey) -> str:
    """A compact JWS with header ``{"alg": "RS256", "kid": kid}`` (AWS sends no ``typ``)."""
    return jws.serialize_compact({"alg": ALGORITHM, "kid": kid}, orjson.dumps(claims), key, algorithms=[ALGORITHM])


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def unverified_header(token: str) -> dict[str, Any]:
    """The protected header of a compact JWS, not yet trusted; JwtError unless it is an RS256 header."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("not a compact JWS")
    try:
        header = orjson.loads(_b64decode(parts[0]))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise JwtError("malformed header") from None
    # Only RS256: "none" and HMAC algorithms would let a caller choose how the token is checked.
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM:
        raise JwtError("unsupported header")
    kid = header.get("kid")
    # Our kids are 44 printable characters; anything else is looked up nowhere (a NUL would upset PostgreSQL).
    if not isinstance(kid, str) or not 0 < len(kid) <= 128 or not kid.isprintable():
        raise JwtError("unsupported key id")
    return header


def verify(token: str, key: RSAKey) -> dict[str, Any]:
    """The claims of ``token`` once its RS256 signature checks out with ``key``; JwtError otherwise."""
    try:
        signed = jws.deserialize_compact(token, key, algorithms=[ALGORITHM])
        claims = orjson.loads(signed.payload)
    except (JoseError, ValueError, orjson.JSONDecodeError):
        raise JwtError("bad signature or payload") from None
    if not isinstance(claims, dict):
        raise JwtError("claims are not an object")
    return claims
