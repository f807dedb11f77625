"""boto3 clients for the tests: in process (botocore's before-send hook into the ASGI app, the trick
moto uses) or over a real socket to uvicorn running in a thread."""

from __future__ import annotations

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
    test_client: TestClient, access_key: str, secret_key: str, region: str = REGION, **config: Any
) -> Any:
    client = boto3.client(
        "cognito-idp",
        endpoint_url=ENDPOINT,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(retries={"max_attempts": 1}, **config),
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


def socket_client(base_url: str, access_key: str, secret_key: str, region: str = REGION) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=base_url,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(retries={"max_attempts": 1}, max_pool_connections=64),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_in_thread(app: Starlette, port: int | None = None) -> Iterator[str]:
    """Run ``app`` under uvicorn on a loopback port (``port``, or a free one); yield its base URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
