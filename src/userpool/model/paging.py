"""Opaque pagination tokens bound to the query that issued them (AWS: ListUsers API reference, PaginationToken).

A token carries the store's cursor and an HMAC over it and the query's scope (operation, pool, filter), so
a token is only accepted by the query that issued it and the store never reads a cursor it did not write.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from userpool.errors import InvalidParameterException

_MAC_BYTES = 16


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PageTokens:
    """Issues and checks page tokens with a server-held key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, cursor: bytes, scope: str) -> bytes:
        message = hashlib.sha256(scope.encode()).digest() + cursor
        return hmac.new(self._key, message, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, cursor: str | None, scope: str) -> str | None:
        if cursor is None:
            return None
        raw = cursor.encode()
        return f"{_b64(raw)}.{_b64(self._mac(raw, scope))}"

    def decode(self, token: str | None, scope: str) -> str | None:
        """The cursor inside ``token``; InvalidParameterException for a token of another query or garbage."""
        if token is None:
            return None
        try:
            body, mac = token.split(".", 1)
            raw, given = _unb64(body), _unb64(mac)
            cursor = raw.decode()
        except (ValueError, UnicodeDecodeError):
            raise InvalidParameterException("Invalid pagination token.") from None
        if not hmac.compare_digest(given, self._mac(raw, scope)):
            raise InvalidParameterException("Invalid pagination token.")
        return cursor


def page_limit(requested: int | None, default: int = 60) -> int:
    """Cognito treats an absent or zero limit as the default page size."""
    return requested if requested else default
