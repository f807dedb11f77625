"""``GET /logout`` (Cognito developer guide: 'Logout endpoint'): ends the hosted pages' sign-in session and sends the
browser to a registered ``logout_uri``, or back to ``/login`` for a registered ``redirect_uri`` (account switch).
Anything not registered for the client is shown the error page: ``/logout`` never redirects elsewhere."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from userpool.context import Deps
from userpool.model.client_config import logout_urls
from userpool.model.oauth_requests import OAuthError, single
from userpool.oauth.errors import NO_STORE, error_page_redirect
from userpool.oauth.http import make_ctx, once_each, request_pool
from userpool.services.hosted.login_sessions import cookie_name, end_session
from userpool.services.hosted.oauth_authorize import PageError, authorize_target
from userpool.services.hosted.oauth_clients import oauth_client

_RELOGIN = ("client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "lang")


def _registered(uri: str, urls: list[str]) -> bool:
    return any(hmac.compare_digest(uri.encode(), url.encode()) for url in urls)


def make_logout(deps: Deps) -> Any:
    async def logout(request: Request) -> Response:
        ctx = make_ctx(deps, request)
        try:
            params = once_each(request.query_params.multi_items())
            logout_uri = single(params, "logout_uri")
        except OAuthError:
            return error_page_redirect("invalid_request", None)
        domain = await request_pool(ctx, request)
        if logout_uri is not None:
            found = await run_in_threadpool(_client, ctx, params.get("client_id"), domain)
            if found is None:
                return error_page_redirect("invalid_client", params.get("client_id"))
            pool_id, registered = found
            if not _registered(logout_uri, registered):
                return error_page_redirect("invalid_logout_uri", params.get("client_id"))
            target = logout_uri
        else:
            try:
                pool_id = (await run_in_threadpool(authorize_target, ctx, params, domain)).pool.id
            except PageError as err:
                return error_page_redirect(err.error, params.get("client_id"))
            if single(params, "redirect_uri") is None:
                return error_page_redirect("invalid_request", params.get("client_id"))
            target = "/login?" + urlencode({k: params[k] for k in _RELOGIN if params.get(k)})
        # The session of the client's pool only: other pools served on this host keep theirs.
        name = cookie_name(pool_id)
        await run_in_threadpool(end_session, ctx, pool_id, request.cookies.get(name))
        response = RedirectResponse(target, 302, headers={**NO_STORE, "Referrer-Policy": "no-referrer"})
        response.delete_cookie(name, path="/")
        return response

    return logout


def _client(ctx: Any, client_id: str | None, domain: str | None) -> tuple[str, list[str]] | None:
    """The pool and LogoutURLs of the client ``client_id`` names, if it is one of the domain's pool."""
    with ctx.store.read() as tx:
        found = oauth_client(tx, client_id, domain)
    return None if found is None else (found[0].id, logout_urls(found[1]))
