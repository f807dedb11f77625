"""``userpool serve`` against clients that misbehave on purpose: bodies and headers far larger than any route
takes, bodies sent with a Content-Length or chunked without one, clients that leave in the middle of a form,
that trickle their headers or body (slowloris) or open more connections than a worker holds. The worker's
memory must stay flat, its log clean, and a slow client cut off.

Large bodies are produced lazily and sent over a raw socket, so the test holds a megabyte at a time; it stops
as soon as the server answers, closes, or grows (a server that reads a gibibyte would take it all and the
test minutes with it).
"""

from __future__ import annotations

import http.client
import json
import select
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.support.bridge import free_port
from tests.support.processes import Served, admin, server_environment, serving, stop

# One pytest-xdist worker runs the module, so that the server of ``limited`` below starts once, not once per worker.
pytestmark = [pytest.mark.socket, pytest.mark.xdist_group("http_limits")]

MIB = 1 << 20
GIB = 1 << 30
CHUNK = b"a" * MIB
# How much a worker's resident memory may grow, at its peak, while it refuses a gibibyte.
GROWTH_LIMIT = 20 * MIB
CALLBACK = "http://localhost:8123/callback"
FORM = "application/x-www-form-urlencoded"
# The limits the server under test runs with: short timeouts, a keep-alive longer than the default (5 s).
SLOW_CLIENT_SECONDS = 1
KEEP_ALIVE_SECONDS = 30
MAX_CONNECTIONS = 8
# Long past SLOW_CLIENT_SECONDS: a client still connected by then was never cut off.
CUT_OFF_WITHIN = 15.0


@dataclass
class Limited:
    """A one-worker server and a hosted-UI client of one of its pools."""

    served: Served
    port: int
    login: str  # /login with a valid authorization request: the page reads its form

    @property
    def pid(self) -> int:
        return self.served.process.pid


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Limited]:
    data = tmp_path_factory.mktemp("limits") / "data"
    limits = {
        "USERPOOL_HEADER_TIMEOUT_SECONDS": str(SLOW_CLIENT_SECONDS),
        "USERPOOL_BODY_TIMEOUT_SECONDS": str(SLOW_CLIENT_SECONDS),
        "USERPOOL_KEEP_ALIVE_TIMEOUT_SECONDS": str(KEEP_ALIVE_SECONDS),
        "USERPOOL_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
    }
    with serving(data, f"sqlite:///{data / 'userpool.sqlite3'}", workers=1, **limits) as served:
        idp = admin(served.url)
        pool_id = idp.create_user_pool(PoolName="limits")["UserPool"]["Id"]
        client = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="web",
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid"],
            CallbackURLs=[CALLBACK],
            SupportedIdentityProviders=["COGNITO"],
        )["UserPoolClient"]
        query = urlencode({"client_id": client["ClientId"], "response_type": "code", "redirect_uri": CALLBACK})
        yield Limited(served, int(served.url.rsplit(":", 1)[1]), f"/login?{query}")


def _routes(limited: Limited) -> list[tuple[str, dict[str, str]]]:
    """A route of each kind that reads a body, with the headers that get it read: the API, an OAuth
    endpoint, a hosted page and the console."""
    return [
        (
            "/",
            {
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
            },
        ),
        ("/oauth2/token", {"Content-Type": FORM}),
        (limited.login, {"Content-Type": FORM}),
        ("/console/login", {"Content-Type": FORM}),
    ]


