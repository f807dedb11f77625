"""boto3 clients for the tests: in process (botocore's before-send hook into the ASGI app, the trick
moto uses) or over a real socket to uvicorn running in a thread."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import boto3
import uvicorn
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from starlette.applications import Starlette
from starlette.testclient import TestClient

ENDPOINT = "http://userpool.test"
REGION = "eu-west-1"


class _RawBody:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def in_process_client(
    test_client: TestClient,
    access_key: str,
    secret_key: str,
    region: str = REGION,
    service: str = "cognito-idp",
    **config: Any,
) -> Any:
    """A boto3 client of ``service`` (cognito-idp, or cognito-identity for identity pools) for the app."""
    client = boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(retries={"total_max_attempts": 1}, **config),
    )

    def bridge(request: Any, **_: Any) -> AWSResponse:
        headers = {k: v for k, v in request.headers.items()}
        headers["Host"] = urlsplit(request.url).netloc
        body = request.body or b""
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode()
        response = test_client.request(request.method, request.url, headers=headers, content=body)
        return AWSResponse(request.url, response.status_code, response.headers, _RawBody(response.content))

    client.meta.events.register("before-send", bridge)
    return client


def socket_client(
    base_url: str, access_key: str, secret_key: str, region: str = REGION, service: str = "cognito-idp"
) -> Any:
    return boto3.client(
        service,
        endpoint_url=base_url,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(retries={"total_max_attempts": 1}, max_pool_connections=64),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening_socket() -> socket.socket:
    """A socket bound to a free loopback port, for a server to take over: the port stays ours from now on,
    so no other test (or pytest-xdist worker) can bind it between choosing and listening."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


class PromptServer(uvicorn.Server):
    """uvicorn.Server that stops as soon as it is told to, for servers started and stopped once per test.

    Stock uvicorn looks at ``should_exit`` every 0.1 s, then sleeps 0.1 s more after asking its connections
    to close and checks them every 0.1 s: about a quarter of a second per server, thousands of times in a
    test run. Here ``stop()`` wakes the event loop at once and the connections are awaited in short steps;
    the application's lifespan shutdown still runs, as before.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        await super().startup(sockets)

    async def main_loop(self) -> None:
        assert self._stopping is not None
        if not self.should_exit:
            await self._stopping.wait()

    def stop(self) -> None:
        """Ask the server to stop, from any thread."""
        self.should_exit = True
        if self._loop is not None and self._stopping is not None:
            try:
                self._loop.call_soon_threadsafe(self._stopping.set)
            except RuntimeError:  # the loop has already closed
                pass

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        # What uvicorn waits for (responses being sent, then background tasks), checked every few ms.
        deadline = time.monotonic() + 10
        while (self.server_state.connections or self.server_state.tasks) and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        for task in self.server_state.tasks:
            task.cancel(msg="the test server is stopping")
        for server in self.servers:
            await server.wait_closed()
        await self.lifespan.shutdown()


@contextmanager
def serving_uvicorn(config: uvicorn.Config, sock: socket.socket | None = None) -> Iterator[PromptServer]:
    """Run uvicorn with ``config`` in a thread (on ``sock`` if given) until the block ends."""
    server = PromptServer(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock] if sock else None}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.stop()
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.002)
    try:
        yield server
    finally:
        server.stop()
        thread.join(timeout=10)


@contextmanager
def serve_in_thread(app: Starlette, sock: socket.socket | None = None) -> Iterator[str]:
    """Run ``app`` under uvicorn on a loopback port (``sock``'s, or a free one); yield its base URL."""
    sock = sock or listening_socket()
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    try:
        with serving_uvicorn(config, sock):
            yield f"http://127.0.0.1:{port}"
    finally:
        sock.close()
