"""SECRET_HASH: the proof of the client secret that public operations carry (Cognito developer guide:
'Computing secret hash values').

``Base64(HMAC-SHA256(key=client_secret, msg=username + client_id))``, standard base64 with padding; the
username is the one sent in the same request. Used by SignUp, ConfirmSignUp, ResendConfirmationCode,
ForgotPassword, ConfirmForgotPassword, InitiateAuth and RespondToAuthChallenge.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac


def secret_hash(client_secret: str, username: str, client_id: str) -> str:
    """The SECRET_HASH a client with ``client_secret`` sends for ``username``."""
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def secret_hash_matches(client_secret: str, username: str, client_id: str, given: str) -> bool:
    """True when ``given`` is the SECRET_HASH for ``username``; compared in constant time.

    The digests are compared as bytes, so a value that is not base64 at all is simply wrong.
    """
    expected = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    try:
        received = base64.b64decode(given.encode(), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(expected, received)
