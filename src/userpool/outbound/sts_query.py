"""The SecurityTokenService adapter: STS's query API (AWS STS API reference: 'AssumeRoleWithWebIdentity'; a form
POST, an XML answer) over the server's outbound HTTP client. ``app.py`` builds it; nothing else may import it (an
import-linter contract).

AssumeRoleWithWebIdentity is authorized by the web identity token it carries, so the request is not signed. The
answer is parsed with defusedxml (no DTDs, no entities, nothing fetched). Nothing of a request or an answer but
the error code and message is logged or kept.
"""

from __future__ import annotations

import logging
from datetime import datetime
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from userpool.outbound.port import OutboundError, OutboundHttp
from userpool.outbound.sts_port import StsCredentials, StsError

log = logging.getLogger("userpool.outbound.sts")

_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"
VERSION = "2011-06-15"
_MESSAGE_CHARS = 500


def _text(parent: Element | None, name: str) -> str:
    """The text of ``parent``'s child ``name`` (in STS's namespace or none), or ""."""
    if parent is None:
        return ""
    found = parent.find(_NS + name)
    if found is None:
        found = parent.find(name)
    return (found.text or "").strip() if found is not None else ""


def _child(parent: Element | None, name: str) -> Element | None:
    if parent is None:
        return None
    found = parent.find(_NS + name)
    return found if found is not None else parent.find(name)


def _expiration(text: str) -> float:
    """ISO 8601 (``2026-12-05T19:06:28Z``, with or without fractions) -> epoch seconds."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _parsed(body: bytes) -> Element:
    try:
        root: Element = ElementTree.fromstring(body, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        raise StsError("InvalidResponse", "The Security Token Service's answer is not XML.", answered=False) from None
    return root


class QuerySts:
    """AssumeRoleWithWebIdentity against ``endpoint`` (``{region}`` in it replaced by the request's region)."""

    def __init__(self, http: OutboundHttp, endpoint: str) -> None:
        self._http = http
        self._endpoint = endpoint

    def assume_role_with_web_identity(
        self, region: str, role_arn: str, session_name: str, web_identity_token: str, duration_seconds: int
    ) -> StsCredentials:
        form = {
            "Action": "AssumeRoleWithWebIdentity",
            "Version": VERSION,
            "RoleArn": role_arn,
            "RoleSessionName": session_name,
            "WebIdentityToken": web_identity_token,
            "DurationSeconds": str(duration_seconds),
        }
        try:
            answer = self._http.post_form(self._endpoint.replace("{region}", region), form)
        except OutboundError as err:
            raise StsError("ServiceUnavailable", err.description, answered=False) from None
        root = _parsed(answer.body)
        if answer.status != 200:
            error = _child(root, "Error")
            code = _text(error, "Code") or f"HTTP{answer.status}"
            message = _text(error, "Message")[:_MESSAGE_CHARS]
            log.info("STS refused AssumeRoleWithWebIdentity for %s: %s", role_arn, code)
            raise StsError(code, message, answered=bool(_text(error, "Code")))
        credentials = _child(_child(root, "AssumeRoleWithWebIdentityResult"), "Credentials")
        found = [_text(credentials, n) for n in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")]
        if not all(found):
            raise StsError("InvalidResponse", "The Security Token Service's answer has no credentials.", answered=False)
        try:
            expiration = _expiration(found[3])
        except ValueError:
            raise StsError("InvalidResponse", "The credentials' Expiration is not a date.", answered=False) from None
        return StsCredentials(found[0], found[1], found[2], expiration)
