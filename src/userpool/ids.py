"""Identifiers in the shapes Cognito's clients expect (the patterns of botocore's cognito-idp model)."""

from __future__ import annotations

import os
import secrets
import string

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_pool_id(region: str) -> str:
    """``<region>_<9 alphanumerics>``: Amplify derives the region and SRP pool name from it."""
    return f"{region}_{_random(_ALNUM, 9)}"


def new_client_id() -> str:
    """26 lower-case alphanumerics, like the ids AWS issues."""
    return _random(_LOWER_ALNUM, 26)


def new_client_secret() -> str:
    """51 lower-case alphanumerics, like the secrets AWS generates."""
    return _random(_LOWER_ALNUM, 51)


def new_uuid() -> str:
    """A random (version 4) UUID, as ``str(uuid.uuid4())`` writes one, in a third of its time: every API call
    makes one as its request id, every token issued two or three (its ``jti``, ``event_id``, ``origin_jti``)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


new_sub = new_uuid
new_request_id = new_uuid


def new_access_key_id() -> str:
    return "AKIA" + _random(string.ascii_uppercase + string.digits, 16)


def new_secret_access_key() -> str:
    return _random(_ALNUM + "+/", 40)


def new_saml_message_id() -> str:
    """``_`` and 40 hex digits: an xs:ID (it may not start with a digit) of 160 random bits, as SAML core
    §1.3.4 asks of message and assertion identifiers."""
    return "_" + secrets.token_hex(20)


def new_import_job_id() -> str:
    """``import-`` and 10 alphanumerics (CreateUserImportJob's JobId, pattern ``import-[0-9a-zA-Z-]+``)."""
    return "import-" + _random(_ALNUM, 10)