def _memory(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        line = next(line for line in f if line.startswith(field + ":"))
    return int(line.split()[1]) * 1024


def _reset_peak(pid: int) -> bool:
    """Start the process's peak resident memory (VmHWM) afresh; False where the kernel does not allow it."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def _head(limited: Limited, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{limited.port}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass
class Answer:
    status: int
    body: bytes


def _answer(sock: socket.socket) -> Answer | None:
    """The server's answer on ``sock``, or None when it closed without one."""
    response = http.client.HTTPResponse(sock, method="POST")
    try:
        response.begin()
        return Answer(response.status, response.read())
    except (OSError, http.client.HTTPException):
        return None


@dataclass
class Streamed:
    response: Answer | None
    sent: int
    peak_growth: int


def _stream_a_gibibyte(limited: Limited, path: str, headers: dict[str, str], chunked: bool, idle: int) -> Streamed:
    """POST a gibibyte, made a megabyte at a time; stop when the server answers or closes, or (without waiting
    for an answer then) when it grows past ``idle`` + GROWTH_LIMIT."""
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(GIB)}
    peak = idle
    sent = 0
    with socket.create_connection(("127.0.0.1", limited.port), timeout=30) as sock:
        sock.sendall(_head(limited, path, {**headers, **framing}))
        while sent < GIB and not select.select([sock], [], [], 0)[0]:
            peak = max(peak, _memory(limited.pid, "VmRSS"))
            if peak - idle > GROWTH_LIMIT:
                return Streamed(None, sent, peak - idle)
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK) if chunked else CHUNK)
            except OSError:
                break  # the server closed the connection
            sent += len(CHUNK)
        else:
            if sent == GIB and chunked:
                sock.sendall(b"0\r\n\r\n")
        response = _answer(sock)
    time.sleep(0.2)  # what the worker does with the bytes still in flight
    peak = max(peak, _memory(limited.pid, "VmRSS"), _memory(limited.pid, "VmHWM"))
    return Streamed(response, sent, peak - idle)


def _send_small(limited: Limited, path: str, headers: dict[str, str], body: bytes) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", limited.port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def test_serve__a_gibibyte_post_to_any_route_is_refused_and_the_worker_stays_small(limited: Limited) -> None:
    routes = _routes(limited)
    # Every route once with a small body and once refused, so that what is built on first use is there.
    for path, headers in routes:
        _send_small(limited, path, headers, b"a=b")
        _stream_a_gibibyte(limited, path, headers, False, _memory(limited.pid, "VmRSS"))
    _reset_peak(limited.pid)
    idle = _memory(limited.pid, "VmRSS")
    for path, headers in routes:
        for chunked in (False, True):
            streamed = _stream_a_gibibyte(limited, path, headers, chunked, idle)
            case = f"{path.split('?')[0]} {'chunked' if chunked else 'with Content-Length'}"
            assert streamed.peak_growth <= GROWTH_LIMIT, f"{case}: grew {streamed.peak_growth / MIB:.0f} MiB"
            assert streamed.sent < GIB, f"{case}: the server read all of it"
            assert streamed.response is not None, f"{case}: no answer"
            assert streamed.response.status == 413, case
            if path == "/":  # Cognito's error shape, as boto3 reads it
                body = json.loads(streamed.response.body)
                assert body == {"__type": "SerializationException", "message": "Request body is too large."}
            if path == "/oauth2/token":  # RFC 6749 §5.2's, as OAuth clients read it
                assert json.loads(streamed.response.body)["error"] == "invalid_request"
    assert "Traceback" not in limited.served.log_tail(400)


def test_serve__a_client_that_leaves_in_the_middle_of_a_form_leaves_no_traceback(limited: Limited) -> None:
    log = Path(limited.served.log_path)
    before = len(log.read_text(errors="replace"))
    for path, headers in _routes(limited):
        with socket.create_connection(("127.0.0.1", limited.port), timeout=30) as sock:
            sock.sendall(_head(limited, path, {**headers, "Content-Length": "1000"}) + b"username=alice&pass")
            time.sleep(0.2)  # the request is being read when the client goes
    # The server is still well, and by now done with those requests.
    assert _send_small(limited, "/oauth2/token", {"Content-Type": FORM}, b"grant_type=x").status == 400
    time.sleep(0.2)
    written = log.read_text(errors="replace")[before:]
    assert "Traceback" not in written and "ERROR" not in written, written


def test_serve__a_gibibyte_of_headers_is_refused_and_the_worker_stays_small(limited: Limited) -> None:
    _reset_peak(limited.pid)
    idle = _memory(limited.pid, "VmRSS")
    peak, sent = idle, 0
    with socket.create_connection(("127.0.0.1", limited.port), timeout=30) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: ")
        while sent < GIB and not select.select([sock], [], [], 0)[0]:
            peak = max(peak, _memory(limited.pid, "VmRSS"))
            if peak - idle > GROWTH_LIMIT:
                break
            try:
                sock.sendall(CHUNK)
            except OSError:
                break
            sent += len(CHUNK)
        answer = _answer(sock) if peak - idle <= GROWTH_LIMIT else None
    peak = max(peak, _memory(limited.pid, "VmHWM"))
    assert peak - idle <= GROWTH_LIMIT, f"grew {(peak - idle) / MIB:.0f} MiB"
    assert answer is not None and answer.status == 431


