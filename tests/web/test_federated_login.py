"""Federated sign-in in Chromium: the hosted login page of an app client offering its users' passwords and an
OIDC provider (npm oidc-provider, password-less, consenting at once) shows the provider's button; a click goes
through the provider and /oauth2/idpresponse and lands on the application's callback with a code and its state
(Cognito developer guide: 'User pool managed login', 'OIDC user pool IdP authentication flow')."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
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
)
from tests.oauth.conftest import CALLBACK
from tests.web.conftest import shot


@pytest.fixture
def server(tmp_path: Path) -> Iterator[FederationServer]:
    with federation_server(tmp_path, social=False) as running:
        yield running


def test_hosted_ui__provider_button_signs_in_through_the_provider(server: FederationServer, page: Any) -> None:
    pool_id = new_pool(server, "Northwind")
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["COGNITO", "Corp"])
    query = {
        "client_id": client["ClientId"],
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "scope": "openid email profile",
        "state": "web-state",
    }
    page.goto(f"{server.url}/oauth2/authorize?{urlencode(query)}")
    page.wait_for_url("**/login?*")
    assert page.get_by_label("Password").is_visible()
    button = page.get_by_role("link", name="Continue with Corp")
    shot(page, "federated-01-sign-in-with-provider-button")

    button.click()
    page.wait_for_url(f"{CALLBACK}?*")
    landed = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
    assert landed["state"] == "web-state" and landed["code"]
    assert "Back in the app" in page.content()

    answer = httpx.post(
        f"{server.url}/oauth2/token",
        data={"grant_type": "authorization_code", "code": landed["code"], "redirect_uri": CALLBACK},
        auth=(client["ClientId"], client["ClientSecret"]),
    )
    assert answer.status_code == 200, answer.text
    claims = server.verify(pool_id, answer.json()["id_token"])
    assert claims["cognito:username"] == "corp_alice" and claims["email"] == "alice@example.test"
