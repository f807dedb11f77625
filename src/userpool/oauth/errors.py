"""RFC 6749 / RFC 6750 error answers of the OAuth endpoints (Cognito developer guide: 'Authorize endpoint', 'Token
endpoint', 'UserInfo endpoint', 'Revoke endpoint', 'Logout endpoint').

The token and revocation endpoints answer JSON ``{"error", "error_description"}`` (RFC 6749 §5.2) with
``invalid_client`` as 401 (``WWW-Authenticate: Basic`` when the client used Basic); userInfo answers in the
``WWW-Authenticate: Bearer`` header (RFC 6750 §3). Errors that must not reach an application's redirect URI
send the browser to the pool domain's own ``/error`` page, as AWS does for ``redirect_mismatch``.
"""

from __future__ import annotations

from urllib.parse import urlencode

import orjson
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from userpool.model.oauth_requests import OAuthError

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _quoted(value: str) -> str:
    """A value for a quoted-string of an auth header: no quotes, backslashes or line breaks in it."""
    return "".join(c for c in value if c not in '"\\\r\n')


JSON_TYPE = "application/json;charset=UTF-8"


def json_response(body: dict[str, object], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers={**NO_STORE, **(headers or {})}, media_type=JSON_TYPE)


class JsonAnswer:
    """The 200 JSON answer of an endpoint whose headers are the same every time (``/oauth2/token``'s and
    ``/oauth2/userInfo``'s: never cached, and their CORS headers), made once: what ``json_response`` sends,
    without building its headers for every answer (Starlette's Response does, ~8 µs)."""

    __slots__ = ("_head",)

    def __init__(self, headers: dict[str, str]) -> None:
        merged = {**NO_STORE, **headers, "Content-Type": JSON_TYPE}
        self._head = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in merged.items()]

    def __call__(self, body: dict[str, object]) -> ASGIApp:
        content = orjson.dumps(body)
        head = [*self._head, (b"content-length", str(len(content)).encode())]

        async def answer(_scope: Scope, _receive: Receive, send: Send) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": head})
            await send({"type": "http.response.body", "body": content})

        return answer


def token_error(err: OAuthError, used_basic: bool, headers: dict[str, str] | None = None) -> Response:
    """RFC 6749 §5.2; Amplify reads ``error`` (and ``error_message``), other clients ``error_description``."""
    extra = dict(headers or {})
    if err.status == 401 and used_basic:
        extra["WWW-Authenticate"] = 'Basic realm="userpool"'
    return json_response({"error": err.error, "error_description": err.description}, err.status, extra)


def bearer_error(err: OAuthError, headers: dict[str, str] | None = None) -> Response:
    """RFC 6750 §3: the error in ``WWW-Authenticate`` (Cognito developer guide: 'UserInfo endpoint')."""
    challenge = f'Bearer error="{_quoted(err.error)}", error_description="{_quoted(err.description)}"'
    body: dict[str, object] = {"error": err.error, "error_description": err.description}
    return json_response(body, err.status, {**(headers or {}), "WWW-Authenticate": challenge})


def error_page_redirect(error: str, client_id: str | None) -> Response:
    """302 to the domain's ``/error`` page: the browser is never sent to an unverified redirect URI."""
    query = {"error": error}
    if client_id and len(client_id) <= 128:
        query["client_id"] = client_id
    return RedirectResponse(f"/error?{urlencode(query)}", 302, headers=NO_STORE)