def _until_closed(sock: socket.socket, trickle: bytes) -> bytes | None:
    """Send ``trickle`` over and over, a byte at a time, ten a second, until the server closes the connection:
    what it sent before closing; None if it has not closed after CUT_OFF_WITHIN seconds."""
    deadline = time.monotonic() + CUT_OFF_WITHIN
    received = b""
    sent = 0
    while time.monotonic() < deadline:
        if select.select([sock], [], [], 0.1)[0]:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                return received
            if not data:
                return received
            received += data
        elif trickle:
            try:
                sock.send(trickle[sent % len(trickle) :][:1])
            except OSError:
                return received
            sent += 1
    return None


def test_serve__a_client_that_trickles_its_headers_or_sends_none_is_cut_off(limited: Limited) -> None:
    with socket.create_connection(("127.0.0.1", limited.port), timeout=30) as silent:
        assert _until_closed(silent, b"") == b"", "a connection that never sent a byte was kept open"
    with socket.create_connection(("127.0.0.1", limited.port), timeout=30) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        assert _until_closed(slow, b"X-Slow: yes\r\n") == b"", "headers trickled for ever"
    with socket.create_connection(("127.0.0.1", limited.port), timeout=30) as again:
        again.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert _answer(again) is not None
        again.sendall(b"GET /healthz HTTP/1.1\r\n")  # the next request on the same connection
        assert _until_closed(again, b"X-Slow: yes\r\n") == b"", "the second request's headers trickled for ever"
    with socket.create_connection(("127.0.0.1", limited.port), timeout=30) as blank:
        blank.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert _answer(blank) is not None
        # Empty lines before a request line are skipped (RFC 9112 §2.2), yet they are bytes of the next request.
        assert _until_closed(blank, b"\r\n") == b"", "empty lines held the connection for ever"


def test_serve__a_client_that_trickles_its_body_gets_408(limited: Limited) -> None:
    with socket.create_connection(("127.0.0.1", limited.port), timeout=30) as sock:
        sock.sendall(_head(limited, "/oauth2/token", {"Content-Type": FORM, "Content-Length": "1000"}) + b"grant")
        received = _until_closed(sock, b"_type=client_credentials&")
    assert received is not None, "the body trickled for ever"
    assert received.startswith(b"HTTP/1.1 408 "), received


def test_serve__an_idle_keep_alive_connection_lasts_as_configured(limited: Limited) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", limited.port, timeout=30)
    try:
        connection.request("GET", "/healthz")
        first = connection.getresponse()
        first.read()
        time.sleep(6)  # idle past uvicorn's default keep-alive (5 s), within the configured one
        assert connection.sock is not None and not select.select([connection.sock], [], [], 0)[0], "closed"
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200
    finally:
        connection.close()


def test_serve__requests_beyond_the_connection_limit_get_503(limited: Limited) -> None:
    idle = [http.client.HTTPConnection("127.0.0.1", limited.port, timeout=30) for _ in range(MAX_CONNECTIONS)]
    try:
        for connection in idle:  # a request each: the server has taken every one of them
            connection.request("GET", "/healthz")
            connection.getresponse().read()
        assert _send_small(limited, "/oauth2/token", {"Content-Type": FORM}, b"grant_type=x").status == 503
    finally:
        for connection in idle:
            connection.close()
    deadline = time.monotonic() + CUT_OFF_WITHIN
    while _send_small(limited, "/oauth2/token", {"Content-Type": FORM}, b"grant_type=x").status == 503:
        assert time.monotonic() < deadline, "the closed connections still count"
        time.sleep(0.1)


