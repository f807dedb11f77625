"""``GET /logout`` (Cognito developer guide: 'Logout endpoint'): ends the hosted pages' sign-in session and sends the
browser to a registered ``logout_uri``, or back to ``/login`` for a registered ``redirect_uri`` (account switch).
Anything not registered for the client is shown the error page: ``/logout`` never redirects elsewhere. A session
from a SAML provider with IDPSignout goes by the provider's single logout first (services/hosted/saml_logout.py)."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from userpool.context import Deps
from userpool.crypto.opaque import new_opaque_value
from userpool.model.client_config import logout_urls
from userpool.model.oauth_requests import OAuthError, single
from userpool.oauth.browser_cookies import binding_of, set_binding_cookie
from userpool.oauth.errors import NO_STORE, error_page_redirect
from userpool.oauth.http import make_ctx, once_each, reached_at, request_pool
from userpool.services.hosted.login_sessions import cookie_name, end_session
from userpool.services.hosted.oauth_authorize import PageError, authorize_target
from userpool.services.hosted.oauth_clients import oauth_client
from userpool.services.hosted.saml_logout import provider_logout

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
            pool_id, client_id, registered = found
            if not _registered(logout_uri, registered):
                return error_page_redirect("invalid_logout_uri", params.get("client_id"))
            target = logout_uri
        else:
            try:
                checked = await run_in_threadpool(authorize_target, ctx, params, domain)
                pool_id, client_id = checked.pool.id, checked.client.id
            except PageError as err:
                return error_page_redirect(err.error, params.get("client_id"))
            if single(params, "redirect_uri") is None:
                return error_page_redirect("invalid_request", params.get("client_id"))
            target = "/login?" + urlencode({k: params[k] for k in _RELOGIN if params.get(k)})
        # The session of the client's pool only: other pools served on this host keep theirs.
        name = cookie_name(pool_id)
        cookie = request.cookies.get(name)
        # A SAML sign-in with IDPSignout: the provider signs the user out too, then the browser goes on.
        binding = binding_of(request) or new_opaque_value()
        base = reached_at(ctx, request, domain is not None)
        to_provider = await run_in_threadpool(provider_logout, ctx, pool_id, client_id, cookie, target, base, binding)
        await run_in_threadpool(end_session, ctx, pool_id, cookie)
        response = RedirectResponse(to_provider or target, 302, headers={**NO_STORE, "Referrer-Policy": "no-referrer"})
        response.delete_cookie(name, path="/")
        if to_provider is not None:
            set_binding_cookie(response, request, binding)
        return response

    return logout


def _client(ctx: Any, client_id: str | None, domain: str | None) -> tuple[str, str, list[str]] | None:
    """The pool, client and LogoutURLs of the client ``client_id`` names, if it is one of the domain's pool."""
    with ctx.store.read() as tx:
        found = oauth_client(tx, client_id, domain)
    return None if found is None else (found[0].id, found[1].id, logout_urls(found[1]))
