"""One-time codes: 6 random digits, stored only as keyed SHA-256 digests, compared in constant time.

Used for ConfirmSignUp, ConfirmForgotPassword (and AdminResetUserPassword's code) and attribute
verification (design §5: codes are high-entropy enough for their short life and capped attempts, so a
fast hash is the right one; spec users-attributes-policies §5 for the 6-digit shape).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_DIGITS = 6


def new_code() -> str:
    """Six decimal digits from the operating system's CSPRNG, leading zeros kept."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(pool_id: str, sub: str, purpose: str, code: str) -> str:
    """The stored form of ``code``: HMAC-SHA256 keyed with who it belongs to and what it is for.

    Keying with pool, user and purpose makes equal codes of different users (or of one user's sign-up
    and password reset) hash differently, so a stored digest says nothing about any other row.
    """
    key = "\x1f".join((pool_id, sub, purpose)).encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def code_matches(stored_hash: str, pool_id: str, sub: str, purpose: str, given: str) -> bool:
    """True when ``given`` is the code behind ``stored_hash``; the comparison takes constant time."""
    return hmac.compare_digest(stored_hash, code_hash(pool_id, sub, purpose, given))
