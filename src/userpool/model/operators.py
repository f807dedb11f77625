"""Console operators and their browser sessions: the people who run the server, not users of any pool."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Operator:
    """An account that may sign in to the admin console; its password is kept as an argon2id hash."""

    username: str
    password_hash: str
    created_at: float
    failed_sign_ins: int = 0
    locked_until: float | None = None
    last_sign_in_at: float | None = None


@dataclass(frozen=True, slots=True)
class OperatorSession:
    """A signed-in console browser, by the SHA-256 of its cookie value; ends after ``idle`` seconds unused."""

    session_hash: str
    username: str
    created_at: float
    last_seen_at: float
    expires_at: float
