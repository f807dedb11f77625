"""A server in process with one console operator, and a browser stand-in (httpx through Starlette's test
client, on a loopback host so cookies are not Secure-only) that has signed in to the console."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

# ``documents``: the loopback web server of the discovery tests, serving an identity provider's documents.
from tests.api.test_identity_provider_discovery import documents  # noqa: F401
from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings
from tests.support.bridge import in_process_client
from userpool.app import Runtime, build_runtime, create_app
from userpool.context import Ctx
from userpool.services.console.operators import create_operator

OPERATOR = "ops"
IDLE_SECONDS = 300
OPERATOR_PASSWORD = "console-Passw0rd-for-tests"
_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


class Clock:
    """Real time plus an offset the test may grow."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset


@dataclass
class Console:
    runtime: Runtime
    http: TestClient
    idp: Any
    clock: Clock
    # boto3 without its own parameter checks: what the server answers to input the SDK would stop first.
    unchecked: Any
    # boto3's cognito-identity client (identity pools).
    identity: Any = None

    def csrf(self, path: str = "/console/") -> str:
        """This browser's CSRF token, as the page at ``path`` puts it in its forms."""
        page = self.http.get(path)
        found = _CSRF.search(page.text)
        assert found, page.text
        return found.group(1)

    def post(self, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
        """POST a console form as the browser would: with its CSRF token."""
        return self.http.post(path, data={"_csrf": self.csrf(), **data}, **kwargs)

    def sign_in(self, username: str = OPERATOR, password: str = OPERATOR_PASSWORD) -> Any:
        token = self.csrf("/console/login")
        return self.http.post("/console/login", data={"_csrf": token, "username": username, "password": password})


def add_operator(runtime: Runtime, username: str = OPERATOR, password: str = OPERATOR_PASSWORD) -> None:
    ctx = Ctx(deps=runtime.deps, request_id="test", now=runtime.deps.clock.now(), region="us-east-1")
    create_operator(ctx, username, password)


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with open_console(tmp_path) as found:
        yield found


@contextmanager
def open_console(tmp_path: Path, **overrides: Any) -> Iterator[Console]:
    """A server in process with the operator, its settings' ``overrides`` replaced."""
    settings = make_settings(
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'userpool.sqlite3'}",
        console_idle_timeout_seconds=IDLE_SECONDS,
        **overrides,
    )
    clock = Clock()
    runtime = build_runtime(settings, clock)
    add_operator(runtime)
    app = create_app(settings, runtime=runtime)
    with TestClient(app, base_url="http://localhost", follow_redirects=False) as http:
        api = TestClient(app)
        yield Console(
            runtime,
            http,
            in_process_client(api, ACCESS_KEY, SECRET_KEY),
            clock,
            in_process_client(api, ACCESS_KEY, SECRET_KEY, parameter_validation=False),
            in_process_client(api, ACCESS_KEY, SECRET_KEY, service="cognito-identity"),
        )
    runtime.store.dispose()


@pytest.fixture
def signed_in(console: Console) -> Console:
    answer = console.sign_in()
    assert answer.status_code == 303, answer.text
    return console
