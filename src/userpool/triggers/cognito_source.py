"""Calls to the Amazon Cognito user pool a ``cognito-migration`` target moves users in from: the AWS JSON 1.1
protocol over httpx, the Admin* operations signed with Signature Version 4 by botocore's signer, and the
public ones (InitiateAuth, RespondToAuthChallenge) sent unsigned, as an app does.

Each call has what is left of one trigger attempt's time and at most 1 MiB of answer; redirects are never
followed. An answer in Cognito's error shape is a ``SourceError`` (its ``__type`` and message) for the caller
to judge; no answer at all is ``failures.NotInvoked``, as for a webhook that cannot be reached. Nothing of a
request is logged: it carries a password, a SECRET_HASH or the signature of the admin credentials.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from userpool.migration_settings import CognitoSource
from userpool.triggers.failures import NotInvoked

SERVICE = "cognito-idp"
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
CONTENT_TYPE = "application/x-amz-json-1.1"
MAX_ANSWER = 1 << 20
USER_AGENT = "userpool-cognito-migration"


@dataclass(frozen=True, slots=True)
class _Credentials:
    """What botocore's signer reads of credentials; botocore.credentials itself (and the SDK's machinery it
    imports, a sixth of a second) is not needed for a fixed key."""

    access_key: str
    secret_key: str = field(repr=False)
    token: str | None = None


class SourceError(Exception):
    """The source pool answered with an error: ``kind`` is its ``__type`` without a namespace
    (``NotAuthorizedException``), ``status`` the HTTP status."""

    def __init__(self, kind: str, message: str, status: int) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
        self.status = status


def _error_kind(raw: Any) -> str:
    # AWS JSON 1.1 puts "com.amazonaws...#NotAuthorizedException" or the bare name in __type.
    return str(raw or "").rsplit("#", 1)[-1] or "UnknownError"


class SourcePool:
    """One source user pool, reached through one pooled httpx client shared by every thread of the process
    (made at the first call, so that a server that never migrates anyone never builds a TLS context)."""

    def __init__(self, source: CognitoSource) -> None:
        self.source = source
        self._credentials = _Credentials(source.access_key_id, source.secret_access_key)
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None:
                self._http = httpx.Client(follow_redirects=False, headers={"User-Agent": USER_AGENT})
            return self._http

    def close(self) -> None:
        with self._lock:
            http, self._http = self._http, None
        if http is not None:
            http.close()

    def _headers(self, operation: str, body: bytes, signed: bool) -> dict[str, str]:
        headers = {"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET_PREFIX + operation}
        if not signed:
            return headers
        request = AWSRequest(method="POST", url=self.source.endpoint_url, data=body, headers=headers)
        SigV4Auth(self._credentials, SERVICE, self.source.region).add_auth(request)
        return {str(k): str(v) for k, v in request.headers.items()}

    def call(self, operation: str, request: dict[str, Any], deadline: float, *, signed: bool) -> dict[str, Any]:
        """The JSON answer of ``operation``; SourceError for an error answer, NotInvoked when none came back
        before ``deadline`` (a ``time.monotonic()`` value)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise NotInvoked("TimeoutError", retry=True)
        body = orjson.dumps(request)
        headers = self._headers(operation, body, signed)
        try:
            with self._client().stream(
                "POST", self.source.endpoint_url, content=body, headers=headers, timeout=remaining
            ) as response:
                content = _read_capped(response, deadline)
        except httpx.TimeoutException:
            raise NotInvoked("TimeoutError", retry=True) from None
        except httpx.HTTPError:
            raise NotInvoked("ServiceException", retry=True) from None
        try:
            answer = orjson.loads(content) if content else {}
        except orjson.JSONDecodeError:
            raise NotInvoked("ServiceException", retry=response.status_code >= 500) from None
        if not isinstance(answer, dict):
            raise NotInvoked("ServiceException", retry=False)
        if response.status_code >= 300:
            message = answer.get("message") or answer.get("Message") or ""
            raise SourceError(_error_kind(answer.get("__type")), str(message), response.status_code)
        return answer


def _read_capped(response: httpx.Response, deadline: float) -> bytes:
    """The body, read within the deadline and MAX_ANSWER bytes (a source that trickles bytes slowly must not
    hold the sign-in longer than one attempt)."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_ANSWER:
            raise NotInvoked("ServiceException", retry=False)
        if time.monotonic() > deadline:
            raise NotInvoked("TimeoutError", retry=True)
        chunks.append(chunk)
    return b"".join(chunks)
