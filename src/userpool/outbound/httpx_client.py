"""The OutboundHttp adapter over httpx: the one module that sends the server's own requests to identity
providers. ``app.py`` builds it; nothing else may import it (an import-linter contract).

Every URL passes the identity-provider URL policy (``model/idp_urls.py``) before a connection is made.
Requests go straight to httpx's transport, not through an ``httpx.Client``: nothing keeps cookies between
calls, redirects are never followed (a 3xx is an answer like any other), and no proxy comes from the
environment. One call may take ``timeout`` seconds in all and read at most ``max_body`` bytes. Nothing
about a call is logged but its method, host, status and duration: URLs may carry a client secret in their
query (Facebook's token call), and bodies carry tokens.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from urllib.parse import urlencode, urlsplit

import httpx

from userpool.model.idp_urls import idp_url_refusal
from userpool.outbound.port import Failure, OutboundError, OutboundResponse

log = logging.getLogger("userpool.outbound")

DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_BODY = 1 << 20
USER_AGENT = "userpool"


def operator_url_refusal(url: str) -> str | None:
    """The policy for a URL the operator's settings name (the STS endpoint of identity pools): any http(s) URL, as
    the operator chose it; only its form is checked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "is not an absolute http(s) URL"
    return None


class HttpxOutbound:
    """OutboundHttp over one pooled httpx transport, shared by every thread of the process. ``check_url`` says why
    a URL may not be called (None: it may); the identity-provider URL policy unless another is given."""

    def __init__(
        self,
        allow_http: bool,
        timeout: float = DEFAULT_TIMEOUT,
        max_body: int = DEFAULT_MAX_BODY,
        check_url: Callable[[str], str | None] | None = None,
    ) -> None:
        self.allow_http = allow_http
        self.timeout = timeout
        self.max_body = max_body
        self._check_url = check_url or (lambda url: idp_url_refusal(url, allow_http=allow_http))
        # Made at the first call: its TLS context (the CA bundle read and parsed) took about 40 ms of CPU,
        # which every server start paid, though most servers never call an identity provider.
        self._transport: httpx.HTTPTransport | None = None
        self._lock = threading.Lock()

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> OutboundResponse:
        return self._send("GET", url, headers, None)

    def post_form(
        self, url: str, form: Mapping[str, str], headers: Mapping[str, str] | None = None
    ) -> OutboundResponse:
        body = urlencode(dict(form)).encode()
        sent = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self._send("POST", url, sent, body)

    def close(self) -> None:
        with self._lock:
            transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()

    def _pool(self) -> httpx.HTTPTransport:
        with self._lock:
            if self._transport is None:
                # trust_env: the CA bundle may come from SSL_CERT_FILE; proxies are a Client's, not used here.
                self._transport = httpx.HTTPTransport()
            return self._transport

    def _send(self, method: str, url: str, headers: Mapping[str, str] | None, body: bytes | None) -> OutboundResponse:
        refusal = self._check_url(url)
        if refusal is not None:
            raise OutboundError(Failure.REFUSED_URL, f"The identity provider URL {refusal}")
        transport = self._pool()  # before the clock starts: the first call makes it
        started = time.monotonic()
        try:
            request = httpx.Request(
                method,
                url,
                headers={"User-Agent": USER_AGENT, **(headers or {})},
                content=body,
                extensions={"timeout": httpx.Timeout(self.timeout).as_dict()},
            )
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            raise OutboundError(Failure.REFUSED_URL, "The identity provider URL is not a valid URL") from None
        try:
            response = transport.handle_request(request)
            try:
                content = self._read(response, started + self.timeout)
            finally:
                response.close()
        except httpx.HTTPError as e:
            raise _failure(e) from None
        log.debug("%s %s: %d in %.0f ms", method, request.url.host, response.status_code, _ms_since(started))
        return OutboundResponse(
            status=response.status_code,
            headers={name.lower(): value for name, value in response.headers.items()},
            body=content,
        )

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        """The decoded body, refused once it exceeds ``max_body`` or the call its deadline (a slow
        trickle of bytes would otherwise pass every per-read timeout)."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise OutboundError(Failure.TOO_LARGE, "Response too large")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_body:
                raise OutboundError(Failure.TOO_LARGE, "Response too large")
            if time.monotonic() > deadline:
                raise OutboundError(Failure.TIMEOUT, "Read timed out")
            chunks.append(chunk)
        return b"".join(chunks)


def _failure(error: httpx.HTTPError) -> OutboundError:
    """The OutboundError for what httpx raised, in AWS's words where it has them."""
    if isinstance(error, httpx.ConnectTimeout):
        return OutboundError(Failure.TIMEOUT, "Connect timed out")
    if isinstance(error, httpx.TimeoutException):
        return OutboundError(Failure.TIMEOUT, "Read timed out")
    if isinstance(error, httpx.ConnectError):
        return OutboundError(Failure.CONNECTION, "Could not connect")
    if isinstance(error, httpx.DecodingError):
        return OutboundError(Failure.CONNECTION, "Response could not be decoded")
    return OutboundError(Failure.CONNECTION, "Connection reset")


def _ms_since(started: float) -> float:
    return (time.monotonic() - started) * 1000