def _answers(sock: socket.socket, count: int) -> list[tuple[bytes, bytes]]:
    """``count`` answers (head, body) read off ``sock``, each body as long as its Content-Length says."""
    data, found = b"", list[tuple[bytes, bytes]]()
    while len(found) < count:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, f"closed after {len(found)} answers"
            data += chunk
        head, data = data.split(b"\r\n\r\n", 1)
        lengths = [
            line.split(b":", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        ]
        length = int(lengths[0]) if lengths else 0
        while len(data) < length:
            chunk = sock.recv(65536)
            assert chunk, "closed in a body"
            data += chunk
        found.append((head, data[:length]))
        data = data[length:]
    return found


def _get_user_request(limited: Limited, token: str) -> bytes:
    body = json.dumps({"AccessToken": token}).encode()
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser",
        "Content-Length": str(len(body)),
    }
    return _head(limited, "/", headers) + body


def test_serve__pipelined_requests_get_their_answers_whole_and_in_order(limited: Limited) -> None:
    # An answer's head is sent with its body (connections.py _OneSend): three requests in one packet, API, page
    # and API again, get three answers, each with its own head and body.
    with socket.create_connection(("127.0.0.1", limited.port), timeout=30) as sock:
        healthz = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{limited.port}\r\n\r\n".encode()
        sock.sendall(_get_user_request(limited, "first.x.y") + healthz + _get_user_request(limited, "third.x.y"))
        answers = _answers(sock, 3)
    assert [head.split(b"\r\n")[0] for head, _ in answers] == [
        b"HTTP/1.1 400 Bad Request",
        b"HTTP/1.1 200 OK",
        b"HTTP/1.1 400 Bad Request",
    ]
    assert json.loads(answers[0][1])["__type"] == json.loads(answers[2][1])["__type"] == "NotAuthorizedException"
    assert json.loads(answers[1][1]) == {"status": "ok"}


def test_serve__an_answer_without_a_body_is_sent_and_the_connection_goes_on(limited: Limited) -> None:
    with socket.create_connection(("127.0.0.1", limited.port), timeout=30) as sock:
        sock.sendall(f"HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1:{limited.port}\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, "closed before the head of a HEAD answer"
            data += chunk
        assert data.startswith(b"HTTP/1.1 200 "), data
        sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{limited.port}\r\n\r\n".encode())
        ((head, body),) = _answers(sock, 1)
    assert head.startswith(b"HTTP/1.1 200 ") and json.loads(body) == {"status": "ok"}


def test_serve__expect_100_continue_is_answered_before_the_body_is_sent(limited: Limited) -> None:
    request = _get_user_request(limited, "x.y.z")
    head, body = request.split(b"\r\n\r\n", 1)
    with socket.create_connection(("127.0.0.1", limited.port), timeout=30) as sock:
        sock.sendall(head + b"\r\nExpect: 100-continue\r\n\r\n")
        interim = sock.recv(65536)  # nothing else can come: the server waits for the body
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n", interim
        sock.sendall(body)
        ((answer, payload),) = _answers(sock, 1)
    assert answer.startswith(b"HTTP/1.1 400 ") and json.loads(payload)["__type"] == "NotAuthorizedException"


def test_serve__answers_over_https_carry_hsts_and_over_plain_http_do_not(limited: Limited, tmp_path: Path) -> None:
    plain = http.client.HTTPConnection("127.0.0.1", limited.port, timeout=30)
    plain.request("GET", "/healthz")
    assert plain.getresponse().getheader("strict-transport-security") is None
    plain.close()

    data, port = tmp_path / "data", free_port()
    log_path = tmp_path / "tls-server.log"
    env = server_environment(data, f"sqlite:///{data / 'userpool.sqlite3'}", port, 1)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "userpool", "serve", "--tls", "self-signed"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    served = Served(process, f"https://localhost:{port}", log_path)
    try:
        deadline = time.monotonic() + 60
        while "Uvicorn running on https://" not in log_path.read_text(errors="replace"):  # listening now
            assert process.poll() is None and time.monotonic() < deadline, served.log_tail()
            time.sleep(0.1)
        trusted = ssl.create_default_context(cafile=str(data / "tls" / "ca.pem"))
        secure = http.client.HTTPSConnection("localhost", port, context=trusted, timeout=30)
        secure.request("GET", "/healthz")
        answer = secure.getresponse()
        assert answer.status == 200
        assert answer.getheader("strict-transport-security") == "max-age=31536000"
        secure.close()
    finally:
        stop(served)
