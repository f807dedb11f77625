"""Secrets at rest: AES-256-GCM under rotatable server keys (docs/architecture.md, Storage).

A sealed value is ``v1.<key id>.<base64url(nonce || ciphertext)>``. The first server key seals;
every configured key unseals, so keys can be rotated by prepending a new one.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class SealError(Exception):
    """A sealed value could not be opened with any configured key."""


def _key_id(secret: str) -> str:
    return hashlib.sha256(b"userpool-seal-id:" + secret.encode()).hexdigest()[:8]


class Sealer:
    def __init__(self, secrets: tuple[str, ...]) -> None:
        if not secrets:
            raise ValueError("at least one server secret is required to seal data")
        self._keys = [(_key_id(s), AESGCM(hashlib.sha256(b"userpool-seal:" + s.encode()).digest())) for s in secrets]

    def seal(self, plaintext: str, context: str = "") -> str:
        key_id, aead = self._keys[0]
        nonce = os.urandom(12)
        blob = nonce + aead.encrypt(nonce, plaintext.encode(), context.encode())
        return f"v1.{key_id}.{base64.urlsafe_b64encode(blob).decode().rstrip('=')}"

    def unseal(self, sealed: str, context: str = "") -> str:
        try:
            _, key_id, data = sealed.split(".", 2)
            blob = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        except ValueError as exc:
            raise SealError("malformed sealed value") from exc
        for kid, aead in self._keys:
            if kid == key_id:
                try:
                    return aead.decrypt(blob[:12], blob[12:], context.encode()).decode()
                except InvalidTag as exc:
                    raise SealError("sealed value failed authentication") from exc
        raise SealError("sealed with a key that is not configured")
