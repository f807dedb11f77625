"""A web server on loopback that answers the documents a test puts at its paths: what a server fetches from an
identity provider when it is configured (an OpenID Provider configuration, SAML metadata), for a server that
allows http identity-provider URLs on loopback addresses."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Documents:
    """What the loopback web server answers, by path: (status, body)."""

    base: str = ""
    by_path: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    # A request for one of these paths is answered only once its event is set (and it says it arrived).
    held: dict[str, tuple[threading.Event, threading.Event]] = field(default_factory=dict)

    def put(self, path: str, body: Any, status: int = 200) -> None:
        raw = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
        self.by_path[path] = (status, raw)

    def discovery(self, issuer_path: str, **overrides: Any) -> str:
        """An OpenID Provider configuration (OpenID Connect Discovery 1.0 §3) for the issuer at ``issuer_path``;
        the issuer."""
        issuer = self.base + issuer_path
        document = {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/auth",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/me",
            "jwks_uri": f"{issuer}/jwks",
            "response_types_supported": ["code"],
            **overrides,
        }
        self.put(f"{issuer_path}/.well-known/openid-configuration", {k: v for k, v in document.items() if v})
        return issuer


@contextmanager
def serving_documents() -> Iterator[Documents]:
    """The loopback web server, answering what is put in the yielded ``Documents``, until the block ends."""
    found = Documents()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path in found.held:
                arrived, release = found.held[self.path]
                arrived.set()
                release.wait(timeout=30)
            status, body = found.by_path.get(self.path, (404, b"not found"))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    found.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        httpd.shutdown()
        httpd.server_close()
