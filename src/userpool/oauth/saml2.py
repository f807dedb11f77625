"""``POST /saml2/idpresponse`` (the assertion consumer service, SAML HTTP-POST binding) and ``/saml2/logout``
(Cognito developer guide: 'The IdP SAML assertion endpoint', 'Signing out SAML users with single sign-out';
OASIS saml-bindings-2.0-os §3.5); and ``GET /saml2/metadata`` (services/hosted/saml_metadata.py).

Both are posted from the identity provider's page, another site: there is no CSRF token of ours. A
solicited Response is this browser's only with its federation transaction (RelayState, single use, five
minutes) and the binding cookie (``SameSite=None`` over HTTPS, browser_cookies.py), and it must answer the
AuthnRequest the transaction kept. The body may carry a SAMLResponse of up to 100,000 characters, URL-encoded.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from userpool.context import Deps
from userpool.model.oauth_requests import OAuthError
from userpool.oauth.browser_cookies import binding_of
from userpool.oauth.errors import error_page_redirect
from userpool.oauth.http import make_ctx, once_each, reached_at, read_form, request_pool
from userpool.oauth.idpresponse import HEADERS, finished_redirect
from userpool.services.hosted.idp_responses import NO_SIGN_IN
from userpool.services.hosted.oauth_authorize import PageError
from userpool.services.hosted.saml_logout import LOGOUT_REFUSED, logout_answered
from userpool.services.hosted.saml_metadata import metadata_document
from userpool.services.hosted.saml_sign_in import saml_answer

# A SAMLResponse of 100,000 characters, URL-encoded (base64's + / = triple), with the RelayState.
SAML_MAX_FORM_BYTES = 320_000


def make_saml_response(deps: Deps) -> Any:
    async def saml_response(request: Request) -> Response:
        ctx = make_ctx(deps, request)
        try:
            form = await read_form(request, SAML_MAX_FORM_BYTES)
        except OAuthError:
            return error_page_redirect(NO_SIGN_IN, None)
        domain = await request_pool(ctx, request)
        base = reached_at(ctx, request, domain is not None)
        try:
            finished = await run_in_threadpool(
                saml_answer, ctx, form, binding_of(request), request.cookies, base, domain
            )
        except PageError as err:
            return error_page_redirect(err.error, None)
        return finished_redirect(request, finished)

    return saml_response


def make_saml_logout(deps: Deps) -> Any:
    async def saml_logout(request: Request) -> Response:
        ctx = make_ctx(deps, request)
        if request.method != "POST":
            # A LogoutRequest by HTTP-Redirect: only the HTTP-POST binding is read here.
            return error_page_redirect(LOGOUT_REFUSED, None)
        try:
            form = await read_form(request, SAML_MAX_FORM_BYTES)
        except OAuthError:
            return error_page_redirect(LOGOUT_REFUSED, None)
        domain = await request_pool(ctx, request)
        base = reached_at(ctx, request, domain is not None)
        try:
            done = await run_in_threadpool(
                logout_answered, ctx, form, binding_of(request), request.cookies, base, domain
            )
        except PageError as err:
            return error_page_redirect(err.error, None)
        response = RedirectResponse(done.url, 302, headers=HEADERS)
        if done.ended_cookie is not None:
            response.delete_cookie(done.ended_cookie, path="/")
        return response

    return saml_logout


def make_saml_metadata(deps: Deps) -> Any:
    """``?user_pool_id=`` (implied on a pool's domain) and optionally ``identity_provider=``."""

    async def saml_metadata(request: Request) -> Response:
        ctx = make_ctx(deps, request)
        try:
            params = once_each(request.query_params.multi_items())
        except OAuthError:
            return PlainTextResponse("Each parameter may be given once.", 400)
        domain = await request_pool(ctx, request)
        pool_id = domain or params.get("user_pool_id", "")
        if not pool_id or len(pool_id) > 55 or (domain and params.get("user_pool_id") not in (None, domain)):
            return PlainTextResponse("user_pool_id names no user pool here.", 404)
        provider = params.get("identity_provider") or None
        if provider is not None and len(provider) > 32:
            return PlainTextResponse("No such SAML identity provider.", 404)
        base = reached_at(ctx, request, domain is not None)
        document = await run_in_threadpool(metadata_document, ctx, pool_id, provider, base)
        if document is None:
            return PlainTextResponse("No such user pool or SAML identity provider.", 404)
        headers = {"Content-Disposition": f'attachment; filename="{pool_id}-saml-metadata.xml"'}
        return Response(document, 200, media_type="application/samlmetadata+xml", headers=headers)

    return saml_metadata
