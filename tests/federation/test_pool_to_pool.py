"""One user pool signing its users in through another pool of the same server, as an OIDC identity provider:
pool A's provider ``PoolB`` is found by discovery at pool B's issuer, the browser signs in at pool B's hosted
login page, and pool A turns pool B's answer into its own federated user (Cognito developer guide: 'Adding OIDC
identity providers to a user pool', 'OIDC user pool IdP authentication flow'). Pool B's discovery document,
JWKS, token and userInfo endpoints are thereby exercised by a real relying party: ours."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest

from tests.federation.browser_sign_in import (
    FederationServer,
    attributes,
    callback_params,
    federated_client,
    federation_server,
    new_pool,
    pool_provider,
    provider_pool,
    redeem,
    start,
    users_of,
)
from tests.support.hosted import submit


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FederationServer]:
    with federation_server(tmp_path_factory.mktemp("pool-to-pool"), social=False) as running:
        yield running


# Pool A asks pool B's userInfo for the attributes by GET or by POST; a failed answer would fail the sign-in.
@pytest.mark.parametrize("attributes_request_method", ["GET", "POST"])
def test_pool_to_pool__sign_in_through_another_pool_creates_a_federated_user(
    server: FederationServer, attributes_request_method: str
) -> None:
    b = provider_pool(server)
    b_pool, b_client, b_sub = b.pool_id, b.client, b.sub
    a_pool = new_pool(server, "Relying")
    pool_provider(server, a_pool, b, method=attributes_request_method)
    described = server.idp.describe_identity_provider(UserPoolId=a_pool, ProviderName="PoolB")["IdentityProvider"]
    # Discovery found pool B's endpoints on this server.
    assert described["ProviderDetails"]["authorize_url"] == f"{server.url}/oauth2/authorize"
    assert described["ProviderDetails"]["jwks_uri"] == f"{server.issuer(b_pool)}/.well-known/jwks.json"
    assert described["ProviderDetails"]["attributes_url"] == f"{server.url}/oauth2/userInfo"
    a_client = federated_client(server, a_pool, ["COGNITO", "PoolB"])

    with httpx.Client(follow_redirects=False, timeout=30) as browser:
        to_b, app = start(browser, server, a_client, identity_provider="PoolB")
        assert to_b.status_code == 302, to_b.text
        b_authorize = urljoin(str(to_b.url), to_b.headers["location"])
        sent = dict(parse_qsl(urlsplit(b_authorize).query))
        assert b_authorize.startswith(f"{server.url}/oauth2/authorize?")
        assert sent["client_id"] == b_client["ClientId"] and sent["redirect_uri"] == server.idp_response
        to_login = browser.get(b_authorize)
        assert to_login.status_code == 302, to_login.text
        login = browser.get(urljoin(b_authorize, to_login.headers["location"]))
        assert login.status_code == 200, login.text
        back_to_a = submit(browser, login, {"username": b.username, "password": b.password})
        assert back_to_a.status_code == 302, back_to_a.text
        assert back_to_a.headers["location"].startswith(server.idp_response + "?")
        params = callback_params(browser.get(back_to_a.headers["location"]))

        # Pool B's session cookie: the next sign-in passes through pool B without its login page.
        again_to_b, again = start(browser, server, a_client, identity_provider="PoolB")
        again_back = browser.get(urljoin(str(again_to_b.url), again_to_b.headers["location"]))
        assert again_back.status_code == 302 and again_back.headers["location"].startswith(server.idp_response + "?")
        again_params = callback_params(browser.get(again_back.headers["location"]))

    assert params["state"] == app.state
    claims = server.verify(a_pool, redeem(server, a_client, params["code"], app)["id_token"])
    assert claims["iss"] == server.issuer(a_pool) and claims["nonce"] == app.nonce
    assert claims["cognito:username"] == f"poolb_{b_sub}"
    assert claims["email"] == "bertha@example.test" and claims["email_verified"] is True
    [identity] = claims["identities"]
    assert identity["providerName"] == "PoolB" and identity["providerType"] == "OIDC"
    assert identity["userId"] == b_sub and identity["primary"] == "true"

    user = server.idp.admin_get_user(UserPoolId=a_pool, Username=f"poolb_{b_sub}")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    stored = attributes(user)
    assert stored["email"] == "bertha@example.test" and stored["email_verified"] == "true"
    assert json.loads(stored["identities"])[0]["providerName"] == "PoolB"
    assert [u["Username"] for u in users_of(server, a_pool)] == [f"poolb_{b_sub}"]

    assert again_params["state"] == again.state
    claims_again = server.verify(a_pool, redeem(server, a_client, again_params["code"], again)["id_token"])
    assert claims_again["sub"] == claims["sub"] and claims_again["cognito:username"] == f"poolb_{b_sub}"
    assert len(users_of(server, a_pool)) == 1
