"""``GET /oauth2/authorize`` (Cognito developer guide: 'Authorize endpoint'): checks the request, then answers at once
for a browser that is signed in to the pool's hosted pages, or sends it to ``/login`` with the request's query."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from userpool.context import Deps
from userpool.model.oauth_requests import OAuthError
from userpool.oauth.errors import NO_STORE, error_page_redirect
from userpool.oauth.http import make_ctx, once_each, request_pool
from userpool.services.hosted.login_sessions import COOKIE_NAME, signed_in
from userpool.services.hosted.oauth_authorize import (
    PageError,
    authorize_request,
    authorize_target,
    complete,
    error_redirect,
)

# The code travels in the redirect's URL: keep it out of Referer headers.
_HEADERS = {**NO_STORE, "Referrer-Policy": "no-referrer"}


def _redirect(url: str) -> Response:
    return RedirectResponse(url, 302, headers=_HEADERS)


def make_authorize(deps: Deps) -> Any:
    async def authorize(request: Request) -> Response:
        ctx = make_ctx(deps, request)
        try:
            params = once_each(request.query_params.multi_items())
        except OAuthError:
            return error_page_redirect("invalid_request", None)
        domain = await request_pool(ctx, request)
        try:
            target = await run_in_threadpool(authorize_target, ctx, params, domain)
        except PageError as err:
            return error_page_redirect(err.error, params.get("client_id"))
        try:
            checked = authorize_request(target, params)
        except OAuthError as err:
            return _redirect(error_redirect(target, params, err))
        if "login" not in checked.prompt:
            session = await run_in_threadpool(signed_in, ctx, target.pool.id, request.cookies.get(COOKIE_NAME))
            if session is not None:
                url = await run_in_threadpool(complete, ctx, target, checked, session.user, session.auth_time)
                return _redirect(url)
        if "none" in checked.prompt:
            # OIDC Core §3.1.2.6: no page may be shown, and nobody is signed in.
            return _redirect(error_redirect(target, params, OAuthError("login_required", "No user is signed in.")))
        return _redirect(f"/login?{request.url.query}")

    return authorize
