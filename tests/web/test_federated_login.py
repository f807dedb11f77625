"""Federated sign-in in Chromium: the hosted login page of an app client offering its users' passwords and an
OIDC provider (npm oidc-provider, password-less, consenting at once) shows the provider's button; a click goes
through the provider and /oauth2/idpresponse and lands on the application's callback with a code and its state
(Cognito developer guide: 'User pool managed login', 'OIDC user pool IdP authentication flow'). The same with
another pool of the server as the provider, its own login page filled in; and a SAML provider (PyPI pysaml2's
IdP) reached from the page's corporate e-mail box by the address's domain (idp_identifier).

The application is a small HTTP server of the test's own: the browser really navigates to its callback."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.federation.browser_sign_in import (
    FederationServer,
    federated_client,
    federation_server,
    new_pool,
    oidc_provider,
    pool_provider,
    provider_pool,
)
from tests.federation.saml_idps import OID_EMAIL, SamlIdp, start_pysaml2_idp
from tests.web.conftest import shot
from userpool.context import Ctx
from userpool.services.federation.steps.saml_exchanges import pool_metadata


class _Application(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>App</title><h1>Back in the app</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


@pytest.fixture(scope="module")
def callback() -> Iterator[str]:
    """The application's callback URL, on a server that answers every GET with a page of its own."""
    app = ThreadingHTTPServer(("127.0.0.1", 0), _Application)
    thread = threading.Thread(target=app.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{app.server_address[1]}/callback"
    app.shutdown()
    app.server_close()
    thread.join()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FederationServer]:
    with federation_server(tmp_path_factory.mktemp("federated-login"), social=False) as running:
        yield running


def _authorize(server: FederationServer, client: dict[str, Any], **extra: str) -> str:
    query = {
        "client_id": client["ClientId"],
        "response_type": "code",
        "redirect_uri": client["CallbackURLs"][0],
        "scope": "openid email profile",
        "state": "web-state",
        **extra,
    }
    return f"{server.url}/oauth2/authorize?{urlencode(query)}"


def _landed(page: Any, callback: str) -> str:
    """The code the application received at its callback, with its own state."""
    page.wait_for_url(f"{callback}?*")
    landed = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
    assert landed["state"] == "web-state" and landed["code"]
    assert "Back in the app" in page.content()
    return landed["code"]


def _id_token_claims(server: FederationServer, client: dict[str, Any], code: str) -> dict[str, Any]:
    answer = httpx.post(
        f"{server.url}/oauth2/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": client["CallbackURLs"][0]},
        auth=(client["ClientId"], client["ClientSecret"]),
    )
    assert answer.status_code == 200, answer.text
    return server.verify(client["UserPoolId"], answer.json()["id_token"])


def test_hosted_ui__provider_button_signs_in_through_the_provider(
    server: FederationServer, callback: str, page: Any
) -> None:
    pool_id = new_pool(server, "Northwind")
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["COGNITO", "Corp"], CallbackURLs=[callback])
    page.goto(_authorize(server, client))
    page.wait_for_url("**/login?*")
    assert page.get_by_label("Password").is_visible()
    button = page.get_by_role("link", name="Continue with Corp")
    shot(page, "federated-01-sign-in-with-provider-button")

    button.click()
    claims = _id_token_claims(server, client, _landed(page, callback))
    assert claims["cognito:username"] == "corp_alice" and claims["email"] == "alice@example.test"


def test_hosted_ui__another_pool_as_the_provider(server: FederationServer, callback: str, page: Any) -> None:
    """Both pools are served on the server's host: the browser holds the relying pool's sign-in, the provider
    pool's session and the cookie that binds the sign-in to it all at once."""
    provider = provider_pool(server)
    pool_id = new_pool(server, "Northwind")
    pool_provider(server, pool_id, provider, name="Staff")
    client = federated_client(server, pool_id, ["COGNITO", "Staff"], CallbackURLs=[callback])
    page.goto(_authorize(server, client))
    page.get_by_role("link", name="Continue with Staff").click()
    page.wait_for_url(f"**/login?*client_id={provider.client['ClientId']}*")
    assert "Provider" in page.content()
    page.get_by_label("Username").fill(provider.username)
    page.get_by_label("Password").fill(provider.password)
    shot(page, "federated-02-provider-pool-sign-in")
    page.get_by_role("button", name="Sign in").click()
    claims = _id_token_claims(server, client, _landed(page, callback))
    assert claims["cognito:username"] == f"staff_{provider.sub}" and claims["email"] == "bertha@example.test"

    # Signed in at the provider pool: the next sign-in through it (named by the application, as a signed-in
    # browser is not shown the login page) passes no page of the provider.
    page.goto(_authorize(server, client, identity_provider="Staff"))
    again = _id_token_claims(server, client, _landed(page, callback))
    assert again["sub"] == claims["sub"]


@pytest.fixture(scope="module")
def saml_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamlIdp]:
    with start_pysaml2_idp(tmp_path_factory.mktemp("saml-idp-logs")) as idp:
        yield idp


def test_hosted_ui__corporate_email_signs_in_through_the_saml_provider(
    server: FederationServer, callback: str, page: Any, saml_idp: SamlIdp
) -> None:
    """Every SAML provider of the client has an identifier: the page asks for a corporate e-mail address, whose
    domain picks the provider (idp_identifier); pysaml2's IdP answers with an auto-posted Response."""
    pool_id = new_pool(server, "Contoso")
    server.idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Contoso",
        ProviderType="SAML",
        ProviderDetails={"MetadataFile": saml_idp.metadata},
        AttributeMapping={"email": OID_EMAIL},
        IdpIdentifiers=["example.test"],
    )
    ctx = Ctx(deps=server.runtime.deps, request_id="test", now=time.time(), region="us-east-1")
    with ctx.store.read() as tx:
        provider = tx.identity_providers.get(pool_id, "Contoso")
    saml_idp.trust(pool_metadata(ctx, pool_id, server.url, provider))
    client = federated_client(server, pool_id, ["COGNITO", "Contoso"], CallbackURLs=[callback])
    page.goto(_authorize(server, client))
    page.wait_for_url("**/login?*")
    # The SAML provider is reached by e-mail domain, not by a button.
    assert page.get_by_role("link", name="Continue with Contoso").count() == 0
    page.get_by_label("Corporate email address").fill("alice@Example.test")
    shot(page, "federated-03-corporate-email")
    page.get_by_role("button", name="Continue").click()
    claims = _id_token_claims(server, client, _landed(page, callback))
    assert claims["cognito:username"] == "contoso_alice" and claims["email"] == "alice@example.test"
    assert claims["identities"][0]["issuer"] == saml_idp.entity_id
