"""What the store keeps for sign-in: signing keys, sign-in sessions, refresh tokens, challenge sessions and a user's
sign-in counters (Cognito developer guide: 'Refresh tokens', 'Ending user sessions with token revocation', 'Lockout
behavior for failed sign-in attempts').

Refresh tokens and challenge Session values are high-entropy random strings kept only as SHA-256 digests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ID_TOKEN = "id"  # noqa: S105 (a token_use value)
ACCESS_TOKEN = "access"  # noqa: S105 (a token_use value)
CURRENT = "current"
PREVIOUS = "previous"


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One RSA key of a pool. ``token_use`` says which token type it signs (ID and access tokens never share a
    key); ``generation`` grows by one per rotation; a previous key is published until ``expires_at``."""

    kid: str
    pool_id: str
    token_use: str
    generation: int
    status: str
    private_pem: str
    public_jwk: dict[str, Any]
    created_at: float
    retired_at: float | None = None
    expires_at: float | None = None


@dataclass(frozen=True, slots=True)
class PublishedKey:
    """The public half of a signing key, as JWKS and token verification need it."""

    kid: str
    pool_id: str
    token_use: str
    public_jwk: dict[str, Any]
    expires_at: float | None


@dataclass(frozen=True, slots=True)
class SignInSession:
    """One sign-in: the ``origin_jti`` shared by every token derived from it, and its original ``auth_time``.

    Revoking it (RevokeToken, GlobalSignOut, AdminUserGlobalSignOut, AdminDisableUser) refuses its refresh
    tokens and the access tokens that carry its origin_jti.
    """

    origin_jti: str
    pool_id: str
    client_id: str
    sub: str
    auth_time: float
    created_at: float
    expires_at: float
    revoked_at: float | None = None
    device_key: str | None = None
    scopes: tuple[str, ...] = ()
    # Session management (model/sessions.py): the last sign-in, refresh or rotation (None: its creation), the
    # address and device description (model/user_agents.py) it came from, and the hosted session (SSO) whose
    # code or implicit grant started it.
    last_active_at: float | None = None
    last_ip: str | None = None
    device_type: str | None = None
    sso_session_id: str | None = None


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """A refresh token's record; ``token_hash`` is the SHA-256 hex of the opaque value the client holds.

    With RefreshTokenRotation a used token gets ``superseded_at``; it keeps working for the client's
    RetryGracePeriodSeconds after that, then counts as reuse.
    """

    token_hash: str
    origin_jti: str
    issued_at: float
    expires_at: float
    superseded_at: float | None = None


@dataclass(frozen=True, slots=True)
class ChallengeSession:
    """The server side of a challenge's ``Session`` value: single use, bound to pool, client, user and challenge."""

    session_hash: str
    pool_id: str
    client_id: str
    sub: str
    challenge: str
    created_at: float
    expires_at: float
    state: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SignInCounters:
    """A user's failed-sign-in counter and lock, and when it last signed out everywhere."""

    failed_attempts: int = 0
    last_attempt_at: float | None = None
    locked_until: float | None = None
    signed_out_at: float | None = None
