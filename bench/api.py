"""The Cognito Identity Provider API (AWS JSON 1.1) and ``/oauth2/token`` over one :class:`Connection`:
what every scenario calls, for setting up and for the measured requests alike."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import orjson

from bench.connection import Connection
from bench.sigv4 import Signer

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
CONTENT_TYPE = "application/x-amz-json-1.1"
FORM_TYPE = "application/x-www-form-urlencoded"


class ApiError(Exception):
    """A non-2xx answer: the AWS ``__type`` (or OAuth ``error``) and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a target listens and the key its admin calls are signed with."""

    host: str
    port: int
    signer: Signer

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def _error(status: int, body: bytes) -> ApiError:
    try:
        data = orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    # AWS JSON: "__type" (moto may send "prefix#Name"); OAuth: "error".
    code = str(data.get("__type") or data.get("error") or f"HTTP{status}").rsplit("#", 1)[-1]
    message = str(data.get("message") or data.get("Message") or data.get("error_description") or body[:200])
    return ApiError(status, code, message)


class CognitoClient:
    """Calls on one keep-alive connection, one at a time."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.connection = Connection(endpoint.host, endpoint.port)

    async def call(self, operation: str, params: dict[str, Any], *, signed: bool = False) -> dict[str, Any]:
        """``operation`` with ``params``; signed with SigV4 for admin operations. Raises :class:`ApiError`."""
        body = orjson.dumps(params)
        target = TARGET_PREFIX + operation
        headers = [("Content-Type", CONTENT_TYPE), ("X-Amz-Target", target)]
        if signed:
            headers += self.endpoint.signer.headers(self.connection.host_header, CONTENT_TYPE, target, body)
        response = await self.connection.request("POST", "/", headers, body)
        if response.status != 200:
            raise _error(response.status, response.body)
        result: dict[str, Any] = orjson.loads(response.body) if response.body else {}
        return result

    async def token(self, form: dict[str, str], client_id: str, client_secret: str | None) -> dict[str, Any]:
        """``POST /oauth2/token`` with HTTP Basic client authentication (RFC 6749 §2.3.1), or, for a public
        client (no secret), its ``client_id`` in the form (§2.3, §3.2.1)."""
        headers = [("Content-Type", FORM_TYPE)]
        if client_secret is None:
            form = {**form, "client_id": client_id}
        else:
            basic = base64.b64encode(f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}".encode()).decode()
            headers.append(("Authorization", f"Basic {basic}"))
        response = await self.connection.request("POST", "/oauth2/token", headers, urlencode(form).encode())
        if response.status != 200:
            raise _error(response.status, response.body)
        result: dict[str, Any] = orjson.loads(response.body)
        return result

    def close(self) -> None:
        self.connection.close()
