"""Opaque random values the server hands out and keeps only as digests: refresh tokens and challenge
Session values (docs/architecture.md, Storage: high-entropy values are stored as SHA-256, never with a slow hash)."""

from __future__ import annotations

import hashlib
import secrets

# 48 random bytes -> 64 base64url characters: within the model's TokenModelType pattern [A-Za-z0-9-_=.]+
# and SessionType's 20–4096 characters (the model's SessionType).
_RANDOM_BYTES = 48


def new_opaque_value() -> str:
    return secrets.token_urlsafe(_RANDOM_BYTES)


def digest(value: str) -> str:
    """The stored form of an opaque value: hex SHA-256 (looked up by equality, so no timing leak to compare)."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
