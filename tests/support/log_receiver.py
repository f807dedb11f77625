"""An HTTP endpoint on loopback standing in for a log collector: it keeps every POST (path, content type and
JSON body), for the webhook and OTLP log sinks to deliver to."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# How often serve_forever looks for shutdown(): its default (0.5 s) is what each stop would wait.
POLL_SECONDS = 0.005


@dataclass(frozen=True)
class Received:
    path: str
    content_type: str
    body: Any


class LogReceiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.url = ""
        self._lock = threading.Lock()

    def posts(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]


@contextmanager
def log_receiver() -> Iterator[LogReceiver]:
    receiver = LogReceiver()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with receiver._lock:
                receiver.received.append(Received(self.path, self.headers.get("Content-Type", ""), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
