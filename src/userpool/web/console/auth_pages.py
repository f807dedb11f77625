"""``/console/login`` and ``/console/logout``: the operator's session (docs/architecture.md, Security invariants). A
fresh session value on every sign-in (no fixation); the cookie is HttpOnly, SameSite=Strict and scoped to
``/console``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from userpool.context import Deps
from userpool.services.console.operators import SESSION_LIFETIME_SECONDS, SignInRefused, sign_in, sign_out
from userpool.web.console.frame import (
    PREFIX,
    SESSION_COOKIE,
    BadForm,
    Invoke,
    Page,
    checked_post,
    make_ctx,
    start,
)
from userpool.web.security import set_cookie

_WRONG = "Incorrect operator name or password."
_LOCKED = "Too many failed sign-ins: this account is locked for a while. Try again later."


def _next(page: Page) -> str:
    """Where to go after signing in: a console path only (no open redirect)."""
    target = page.request.query_params.get("next", "")
    ok = target.startswith(PREFIX + "/") and not target.startswith("//") and "\\" not in target and len(target) < 2048
    return target if ok else PREFIX + "/"


async def _form(page: Page, status: int = 200, message: str | None = None) -> Response:
    query = page.request.url.query
    return await page.render(
        "login.html", status, action=f"{PREFIX}/login" + (f"?{query}" if query else ""), message=message, values={}
    )


def make_login(deps: Deps, invoke: Invoke) -> Callable[[Request], Awaitable[Response]]:
    async def login(request: Request) -> Response:
        page = start(deps, invoke, request, "")
        if request.method == "GET":
            return await _form(page)
        refused = await checked_post(page)
        if refused is not None:
            return refused
        try:
            username, password = page.text("username"), page.raw("password")
        except BadForm:
            return await _form(page, 400, _WRONG)
        if not username or not password or len(username) > 128 or len(password) > 256:
            return await _form(page, 400, _WRONG)
        try:
            cookie = await run_in_threadpool(sign_in, make_ctx(deps, request), username, password)
        except SignInRefused as err:
            return await _form(page, 400, _LOCKED if err.locked else _WRONG)
        response = page.redirect(_next(page))
        set_cookie(response, request, SESSION_COOKIE, cookie, SESSION_LIFETIME_SECONDS, path=PREFIX, samesite="strict")
        return response

    return login


async def logout(page: Page) -> Response:
    await run_in_threadpool(sign_out, page.ctx, page.request.cookies.get(SESSION_COOKIE))
    response = page.redirect(f"{PREFIX}/login", "signed_out_console")
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response
