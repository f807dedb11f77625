"""A user's sessions as session management lists them (Cognito developer guide: 'Managing user sessions'; API
reference: SessionDescriptionType).

Two kinds. A token session is one sign-in of an app client: the refresh tokens and access tokens of one
``origin_jti`` (model/token_records.py SignInSession). An SSO session is a browser's sign-in on the hosted pages,
the managed-login cookie (model/oauth_records.py HostedSession), from which code and implicit grants make token
sessions of their own (OriginSessionId).

SessionId is 28 lower-case characters: ``tkn`` or ``sso`` and 25 letters and digits (SessionIdType). A token
session's is its origin_jti, a UUID, written in base 36 (128 bits fit in 25 base-36 digits), so either can be
read from the other. An SSO session's is derived from the SHA-256 the server keeps of its cookie, through a
second hash: it names the session without telling anything about the cookie.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Any

TOKEN = "TOKEN"  # noqa: S105 (a SessionTypeType)
SSO = "SSO"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_WIDTH = 25
_SESSION_ID = re.compile(r"(tkn|sso)[a-z0-9]{25}")
# ListUserSessions / AdminListUserSessions: "a single page of up to 125 sessions" (SessionsListType max).
PAGE_SIZE = 125
UNKNOWN_DEVICE = "unknown"


def _base36(number: int) -> str:
    digits = []
    while number:
        number, digit = divmod(number, 36)
        digits.append(_DIGITS[digit])
    return "".join(reversed(digits)).rjust(_WIDTH, "0")


def token_session_id(origin_jti: str) -> str:
    """The SessionId of the token session ``origin_jti`` (a UUID)."""
    return "tkn" + _base36(uuid.UUID(origin_jti).int)


def origin_of(session_id: str) -> str | None:
    """The origin_jti a token SessionId stands for; None for any other value."""
    if not session_id.startswith("tkn") or not _SESSION_ID.fullmatch(session_id):
        return None
    number = int(session_id[3:], 36)
    return str(uuid.UUID(int=number)) if number < 2**128 else None


def sso_session_id(session_hash: str) -> str:
    """The SessionId of the hosted session whose cookie has the SHA-256 ``session_hash``."""
    digest = hashlib.sha256(b"userpool-sso-session-id:" + session_hash.encode()).digest()
    return "sso" + _base36(int.from_bytes(digest, "big") % 36**_WIDTH)


def is_sso(session_id: str) -> bool:
    return session_id.startswith("sso") and _SESSION_ID.fullmatch(session_id) is not None


@dataclass(frozen=True, slots=True)
class SessionView:
    """One session as SessionDescriptionType shows it; ``revocable_id`` is what revoking it needs (the
    origin_jti of a token session, the cookie's SHA-256 of an SSO session)."""

    session_id: str
    session_type: str
    client_id: str | None
    created_at: float
    last_active_at: float
    device_type: str | None
    last_ip: str | None
    origin_session_id: str | None
    revocable_id: str


def description(view: SessionView, current: bool, place: tuple[str, str] | None) -> dict[str, Any]:
    """SessionDescriptionType; ``place``: (city, country) of the last IP address, where it is known."""
    body: dict[str, Any] = {"SessionId": view.session_id, "SessionType": view.session_type}
    if view.client_id is not None:
        body["ClientId"] = view.client_id
    body.update(
        {
            "CreateDate": view.created_at,
            "LastActiveDate": view.last_active_at,
            "DeviceType": view.device_type or UNKNOWN_DEVICE,
        }
    )
    if view.last_ip:
        body["LastIPAddress"] = view.last_ip
    if place is not None:
        city, country = place
        location = {k: v for k, v in (("City", city), ("Country", country)) if v}
        if location:
            body["LastLocation"] = location
    if view.origin_session_id is not None:
        body["OriginSessionId"] = view.origin_session_id
    body["IsCurrentSession"] = current
    return body
