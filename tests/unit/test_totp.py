"""crypto/totp.py against RFC 6238 Appendix B (the SHA-1 rows) and pyotp, and its window and replay rules."""

from __future__ import annotations

import base64
import re

import pyotp
import pytest

from userpool.crypto import totp

# RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890", codes have 8 digits.
RFC_SEED = b"12345678901234567890"
RFC_SHA1 = [
    (59, 1, "94287082"),
    (1111111109, 0x023523EC, "07081804"),
    (1111111111, 0x023523ED, "14050471"),
    (1234567890, 0x0273EF07, "89005924"),
    (2000000000, 0x03F940AA, "69279037"),
    (20000000000, 0x27BC86AA, "65353130"),
]


@pytest.mark.parametrize(("unix_time", "step", "code"), RFC_SHA1)
def test_totp__rfc6238_sha1_vectors(unix_time: int, step: int, code: str) -> None:
    assert totp.time_step(unix_time) == step
    assert totp.hotp(RFC_SEED, step, digits=8) == code
    # Six digits are the last six of the eight (the same truncated value, modulo 10^6).
    secret = base64.b32encode(RFC_SEED).decode()
    assert totp.code_at(secret, step) == code[-6:]


def test_totp__new_secret_is_32_base32_characters_of_fresh_randomness() -> None:
    secrets = {totp.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert re.fullmatch(r"[A-Z2-7]{32}", secret)
        assert len(totp.secret_key(secret)) == 20


def test_totp__codes_agree_with_pyotp() -> None:
    secret = totp.new_secret()
    for now in (0.0, 29.9, 30.0, 1_700_000_000.0, 1_700_000_015.5):
        assert totp.code_at(secret, totp.time_step(now)) == pyotp.TOTP(secret).at(now)
    # Authenticator apps accept lower case; so does the key decoder.
    assert totp.secret_key(secret.lower()) == totp.secret_key(secret)


def test_totp__window_is_one_step_either_side() -> None:
    secret = totp.new_secret()
    now = 1_700_000_010.0
    current = totp.time_step(now)
    for offset in (-1, 0, 1):
        assert totp.matching_step(secret, totp.code_at(secret, current + offset), now) == current + offset
    for offset in (-3, -2, 2, 3):
        code = totp.code_at(secret, current + offset)
        if code not in {totp.code_at(secret, current + o) for o in (-1, 0, 1)}:
            assert totp.matching_step(secret, code, now) is None


def test_totp__steps_up_to_the_last_accepted_one_never_match_again() -> None:
    secret = totp.new_secret()
    now = 1_700_000_010.0
    current = totp.time_step(now)
    code = totp.code_at(secret, current)
    assert totp.matching_step(secret, code, now, after=current - 1) == current
    assert totp.matching_step(secret, code, now, after=current) is None
    assert totp.matching_step(secret, totp.code_at(secret, current - 1), now, after=current) is None
    assert totp.matching_step(secret, totp.code_at(secret, current + 1), now, after=current) == current + 1


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12345a", " 12345", "١٢٣٤٥٦", "12 456"])
def test_totp__malformed_codes_never_match(code: str) -> None:
    assert not totp.well_formed(code)
    assert totp.matching_step(totp.new_secret(), code, 1_700_000_000.0) is None
