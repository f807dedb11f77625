"""One trip through the hosted pages: the application's authorization request, checked on every page and
carried along in every link and form action (Cognito developer guide: 'Login endpoint'), with the page's
language, CSRF token and branding; and how a page is rendered from it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from userpool.context import Ctx, Deps
from userpool.ids import new_request_id
from userpool.model.oauth_requests import AuthorizeRequest, OAuthError
from userpool.services.directory.ui_customization import branding
from userpool.services.hosted.oauth_authorize import (
    PageError,
    Target,
    authorize_request,
    authorize_target,
    error_redirect,
)
from userpool.services.hosted.oauth_clients import domain_pool
from userpool.web.login import i18n
from userpool.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    csrf_key,
    csrf_ok,
    csrf_token,
    new_csrf_cookie,
    page_headers,
    set_cookie,
)

# The authorization request's parameters, kept through the journey; page-specific ones are added per link.
CARRIED = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "lang",
    "login_hint",
    "identity_provider",
    "idp_identifier",
    # Where a finished sign-in goes before the application: "passkeys", the passkeys page.
    "next",
)
NOTICES = frozenset({"confirmed", "password_reset", "signed_up", "link_sent", "passkey_added", "passkey_removed"})
PASSKEY_SCRIPT = "/static/passkeys.js"

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def make_ctx(deps: Deps, request: Request) -> Ctx:
    peer = request.client.host if request.client else ""
    now = deps.clock.now()
    agent = request.headers.get("user-agent", "")
    return Ctx(
        deps=deps, request_id=new_request_id(), now=now, region=deps.settings.region, source_ip=peer, user_agent=agent
    )


def _once_each(items: Iterable[tuple[str, str]]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for key, val in items:
        if key in params:
            return None
        params[key] = val
    return params


@dataclass
class Journey:
    deps: Deps
    ctx: Ctx
    request: Request
    target: Target
    authorize: AuthorizeRequest
    params: dict[str, str]
    lang: str
    csrf_cookie: str
    new_csrf: bool

    @property
    def t(self) -> Callable[..., str]:
        return i18n.translator(self.lang)

    def url(self, path: str, **extra: str) -> str:
        return f"{path}?{urlencode({**self.params, **extra})}"

    def csrf_valid(self, form: dict[str, str]) -> bool:
        return not self.new_csrf and csrf_ok(csrf_key(self.deps.code_key), self.csrf_cookie, form.get(CSRF_FIELD))

    async def render(
        self,
        template: str,
        status: int = 200,
        form_sources: tuple[str, ...] = (),
        scripts: bool = False,
        **context: Any,
    ) -> Response:
        """``scripts``: the page runs the passkey script (a file of our origin; the CSP allows no other)."""
        brand = await run_in_threadpool(branding, self.ctx, self.target.pool.id, self.target.client.id)
        html = _templates.get_template(template).render(
            t=self.t,
            lang=self.lang,
            languages=[(code, name, self.url(self.request.url.path, lang=code)) for code, name in i18n.NAMES.items()],
            pool_name=self.target.pool.name,
            client_name=self.target.client.name,
            css_href=_asset("/ui/custom.css", self.target, self.target.client.id, brand.version) if brand.css else None,
            logo_src=_asset("/ui/logo", self.target, brand.logo_client, brand.version) if brand.logo_client else None,
            csrf_field=CSRF_FIELD,
            csrf=csrf_token(csrf_key(self.deps.code_key), self.csrf_cookie),
            url=self.url,
            script_src=PASSKEY_SCRIPT if scripts else None,
            **context,
        )
        response = HTMLResponse(
            html, status, headers=page_headers(self.target.redirect_uri, scripts=scripts, form_sources=form_sources)
        )
        if self.new_csrf:
            set_cookie(response, self.request, CSRF_COOKIE, self.csrf_cookie, None)
        return response

    def redirect(self, url: str) -> Response:
        response = RedirectResponse(url, 302, headers=page_headers(self.target.redirect_uri))
        if self.new_csrf:
            set_cookie(response, self.request, CSRF_COOKIE, self.csrf_cookie, None)
        return response


def _asset(path: str, target: Target, client_id: str | None, version: str) -> str:
    query = {"pool": target.pool.id, "client": client_id or "", "v": version}
    return f"{path}?{urlencode(query)}"


def error_page(deps: Deps, request: Request, error: str, status: int = 400) -> Response:
    """The error page, for requests that must not go back to any application."""
    lang = i18n.language(request.query_params.get("lang"))
    key = f"error.{error}" if f"error.{error}" in i18n.CATALOGS["en"] else "error.generic"
    html = _templates.get_template("error.html").render(
        t=i18n.translator(lang), lang=lang, message_key=key, pool_name="", languages=[]
    )
    return HTMLResponse(html, status, headers=page_headers())


def message_page(request: Request, lang: str, title_key: str, text: str, status: int, pool_name: str = "") -> Response:
    """A page that only says something (``text``: a notice, or for a 4xx status an error), for requests that
    belong to no authorization request, such as a confirmation link opened from an email."""
    error = status >= 400
    html = _templates.get_template("message.html").render(
        t=i18n.translator(lang), lang=lang, title=title_key, text=text, error=error, pool_name=pool_name, languages=[]
    )
    return HTMLResponse(html, status, headers=page_headers())


async def begin(deps: Deps, request: Request, local_sign_in: bool = True) -> Journey | Response:
    """The journey of this request, or the response that ends it: the error page for a request that names no
    good client and redirect URI, the application's redirect URI with the error for any other problem.
    ``local_sign_in``: the page is one of the pool's own sign-in (the client must offer COGNITO); the login
    page shown only to choose an external provider is not."""
    ctx = make_ctx(deps, request)
    params = _once_each(request.query_params.multi_items())
    if params is None:
        return error_page(deps, request, "invalid_request")
    domain = await run_in_threadpool(domain_pool, ctx, request.headers.get("host", ""))
    try:
        target = await run_in_threadpool(authorize_target, ctx, params, domain)
    except PageError as err:
        return error_page(deps, request, err.error)
    try:
        checked = authorize_request(target, params, local_sign_in)
    except OAuthError as err:
        return RedirectResponse(error_redirect(target, params, err), 302, headers=page_headers())
    cookie = request.cookies.get(CSRF_COOKIE)
    fresh = not cookie or len(cookie) > 128
    kept = {k: params[k] for k in CARRIED if params.get(k)}
    return Journey(
        deps=deps,
        ctx=ctx,
        request=request,
        target=target,
        authorize=checked,
        params=kept,
        lang=i18n.language(params.get("lang")),
        csrf_cookie=new_csrf_cookie() if fresh or cookie is None else cookie,
        new_csrf=fresh,
    )


def notice_of(request: Request) -> str | None:
    """A notice the previous page asked for by name (never text taken from the URL)."""
    notice = request.query_params.get("notice")
    return f"notice.{notice}" if notice in NOTICES else None
