"""The outbound HTTP adapter (outbound/httpx_client.py) against a loopback HTTP server: the URL policy is
applied before connecting, redirects are answers, cookies are not kept, time and size are bounded, and a
secret in a URL is never logged."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from userpool.outbound.httpx_client import HttpxOutbound
from userpool.outbound.port import Failure, OutboundError


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        answer = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()), "body": body}
        self._send(200, json.dumps(answer).encode(), {"Content-Type": "application/json", "X-Seen": "1"})

    def do_GET(self) -> None:
        if self.path == "/redirect":
            self._send(302, b"", {"Location": "/echo", "Set-Cookie": "session=abc; Path=/"})
        elif self.path == "/big":
            self._send(200, b"x" * (64 * 1024 + 1))
        elif self.path == "/big-unannounced":
            self.send_response(200)
            self.end_headers()
            for _ in range(65):
                self.wfile.write(b"y" * 1024)
            self.close_connection = True
        elif self.path == "/slow":
            time.sleep(0.6)
            self._send(200, b"late")
        elif self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Length", "40")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"z")
                self.wfile.flush()
                time.sleep(0.02)
        else:
            self._echo()

    def do_POST(self) -> None:
        self._echo()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def outbound() -> Iterator[HttpxOutbound]:
    client = HttpxOutbound(allow_http=True, timeout=0.3, max_body=64 * 1024)
    yield client
    client.close()


def test_outbound__get_returns_status_lowercased_headers_and_body(outbound: HttpxOutbound, server: str) -> None:
    answer = outbound.get(server + "/echo?x=1", {"Authorization": "Bearer at"})
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.header("X-Seen") == "1"
    sent = json.loads(answer.body)
    assert sent["method"] == "GET" and sent["path"] == "/echo?x=1"
    assert sent["headers"]["Authorization"] == "Bearer at"


def test_outbound__post_form_sends_a_urlencoded_body(outbound: HttpxOutbound, server: str) -> None:
    answer = outbound.post_form(server + "/token", {"grant_type": "authorization_code", "code": "a b&c"})
    sent = json.loads(answer.body)
    assert sent["method"] == "POST"
    assert sent["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent["body"] == "grant_type=authorization_code&code=a+b%26c"


def test_outbound__redirects_are_answers_and_cookies_are_not_kept(outbound: HttpxOutbound, server: str) -> None:
    answer = outbound.get(server + "/redirect")
    assert answer.status == 302 and answer.header("location") == "/echo"
    sent = json.loads(outbound.get(server + "/echo").body)
    assert "Cookie" not in sent["headers"]


@pytest.mark.parametrize(
    ("allow_http", "url", "reason"),
    [
        (False, "http://127.0.0.1:1/x", "must use https"),
        (True, "http://8.8.8.8/x", "may use http or a port other than 443 only on a loopback or private address"),
        (True, "ftp://127.0.0.1/x", "is not an absolute https URL"),
    ],
)
def test_outbound__a_url_the_policy_refuses_is_never_connected_to(
    allow_http: bool, url: str, reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_connection(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("connected")

    monkeypatch.setattr(socket, "create_connection", no_connection)
    with pytest.raises(OutboundError) as refused:
        HttpxOutbound(allow_http=allow_http).get(url)
    assert refused.value.failure is Failure.REFUSED_URL
    assert refused.value.description == f"The identity provider URL {reason}"


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_outbound__an_answer_beyond_the_size_cap_is_refused(outbound: HttpxOutbound, server: str, path: str) -> None:
    with pytest.raises(OutboundError) as refused:
        outbound.get(server + path)
    assert (refused.value.failure, refused.value.description) == (Failure.TOO_LARGE, "Response too large")


@pytest.mark.parametrize("path", ["/slow", "/trickle"])
def test_outbound__an_answer_later_than_the_timeout_is_read_timed_out(
    outbound: HttpxOutbound, server: str, path: str
) -> None:
    with pytest.raises(OutboundError) as refused:
        outbound.get(server + path)
    assert (refused.value.failure, refused.value.description) == (Failure.TIMEOUT, "Read timed out")


def test_outbound__a_closed_port_cannot_be_connected_to(outbound: HttpxOutbound) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(OutboundError) as refused:
        outbound.get(f"http://127.0.0.1:{port}/x")
    assert (refused.value.failure, refused.value.description) == (Failure.CONNECTION, "Could not connect")


def test_outbound__a_secret_in_the_url_or_form_is_not_logged(
    outbound: HttpxOutbound, server: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        outbound.get(server + "/token?client_secret=hush-get")
        outbound.post_form(server + "/token", {"client_secret": "hush-post"})
    assert caplog.records, "the calls are logged"
    assert "hush" not in caplog.text
