"""Sign-in through an OIDC identity provider in the browser, end to end against npm oidc-provider: the
application's /oauth2/authorize naming the provider, the provider's pages, /oauth2/idpresponse, the code and
the tokens (Cognito developer guide: 'OIDC user pool IdP authentication flow', 'Mapping IdP attributes to
profiles and tokens')."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.federation.browser_sign_in import (
    FederationServer,
    attributes,
    callback_params,
    deliver,
    federated_client,
    federation_server,
    new_pool,
    oidc_provider,
    redeem,
    refresh,
    sign_in,
    start,
    users_of,
    walk_provider,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FederationServer]:
    with federation_server(tmp_path_factory.mktemp("oidc-sign-in"), social=False) as running:
        yield running


@pytest.fixture
def pool_id(server: FederationServer) -> str:
    return new_pool(server)


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        yield client


def test_oidc_sign_in__first_sign_in_creates_the_user_with_mapped_attributes(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["COGNITO", "Corp"])
    to_provider, app = start(browser, server, client, identity_provider="Corp")
    location = urlsplit(to_provider.headers["location"])
    sent = dict(parse_qsl(location.query))
    assert f"{location.scheme}://{location.netloc}{location.path}" == server.oidc.authorize_url
    assert sent["response_type"] == "code" and sent["client_id"] == server.oidc.client_id
    assert sent["redirect_uri"] == server.idp_response and sent["scope"] == "openid email profile"
    assert sent["code_challenge_method"] == "S256" and len(sent["state"]) >= 22 and sent["nonce"]
    # The application's own state and nonce stay with us.
    assert app.state not in sent.values() and app.nonce not in sent.values()

    params = callback_params(deliver(browser, walk_provider(browser, server, to_provider)))
    assert params["state"] == app.state
    tokens = redeem(server, client, params["code"], app)
    claims = server.verify(pool_id, tokens["id_token"])
    assert claims["cognito:username"] == "corp_alice" and claims["nonce"] == app.nonce
    assert claims["email"] == "alice@example.test" and claims["email_verified"] is True
    assert claims["cognito:groups"] == [f"{pool_id}_Corp"]
    [identity] = claims["identities"]
    assert identity["userId"] == "alice" and identity["providerName"] == "Corp"
    assert identity["providerType"] == "OIDC" and identity["primary"] == "true"
    assert isinstance(identity["dateCreated"], str)

    [user] = users_of(server, pool_id)
    assert user["Username"] == "corp_alice" and user["UserStatus"] == "EXTERNAL_PROVIDER"
    stored = attributes(user)
    assert stored["given_name"] == "Alice" and stored["email_verified"] == "true"
    assert json.loads(stored["identities"])[0]["primary"] is True


def test_oidc_sign_in__second_sign_in_updates_the_mapped_attributes(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["Corp"])
    sign_in(browser, server, client, "Corp")
    server.idp.admin_update_user_attributes(
        UserPoolId=pool_id, Username="corp_alice", UserAttributes=[{"Name": "given_name", "Value": "Changed"}]
    )
    with httpx.Client(follow_redirects=False, timeout=30) as other_browser:
        params, app = sign_in(other_browser, server, client, "Corp")
    [user] = users_of(server, pool_id)
    assert attributes(user)["given_name"] == "Alice"
    assert server.verify(pool_id, redeem(server, client, params["code"], app)["id_token"])["given_name"] == "Alice"


def test_oidc_sign_in__refresh_works_without_the_provider(tmp_path_factory: pytest.TempPathFactory) -> None:
    with federation_server(tmp_path_factory.mktemp("refresh"), social=False) as own:
        pool = new_pool(own, "Refresh")
        oidc_provider(own, pool)
        client = federated_client(own, pool, ["Corp"])
        with httpx.Client(follow_redirects=False, timeout=30) as browser:
            params, app = sign_in(browser, own, client, "Corp")
        tokens = redeem(own, client, params["code"], app)
        own.stop_providers()
        answer = refresh(own, client, tokens["refresh_token"])
        assert answer.status_code == 200, answer.text
        claims = own.verify(pool, answer.json()["id_token"])
        assert claims["cognito:username"] == "corp_alice" and claims["cognito:groups"] == [f"{pool}_Corp"]
