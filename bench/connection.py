"""One HTTP/1.1 keep-alive connection on asyncio streams: the load generator's whole transport.

Deliberately small and cheap per request (one write, one ``readuntil`` for the head, one ``readexactly``
for the body) so the client's own CPU stays well below the server's: no header objects, no URL parsing,
no redirects. A connection the server closes (``Connection: close``, or a reset between requests) is
reopened on the next request.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

_HEAD_END = b"\r\n\r\n"
_MAX_HEAD = 64 * 1024


class ConnectionFailed(Exception):
    """The server closed the connection or answered something that is not HTTP/1.1."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: dict[str, str]
    """Lower-case names; a repeated header keeps its last value."""
    body: bytes


class Connection:
    """A keep-alive connection to ``host:port``, opened on first use; one request at a time."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.host_header = f"{host}:{port}"
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=_MAX_HEAD * 4)
        self._reader, self._writer = reader, writer
        return reader, writer

    async def request(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes = b"") -> Response:
        """Send one request (Host and Content-Length are added) and read its whole response."""
        head = [f"{method} {path} HTTP/1.1\r\nHost: {self.host_header}\r\nContent-Length: {len(body)}\r\n"]
        head += [f"{name}: {value}\r\n" for name, value in headers]
        head.append("\r\n")
        payload = "".join(head).encode("latin-1") + body
        reused = self._writer is not None
        try:
            return await self._exchange(payload)
        except (ConnectionError, asyncio.IncompleteReadError, ConnectionFailed):
            self.close()
            if not reused:
                raise
        # The server may close an idle keep-alive connection between requests: retry once on a new one.
        try:
            return await self._exchange(payload)
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            self.close()
            raise ConnectionFailed(f"{type(error).__name__}: {error}") from None

    async def _exchange(self, payload: bytes) -> Response:
        if self._reader is None or self._writer is None:
            reader, writer = await self._open()
        else:
            reader, writer = self._reader, self._writer
        writer.write(payload)
        head = await reader.readuntil(_HEAD_END)
        lines = head[: -len(_HEAD_END)].decode("latin-1").split("\r\n")
        version, _, rest = lines[0].partition(" ")
        if not version.startswith("HTTP/1."):
            raise ConnectionFailed(f"not an HTTP/1.x response: {lines[0][:80]!r}")
        status = int(rest[:3])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await _read_chunked(reader)
        else:
            body = await reader.read()  # HTTP/1.0 style: the body runs to the end of the connection
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close" or version == "HTTP/1.0":
            self.close()
        return Response(status, headers, body)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers expected
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
