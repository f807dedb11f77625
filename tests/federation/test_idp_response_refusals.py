"""/oauth2/idpresponse refusing answers a browser must not be signed in with, against real providers (npm
oidc-provider, npm oauth2-mock-server): each refusal creates no user. Without a sign-in of this browser to
answer (unknown, replayed, expired or another browser's state) the browser is shown the error page and no
application is told; with one, the application gets ``error`` and ``error_description`` at its redirect URI
(Cognito developer guide: 'OIDC user pool IdP authentication flow'; OpenID Connect Core 1.0 §3.1.3.7)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from tests.federation.browser_sign_in import (
    FederationServer,
    ProviderAnswer,
    callback_params,
    deliver,
    federated_client,
    federation_server,
    new_pool,
    oidc_provider,
    start,
    users_of,
    walk_provider,
)
from tests.federation.conftest import start_oauth2_mock

NO_SIGN_IN = "/error?error=idp_response"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FederationServer]:
    with federation_server(tmp_path_factory.mktemp("refusals"), social=False) as running:
        yield running


@pytest.fixture
def pool_id(server: FederationServer) -> str:
    return new_pool(server)


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        yield client


def _with_params(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {**dict(parse_qsl(parts.query)), **changes}
    return urlunsplit(parts._replace(query=urlencode(query)))


def _refused_to_app(response: httpx.Response, state: str) -> dict[str, str]:
    params = callback_params(response)
    assert "code" not in params and params["state"] == state
    return params


def test_idp_response__unknown_state_shows_the_error_page(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["Corp"])
    to_provider, _ = start(browser, server, client, identity_provider="Corp")
    answer = walk_provider(browser, server, to_provider)
    forged = ProviderAnswer(_with_params(answer.url, state="x" * 64))
    refused = deliver(browser, forged)
    assert refused.status_code == 302 and refused.headers["location"] == NO_SIGN_IN
    page = browser.get(server.url + refused.headers["location"])
    assert page.status_code == 400 and "expired or was already used" in page.text
    assert users_of(server, pool_id) == []


def test_idp_response__replayed_answer_is_refused(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["Corp"])
    to_provider, app = start(browser, server, client, identity_provider="Corp")
    answer = walk_provider(browser, server, to_provider)
    assert callback_params(deliver(browser, answer))["state"] == app.state
    replayed = deliver(browser, answer)
    assert replayed.status_code == 302 and replayed.headers["location"] == NO_SIGN_IN
    assert len(users_of(server, pool_id)) == 1


def test_idp_response__answer_carried_to_another_browser_is_refused(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["Corp"])
    to_provider, _ = start(browser, server, client, identity_provider="Corp")
    answer = walk_provider(browser, server, to_provider)
    with httpx.Client(follow_redirects=False, timeout=30) as victim:
        refused = deliver(victim, answer)
    assert refused.status_code == 302 and refused.headers["location"] == NO_SIGN_IN
    assert users_of(server, pool_id) == []


def test_idp_response__expired_sign_in_shows_the_error_page(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["Corp"])
    to_provider, _ = start(browser, server, client, identity_provider="Corp")
    answer = walk_provider(browser, server, to_provider)
    server.clock.advance(301)
    try:
        refused = deliver(browser, answer)
    finally:
        server.clock.offset = 0
    assert refused.status_code == 302 and refused.headers["location"] == NO_SIGN_IN
    assert users_of(server, pool_id) == []


def test_idp_response__wrong_nonce_is_refused(server: FederationServer, pool_id: str, browser: httpx.Client) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["Corp"])
    to_provider, app = start(browser, server, client, identity_provider="Corp")
    # The provider is asked with another nonce than the one the sign-in keeps (as a code injected from
    # another authorization request would carry).
    tampered = browser.get(_with_params(to_provider.headers["location"], nonce="other"))
    answer = walk_provider(browser, server, tampered)
    params = _refused_to_app(deliver(browser, answer), app.state)
    assert params["error"] == "invalid_request"
    assert params["error_description"] == "The IdP ID token nonce does not match"
    assert users_of(server, pool_id) == []


def test_idp_response__token_signed_by_an_unknown_key_is_refused(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    # The provider's tokens checked against a key set that is not its own: the pool's.
    jwks = f"{server.issuer(pool_id)}/.well-known/jwks.json"
    base = {
        "client_id": server.oidc.client_id,
        "client_secret": server.oidc.secret,
        "authorize_scopes": "openid email profile",
        "attributes_request_method": "GET",
        "oidc_issuer": server.oidc.issuer,
        "jwks_uri": jwks,
    }
    oidc_provider(server, pool_id, ProviderDetails=base)
    client = federated_client(server, pool_id, ["Corp"])
    to_provider, app = start(browser, server, client, identity_provider="Corp")
    params = _refused_to_app(deliver(browser, walk_provider(browser, server, to_provider)), app.state)
    assert params["error"] == "invalid_request"
    assert params["error_description"] == "The ID token is signed with a key the IdP does not publish"
    assert users_of(server, pool_id) == []


def test_idp_response__wrong_audience_is_refused(
    server: FederationServer, pool_id: str, browser: httpx.Client, tmp_path: Path
) -> None:
    user = {"id": "mallory", "email": "mallory@example.test", "name": "Mallory"}
    with start_oauth2_mock(tmp_path, "oidc", user, server.idp_response, {"aud": "someone-else"}) as mock:
        details = {
            "client_id": mock.client_id,
            "client_secret": mock.client_secret,
            "authorize_scopes": "openid email",
            "attributes_request_method": "GET",
            "oidc_issuer": mock.issuer,
        }
        oidc_provider(server, pool_id, "Mock", ProviderDetails=details)
        client = federated_client(server, pool_id, ["Mock"])
        to_provider, app = start(browser, server, client, identity_provider="Mock")
        params = _refused_to_app(deliver(browser, walk_provider(browser, server, to_provider)), app.state)
    assert params["error"] == "invalid_request"
    assert params["error_description"] == "The IdP ID token audience does not include client_id"
    assert users_of(server, pool_id) == []


def test_idp_response__expired_id_token_is_refused(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["Corp"])
    # The server's clock past the provider's ID token lifetime (an hour) and the allowed skew, the sign-in
    # itself started within it.
    server.clock.advance(3600 + 180)
    try:
        to_provider, app = start(browser, server, client, identity_provider="Corp")
        params = _refused_to_app(deliver(browser, walk_provider(browser, server, to_provider)), app.state)
    finally:
        server.clock.offset = 0
    assert params["error"] == "invalid_request"
    assert params["error_description"] == "The IdP ID token has expired"
    assert users_of(server, pool_id) == []


def test_idp_response__provider_error_is_passed_to_the_application(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["Corp"])
    to_provider, app = start(browser, server, client, identity_provider="Corp")
    state = dict(parse_qsl(urlsplit(to_provider.headers["location"]).query))["state"]
    # What the provider sends when the user declines (RFC 6749 §4.1.2.1).
    denied = {"error": "access_denied", "error_description": "The user denied the request", "state": state}
    params = _refused_to_app(browser.get(server.idp_response, params=denied), app.state)
    assert params["error"] == "access_denied"
    assert params["error_description"] == "The user denied the request"
    assert users_of(server, pool_id) == []


@pytest.mark.parametrize("name", ["Nope", "corp"])
def test_authorize__unregistered_provider_shows_login_option_not_available(
    server: FederationServer, pool_id: str, browser: httpx.Client, name: str
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["COGNITO", "Corp"])
    refused, _ = start(browser, server, client, identity_provider=name)
    assert refused.status_code == 302
    assert refused.headers["location"].startswith("/error?error=login_option_unavailable")
    page = browser.get(server.url + refused.headers["location"])
    assert "Login option is not available. Please try another one" in page.text
    assert users_of(server, pool_id) == []


def test_authorize__provider_not_enabled_on_the_client_shows_login_option_not_available(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["COGNITO"])
    refused, _ = start(browser, server, client, identity_provider="Corp")
    assert refused.headers["location"].startswith("/error?error=login_option_unavailable")
    # Nor by one of its identifiers.
    server.idp.update_identity_provider(UserPoolId=pool_id, ProviderName="Corp", IdpIdentifiers=["corp.example"])
    refused, _ = start(browser, server, client, idp_identifier="corp.example")
    assert refused.headers["location"].startswith("/error?error=login_option_unavailable")
    assert users_of(server, pool_id) == []


def test_idp_response__malformed_post_shows_the_error_page(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["Corp"])
    to_provider, _ = start(browser, server, client, identity_provider="Corp")
    answer = walk_provider(browser, server, to_provider)
    as_json = browser.post(server.idp_response, json=answer.params)
    assert as_json.status_code == 302 and as_json.headers["location"] == NO_SIGN_IN
    twice = browser.post(server.idp_response, content="state=a&state=b", headers={"content-type": FORM})
    assert twice.status_code == 302 and twice.headers["location"] == NO_SIGN_IN
    too_large = browser.post(server.idp_response, content="user=" + "x" * 70_000, headers={"content-type": FORM})
    assert too_large.status_code == 413
    # The answer itself is still good: nothing above used it up.
    assert "code" in callback_params(deliver(browser, answer))
    assert len(users_of(server, pool_id)) == 1
