"""Passkeys on the hosted pages in Chromium, with its virtual WebAuthn authenticator (DevTools protocol
``WebAuthn.addVirtualAuthenticator``): the offer of a passkey after a password sign-in, a sign-in with the
passkey alone, and its removal on the passkeys page (Cognito developer guide: 'Passkey sign-in', 'User pool
managed login'). The server is reached at ``http://localhost:<port>`` with relying party ID ``localhost``, as
browsers allow WebAuthn there without TLS."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings
from tests.oauth.conftest import PASSWORD, MovableClock, confirmed_user, oauth_client
from tests.support.bridge import listening_socket, serve_in_thread, socket_client
from tests.support.mail import smtp_inbox
from tests.web.conftest import WebServer, authorize_url, shot
from userpool.app import build_runtime, create_app

# Managed login offers choice-based sign-in to clients that allow USER_AUTH.
FLOWS = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


@dataclass
class App:
    """The application's own small server, which the browser is sent back to (a real one: Playwright's routing
    does not reliably catch a redirect between two ports of ``localhost``)."""

    callback: str
    signed_out: str


@pytest.fixture
def app() -> Iterator[App]:
    async def back(_: Request) -> Response:
        return HTMLResponse("<h1>Back in the app</h1>")

    routes = [Route("/callback", back), Route("/signed-out", back)]
    with serve_in_thread(Starlette(routes=routes)) as base:
        port = urlsplit(base).port
        yield App(f"http://localhost:{port}/callback", f"http://localhost:{port}/signed-out")


@pytest.fixture
def localhost_server(tmp_path: Path) -> Iterator[WebServer]:
    """The server as the browser reaches it at ``http://localhost:<port>`` (an IP address is never an RP ID)."""
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    url = f"http://localhost:{port}"
    with smtp_inbox() as (inbox, smtp_port):
        settings = make_settings(
            tmp_path / "data",
            f"sqlite:///{tmp_path / 'userpool.sqlite3'}",
            port=port,
            public_url=url,
            smtp_url=f"smtp://127.0.0.1:{smtp_port}",
        )
        clock = MovableClock()
        runtime = build_runtime(settings, clock)
        with serve_in_thread(create_app(settings, runtime=runtime), sock):
            api = socket_client(f"http://127.0.0.1:{port}", ACCESS_KEY, SECRET_KEY)
            yield WebServer(url, api, inbox, runtime, clock)
        runtime.store.dispose()


def _passkey_pool(server: WebServer, app: App) -> dict[str, Any]:
    policies = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
    pool_id = server.idp.create_user_pool(PoolName="Northwind", Policies=policies)["UserPool"]["Id"]
    server.idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OFF",
        WebAuthnConfiguration={"RelyingPartyId": "localhost", "UserVerification": "required"},
    )
    confirmed_user(server.idp, pool_id)
    return oauth_client(
        server.idp, pool_id, CallbackURLs=[app.callback], LogoutURLs=[app.signed_out], ExplicitAuthFlows=FLOWS
    )


def _authorize(server: WebServer, app: App, client_id: str) -> str:
    return authorize_url(server, client_id, redirect_uri=app.callback)


def _sign_out(server: WebServer, app: App, page: Any, client_id: str) -> None:
    page.goto(f"{server.url}/logout?{urlencode({'client_id': client_id, 'logout_uri': app.signed_out})}")
    page.wait_for_url(f"{app.signed_out}*")


def _passkey_sign_in(server: WebServer, app: App, page: Any, client_id: str) -> None:
    page.goto(_authorize(server, app, client_id))
    page.get_by_label("Username").fill("alice")
    page.get_by_role("button", name="Sign in with a passkey").click()


def test_hosted_passkeys__add_after_password_sign_in_then_sign_in_with_it_then_remove(
    localhost_server: WebServer, app: App, page: Any
) -> None:
    server = localhost_server
    client = _passkey_pool(server, app)
    client_id = client["ClientId"]
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]

    # A password sign-in is offered a passkey; adding it goes on to the application.
    page.goto(_authorize(server, app, client_id))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/passkeys/add?*")
    shot(page, "passkey-01-offer")
    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_url(f"{app.callback}?*")
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(stored) == 1 and stored[0]["rpId"] == "localhost"

    # Signed out, the passkey alone signs in and the application gets its code.
    _sign_out(server, app, page, client_id)
    _passkey_sign_in(server, app, page, client_id)
    page.wait_for_url("**/login/choose?*")
    shot(page, "passkey-02-sign-in")
    page.get_by_role("button", name="Use my passkey").click()
    page.wait_for_url(f"{app.callback}?*")
    assert "code=" in urlsplit(page.url).query

    # The passkeys page lists it; removed after confirmation, it signs in no more.
    page.goto(_authorize(server, app, client_id).replace("/oauth2/authorize?", "/passkeys?"))
    assert page.locator(".passkey").count() == 1
    shot(page, "passkey-03-list")
    page.get_by_role("button", name="Remove").click()
    page.get_by_role("button", name="Remove passkey").click()
    page.wait_for_url("**/passkeys?*notice=passkey_removed*")
    assert page.locator(".passkey").count() == 0
    _sign_out(server, app, page, client_id)
    _passkey_sign_in(server, app, page, client_id)
    page.wait_for_url("**/login/choose?*")
    assert "not available for your account" in page.locator(".error").inner_text()
    assert not page.url.startswith(app.callback)
