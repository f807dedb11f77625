"""What every pool-domain endpoint needs from a request: a Ctx, the pool of the Host, the parameters once
each, the form body and the client authentication it carries, and the URL it was reached at."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Protocol
from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Address
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope

from userpool.body_limits import received_body
from userpool.context import Ctx, Deps
from userpool.ids import new_request_id
from userpool.model.oauth_requests import MAX_PARAMETER, OAuthError
from userpool.oauth.errors import token_error
from userpool.services.hosted.oauth_clients import ClientCredentials, domain_pool

MAX_FORM_BYTES = 65_536
FORM_TYPE = "application/x-www-form-urlencoded"


class FormRequest(Protocol):
    """What the form endpoints read of a request: Starlette's Request, or :class:`RawRequest`."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def client(self) -> Address | None: ...

    async def body(self) -> bytes: ...


class RawRequest:
    """A request's headers, peer and body read straight from its ASGI scope and messages, for an endpoint that
    answers many requests a second (``/oauth2/token``): Starlette's Request looks each header up by scanning
    and decoding them all again, and its body and form readers add their own layers.

    A header sent more than once reads as its first value, as Starlette's ``Headers.get`` gives it."""

    __slots__ = ("_receive", "client", "headers")

    def __init__(self, scope: Scope, receive: Receive) -> None:
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name = raw_name.decode("latin-1")
            if name not in headers:
                headers[name] = raw_value.decode("latin-1")
        self.headers = headers
        peer = scope.get("client")
        self.client = Address(*peer) if peer else None
        self._receive = receive

    async def body(self) -> bytes:
        """The whole body (body_limits.py ``received_body``); an empty one if the client left."""
        return await received_body(self._receive) or b""


def make_ctx(deps: Deps, request: FormRequest) -> Ctx:
    peer = request.client.host if request.client else ""
    return Ctx(
        deps=deps,
        request_id=new_request_id(),
        now=deps.clock.now(),
        region=deps.settings.region,
        source_ip=peer,
        user_agent=request.headers.get("user-agent", ""),
    )


async def request_pool(ctx: Ctx, request: Request) -> str | None:
    """The pool whose domain the request's Host names; None on the server's plain URL."""
    return await run_in_threadpool(domain_pool, ctx, request.headers.get("host", ""))


def once_each(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Parameters as a dict; a parameter sent twice is invalid_request (RFC 6749 §3.1, §3.2)."""
    params: dict[str, str] = {}
    for key, value in items:
        if key in params:
            raise OAuthError("invalid_request", f"The {key} parameter was sent more than once.")
        params[key] = value
    return params


def too_large() -> Response:
    """The answer to a body beyond MAX_FORM_BYTES, refused before it is read (body_limits.py): RFC 6749 §5.2's
    invalid_request, with HTTP's status for it (413)."""
    return token_error(OAuthError("invalid_request", "The request body is too large.", 413), used_basic=False)


async def read_form(request: FormRequest, max_bytes: int = MAX_FORM_BYTES) -> dict[str, str]:
    """The urlencoded body of a POST; invalid_request for anything else or more than ``max_bytes`` of it."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise OAuthError("invalid_request", f"The request body must be {FORM_TYPE}.")
    body = await request.body()
    if len(body) > max_bytes:
        raise OAuthError("invalid_request", "The request body is too large.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "The request body is not valid form data.") from None
    # Split as parse_qsl(text, keep_blank_values=True) splits, unescaping only the names and values that have
    # an escape in them: at a third of its cost when none has, two thirds when a scope's "/" is escaped.
    return once_each(_pair(part) for part in text.split("&") if part)


def _pair(part: str) -> tuple[str, str]:
    name, _, value = part.partition("=")
    return _unescaped(name), _unescaped(value)


def _unescaped(text: str) -> str:
    """A name or value of a form: "+" is a space, %XX a byte of UTF-8 (an invalid sequence reads as U+FFFD)."""
    if "%" in text or "+" in text:
        return unquote(text.replace("+", " "))
    return text


def client_credentials(request: FormRequest, form: dict[str, str]) -> ClientCredentials:
    """HTTP Basic (client_secret_basic, RFC 6749 §2.3.1: both parts form-urlencoded) or the form's
    client_id / client_secret (client_secret_post); both at once is refused."""
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        if "client_secret" in form:
            raise OAuthError("invalid_request", "Use one client authentication method only.")
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise OAuthError("invalid_client", "Malformed Basic credentials.", 401) from None
        client_id, colon, secret = decoded.partition(":")
        if not colon or len(decoded) > MAX_PARAMETER:
            raise OAuthError("invalid_client", "Malformed Basic credentials.", 401)
        client_id, secret = unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))
        if form.get("client_id") not in (None, client_id):
            raise OAuthError("invalid_request", "client_id does not match the Basic credentials.")
        return ClientCredentials(client_id, secret, basic=True)
    return ClientCredentials(form.get("client_id") or None, form.get("client_secret"), basic=False)


def used_basic(request: FormRequest) -> bool:
    return request.headers.get("authorization", "")[:6].lower() == "basic "


def reached_at(ctx: Ctx, request: Request, on_domain: bool) -> str:
    """The base URL the request reached: a pool domain keeps its own host; on the plain server the public
    URL when one is configured (behind a proxy the request's own host may be an internal one)."""
    host = request.headers.get("host", "")
    settings = ctx.settings
    if not on_domain and settings.public_url:
        return settings.base_url
    scheme = "https" if request.url.scheme == "https" or settings.base_url.startswith("https:") else "http"
    if not host or any(c in host for c in "/\\@ \t\"'<>"):
        return settings.base_url
    return f"{scheme}://{host}"
