"""Password hashing with argon2id (design §5, §8) and temporary-password generation."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError

# A valid hash verified against when the user does not exist, so both paths cost the same.
_SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`+=-"


class PasswordHasher:
    """argon2id hash/verify with parameters taken from settings."""

    def __init__(self, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._argon2 = _Argon2(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)
        self._dummy = self._argon2.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """True when ``password`` matches; a missing hash costs as much as a wrong password."""
        try:
            return self._argon2.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._argon2.check_needs_rehash(stored)


def generate_temporary_password(min_length: int) -> str:
    """A random password that satisfies any Cognito password policy of at most ``min_length``."""
    length = max(min_length, 12)
    pools = [string.ascii_uppercase, string.ascii_lowercase, string.digits, _SYMBOLS]
    chars = [secrets.choice(p) for p in pools]
    everything = "".join(pools)
    chars += [secrets.choice(everything) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
