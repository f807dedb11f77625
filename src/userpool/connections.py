"""How ``userpool serve`` holds its connections to time, size and number against slow and idle clients
(slowloris), and sends HSTS when it serves HTTPS itself.

uvicorn closes a keep-alive connection that stays idle and can answer 503 beyond a number of connections
(``limit_concurrency``), but it gives a request all the time it takes and its headers all the memory they
take: a connection that never sends a byte, or trickles its headers or its body, stays open for ever, and one
endless header line grows the worker without bound (its HTTP parser keeps the partial line). The protocol
here adds these limits to uvicorn's httptools protocol: a request's headers must be complete
``header_timeout`` seconds after its first byte (or the connection's opening) and within MAX_HEADER_BYTES
(else 431, RFC 6585 §5), its body ``body_timeout`` seconds after its headers (else 408, RFC 9110 §15.5.9);
either way the connection is then closed. Bodies are held to a size by body_limits.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from userpool.config import Settings
from userpool.model.import_jobs import UPLOAD_PREFIX, URL_SECONDS

# The most a request's line and headers may take, as on AWS's load balancers (64 KB for all headers).
MAX_HEADER_BYTES = 64 * 1024


def _plain_answer(status: bytes, text: bytes) -> bytes:
    return (
        b"HTTP/1.1 %s\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s"
        % (status, len(text), text)
    )


_HEADERS_TOO_LARGE = _plain_answer(b"431 Request Header Fields Too Large", b"Request headers are too large.\n")
_BODY_TOO_SLOW = _plain_answer(b"408 Request Timeout", b"The request body did not arrive in time.\n")


class _OneSend:
    """A connection's transport as its response cycles see it. uvicorn writes an answer's status line and headers
    as soon as the app starts the answer, and its body when the app sends it: two sends, two TCP segments and
    two wake-ups of the client, for the API's answers that fit in one. The head is held here until the body's
    first bytes (or the answer's end, or the connection's) and sent with them."""

    __slots__ = ("_held", "_transport", "_waiting")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._held = b""
        # Between the start of a cycle and its first write: the next write is that answer's head.
        self._waiting = False

    def expect_head(self) -> None:
        self.flush()
        self._waiting = True

    def write(self, data: bytes) -> None:
        if self._held:
            data, self._held = self._held + data, b""
        elif self._waiting and not data.startswith(b"HTTP/1.1 100 "):  # an interim 100 Continue goes at once
            self._waiting = False
            self._held = data
            return
        self._transport.write(data)

    def flush(self) -> None:
        if self._held:
            held, self._held = self._held, b""
            self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _TimedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for each request's headers and body, and a size limit for
    its headers. The timers are armed only while a request is incomplete at the end of what has arrived."""

    header_timeout = 10.0
    body_timeout = 30.0
    # A user import file (up to 100 MB) PUT to its pre-signed URL may take as long as the URL is valid: its route
    # has checked the URL's signature before the body is read, so only a holder of a valid URL gets this long.
    upload_body_timeout = float(URL_SECONDS)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._one_send = _OneSend(transport)
        self._head_deadline: asyncio.TimerHandle | None = None
        self._body_deadline: asyncio.TimerHandle | None = None
        self._awaiting_head = False
        self._head_bytes = 0
        self._heads_begun = 0
        self._arm_head_deadline()  # a connection that sends nothing is closed too

    def _arm_head_deadline(self) -> None:
        if self._head_deadline is None:
            self._head_deadline = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def _disarm(self) -> None:
        for deadline in (self._head_deadline, self._body_deadline):
            if deadline is not None:
                deadline.cancel()
        self._head_deadline = self._body_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self._one_send.close()

    def _body_too_slow(self) -> None:
        self._body_deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_started:
            self._one_send.write(_BODY_TOO_SLOW)
        # The request's task, waiting for the body, then reads a disconnect and ends without a word.
        self._one_send.close()  # after whatever it holds

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._awaiting_head = True
        self._head_bytes = 0
        self._heads_begun += 1
        self._arm_head_deadline()

    def on_headers_complete(self) -> None:
        self._awaiting_head = False
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None
        super().on_headers_complete()
        if self.cycle is not None:
            # The cycle's task has not run yet: its answer goes out through _OneSend from its first write.
            self.cycle.transport = self._one_send  # type: ignore[assignment]
            self._one_send.expect_head()

    def on_response_complete(self) -> None:
        self._one_send.flush()  # an answer without a body (HEAD, 204, 304) has its head held still
        super().on_response_complete()

    def on_message_complete(self) -> None:
        if self._body_deadline is not None:
            self._body_deadline.cancel()
            self._body_deadline = None
        super().on_message_complete()

    def data_received(self, data: bytes) -> None:
        if self.cycle is None or self.cycle.response_complete:
            # The next request's first bytes, though they may be empty lines the parser skips without
            # beginning a message (RFC 9112 §2.2): its header clock starts now.
            self._arm_head_deadline()
        counting, heads_begun = self._awaiting_head, self._heads_begun
        super().data_received(data)
        if self.transport.is_closing():
            return
        if self._awaiting_head:
            # All of this chunk is header bytes when the same head was awaited before it and still is after
            # it. A head that began inside the chunk is counted from the next one: a chunk is at most 256 KiB,
            # so what goes uncounted is bounded too.
            if counting and heads_begun == self._heads_begun:
                self._head_bytes += len(data)
            if self._head_bytes > MAX_HEADER_BYTES:
                self._disarm()
                self._one_send.write(_HEADERS_TOO_LARGE)
                self._one_send.close()
        elif self.cycle is not None and self.cycle.more_body and self._body_deadline is None:
            uploading = str(self.cycle.scope.get("path", "")).startswith(UPLOAD_PREFIX)
            timeout = max(self.body_timeout, self.upload_body_timeout) if uploading else self.body_timeout
            self._body_deadline = self.loop.call_later(timeout, self._body_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def http_protocol(settings: Settings) -> type[asyncio.Protocol]:
    """The protocol class to give uvicorn (its ``http`` option), with the settings' timeouts. Made in the
    process that serves: a class made at run time does not pickle into a worker process."""
    timeouts = {"header_timeout": settings.header_timeout_seconds, "body_timeout": settings.body_timeout_seconds}
    return type("TimedProtocol", (_TimedProtocol,), timeouts)


def server_options(settings: Settings, serves_tls: bool) -> dict[str, Any]:
    """uvicorn's options for the settings' keep-alive timeout, connection limit and, when it serves HTTPS
    itself, Strict-Transport-Security (RFC 6797 §7.2: never over plain HTTP)."""
    headers = []
    if serves_tls and settings.hsts_max_age_seconds > 0:
        headers.append(("Strict-Transport-Security", f"max-age={settings.hsts_max_age_seconds}"))
    return {
        "timeout_keep_alive": settings.keep_alive_timeout_seconds,
        "limit_concurrency": settings.max_connections or None,
        "headers": headers,
    }
