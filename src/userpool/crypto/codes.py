"""One-time codes: 6 random digits, stored only as keyed SHA-256 digests, compared in constant time.

Used for ConfirmSignUp, ConfirmForgotPassword (and AdminResetUserPassword's code) and attribute
verification. Codes are high-entropy enough for their short life and capped attempts, so a fast hash is the
right one (docs/architecture.md, Storage); they have Cognito's 6-digit shape.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_DIGITS = 6


def new_code() -> str:
    """Six decimal digits from the operating system's CSPRNG, leading zeros kept."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(server_key: bytes, pool_id: str, sub: str, purpose: str, code: str) -> str:
    """The stored form of ``code``: HMAC-SHA256 under a server secret, bound to its user and purpose.

    The server secret keeps a copy of the database from giving codes away (a million guesses would
    otherwise find any 6-digit code); binding to pool, user and purpose makes equal codes of different
    users, or of one user's sign-up and password reset, hash differently.
    """
    key = hmac.new(server_key, "\x1f".join((pool_id, sub, purpose)).encode(), hashlib.sha256).digest()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def code_matches(server_key: bytes, stored_hash: str, pool_id: str, sub: str, purpose: str, given: str) -> bool:
    """True when ``given`` is the code behind ``stored_hash``; the comparison takes constant time."""
    return hmac.compare_digest(stored_hash, code_hash(server_key, pool_id, sub, purpose, given))
