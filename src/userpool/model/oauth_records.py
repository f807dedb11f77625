"""What the store keeps for the pool domain: authorization codes, hosted-UI sign-in sessions and the UI customization of
pools and clients (Cognito developer guide: 'Authorize endpoint', 'User pool managed login'; SetUICustomization).

Codes and session cookies are high-entropy random values kept only as SHA-256 digests (docs/architecture.md, Storage).
"""

from __future__ import annotations

from dataclasses import dataclass

from userpool.model.saml_service_provider import NameId

# SetUICustomization without a ClientId customizes every client of the pool; Cognito echoes "ALL".
ALL_CLIENTS = "ALL"


@dataclass(frozen=True, slots=True)
class AuthorizationCode:
    """An authorization code and everything the token request must match: client, redirect URI, PKCE
    challenge; and what the tokens will carry: user, scopes, nonce, auth_time. ``used_at`` is set by the one
    token request that redeemed it, ``origin_jti`` names the sign-in that request started, so a second
    attempt can end it (RFC 6749 §4.1.2)."""

    code_hash: str
    pool_id: str
    client_id: str
    sub: str
    redirect_uri: str
    scopes: tuple[str, ...]
    auth_time: float
    created_at: float
    expires_at: float
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    used_at: float | None = None
    origin_jti: str | None = None
    # The hosted session (its SessionId, model/sessions.py) the user was signed in with: the sign-in the code
    # starts came through it (OriginSessionId).
    sso_session_id: str | None = None


@dataclass(frozen=True, slots=True)
class HostedSession:
    """A browser's signed-in state on a pool's hosted pages (the managed-login cookie): single sign-on to
    every client of the pool until ``/logout`` or ``expires_at``."""

    session_hash: str
    pool_id: str
    sub: str
    auth_time: float
    created_at: float
    expires_at: float
    saml: SamlSessionLink | None = None
    # Session management (model/sessions.py): the app client whose sign-in opened it, its last sign-in or silent
    # reuse (None: its creation), and the address and device description of that.
    client_id: str | None = None
    last_active_at: float | None = None
    last_ip: str | None = None
    device_type: str | None = None


@dataclass(frozen=True, slots=True)
class SamlSessionLink:
    """The SAML sign-in a hosted session came from: the provider, and the NameID and SessionIndex its
    assertion gave, which a LogoutRequest must name (Cognito developer guide: 'Signing out SAML users with
    single sign-out')."""

    provider_name: str
    name_id: NameId
    session_index: str | None


@dataclass(frozen=True, slots=True)
class UICustomization:
    """The CSS and logo of a pool's hosted pages, for one client or for ``ALL_CLIENTS``."""

    pool_id: str
    client_id: str
    css: str | None
    image: bytes | None
    image_type: str | None
    version: str
    created_at: float
    updated_at: float
