"""Why a step toward an identity provider failed: one reason per distinct failure, and a description the
sign-in flow sends on to the app as ``error_description`` (AWS's words where it has them: "Using OIDC
identity providers with a user pool" and "The redirect and authorization endpoint", Amazon Cognito
developer guide)."""

from __future__ import annotations

from enum import StrEnum, auto


class IdpFailure(StrEnum):
    """Each member's value is its name in lower case."""

    # Discovery (OpenID Connect Discovery 1.0 §4).
    DISCOVERY_UNREACHABLE = auto()
    DISCOVERY_INVALID = auto()
    DISCOVERY_ISSUER_MISMATCH = auto()
    # A URL the identity-provider URL policy refuses (model/idp_urls.py).
    URL_REFUSED = auto()
    # The provider's JWK Set.
    JWKS_UNREACHABLE = auto()
    JWKS_INVALID = auto()
    # The token endpoint (RFC 6749 §4.1.3, §5).
    TOKEN_UNREACHABLE = auto()
    TOKEN_ERROR = auto()
    TOKEN_RESPONSE_INVALID = auto()
    # The ID token (OpenID Connect Core 1.0 §3.1.3.7).
    ID_TOKEN_MISSING = auto()
    ID_TOKEN_MALFORMED = auto()
    ID_TOKEN_ALGORITHM = auto()
    ID_TOKEN_UNKNOWN_KEY = auto()
    ID_TOKEN_SIGNATURE = auto()
    ID_TOKEN_ISSUER = auto()
    ID_TOKEN_AUDIENCE = auto()
    ID_TOKEN_AUTHORIZED_PARTY = auto()
    ID_TOKEN_EXPIRED = auto()
    ID_TOKEN_NOT_YET_VALID = auto()
    ID_TOKEN_NONCE = auto()
    ID_TOKEN_SUBJECT = auto()
    # The attributes (userinfo) endpoint (OpenID Connect Core 1.0 §5.3).
    ATTRIBUTES_UNREACHABLE = auto()
    ATTRIBUTES_ERROR = auto()
    ATTRIBUTES_INVALID = auto()
    ATTRIBUTES_SUBJECT_MISMATCH = auto()


class IdpError(Exception):
    """A step toward an identity provider failed for ``reason``; ``description`` names no secret."""

    def __init__(self, reason: IdpFailure, description: str) -> None:
        super().__init__(description)
        self.reason = reason
        self.description = description
