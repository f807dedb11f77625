"""Modular exponentiation in SRP's group (the 3072-bit prime of RFC 3526 §4), in constant time.

OpenSSL's constant-time exponentiation (``BN_mod_exp_mont_consttime``: fixed windows, a table read whole for
every window) takes ~0.6 ms here for a 256-bit exponent, gmpy2's ``powmod_sec`` ~1.0 ms: a sign-in does three
(docs/profiles.md). Python reaches OpenSSL's only through ``cryptography``'s finite-field Diffie-Hellman: a key
exchange computes peer^x mod p with the private value x, and is nothing else. So ``power(base, e)`` is the
exchange of a private key with value ``e`` and a peer public key ``base``. Its own public half is never used by
the exchange: 2 stands in for it.

OpenSSL refuses a peer outside 1 < y < p - 1 and cryptography cannot take a private value of 0 or one longer
than the group's; those (never a sign-in's: its exponents are 256-bit hashes and secrets, its bases in range
but by a chance of 2^-3000) go to gmpy2's ``powmod_sec``, as does everything if a release of ``cryptography``
no longer offers finite-field Diffie-Hellman (it is deprecated).
"""

from __future__ import annotations

import warnings
from typing import Any

import gmpy2

# The longest exponent given to OpenSSL, well within the group's size: SRP's are 256 bits (b, u, x) or 513 (a + u·x).
MAX_EXPONENT_BITS = 1024


def _openssl_group(modulus: int, generator: int) -> tuple[Any, Any, Any] | None:
    """cryptography's private-number and public-number classes and the group's parameters, or None when
    cryptography has no finite-field Diffie-Hellman any more."""
    try:
        # The deprecation is warned of on each attribute of the module; the classes themselves do not warn.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from cryptography.hazmat.primitives.asymmetric import dh

            private, public, group = dh.DHPrivateNumbers, dh.DHPublicNumbers, dh.DHParameterNumbers
        return private, public, group(modulus, generator)
    except (ImportError, AttributeError):
        return None


class ConstantTimePower:
    """``base ** exponent mod modulus`` in constant time in the exponent, for one prime modulus."""

    def __init__(self, modulus: int, generator: int) -> None:
        self.modulus = modulus
        self._openssl = _openssl_group(modulus, generator)

    @property
    def uses_openssl(self) -> bool:
        return self._openssl is not None

    def power(self, base: int, exponent: int) -> int:
        """``base ** exponent mod modulus``; ``exponent`` (a secret) never decides how long it takes."""
        found = self._openssl_power(base, exponent) if self._openssl is not None else None
        if found is not None:
            return found
        return int(gmpy2.powmod_sec(base, exponent, self.modulus))

    def _openssl_power(self, base: int, exponent: int) -> int | None:
        assert self._openssl is not None
        private_numbers, public_numbers, group = self._openssl
        if not 1 < base < self.modulus - 1 or not 0 < exponent.bit_length() <= MAX_EXPONENT_BITS:
            return None
        try:
            key = private_numbers(exponent, public_numbers(2, group)).private_key()
            shared: bytes = key.exchange(public_numbers(base, group).public_key())
        except ValueError:
            return None
        return int.from_bytes(shared, "big")
