"""Time-based one-time passwords: RFC 6238 over RFC 4226 HOTP, as authenticator apps compute them.

Cognito's software tokens are HMAC-SHA1, 6 digits, 30-second steps (Cognito developer guide: 'TOTP software token MFA').
The secret is handed out as unpadded base32 (the ``SecretCode`` of AssociateSoftwareToken); 20 random bytes, the key
length RFC 4226 §4 recommends, make 32 base32 characters.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct

DIGITS = 6
STEP_SECONDS = 30
# Codes of the step before and after the current one are accepted too, for clock drift and typing time
# (RFC 6238 §5.2 recommends at most one step of network delay).
WINDOW = 1
SECRET_BYTES = 20


def new_secret() -> str:
    """A fresh secret as unpadded upper-case base32 (``[A-Z2-7]{32}``)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def secret_key(secret: str) -> bytes:
    """The key bytes of a base32 secret; case and missing padding are forgiven, as authenticator apps do."""
    text = secret.strip().upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226 §5.3: HMAC-SHA1 of the 8-byte counter, dynamically truncated to ``digits`` digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    binary = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


def time_step(now: float) -> int:
    """RFC 6238 §4.2: T = floor((now - T0) / X) with T0 = 0 and X = 30 seconds."""
    return int(now // STEP_SECONDS)


def code_at(secret: str, step: int) -> str:
    """The code an authenticator shows during time step ``step``."""
    return hotp(secret_key(secret), step)


def well_formed(code: str) -> bool:
    """Exactly six ASCII digits (str.isdigit alone would let other scripts' digits through)."""
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def matching_step(secret: str, code: str, now: float, after: int | None = None) -> int | None:
    """The time step whose code ``code`` is, within ±WINDOW steps of ``now``; None when none matches.

    Steps at or before ``after`` (the last step accepted for this secret) never match, so that a code,
    once accepted, cannot be used again (RFC 6238 §5.2). Every candidate is compared in constant time
    and all of them are compared, so the answer's timing says nothing about which step, if any, matched.
    """
    if not well_formed(code):
        return None
    key = secret_key(secret)
    current = time_step(now)
    found: int | None = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        if step < 0 or (after is not None and step <= after):
            continue
        if hmac.compare_digest(hotp(key, step).encode("ascii"), code.encode("ascii")) and found is None:
            found = step
    return found
