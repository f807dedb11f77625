"""RSA signing keys for ID and access tokens: generation, a stable key id, JWK export (RFC 7517)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

RSA_BITS = 2048
PUBLIC_EXPONENT = 65537
ALGORITHM = "RS256"


def generate_private_pem() -> str:
    """A new RSA-2048 private key as unencrypted PKCS#8 PEM (it is sealed before it is stored)."""
    key = rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=RSA_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def _public_key(private_pem: str) -> rsa.RSAPublicKey:
    private = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return private.public_key()


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def key_id(public: rsa.RSAPublicKey) -> str:
    """Standard base64 of the SHA-256 of the DER public key: 44 characters ending in ``=``, like AWS's kids,
    and the same for the same key wherever it is computed."""
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode("ascii")


def public_jwk(private_pem: str) -> dict[str, Any]:
    """The published JWK of a private key: exactly ``alg, e, kid, kty, n, use``, as AWS publishes them."""
    public = _public_key(private_pem)
    numbers = public.public_numbers()
    return {
        "alg": ALGORITHM,
        "e": _b64url_uint(numbers.e),
        "kid": key_id(public),
        "kty": "RSA",
        "n": _b64url_uint(numbers.n),
        "use": "sig",
    }
