"""Console operators and their browser sessions: the people who run the server, not users of any pool."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Operator:
    """An account that may sign in to the admin console; its password is kept as an argon2id hash.

    ``locked_until`` is not kept with the account: it is when the lock of the operator's name from every
    address ends, as ``list_operators`` reads it from the sign-in attempt counters.
    """

    username: str
    password_hash: str
    created_at: float
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


@dataclass(frozen=True, slots=True)
class AttemptCount:
    """One sign-in attempt counter of the console: the attempts it holds and when it is forgotten."""

    attempts: int
    expires_at: float
