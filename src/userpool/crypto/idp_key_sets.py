"""Identity providers' signing keys as published at their ``jwks_uri`` (RFC 7517 §5): parsed once, kept per
process by URI, with when they were fetched and when a fetch was last tried.

What to fetch and when is decided by ``services/federation/steps/idp_keys.py``; this module only parses a
JWK Set and keeps the result, so that a key is never parsed again per sign-in.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, RSAKey

# The key types an identity provider's ID token may be verified with (HS* use the client secret instead).
IdpKey = RSAKey | ECKey


class KeySetError(ValueError):
    """The document is not a JWK Set."""


def parse_key_set(document: Any) -> dict[str, IdpKey]:
    """The signature keys of a JWK Set by ``kid`` (RFC 7517 §5): RSA and EC keys with a ``kid``, whose
    ``use`` is absent or ``sig``. Other keys are ignored, as RFC 7517 §5 asks of keys not understood."""
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise KeySetError("not a JWK Set")
    keys: dict[str, IdpKey] = {}
    for member in document["keys"]:
        if not isinstance(member, Mapping) or member.get("use", "sig") != "sig":
            continue
        kid = member.get("kid")
        if not isinstance(kid, str) or not kid or member.get("kty") not in ("RSA", "EC"):
            continue
        try:
            key = JWKRegistry.import_key(dict(member))
        except (JoseError, ValueError, TypeError, KeyError):
            continue
        if isinstance(key, RSAKey | ECKey):
            keys.setdefault(kid, key)
    return keys


@dataclass(slots=True)
class KeySetEntry:
    """What is known of one ``jwks_uri``: its keys (empty until a fetch succeeded), when they were fetched,
    and when a fetch was last tried (successful or not)."""

    keys: Mapping[str, IdpKey] = field(default_factory=dict)
    fetched_at: float | None = None
    tried_at: float | None = None


class IdpKeySets:
    """Entries by ``jwks_uri``, bounded (least recently used first out), thread-safe."""

    def __init__(self, capacity: int = 1024) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, KeySetEntry] = OrderedDict()

    def entry(self, uri: str) -> KeySetEntry:
        """A copy of what is known of ``uri`` (an empty entry when nothing is)."""
        with self._lock:
            found = self._entries.get(uri)
            if found is None:
                return KeySetEntry()
            self._entries.move_to_end(uri)
            return KeySetEntry(found.keys, found.fetched_at, found.tried_at)

    def claim_fetch(self, uri: str, now: float, min_interval: float) -> bool:
        """Whether this caller may fetch ``uri`` now: true at most once per ``min_interval`` seconds per URI,
        so that tokens naming unknown keys cannot make the server hammer a provider."""
        with self._lock:
            found = self._entries.get(uri)
            if found is not None and found.tried_at is not None and now - found.tried_at < min_interval:
                return False
            if found is None:
                found = self._entries[uri] = KeySetEntry()
            found.tried_at = now
            self._entries.move_to_end(uri)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
            return True

    def store(self, uri: str, keys: Mapping[str, IdpKey], now: float) -> None:
        """The keys just fetched from ``uri``."""
        with self._lock:
            self._entries[uri] = KeySetEntry(dict(keys), now, now)
            self._entries.move_to_end(uri)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
