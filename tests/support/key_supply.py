"""RSA signing keys for the servers the tests build in process, made once per test process and handed out
again: a pool's first sign-in made two RSA-2048 keys and read each back for its JWK, about 0.2 s of CPU,
and each new server read them again to sign (0.1 s more), which nearly every test that signs in paid
(tests/conftest.py puts the supply in place)."""

from __future__ import annotations

import threading
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from userpool.crypto import jwt, keys

# Distinct keys before the first is handed out again: 32 pools' pairs. A test's database (each test has its
# own, or a module's server) never needs that many, so no two of its keys share a kid.
DISTINCT_KEYS = 64
# The parser the supply stands in for, taken before tests/conftest.py puts the supply in its place.
_load_private_pem = jwt.load_private_pem


class KeySupply:
    """Stands in for ``generate_private_pem`` and ``public_jwk`` of the signing-key step: the first
    DISTINCT_KEYS keys are new, then they come round again in the same order."""

    def __init__(self, distinct: int = DISTINCT_KEYS) -> None:
        self._distinct = distinct
        self._made: list[str] = []
        self._jwks: dict[str, dict[str, Any]] = {}
        self._parsed: dict[str, rsa.RSAPrivateKey] = {}
        self._handed_out = 0
        self._lock = threading.Lock()

    def private_pem(self) -> str:
        with self._lock:
            if len(self._made) < self._distinct:
                pem = keys.generate_private_pem()
                self._made.append(pem)
                self._jwks[pem] = keys.public_jwk(pem)
            else:
                pem = self._made[self._handed_out % self._distinct]
            self._handed_out += 1
            return pem

    def public_jwk(self, private_pem: str) -> dict[str, Any]:
        """The key's JWK, as ``keys.public_jwk`` makes it (worked out once per key of the supply)."""
        jwk = self._jwks.get(private_pem)
        return dict(jwk) if jwk is not None else keys.public_jwk(private_pem)

    def load_private_pem(self, pem: str) -> rsa.RSAPrivateKey:
        """Stands in for ``load_private_pem`` in ``userpool.crypto.jwt``: a key of the supply is parsed once
        (the same key object then signs for every server, as cryptography's keys may), anything else as
        before."""
        if pem in self._jwks:
            with self._lock:
                if pem not in self._parsed:
                    self._parsed[pem] = _load_private_pem(pem)
                return self._parsed[pem]
        return _load_private_pem(pem)
