"""``GET|POST /oauth2/idpresponse`` (Cognito developer guide: 'OIDC user pool IdP authentication flow'): where an
external identity provider sends the browser back, with ``code`` and ``state`` in the query or, for
``response_mode=form_post`` (Sign in with Apple), in a form the provider's page posts.

The POST comes from the provider's site, so it carries no CSRF token of ours: the federation transaction
named by ``state`` (random, single use, five minutes) together with the browser's binding cookie is what
makes it this browser's sign-in. The body is held to the OAuth endpoints' form size (body_limits.py).
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from userpool.context import Deps
from userpool.model.oauth_requests import OAuthError
from userpool.oauth.browser_cookies import binding_of, set_session_cookie
from userpool.oauth.errors import NO_STORE, error_page_redirect
from userpool.oauth.http import make_ctx, once_each, read_form
from userpool.services.hosted.idp_responses import NO_SIGN_IN, Finished, answer_from_provider
from userpool.services.hosted.login_sessions import LIFETIME_SECONDS
from userpool.services.hosted.oauth_authorize import PageError

# The code or tokens travel in the redirect's URL: keep them out of Referer headers.
HEADERS = {**NO_STORE, "Referrer-Policy": "no-referrer"}


def make_idp_response(deps: Deps) -> Any:
    async def idp_response(request: Request) -> Response:
        ctx = make_ctx(deps, request)
        try:
            if request.method == "POST":
                params = await read_form(request)
            else:
                params = once_each(request.query_params.multi_items())
        except OAuthError:
            return error_page_redirect(NO_SIGN_IN, None)
        try:
            finished = await run_in_threadpool(answer_from_provider, ctx, params, binding_of(request), request.cookies)
        except PageError as err:
            return error_page_redirect(err.error, None)
        return finished_redirect(request, finished)

    return idp_response


def finished_redirect(request: Request, finished: Finished) -> Response:
    """The browser sent on after a provider's answer (to the application, with the hosted session cookie
    when a sign-in opened one); the SAML endpoint ends the same way."""
    response = RedirectResponse(finished.url, 302, headers=HEADERS)
    if finished.session is not None:
        name, value = finished.session
        set_session_cookie(response, request, name, value, LIFETIME_SECONDS)
    return response
