"""SRP's constant-time exponentiation (crypto/modexp.py) is plain modular exponentiation, whichever engine computes
it: OpenSSL's through cryptography's Diffie-Hellman, or gmpy2's where OpenSSL does not take the operands."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from userpool.crypto import srp
from userpool.crypto.modexp import ConstantTimePower

N = srp.N
POWER = ConstantTimePower(N, srp.G)


def _gmpy2_only() -> ConstantTimePower:
    power = ConstantTimePower(N, srp.G)
    power._openssl = None
    return power


def test_power__openssl_with_the_pinned_cryptography() -> None:
    # If a release of cryptography drops finite-field Diffie-Hellman, sign-ins still work (on gmpy2) but cost
    # about 1 ms more each: this says so.
    assert POWER.uses_openssl


@settings(max_examples=40, deadline=None)
@given(base=st.integers(2, N - 2), exponent=st.integers(1, 2**513))
def test_power__agrees_with_pow(base: int, exponent: int) -> None:
    assert POWER.power(base, exponent) == pow(base, exponent, N)
    assert POWER.power(srp.G, exponent) == pow(srp.G, exponent, N)


def test_power__operands_openssl_refuses() -> None:
    operands = [(0, 5), (1, 5), (N - 1, 5), (N - 1, 6), (N, 5), (N + 7, 5), (5, 2**1100 + 1), (5, N - 1)]
    for base, exponent in operands:
        assert POWER.power(base, exponent) == pow(base, exponent, N), (base, exponent)


def test_power__gmpy2_alone_agrees() -> None:
    power = _gmpy2_only()
    assert not power.uses_openssl
    for base, exponent in [(srp.G, srp.new_server_secret()), (N - 2, 2**256 - 1), (0, 3), (N - 1, 3)]:
        assert power.power(base, exponent) == pow(base, exponent, N)
