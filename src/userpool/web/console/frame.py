"""What every console page shares: the operator's session, the CSRF check of every POST, rendering with the
console's layout, and calling an operation the way the API does (``api/direct.py``) with its errors kept
for the form that caused them.

A console page is a function ``(Page) -> Response`` wrapped by :func:`console_page`, which refuses it without
a live session (to the sign-in page for a GET, 403 for anything else) and refuses a POST whose CSRF token is
not this browser's.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from userpool.context import Ctx, Deps
from userpool.errors import CognitoError, ResourceNotFoundException, UserNotFoundException
from userpool.ids import new_request_id
from userpool.services.console.operators import signed_in_operator
from userpool.web.console.errors import FormErrors, field_errors
from userpool.web.console.wording import NOTICES, when
from userpool.web.security import csrf_ok, csrf_token, new_csrf_cookie, page_headers, set_cookie

log = logging.getLogger("userpool.console")

Invoke = Callable[[Ctx, str, dict[str, Any]], dict[str, Any]]
Handler = Callable[["Page"], Awaitable[Response]]

PREFIX = "/console"
SESSION_COOKIE = "userpool_console"
CSRF_COOKIE = "console_xsrf"
CSRF_FIELD = "_csrf"
MAX_FORM_BYTES = 512 * 1024

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters["when"] = when


class BadForm(ValueError):
    """A request no form of the console could have sent."""


def csrf_key(code_key: bytes) -> bytes:
    # Its own key: a hosted-page token is worth nothing here, nor the reverse.
    return hashlib.sha256(b"userpool-console-csrf:" + code_key).digest()


def make_ctx(deps: Deps, request: Request, operator: str = "") -> Ctx:
    peer = request.client.host if request.client else ""
    return Ctx(
        deps=deps,
        request_id=new_request_id(),
        now=deps.clock.now(),
        region=deps.settings.region,
        caller=f"console:{operator}" if operator else "",
        source_ip=peer,
    )


@dataclass
class Page:
    """One request to a console page."""

    deps: Deps
    invoke: Invoke
    request: Request
    ctx: Ctx
    operator: str
    csrf_cookie: str
    new_csrf: bool
    form: FormData | None = None
    errors: FormErrors = field(default_factory=FormErrors)
    # The pool a page works on when it is not the URL's (a pool the wizard has just created).
    chosen_pool: str = ""

    @property
    def origin(self) -> str:
        """The address the operator has the console open at. The hosted pages answer there too, for any app
        client, and the operator's browser reaches it, which the public URL or a pool domain may not."""
        return f"{self.request.url.scheme}://{self.request.url.netloc}"

    @property
    def pool_id(self) -> str:
        return self.chosen_pool or str(self.request.path_params.get("pool_id", ""))

    def arg(self, name: str, limit: int = 2048) -> str:
        """A query parameter, bounded (every identifier Cognito takes is far shorter)."""
        found = self.request.query_params.get(name, "")
        if len(found) > limit or "\x00" in found:
            raise BadForm(name)
        return found

    def text(self, name: str) -> str:
        """A form field's text ('' when absent); surrounding spaces go, as an operator means no spaces there."""
        raw = self.form.get(name, "") if self.form is not None else ""
        if not isinstance(raw, str):
            raise BadForm(name)
        return raw.strip()

    def raw(self, name: str) -> str:
        """A form field exactly as sent (passwords keep their spaces)."""
        raw = self.form.get(name, "") if self.form is not None else ""
        if not isinstance(raw, str):
            raise BadForm(name)
        return raw

    def checked(self, name: str) -> bool:
        return self.form is not None and self.form.get(name) == "on"

    def values(self, name: str) -> list[str]:
        found = self.form.getlist(name) if self.form is not None else []
        if not all(isinstance(v, str) for v in found):
            raise BadForm(name)
        return [str(v) for v in found]

    async def call(self, operation: str, params: dict[str, Any], fields: dict[str, str] | None = None) -> Any:
        """Run ``operation`` as the API would; on a Cognito error, note it for the form (next to the field its
        message names, through ``fields``: API path -> form field) and return None."""
        try:
            return await run_in_threadpool(self.invoke, self.ctx, operation, params)
        except CognitoError as err:
            self.errors.add(err, field_errors(err.message, fields or {}))
            return None

    async def fetch(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run an operation whose failure ends the page (a missing pool or user: the 404 page)."""
        found: dict[str, Any] = await run_in_threadpool(self.invoke, self.ctx, operation, params)
        return found

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await run_in_threadpool(fn, self.ctx, *args)

    def url(self, path: str, **query: str) -> str:
        q = {k: v for k, v in query.items() if v}
        return f"{PREFIX}{path}" + (f"?{urlencode(q)}" if q else "")

    def pool_url(self, path: str = "", **query: str) -> str:
        return self.url(f"/pools/{self.pool_id}{path}", **query)

    async def render(self, template: str, status: int = 200, notice: str = "", **context: Any) -> Response:
        """The page ``template``, with the notice named by ``notice`` or else by the URL's ``notice``."""
        notice_text = NOTICES.get(notice or self.request.query_params.get("notice", ""))
        context.setdefault("values", {})
        html = templates.get_template(template).render(
            operator=self.operator,
            csrf_field=CSRF_FIELD,
            csrf=csrf_token(csrf_key(self.deps.code_key), self.csrf_cookie),
            url=self.url,
            pool_url=self.pool_url,
            pool_id=self.pool_id,
            path=self.request.url.path,
            notice=notice_text,
            form=self.form or {},
            errors=self.errors,
            **context,
        )
        if self.errors and status == 200:
            status = 400
        return self._finish(HTMLResponse(html, status, headers=page_headers(scripts=True)))

    def redirect(self, url: str, notice: str = "") -> Response:
        if notice:
            url += ("&" if "?" in url else "?") + urlencode({"notice": notice})
        return self._finish(RedirectResponse(url, 303, headers=page_headers()))

    def _finish(self, response: Response) -> Response:
        if self.new_csrf:
            set_cookie(response, self.request, CSRF_COOKIE, self.csrf_cookie, None, path=PREFIX, samesite="strict")
        return response


async def read_form(request: Request, max_bytes: int = MAX_FORM_BYTES) -> FormData:
    """The POST's form, at most ``max_bytes`` as its Content-Length declares (a file in it is spooled to disk
    by python-multipart, not kept in memory)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise BadForm("content type")
    length = request.headers.get("content-length", "")
    if not length.isdigit() or int(length) > max_bytes:
        raise BadForm("size")
    try:
        return await request.form(max_files=1, max_fields=400, max_part_size=MAX_FORM_BYTES)
    except Exception as err:  # python-multipart's errors: a body no browser form sends
        raise BadForm("body") from err


def start(deps: Deps, invoke: Invoke, request: Request, operator: str) -> Page:
    cookie = request.cookies.get(CSRF_COOKIE)
    fresh = not cookie or len(cookie) > 128
    return Page(
        deps=deps,
        invoke=invoke,
        request=request,
        ctx=make_ctx(deps, request, operator),
        operator=operator,
        csrf_cookie=new_csrf_cookie() if fresh or cookie is None else cookie,
        new_csrf=fresh,
    )


async def problem(page: Page, status: int, title: str, message: str) -> Response:
    return await page.render("problem.html", status, title=title, message=message)


async def checked_post(page: Page, max_bytes: int = MAX_FORM_BYTES) -> Response | None:
    """Read the POST's form and check its CSRF token; the refusal page when it is not this browser's."""
    try:
        page.form = await read_form(page.request, max_bytes)
    except BadForm:
        return await problem(page, 400, "Bad request", "The form could not be read.")
    given = page.form.get(CSRF_FIELD)
    key = csrf_key(page.deps.code_key)
    if page.new_csrf or not isinstance(given, str) or not csrf_ok(key, page.csrf_cookie, given):
        await page.form.close()
        page.form = None
        return await problem(
            page, 403, "Request refused", "This form did not come from this console. Reload the page and try again."
        )
    return None


def console_page(
    deps: Deps, invoke: Invoke, handler: Handler, max_form_bytes: int = MAX_FORM_BYTES
) -> Callable[[Request], Awaitable[Response]]:
    """A console page behind the operator sign-in (session, CSRF on every POST: docs/architecture.md, Security
    invariants); its forms at most ``max_form_bytes``."""

    async def endpoint(request: Request) -> Response:
        ctx = make_ctx(deps, request)
        operator = await run_in_threadpool(signed_in_operator, ctx, request.cookies.get(SESSION_COOKIE))
        if operator is None:
            if request.method == "GET":
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"{PREFIX}/login?{urlencode({'next': target})}", 303, headers=page_headers())
            return Response("Sign in to the console first.", 403, headers=page_headers(), media_type="text/plain")
        page = start(deps, invoke, request, operator)
        if request.method == "POST":
            refused = await checked_post(page, max_form_bytes)
            if refused is not None:
                return refused
        try:
            return await handler(page)
        except BadForm:
            return await problem(page, 400, "Bad request", "The request could not be read.")
        except (ResourceNotFoundException, UserNotFoundException) as err:
            page.errors.clear()
            return await problem(page, 404, "Not found", err.message)
        except CognitoError as err:
            page.errors.clear()
            return await problem(page, 400, "Refused", err.message)
        finally:
            if page.form is not None:
                await page.form.close()  # an uploaded file's spooled temporary file

    return endpoint
