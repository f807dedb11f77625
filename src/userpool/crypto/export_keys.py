"""The key of a pool export file (docs/pool-export.md): derived from the operator's passphrase or key file with
scrypt, it seals the file's secrets (AES-SIV, RFC 5297, each value bound to its record and field) and authenticates
its lines (a chain of HMAC-SHA256), so that the file carries nothing under the exporting server's own keys.

Sealing is deterministic: the same key, value and place (record and field) give the same bytes, so that two
exports of an unchanged pool under one salt (``userpool export --salt-of``) are byte-identical. What that reveals
is whether a value at one place is equal in two files under the same key: used without a nonce, AES-SIV is
deterministic authenticated encryption (RFC 5297), which reveals that much and no more.

scrypt's cost is OWASP's for passwords (Password Storage Cheat Sheet: N=2^17, r=8, p=1); a file names the cost it
was made with, and a reader accepts costs within bounds only, so a file cannot make it allocate without limit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

KDF_NAME = "scrypt"
SALT_BYTES = 16
# scrypt's output: AES-SIV's 512-bit key (two AES-256 keys, RFC 5297), then the HMAC-SHA256 key of the lines.
_SIV_KEY_BYTES = 64
_MAC_KEY_BYTES = 32
# What a file may ask of its reader: N a power of two up to 2^18 (256 MiB with r=8), r and p small.
_MAX_LOG2_N = 18
_MIN_LOG2_N = 10
_MAX_R = 16
_MAX_P = 4
_KEY_CHECK = b"userpool pool export: key check"


class ExportKeyError(Exception):
    """A sealed value of the file does not open under this key, or the file names a key derivation out of bounds."""


@dataclass(frozen=True, slots=True)
class ScryptCost:
    n: int
    r: int
    p: int


# Replaced in the test suite by a cheaper cost, which the files then name (tests/api/test_pool_export.py).
DEFAULT_COST = ScryptCost(n=2**17, r=8, p=1)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_kdf(cost: ScryptCost | None = None) -> dict[str, Any]:
    """The key derivation a new file names in its header: scrypt with a fresh salt."""
    cost = cost or DEFAULT_COST
    return {"name": KDF_NAME, "n": cost.n, "r": cost.r, "p": cost.p, "salt": b64(os.urandom(SALT_BYTES))}


def _cost_of(kdf: Any) -> tuple[ScryptCost, bytes]:
    if not isinstance(kdf, dict) or kdf.get("name") != KDF_NAME:
        raise ExportKeyError("the file names a key derivation other than scrypt")
    n, r, p, salt = kdf.get("n"), kdf.get("r"), kdf.get("p"), kdf.get("salt")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n, r, p)) or not isinstance(salt, str):
        raise ExportKeyError("the file's scrypt parameters are malformed")
    assert isinstance(n, int) and isinstance(r, int) and isinstance(p, int)
    if n & (n - 1) or not 2**_MIN_LOG2_N <= n <= 2**_MAX_LOG2_N or not 1 <= r <= _MAX_R or not 1 <= p <= _MAX_P:
        raise ExportKeyError(f"the file's scrypt cost (N={n}, r={r}, p={p}) is beyond what this server accepts")
    try:
        raw_salt = unb64(salt)
    except ValueError as exc:
        raise ExportKeyError("the file's scrypt salt is malformed") from exc
    if len(raw_salt) < SALT_BYTES:
        raise ExportKeyError("the file's scrypt salt is too short")
    return ScryptCost(n, r, p), raw_salt


class ExportKey:
    """The two keys derived from the operator's secret and the file's salt: one seals values, one signs lines."""

    def __init__(self, secret: bytes, kdf: Any) -> None:
        cost, salt = _cost_of(kdf)
        # The derivation as a header names it: a file exported with ``--salt-of`` an earlier one names the same.
        self.kdf: dict[str, Any] = {"name": KDF_NAME, "n": cost.n, "r": cost.r, "p": cost.p, "salt": b64(salt)}
        length = _SIV_KEY_BYTES + _MAC_KEY_BYTES
        derived = Scrypt(salt=salt, length=length, n=cost.n, r=cost.r, p=cost.p).derive(secret)
        self._siv = AESSIV(derived[:_SIV_KEY_BYTES])
        self._mac_key = derived[_SIV_KEY_BYTES:]

    @property
    def check(self) -> str:
        """A value the header carries, by which a reader tells a wrong key from an altered file."""
        return b64(hmac.new(self._mac_key, _KEY_CHECK, hashlib.sha256).digest())

    def opens(self, check: str) -> bool:
        return hmac.compare_digest(self.check.encode(), check.encode())

    def seal(self, value: str, context: str) -> str:
        """The value sealed and bound to ``context`` (its record and field): the synthetic IV, then the ciphertext.
        No nonce: the same value at the same place seals to the same bytes."""
        return b64(self._siv.encrypt(value.encode("utf-8"), [context.encode("utf-8")]))

    def open(self, sealed: str, context: str) -> str:
        try:
            return self._siv.decrypt(unb64(sealed), [context.encode("utf-8")]).decode("utf-8")
        except (ValueError, InvalidTag, UnicodeDecodeError) as exc:
            raise ExportKeyError("a sealed value does not open under this key") from exc

    def line_mac(self, previous: bytes, line: bytes) -> bytes:
        """The MAC of a line, chained to the line before it: lines cannot be altered, dropped, added or moved."""
        return hmac.digest(self._mac_key, previous + line, "sha256")
