"""The rules of an OAuth 2.0 authorization request and of its grants, without I/O (Cognito developer guide:
'Authorize endpoint', 'Token endpoint', 'Scopes, M2M, and APIs with resource servers'; RFC 6749 §4.1, RFC 7636 PKCE).

``OAuthError`` is how an OAuth step refuses: the RFC 6749 error code, a description, and the HTTP status
the token endpoint answers with. Whether the browser is sent back to the application with it is decided
by the caller: before the client and its redirect URI are known to be good it never is.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from userpool.model.oauth_settings import STANDARD_SCOPES, split_custom_scope

OPENID = "openid"
# Scopes that only make sense with openid (AWS: "can only be requested with the openid scope").
OPENID_DEPENDENT = frozenset({"email", "phone", "profile"})
CODE_LIFETIME_SECONDS = 300  # authorization codes: 5 minutes, single use (Cognito developer guide: 'Token endpoint')
S256 = "S256"  # the only PKCE method Cognito supports
# RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~], for verifiers and (by construction) challenges.
_PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
MAX_PARAMETER = 2048
RESPONSE_TYPES = {"code": "code", "token": "implicit"}
KNOWN_PROMPTS = frozenset({"login", "none", "consent", "select_account"})


class OAuthError(Exception):
    """An RFC 6749 error: ``error`` is the code, ``status`` the HTTP status of a direct (token endpoint) answer."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True, slots=True)
class AuthorizeRequest:
    """A checked ``/oauth2/authorize`` request: what the code (or implicit tokens) will be bound to."""

    client_id: str
    redirect_uri: str
    response_type: str
    scopes: tuple[str, ...]
    state: str | None = None
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    prompt: frozenset[str] = frozenset()


def single(params: Mapping[str, str], name: str) -> str | None:
    """A parameter's value, None when absent or empty; refused when absurdly long (no 500, no huge rows)."""
    value = params.get(name)
    if not value:
        return None
    if len(value) > MAX_PARAMETER or "\x00" in value:
        raise OAuthError("invalid_request", f"The {name} parameter is malformed.")
    return value


def choose_redirect_uri(given: str | None, callback_urls: Iterable[str], default: str | None) -> str | None:
    """The redirect URI of a request: exactly one of the client's CallbackURLs (string comparison, no
    wildcard), or its DefaultRedirectURI when none was given; None when the given one is not registered."""
    registered = list(callback_urls)
    if given is None:
        return default if default and default in registered else None
    return given if any(hmac.compare_digest(given.encode(), url.encode()) for url in registered) else None


def parse_scopes(raw: str | None) -> list[str]:
    """The space-separated scope list; malformed tokens are invalid_scope (RFC 6749 §3.3)."""
    if raw is None:
        return []
    scopes = [s for s in raw.split(" ") if s]
    if not all(_SCOPE_TOKEN.fullmatch(s) for s in scopes):
        raise OAuthError("invalid_scope", "The scope parameter is malformed.")
    return list(dict.fromkeys(scopes))


def granted_scopes(raw: str | None, allowed: Iterable[str]) -> tuple[str, ...]:
    """Scopes granted to a browser sign-in: the requested ones the client is allowed (others are ignored),
    or every allowed scope when none were requested (Cognito developer guide: 'Authorize endpoint', scope)."""
    allowed_list = list(allowed)
    requested = parse_scopes(raw)
    granted = [s for s in requested if s in allowed_list] if requested else allowed_list
    if not granted:
        raise OAuthError("invalid_scope", "None of the requested scopes is allowed for this client.")
    if OPENID not in granted and OPENID_DEPENDENT.intersection(granted):
        raise OAuthError("invalid_scope", "The email, phone and profile scopes can only be requested with openid.")
    return tuple(granted)


def client_credentials_scopes(raw: str | None, allowed: Iterable[str]) -> tuple[str, ...]:
    """Scopes of a client_credentials grant: custom (resource server) scopes only, each allowed for the
    client; none requested means all of the client's custom scopes (Cognito developer guide: 'Token endpoint')."""
    custom = [s for s in allowed if s not in STANDARD_SCOPES and split_custom_scope(s) is not None]
    requested = parse_scopes(raw)
    if not requested:
        if not custom:
            raise OAuthError("invalid_scope", "The client has no custom scopes to grant.")
        return tuple(custom)
    unknown = [s for s in requested if s not in custom]
    if unknown:
        raise OAuthError("invalid_scope", f"Scope {unknown[0]} is not allowed for client credentials.")
    return tuple(requested)


def check_pkce_challenge(challenge: str | None, method: str | None) -> tuple[str | None, str | None]:
    """(challenge, method) of an authorize request. Cognito supports S256 only (AWS Developer Guide,
    "Authorize endpoint"), so ``plain`` is refused, and so is a challenge without a method, which RFC 7636
    §4.3 reads as plain."""
    if challenge is None:
        if method is not None:
            raise OAuthError("invalid_request", "code_challenge is required with code_challenge_method.")
        return None, None
    if method != S256:
        raise OAuthError("invalid_request", "code_challenge_method must be S256.")
    if not _PKCE_VALUE.fullmatch(challenge):
        raise OAuthError("invalid_request", "code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~].")
    return challenge, method


def pkce_matches(challenge: str, verifier: str | None) -> bool:
    """Whether ``verifier`` answers the S256 challenge of a code (RFC 7636 §4.6), compared in constant time."""
    if verifier is None or not _PKCE_VALUE.fullmatch(verifier):
        return False
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return hmac.compare_digest(computed.encode(), challenge.encode())


def left_half_hash(value: str) -> str:
    """``at_hash``: base64url of the left half of SHA-256 of the access token (OIDC Core §3.1.3.6, RS256)."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def parse_prompt(raw: str | None) -> frozenset[str]:
    """``prompt`` values; ``none`` may not be combined with another (OIDC Core §3.1.2.1)."""
    values = frozenset(v for v in (raw or "").split(" ") if v)
    if "none" in values and len(values) > 1:
        raise OAuthError("invalid_request", "prompt=none can not be combined with other values.")
    return values & KNOWN_PROMPTS
