"""``GET /oauth2/authorize`` (Cognito developer guide: 'Authorize endpoint'): checks the request; then a request that
names an external identity provider (``identity_provider``, ``idp_identifier``) goes to that provider, always,
even from a browser signed in here (AWS "silently redirects"); any other is answered at once for a browser
that is signed in to the pool's hosted pages, or sent to ``/login`` with the request's query.

``prompt=none`` with a named provider is answered ``login_required``: no page may be shown (OpenID Connect
Core 1.0 §3.1.2.1), and whether the provider would show one cannot be known without sending the browser
there; the provider's own session is the application's to try with an interactive request."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from userpool.context import Deps
from userpool.crypto.opaque import new_opaque_value
from userpool.model.client_config import supported_identity_providers
from userpool.model.identity_providers import SAML
from userpool.model.oauth_requests import OAuthError
from userpool.oauth.browser_cookies import binding_of, set_binding_cookie
from userpool.oauth.errors import NO_STORE, error_page_redirect
from userpool.oauth.http import make_ctx, once_each, reached_at, request_pool
from userpool.services.hosted.federated_authorize import IDP_RESPONSE_PATH, chosen_provider, redirect_to_provider
from userpool.services.hosted.login_sessions import cookie_name, reusable_session
from userpool.services.hosted.oauth_authorize import (
    COGNITO,
    PageError,
    authorize_request,
    authorize_target,
    complete,
    error_redirect,
)
from userpool.services.hosted.saml_sign_in import redirect_to_saml_provider

# The code travels in the redirect's URL: keep it out of Referer headers.
_HEADERS = {**NO_STORE, "Referrer-Policy": "no-referrer"}


_LOGIN_REQUIRED = OAuthError("login_required", "No user is signed in.")


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
            checked = authorize_request(target, params, local_sign_in=False)
        except OAuthError as err:
            return _redirect(error_redirect(target, params, err))
        try:
            provider = await run_in_threadpool(chosen_provider, ctx, target, params)
        except PageError as err:
            return error_page_redirect(err.error, params.get("client_id"))
        if provider is not None:
            if "none" in checked.prompt:
                return _redirect(error_redirect(target, params, _LOGIN_REQUIRED))
            binding = binding_of(request) or new_opaque_value()
            base = reached_at(ctx, request, domain is not None)
            if provider.provider_type == SAML:
                url = await run_in_threadpool(redirect_to_saml_provider, ctx, target, checked, provider, base, binding)
            else:
                back = base + IDP_RESPONSE_PATH
                url = await run_in_threadpool(redirect_to_provider, ctx, target, checked, provider, back, binding)
            response = _redirect(url)
            set_binding_cookie(response, request, binding)
            return response
        if "login" not in checked.prompt and COGNITO in supported_identity_providers(target.client):
            session = await run_in_threadpool(
                reusable_session, ctx, target.pool, target.client.id, request.cookies.get(cookie_name(target.pool.id))
            )
            if session is not None:
                url = await run_in_threadpool(
                    complete, ctx, target, checked, session.user, session.auth_time, session.session_id
                )
                return _redirect(url)
        if "none" in checked.prompt:
            # OIDC Core §3.1.2.6: no page may be shown, and nobody is signed in.
            return _redirect(error_redirect(target, params, _LOGIN_REQUIRED))
        return _redirect(f"/login?{request.url.query}")

    return authorize
