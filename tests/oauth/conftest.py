"""A server on a real socket whose public URL is its own address, so that issuer, discovery and the OAuth
endpoints are all reachable as published; a clock the tests can move; pools and clients set up for OAuth."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings
from tests.support.bridge import listening_socket, serve_in_thread, socket_client
from userpool.app import build_runtime, create_app

CALLBACK = "http://localhost:8123/callback"
SIGNED_OUT = "http://localhost:8123/signed-out"
PASSWORD = "Corr3ct-Horse-Battery!"


class MovableClock:
    """Real time plus an offset the test may grow (codes and tokens expire without waiting)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class OAuthServer:
    url: str
    idp: Any
    clock: MovableClock

    def issuer(self, pool_id: str) -> str:
        return f"{self.url}/{pool_id}"


@pytest.fixture
def oauth_server(tmp_path: Path) -> Iterator[OAuthServer]:
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'userpool.sqlite3'}", port=port, public_url=url)
    clock = MovableClock()
    runtime = build_runtime(settings, clock)
    with serve_in_thread(create_app(settings, runtime=runtime), sock):
        yield OAuthServer(url, socket_client(url, ACCESS_KEY, SECRET_KEY), clock)
    runtime.store.dispose()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    """A browser stand-in: keeps cookies, never follows redirects on its own."""
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        yield client


def oauth_client(idp: Any, pool_id: str, secret: bool = True, **over: Any) -> dict[str, Any]:
    """An app client for the hosted UI: code flow, openid/email/profile, CALLBACK and SIGNED_OUT."""
    config: dict[str, Any] = {
        "UserPoolId": pool_id,
        "ClientName": "web",
        "GenerateSecret": secret,
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", "email", "profile"],
        "CallbackURLs": [CALLBACK],
        "LogoutURLs": [SIGNED_OUT],
        "SupportedIdentityProviders": ["COGNITO"],
        **over,
    }
    return dict(idp.create_user_pool_client(**config)["UserPoolClient"])


def confirmed_user(idp: Any, pool_id: str, username: str = "alice", email: str = "alice@example.com") -> None:
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


@pytest.fixture
def pool_id(oauth_server: OAuthServer) -> str:
    pool = oauth_server.idp.create_user_pool(PoolName="Acme")["UserPool"]
    confirmed_user(oauth_server.idp, pool["Id"])
    return str(pool["Id"])
