"""Sign-in through the social identity providers in the browser, end to end, against stand-ins at the endpoints
that replace the providers' fixed ones (``federation.social_endpoints``): Google and Sign in with Apple by npm
oidc-provider (Apple's answer posted with ``response_mode=form_post``, its client secret an ES256 JWT the
stand-in checks), Login with Amazon and Facebook by npm oauth2-mock-server (Facebook's token call a GET)
(Cognito developer guide: 'Adding social identity providers to a user pool')."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.federation.browser_sign_in import (
    AMAZON_USER,
    FACEBOOK_USER,
    FederationServer,
    attributes,
    callback_params,
    deliver,
    federated_client,
    federation_server,
    new_pool,
    redeem,
    sign_in,
    start,
    users_of,
    walk_provider,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FederationServer]:
    with federation_server(tmp_path_factory.mktemp("social-sign-in")) as running:
        yield running


@pytest.fixture
def pool_id(server: FederationServer) -> str:
    return new_pool(server, "Social")


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        yield client


def _provider(
    server: FederationServer, pool_id: str, kind: str, details: dict[str, str], mapping: dict[str, str]
) -> None:
    server.idp.create_identity_provider(
        UserPoolId=pool_id, ProviderName=kind, ProviderType=kind, ProviderDetails=details, AttributeMapping=mapping
    )


def _signed_in(
    server: FederationServer, pool_id: str, browser: httpx.Client, kind: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A sign-in through ``kind`` to the application's tokens: (ID token claims, the user ListUsers shows)."""
    client = federated_client(server, pool_id, ["COGNITO", kind])
    params, app = sign_in(browser, server, client, kind)
    assert params["state"] == app.state
    tokens = redeem(server, client, params["code"], app)
    claims = server.verify(pool_id, tokens["id_token"])
    assert claims["nonce"] == app.nonce and claims["cognito:groups"] == [f"{pool_id}_{kind}"]
    [identity] = claims["identities"]
    assert identity["providerName"] == kind and identity["providerType"] == kind and identity["primary"] == "true"
    [user] = users_of(server, pool_id)
    assert user["UserStatus"] == "EXTERNAL_PROVIDER" and user["Username"] == claims["cognito:username"]
    return claims, user


def test_google_sign_in__code_and_tokens(server: FederationServer, pool_id: str, browser: httpx.Client) -> None:
    details = {"client_id": server.oidc.client_id, "client_secret": server.oidc.secret}
    _provider(
        server,
        pool_id,
        "Google",
        {**details, "authorize_scopes": "openid email profile"},
        {"email": "email", "email_verified": "email_verified", "given_name": "given_name"},
    )
    claims, user = _signed_in(server, pool_id, browser, "Google")
    assert claims["cognito:username"] == "google_alice" and claims["identities"][0]["userId"] == "alice"
    assert claims["email"] == "alice@example.test" and claims["email_verified"] is True
    assert attributes(user)["given_name"] == "Alice"


def test_sign_in_with_apple__form_post_and_es256_client_secret(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    apple = server.apple
    assert apple is not None
    details = {
        "client_id": apple.client_id,
        "team_id": apple.team_id,
        "key_id": apple.key_id,
        "private_key": apple.private_key,
        # The stand-in issues ID tokens for openid only; Apple's own do for "email name".
        "authorize_scopes": "openid email name",
    }
    _provider(server, pool_id, "SignInWithApple", details, {"email": "email", "email_verified": "email_verified"})
    client = federated_client(server, pool_id, ["SignInWithApple"])
    to_provider, _ = start(browser, server, client, identity_provider="SignInWithApple")
    sent = dict(parse_qsl(urlsplit(to_provider.headers["location"]).query))
    assert sent["response_mode"] == "form_post" and sent["nonce"]
    claims, user = _signed_in(server, pool_id, browser, "SignInWithApple")
    assert claims["cognito:username"] == "signinwithapple_alice"
    assert claims["email"] == "alice@example.test" and claims["email_verified"] is True
    assert attributes(user)["email_verified"] == "true"


def test_sign_in_with_apple__the_user_field_of_the_first_authorization(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    apple = server.apple
    assert apple is not None
    details = {
        "client_id": apple.client_id,
        "team_id": apple.team_id,
        "key_id": apple.key_id,
        "private_key": apple.private_key,
        "authorize_scopes": "openid email name",
    }
    mapping = {"email": "email", "given_name": "firstName", "family_name": "lastName", "name": "name"}
    _provider(server, pool_id, "SignInWithApple", details, mapping)
    client = federated_client(server, pool_id, ["SignInWithApple"])
    to_provider, app = start(browser, server, client, identity_provider="SignInWithApple")
    answer = walk_provider(browser, server, to_provider)
    assert answer.fields is not None
    # Apple posts the user's name, once, beside the code (Sign in with Apple REST API: "user").
    name = {"firstName": "Alice", "lastName": "Liddell"}
    # The field passes through the browser unsigned: an address in it must not replace the ID token's.
    answer.fields["user"] = json.dumps({"name": name, "email": "mallory@attacker.test"})
    params = callback_params(deliver(browser, answer))
    claims = server.verify(pool_id, redeem(server, client, params["code"], app)["id_token"])
    assert claims["given_name"] == "Alice" and claims["family_name"] == "Liddell"
    stored = attributes(users_of(server, pool_id)[0])
    assert stored["name"] == "Alice Liddell"
    assert stored["email"] == claims["email"] != "mallory@attacker.test"


def test_login_with_amazon__code_and_tokens(server: FederationServer, pool_id: str, browser: httpx.Client) -> None:
    details = {"client_id": "amzn1.application-oa2-client.example", "client_secret": "social-secret"}
    _provider(
        server,
        pool_id,
        "LoginWithAmazon",
        {**details, "authorize_scopes": "profile postal_code"},
        {"email": "email", "name": "name", "address": "postal_code"},
    )
    claims, user = _signed_in(server, pool_id, browser, "LoginWithAmazon")
    assert claims["cognito:username"] == f"loginwithamazon_{AMAZON_USER['id'].lower()}"
    assert claims["identities"][0]["userId"] == AMAZON_USER["id"]
    stored = attributes(user)
    assert stored["email"] == AMAZON_USER["email"] and stored["name"] == AMAZON_USER["name"]
    assert stored["address"] == AMAZON_USER["postal_code"] and stored["email_verified"] == "false"


def test_facebook__get_token_call_and_graph_fields(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    details = {"client_id": "social-client", "client_secret": "social-secret", "api_version": "v17.0"}
    _provider(
        server,
        pool_id,
        "Facebook",
        {**details, "authorize_scopes": "public_profile,email"},
        {"email": "email", "given_name": "first_name", "family_name": "last_name"},
    )
    to_provider, _ = start(
        browser, server, federated_client(server, pool_id, ["Facebook"]), identity_provider="Facebook"
    )
    assert dict(parse_qsl(urlsplit(to_provider.headers["location"]).query))["scope"] == "public_profile,email"
    claims, user = _signed_in(server, pool_id, browser, "Facebook")
    assert claims["cognito:username"] == f"facebook_{FACEBOOK_USER['id']}"
    stored = attributes(user)
    assert stored["given_name"] == "Dave" and stored["family_name"] == "Lister"
    assert stored["email"] == FACEBOOK_USER["email"]
