"""RS256 JSON Web Tokens: signing, verification, and a cache of parsed keys (RFC 7515 §7.1, RFC 7519;
docs/architecture.md, Hot-path rules).

Parsing a PEM private key costs tens of milliseconds and a public JWK about a hundred microseconds, far more
than signing (~0.25 ms) or verifying (~25 µs); keys are therefore parsed once per key id and kept. A key id
is the hash of its public key (crypto/keys.py), so a cached entry can never disagree with the stored key.

Tokens are signed and checked with ``cryptography`` directly: the protected header of a key's tokens is the
same for every token it signs, so its base64url segment is made once, with the key; a compact JWS is then the
claims' JSON in base64url and one PKCS #1 v1.5 signature over the two segments (RFC 7518 §3.3). A token is
split and its header decoded once, whether it is then verified or only looked at.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from userpool.crypto.cpus import usable_cpus
from userpool.crypto.keys import ALGORITHM

# Segments longer than these are refused before they are decoded (a header of ours is ~90 characters, a
# payload a few hundred to a few thousand, an RS256 signature 342).
MAX_HEADER_SEGMENT = 512
MAX_PAYLOAD_SEGMENT = 128_000
MAX_SIGNATURE_SEGMENT = 1024

_PADDING = padding.PKCS1v15()
_SHA256 = hashes.SHA256()
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
# The last character of a segment whose length leaves 2 or 1 bytes over: only those whose unused low bits
# are zero, so that each byte string has one encoding (a signature cannot be written two ways).
_CANONICAL_ENDINGS = {2: "AQgw", 3: "AEIMQUYcgkosw048"}


class JwtError(Exception):
    """The string is not a well-formed, correctly signed RS256 token."""


def header_segment(kid: str) -> bytes:
    """The base64url protected header of a key's tokens: ``{"alg":"RS256","kid":...}`` (AWS sends no ``typ``)."""
    return base64.urlsafe_b64encode(orjson.dumps({"alg": ALGORITHM, "kid": kid})).rstrip(b"=")


class ParsedKey:
    """An RSA key parsed once: a private key (which also verifies what it signed) or a public one, with the
    header segment of the tokens it signs."""

    __slots__ = ("header", "kid", "private", "public")

    def __init__(self, kid: str, public: rsa.RSAPublicKey, private: rsa.RSAPrivateKey | None = None) -> None:
        self.kid = kid
        self.public = public
        self.private = private
        self.header = header_segment(kid)


def load_private_pem(pem: str) -> rsa.RSAPrivateKey:
    """An RSA private key from its unencrypted PEM (the stored form, once unsealed)."""
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def _jwk_uint(value: Any) -> int:
    if not isinstance(value, str):
        raise ValueError("not a base64url integer")
    return int.from_bytes(_b64url_decode(value), "big")


def public_key_from_jwk(jwk: dict[str, Any]) -> rsa.RSAPublicKey:
    """The RSA public key of a JWK (RFC 7518 §6.3.1: ``n`` and ``e``)."""
    if jwk.get("kty") != "RSA":
        raise ValueError("not an RSA key")
    try:
        return rsa.RSAPublicNumbers(_jwk_uint(jwk.get("e")), _jwk_uint(jwk.get("n"))).public_key()
    except JwtError:
        raise ValueError("malformed RSA key") from None


class KeyCache:
    """Parsed signing and verification keys by kid, bounded (least recently used first out), thread-safe.

    A verification entry also remembers the key's owner (the pool) so that a token cannot borrow another
    pool's key.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._signing: OrderedDict[str, ParsedKey] = OrderedDict()
        self._verifying: OrderedDict[str, tuple[str, ParsedKey]] = OrderedDict()

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

    def signing_key(self, kid: str) -> ParsedKey | None:
        """The private key ``kid`` if it has been parsed already."""
        key: ParsedKey | None = self._get(self._signing, kid)
        return key

    def add_signing_key(self, kid: str, pem: str) -> ParsedKey:
        private = load_private_pem(pem)
        key = ParsedKey(kid, private.public_key(), private)
        self._put(self._signing, kid, key)
        return key

    def verifying_key(self, kid: str) -> tuple[str, ParsedKey] | None:
        """(owner, public key) of ``kid`` if it has been remembered."""
        found: tuple[str, ParsedKey] | None = self._get(self._verifying, kid)
        return found

    def remember(self, kid: str, owner: str, jwk: dict[str, Any]) -> tuple[str, ParsedKey]:
        entry = (owner, ParsedKey(kid, public_key_from_jwk(jwk)))
        self._put(self._verifying, kid, entry)
        return entry


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


class Signers:
    """How many RSA signatures a process computes at once: one per CPU it may run on, counted on first use (a
    worker is placed on its CPU before it serves).

    cryptography signs without holding the GIL, so every request thread of a worker could be in the middle of
    a signature at once; on one CPU they would only take turns, each finishing about as late as the last of
    them. Waiting for a slot instead, a signature runs through once begun and its request is answered at
    once: the 99th percentile of refresh and client_credentials under their own load fell by about 30 %, their
    CPU per request unchanged (docs/profiles.md, section 11).

    With one CPU (a worker of ``serve``, pinned to its own) the slot is a plain lock: threading's semaphore is
    written in Python, a Condition and a waiter's lock for each thread that waits, where a lock waits in C."""

    def __init__(self, cpus: Callable[[], int] = usable_cpus) -> None:
        self._cpus = cpus
        self._slots: AbstractContextManager[bool] | None = None
        self._lock = threading.Lock()

    def slots(self) -> AbstractContextManager[bool]:
        slots = self._slots
        if slots is None:
            with self._lock:
                if self._slots is None:
                    cpus = self._cpus()
                    self._slots = threading.Lock() if cpus <= 1 else threading.BoundedSemaphore(cpus)
                slots = self._slots
        return slots


