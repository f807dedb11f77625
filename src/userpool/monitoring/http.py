"""``GET /metrics``, and the count and time of the routes' requests (README "Monitoring").

``/metrics`` tells nothing about any user: counts and times by operation, sign-in results, queues. Still, it
is answered only on the server's own host names, not on a pool's domain (a prefix domain or a custom domain,
which face the pool's users), and only with the bearer token of ``metrics.token`` when one is set (compared in
constant time). ``metrics.enabled = false`` leaves the route out (404).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from time import perf_counter

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from userpool.monitoring.port import CLIENT_ERROR, SERVER_ERROR, SUCCESS, UNMATCHED_ROUTE, Metrics

PATH = "/metrics"
_REALM = 'Bearer realm="userpool metrics"'


def outcome_of(status: int) -> str:
    """A route's answer as an outcome label: success below 400, then 4xx and 5xx."""
    if status < 400:
        return SUCCESS
    return CLIENT_ERROR if status < 500 else SERVER_ERROR


class RequestMetrics:
    """ASGI middleware: every request of a route (OAuth and OIDC endpoints, hosted pages, console, /healthz,
    /metrics) counted and timed under the route's path template, never the path as requested, with its status
    class. ``POST /`` goes straight through: the API endpoint records it with its operation and ``__type``."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["path"] == "/" and scope["method"] == "POST"):
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            status = status or 500  # Starlette's outermost middleware answers 500
            raise
        finally:
            if status:  # else the client left before any answer
                # Starlette's router leaves the route it matched in the scope: its template is the label.
                route = getattr(scope.get("route"), "path", None) or UNMATCHED_ROUTE
                self.metrics.request(route, outcome_of(status), perf_counter() - start)


def _bearer(authorization: str) -> bytes | None:
    """The token of ``Authorization: Bearer <token>`` (RFC 6750 §2.1; the scheme in any case)."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip().encode("utf-8", "surrogateescape")


def metrics_route(
    exposition: Callable[[], tuple[bytes, str]], token: str, on_pool_domain: Callable[[str], bool]
) -> Route:
    """``GET /metrics``: ``exposition()`` gives the text and its content type; ``on_pool_domain(host)`` tells
    whether a Host header names a pool's domain."""
    expected = token.encode()

    def answer(host: str, authorization: str) -> Response:
        # In a worker thread: the Host's look-up reads the database, a scrape with several workers their files.
        if on_pool_domain(host):
            return PlainTextResponse("Not Found", 404)
        if expected:
            given = _bearer(authorization)
            if given is None:
                return PlainTextResponse("Unauthorized", 401, headers={"WWW-Authenticate": _REALM})
            if not hmac.compare_digest(given, expected):
                invalid = f'{_REALM}, error="invalid_token"'
                return PlainTextResponse("Unauthorized", 401, headers={"WWW-Authenticate": invalid})
        body, content_type = exposition()
        return Response(body, 200, headers={"Cache-Control": "no-store"}, media_type=content_type)

    async def endpoint(request: Request) -> Response:
        return await run_in_threadpool(
            answer, request.headers.get("host", ""), request.headers.get("authorization", "")
        )

    return Route(PATH, endpoint, methods=["GET"])
