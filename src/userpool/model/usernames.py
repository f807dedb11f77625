"""Usernames, aliases and case sensitivity (Cognito developer guide: 'Working with user attributes', usernames and
aliases)."""

from __future__ import annotations

import hashlib
import re

from userpool.model.records import Pool

_SUB = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def case_sensitive(pool: Pool) -> bool:
    # A pool created through the API without UsernameConfiguration behaves case-sensitively.
    config = pool.config.get("UsernameConfiguration") or {}
    return bool(config.get("CaseSensitive", True))


def normalise(pool: Pool, value: str) -> str:
    """The unique key of a username or alias value in this pool."""
    return value if case_sensitive(pool) else value.lower()


# Attribute values may be 2048 characters, more than a btree index entry can hold on PostgreSQL; a longer
# value is keyed by its digest, which is just as unique.
_ALIAS_INLINE_MAX = 256


def alias_key(pool: Pool, kind: str, value: str) -> str:
    """The stored alias row for an email / phone_number / preferred_username value."""
    norm = normalise(pool, value)
    if len(norm) > _ALIAS_INLINE_MAX:
        norm = "sha256:" + hashlib.sha256(norm.encode()).hexdigest()
    return f"{kind}:{norm}"


def looks_like_sub(value: str) -> bool:
    return bool(_SUB.match(value))