SIGNERS = Signers()


def sign(claims: dict[str, Any], kid: str, key: ParsedKey) -> str:
    """A compact JWS with header ``{"alg": "RS256", "kid": kid}`` and ``claims`` as its JSON payload."""
    if key.private is None:
        raise ValueError("a public key cannot sign")
    header = key.header if kid == key.kid else header_segment(kid)
    signing_input = header + b"." + _b64url(orjson.dumps(claims))
    with SIGNERS.slots():
        signature = key.private.sign(signing_input, _PADDING, _SHA256)
    return (signing_input + b"." + _b64url(signature)).decode("ascii")


def _b64url_decode(segment: str) -> bytes:
    """Unpadded base64url (RFC 7515 §2), strictly: no padding, no other alphabet, one encoding per value."""
    over = len(segment) % 4
    if over == 1 or not _B64URL.fullmatch(segment):
        raise JwtError("malformed base64url")
    if over and segment[-1] not in _CANONICAL_ENDINGS[over]:
        raise JwtError("malformed base64url")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise JwtError("malformed base64url") from None


@dataclass(frozen=True, slots=True)
class Compact:
    """A compact JWS split once: its RS256 header (not yet trusted), the key id it names, and its segments."""

    header: dict[str, Any]
    kid: str
    signing_input: str
    payload: str
    signature: str


def parse(token: str) -> Compact:
    """``token`` split into its three segments, the header decoded; JwtError unless it is an RS256 header
    naming a key id."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("not a compact JWS")
    head, payload, signature = parts
    if len(head) > MAX_HEADER_SEGMENT or len(payload) > MAX_PAYLOAD_SEGMENT or len(signature) > MAX_SIGNATURE_SEGMENT:
        raise JwtError("oversized token")
    try:
        header = orjson.loads(_b64url_decode(head))
    except orjson.JSONDecodeError:
        raise JwtError("malformed header") from None
    # Only RS256: "none" and HMAC algorithms would let a caller choose how the token is checked. No critical
    # extension is understood (RFC 7515 §4.1.11).
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM or "crit" in header:
        raise JwtError("unsupported header")
    kid = header.get("kid")
    # Our kids are 44 printable characters; anything else is looked up nowhere (a NUL would upset PostgreSQL).
    if not isinstance(kid, str) or not 0 < len(kid) <= 128 or not kid.isprintable():
        raise JwtError("unsupported key id")
    return Compact(header, kid, token[: len(head) + 1 + len(payload)], payload, signature)


def unverified_header(token: str) -> dict[str, Any]:
    """The protected header of a compact JWS, not yet trusted; JwtError unless it is an RS256 header."""
    return parse(token).header


def verified_claims(token: Compact, key: ParsedKey) -> dict[str, Any]:
    """The claims of a parsed token once its RS256 signature checks out with ``key``; JwtError otherwise."""
    signature = _b64url_decode(token.signature)
    payload = _b64url_decode(token.payload)  # and so the signing input is ASCII
    try:
        key.public.verify(signature, token.signing_input.encode("ascii"), _PADDING, _SHA256)
    except InvalidSignature:
        raise JwtError("bad signature") from None
    try:
        claims = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise JwtError("malformed payload") from None
    if not isinstance(claims, dict):
        raise JwtError("claims are not an object")
    return claims


def verify(token: str, key: ParsedKey) -> dict[str, Any]:
    """The claims of ``token`` once its RS256 signature checks out with ``key``; JwtError otherwise."""
    return verified_claims(parse(token), key)
