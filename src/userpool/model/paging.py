"""Opaque pagination tokens bound to the query that issued them (spec users-attributes-policies §9)."""

from __future__ import annotations

import base64
import hashlib
import json

from userpool.errors import InvalidParameterException


def _scope_hash(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:16]


def encode_token(cursor: str | None, scope: str) -> str | None:
    if cursor is None:
        return None
    raw = json.dumps({"c": cursor, "q": _scope_hash(scope)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str | None, scope: str) -> str | None:
    """The cursor inside ``token``; InvalidParameterException for a token of another query or garbage."""
    if token is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        cursor, query = data["c"], data["q"]
    except (ValueError, KeyError, TypeError):
        raise InvalidParameterException("Invalid pagination token.") from None
    if not isinstance(cursor, str) or query != _scope_hash(scope):
        raise InvalidParameterException("Invalid pagination token.")
    return cursor


def page_limit(requested: int | None, default: int = 60) -> int:
    """Cognito treats an absent or zero limit as the default page size."""
    return requested if requested else default
