"""Sign-in helpers for the token tests: app clients, users with a password, SECRET_HASH as SDKs compute it,
and a look inside JWTs without trusting them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.bridge import listening_socket, serve_in_thread
from userpool.app import build_runtime, create_app
from userpool.config import Settings

PASSWORD = "Correct-Horse-9"
ALL_PASSWORD_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def sdk_secret_hash(client_secret: str, username: str, client_id: str) -> str:
    """SECRET_HASH the way amazon-cognito-identity-js and pycognito build it."""
    mac = hmac.new(client_secret.encode("utf-8"), (username + client_id).encode("utf-8"), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def make_client(idp: Any, pool_id: str, **config: Any) -> dict[str, Any]:
    """An app client with the password and refresh flows enabled (override with ExplicitAuthFlows=...)."""
    config.setdefault("ExplicitAuthFlows", ALL_PASSWORD_FLOWS)
    return dict(idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **config)["UserPoolClient"])


def make_user(
    idp: Any, pool_id: str, username: str, password: str = PASSWORD, attributes: dict[str, str] | None = None
) -> None:
    """A CONFIRMED user with a permanent password."""
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in (attributes or {}).items()],
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)


def sign_in(idp: Any, client: dict[str, Any], username: str, password: str = PASSWORD) -> dict[str, Any]:
    """USER_PASSWORD_AUTH through InitiateAuth; the AuthenticationResult."""
    params = {"USERNAME": username, "PASSWORD": password}
    if client.get("ClientSecret"):
        params["SECRET_HASH"] = sdk_secret_hash(client["ClientSecret"], username, client["ClientId"])
    answer = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)
    assert answer["ChallengeParameters"] == {}
    return dict(answer["AuthenticationResult"])


def payload(token: str) -> dict[str, Any]:
    """The claims of a JWT, read without verifying it."""
    segment = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return claims


def header(token: str) -> dict[str, Any]:
    segment = token.split(".")[0]
    found: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return found


@contextmanager
def served_at_public_url(settings: Settings) -> Iterator[str]:
    """A server on a loopback socket whose public URL (and so its tokens' issuer) is that socket's URL, as
    clients that derive the issuer from the endpoint (pycognito) require. Yields the URL."""
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    settings = settings.replace(public_url=url, port=port)
    runtime = build_runtime(settings)
    try:
        with serve_in_thread(create_app(settings, runtime=runtime), sock):
            yield url
    finally:
        runtime.store.dispose()
