"""The signature of an import job's pre-signed upload URL.

Cognito's PreSignedUrl is an S3 URL signed with SigV4 in its query string, which a plain ``curl -T`` or HTTP PUT
uses as it is. This server's URL is on its own origin and carries its own signature the same way: an
HMAC-SHA256, under a key derived from the server secret, over the job id and the URL's expiry time; the
server recomputes it and compares in constant time (RFC 2104; the comparison with ``hmac.compare_digest``).
"""

from __future__ import annotations

import hashlib
import hmac

_CONTEXT = b"userpool-user-import-upload-url\x00"


def upload_key(secret_key: bytes) -> bytes:
    """The key that signs upload URLs, derived from a key of the server secret for this purpose alone."""
    return hmac.new(secret_key, _CONTEXT, hashlib.sha256).digest()


def signature(key: bytes, job_id: str, expires: int) -> str:
    message = f"{job_id}\n{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signature_matches(key: bytes, job_id: str, expires: int, given: str) -> bool:
    """Whether ``given`` is the URL's signature, compared in constant time."""
    return hmac.compare_digest(signature(key, job_id, expires).encode(), given.encode("utf-8", "replace"))
