"""Lambda handler modules served as userpool's trigger webhooks, on a loopback port in the test process.

``POST /<module>`` calls ``<package>.<module>.handler(event, context)`` with the event JSON, after checking
the request's ``X-Userpool-Signature`` (HMAC-SHA256 of the body) with the shared secret. The returned
value goes back as JSON; a raised exception as a Lambda-style ``{"errorMessage", "errorType"}`` with 500.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# How often serve_forever looks for shutdown(): its default (0.5 s) is what each stop would wait.
POLL_SECONDS = 0.005


class WebhookContext:
    """What a Lambda handler reads from its context, for a function reached through the webhook."""

    def __init__(self, arn: str, timeout_seconds: float = 5.0) -> None:
        self.function_name = arn.split(":")[6]
        self.function_version = "$LATEST"
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = "128"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    package = ""
    secret = b""
    refused = 0

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A handler still running after userpool gave up writes to a closed socket: expected here.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = "sha256=" + hmac.new(self.server.secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(self.headers.get("X-Userpool-Signature", ""), expected):
            self.server.refused += 1
            self._answer(401, {"message": "bad signature"})
            return
        module = importlib.import_module(f"{self.server.package}.{self.path.strip('/')}")
        context = WebhookContext(self.headers["X-Userpool-Function-Arn"])
        try:
            result = module.handler(json.loads(body), context)
        except Exception as exc:
            self._answer(500, {"errorMessage": str(exc), "errorType": type(exc).__name__})
            return
        self._answer(200, result)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def lambda_webhook(package: str, secret: str) -> Iterator[tuple[str, _Server]]:
    """Serve the handler modules of ``package``; yields the base URL and the server."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.package, server.secret = package, secret.encode()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.shutdown()
        server.server_close()
