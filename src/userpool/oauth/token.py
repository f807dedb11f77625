"""``POST /oauth2/token`` and ``POST /oauth2/revoke`` (Cognito developer guide: 'Token endpoint', 'Revoke
endpoint'): form bodies, client authentication by HTTP Basic or form, JSON answers that are never cached."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from userpool.context import Ctx, Deps
from userpool.model.oauth_requests import OAuthError
from userpool.oauth.errors import NO_STORE, JsonAnswer, token_error
from userpool.oauth.http import RawRequest, client_credentials, make_ctx, read_form, used_basic
from userpool.services.hosted import oauth_token
from userpool.services.hosted.oauth_clients import ClientCredentials, domain_pool
from userpool.worker_threads import run_in_worker


def cors_headers(deps: Deps) -> dict[str, str]:
    """Browser apps (Amplify in a SPA) call these endpoints from their own origin."""
    return {
        "Access-Control-Allow-Origin": deps.settings.cors_allow_origin,
        "Access-Control-Allow-Headers": "Authorization, Content-Type",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    }


def _revoke(ctx: Ctx, form: dict[str, str], credentials: ClientCredentials, host: str) -> None:
    oauth_token.revoke(ctx, form, credentials, domain_pool(ctx, host))


class TokenEndpoint:
    """The ASGI app of ``/oauth2/token`` (every machine token, and the refreshes of apps signed in through
    OAuth): it reads the request from its scope (``RawRequest``) and answers it itself, without Starlette's
    Request and Response and the route's wrappers around each call (docs/architecture.md, Hot-path rules)."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._cors = cors_headers(deps)
        self._answer = JsonAnswer(self._cors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "OPTIONS":
            await Response(status_code=204, headers=self._cors)(scope, receive, send)
            return
        request = RawRequest(scope, receive)
        ctx = make_ctx(self._deps, request)
        answer: ASGIApp
        try:
            form = await read_form(request)
            credentials = client_credentials(request, form)
            # The Host's pool and the grant in one worker thread, through the API's hand-off (worker_threads.py):
            # a hop there and back costs CPU (docs/architecture.md, Hot-path rules).
            body = await run_in_worker(oauth_token.token, ctx, form, credentials, request.headers.get("host", ""))
            answer = self._answer(body)
        except OAuthError as err:
            answer = token_error(err, used_basic(request), self._cors)
        await answer(scope, receive, send)


def make_token(deps: Deps) -> ASGIApp:
    return TokenEndpoint(deps)


def make_revoke(deps: Deps) -> Any:
    async def revoke(request: Request) -> Response:
        cors = cors_headers(deps)
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=cors)
        ctx = make_ctx(deps, request)
        try:
            form = await read_form(request)
            credentials = client_credentials(request, form)
            await run_in_threadpool(_revoke, ctx, form, credentials, request.headers.get("host", ""))
        except OAuthError as err:
            return token_error(err, used_basic(request), cors)
        # RFC 7009 §2.2: 200 whether or not the token was known.
        return Response(status_code=200, headers={**NO_STORE, **cors})

    return revoke
