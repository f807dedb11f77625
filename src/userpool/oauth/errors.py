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

from userpool.model.oauth_requests import OAuthError

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _quoted(value: str) -> str:
    """A value for a quoted-string of an auth header: no quotes, backslashes or line breaks in it."""
    return "".join(c for c in value if c not in '"\\\r\n')


def json_response(body: dict[str, object], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body),
        status,
        headers={**NO_STORE, **(headers or {})},
        media_type="application/json;charset=UTF-8",
    )


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
