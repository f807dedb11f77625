"""An HTTP endpoint on loopback standing in for an SMS gateway: the server's webhook SMS sender POSTs each
message to it as JSON ``{"to", "message", "id"}``."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# How often serve_forever looks for shutdown(): its default (0.5 s) is what each stop would wait.
POLL_SECONDS = 0.005


class SmsGateway:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.url = ""

    def wait_for(self, count: int, server: Any) -> list[dict[str, Any]]:
        """The first ``count`` messages, delivering the outbox until they arrive (10 s at most); ``server`` is
        a tests.conftest.Server."""
        deadline = time.monotonic() + 10
        while len(self.received) < count and time.monotonic() < deadline:
            server.runtime.dispatcher.drain()
            time.sleep(0.02)
        assert len(self.received) >= count, f"expected {count} SMS, got {len(self.received)}"
        return self.received[:count]

    def next_code(self, server: Any) -> str:
        """The six-digit code of the next message not read yet."""
        message = self.wait_for(self._read + 1, server)[self._read]
        self._read += 1
        found = re.search(r"\b(\d{6})\b", str(message["message"]))
        assert found, message
        return found.group(1)

    _read = 0


@contextmanager
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            gateway.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True).start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
