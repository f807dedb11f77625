"""Request bodies held to a size per route before a route reads them (RFC 9110 §15.5.14, 413 Content Too Large).

Starlette reads a body whole when a route asks for it, and python-multipart parses what it is given: a
gibibyte POSTed to any route sat in the worker's memory before the route could look at its size. This ASGI
middleware wraps the whole app. A Content-Length beyond the route's limit is refused before a byte of the body
is read; a body without one (chunked) is counted as it arrives and refused the moment it passes the limit.
Within the limit the body is read here and handed on as one message, so a route never waits on a client: one
that leaves before its body is all there ends the request quietly (the routes' own reading raised
ClientDisconnect into the log).

Refusals close the connection, so the server stops reading what the client still sends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def plain_too_large() -> Response:
    return PlainTextResponse("Request body is too large.", 413)


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """The largest body a route takes, and the answer to a larger one. ``streamed``: the route reads the body
    itself as it arrives (an import file to disk) and counts it against the limit; only a declared
    Content-Length beyond it is refused here."""

    max_bytes: int
    too_large: Callable[[], Response] = plain_too_large
    streamed: bool = False


class _TooLarge(Exception):
    pass


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the HTTP parser refuses such a request before it gets here
    return None


async def _read(receive: Receive, max_bytes: int) -> bytes | None:
    """The whole body, or None if the client left first; _TooLarge as soon as it passes ``max_bytes``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise _TooLarge
        if not message.get("more_body", False):
            if not chunks:
                return chunk  # the usual case: the body came in one message
            chunks.append(chunk)
            return b"".join(chunks)
        chunks.append(chunk)


async def received_body(receive: Receive) -> bytes | None:
    """The whole body of a request behind BodyLimits, which has read it within the route's limit and hands it
    over in one message (or gave a streamed route's chunks on as they came); None if the client left first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the body read already, then whatever the connection says next (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _refuse(response: Response, scope: Scope, receive: Receive, send: Send) -> None:
    # The rest of the body is never read: the connection ends with this answer.
    response.headers["connection"] = "close"
    await response(scope, receive, send)


class BodyLimits:
    """The middleware: ``limit_for(path)`` is the limit of the route at ``path``."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], BodyLimit]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _declared_length(scope)
        if declared is not None and declared > limit.max_bytes:
            await _refuse(limit.too_large(), scope, receive, send)
            return
        if limit.streamed:
            await self.app(scope, receive, send)
            return
        try:
            body = await _read(receive, limit.max_bytes)
        except _TooLarge:
            await _refuse(limit.too_large(), scope, receive, send)
            return
        if body is None:
            return  # the client left: nobody to answer
        await self.app(scope, _replay(body, receive), send)
