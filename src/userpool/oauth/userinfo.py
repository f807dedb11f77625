"""``GET|POST /oauth2/userInfo`` (Cognito developer guide: 'UserInfo endpoint'; OIDC Core §5.3, RFC 6750 §2.1)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from userpool.context import Ctx, Deps
from userpool.model.oauth_requests import OAuthError
from userpool.oauth.errors import JsonAnswer, bearer_error
from userpool.oauth.http import make_ctx
from userpool.oauth.token import cors_headers
from userpool.services.hosted.oauth_clients import domain_pool
from userpool.services.hosted.oauth_userinfo import user_info
from userpool.worker_threads import run_in_worker

_MAX_TOKEN = 16_384


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise OAuthError("invalid_request", "A bearer access token is required.", 400)
    token = value.strip()
    if len(token) > _MAX_TOKEN:
        raise OAuthError("invalid_token", "The access token is malformed.", 401)
    return token


def _user_info(ctx: Ctx, token: str, host: str) -> dict[str, Any]:
    # The Host's pool and the user's claims in one worker thread, as for /oauth2/token.
    return user_info(ctx, token, domain_pool(ctx, host))


def make_userinfo(deps: Deps) -> Any:
    cors = cors_headers(deps)
    answer = JsonAnswer(cors)

    async def userinfo(request: Request) -> Response | ASGIApp:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=cors)
        ctx = make_ctx(deps, request)
        try:
            body = await run_in_worker(_user_info, ctx, _bearer(request), request.headers.get("host", ""))
        except OAuthError as err:
            return bearer_error(err, cors)
        return answer(body)

    return userinfo
