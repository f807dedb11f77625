"""A pool's password policy: checking a password against it, and how long a temporary password lives.

Cognito developer guide: 'Passwords, password recovery, and password policies'. Cognito reports one reason per refusal,
as ``InvalidPasswordException: Password did not conform with policy: <reason>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from userpool.errors import InvalidParameterException, InvalidPasswordException
from userpool.model.records import Pool

# The symbol set AWS documents for RequireSymbols, plus the space character.
SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`+=- ")

DEFAULT_MINIMUM_LENGTH = 8
DEFAULT_TEMPORARY_PASSWORD_VALIDITY_DAYS = 7
_DAY = 86_400.0


def policy_of(pool: Pool) -> dict[str, Any]:
    """The pool's PasswordPolicy as stored (CreateUserPool fills in Cognito's defaults)."""
    policies = pool.config.get("Policies") or {}
    return dict(policies.get("PasswordPolicy") or {})


_CLASSES: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    # Upper and lower case mean Basic Latin letters only (AWS password policy documentation).
    ("RequireUppercase", lambda c: "A" <= c <= "Z", "Password must have uppercase characters"),
    ("RequireLowercase", lambda c: "a" <= c <= "z", "Password must have lowercase characters"),
    ("RequireNumbers", lambda c: "0" <= c <= "9", "Password must have numeric characters"),
    ("RequireSymbols", lambda c: c in SYMBOLS, "Password must have symbol characters"),
)


def violation(policy: dict[str, Any], password: str) -> str | None:
    """The first rule of ``policy`` that ``password`` breaks, in Cognito's words; None when it conforms."""
    if len(password) < int(policy.get("MinimumLength", DEFAULT_MINIMUM_LENGTH)):
        return "Password not long enough"
    for flag, member, reason in _CLASSES:
        if policy.get(flag, True) and not any(member(c) for c in password):
            return reason
    return None


def check_password(pool: Pool, password: str) -> None:
    """Raise InvalidPasswordException unless ``password`` satisfies the pool's password policy."""
    # PasswordType's pattern lets NUL through, but an invitation carrying it could not be stored.
    if "\x00" in password:
        raise InvalidParameterException("Password must not contain the NUL character.")
    reason = violation(policy_of(pool), password)
    if reason is not None:
        raise InvalidPasswordException(f"Password did not conform with policy: {reason}")


def history_size(pool: Pool) -> int:
    """PasswordHistorySize: how many of a user's most recent passwords, the current one included, a new one
    may not repeat (0 when unset: no history is kept)."""
    return max(0, int(policy_of(pool).get("PasswordHistorySize") or 0))


def minimum_length(pool: Pool) -> int:
    return int(policy_of(pool).get("MinimumLength", DEFAULT_MINIMUM_LENGTH))


def temporary_password_expiry(pool: Pool, now: float) -> float:
    """When a temporary password set now stops working (TemporaryPasswordValidityDays, default 7)."""
    days = policy_of(pool).get("TemporaryPasswordValidityDays", DEFAULT_TEMPORARY_PASSWORD_VALIDITY_DAYS)
    return now + int(days) * _DAY
