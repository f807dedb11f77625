"""A native user linked to an identity at an OIDC provider (npm oidc-provider), signing in through it in the
browser: AdminLinkProviderForUser makes the provider's sign-in land on the native user, AdminDisableProviderForUser
undoes the link or ends the user's password sign-in (Cognito developer guide: 'Linking federated users to an
existing user profile'; API reference: AdminLinkProviderForUser, AdminDisableProviderForUser)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.federation.browser_sign_in import (
    FederationServer,
    attributes,
    federated_client,
    federation_server,
    new_pool,
    oidc_provider,
    redeem,
    sign_in,
    users_of,
)
from tests.support.hosted import submit

PASSWORD = "Native-Passw0rd!"
# The subject oidc-provider gives its account alice.
SUBJECT = "alice"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FederationServer]:
    with federation_server(tmp_path_factory.mktemp("linked-sign-in"), social=False) as running:
        yield running


@pytest.fixture
def pool_id(server: FederationServer) -> str:
    pool = new_pool(server, "Linked")
    oidc_provider(server, pool)
    return pool


def native_user(server: FederationServer, pool_id: str, username: str) -> str:
    """A confirmed user with a password; its sub."""
    created = server.idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[{"Name": "email", "Value": f"{username}@native.test"}],
        MessageAction="SUPPRESS",
    )["User"]
    server.idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    return attributes(created)["sub"]


def corp_identity() -> dict[str, str]:
    return {"ProviderName": "Corp", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": SUBJECT}


def link(server: FederationServer, pool_id: str, username: str) -> None:
    server.idp.admin_link_provider_for_user(
        UserPoolId=pool_id,
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": username},
        SourceUser=corp_identity(),
    )


def corp_sign_in(server: FederationServer, client: dict[str, Any]) -> dict[str, Any]:
    """A whole sign-in through Corp in a fresh browser; the claims of the ID token the application gets."""
    return server.verify(client["UserPoolId"], corp_tokens(server, client)["id_token"])


def corp_tokens(server: FederationServer, client: dict[str, Any]) -> dict[str, Any]:
    """The tokens of a whole sign-in through Corp in a fresh browser, with every scope the client allows."""
    scope = " ".join(client["AllowedOAuthScopes"])
    with httpx.Client(follow_redirects=False, timeout=30) as browser:
        params, app = sign_in(browser, server, client, "Corp", scope=scope)
    return redeem(server, client, params["code"], app)


def test_admin_link_provider_for_user__provider_sign_in_lands_on_the_native_user_until_disabled(
    server: FederationServer, pool_id: str
) -> None:
    carlos_sub = native_user(server, pool_id, "carlos")
    link(server, pool_id, "carlos")
    scopes = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]
    client = federated_client(server, pool_id, ["COGNITO", "Corp"], AllowedOAuthScopes=scopes)

    claims = corp_sign_in(server, client)
    assert claims["sub"] == carlos_sub and claims["cognito:username"] == "carlos"
    [identity] = claims["identities"]
    assert identity["providerName"] == "Corp" and identity["providerType"] == "OIDC"
    assert identity["userId"] == SUBJECT and identity["primary"] == "false"
    [user] = users_of(server, pool_id)
    assert user["Username"] == "carlos" and user["UserStatus"] == "CONFIRMED"
    stored = attributes(user)
    assert stored["sub"] == carlos_sub and json.loads(stored["identities"])[0]["primary"] is False
    # The provider's mapped attributes are written onto the user it signs in as.
    assert stored["given_name"] == "Alice" and stored["email"] == "alice@example.test"
    # A second sign-in lands on the same user again, who reads its profile, identities included, with the
    # access token.
    tokens = corp_tokens(server, client)
    assert server.verify(pool_id, tokens["id_token"])["sub"] == carlos_sub
    assert len(users_of(server, pool_id)) == 1
    profile = server.idp.get_user(AccessToken=tokens["access_token"])
    assert profile["Username"] == "carlos" and attributes(profile)["sub"] == carlos_sub
    assert json.loads(attributes(profile)["identities"])[0]["userId"] == SUBJECT

    server.idp.admin_disable_provider_for_user(UserPoolId=pool_id, User=corp_identity())
    assert "identities" not in attributes(server.idp.admin_get_user(UserPoolId=pool_id, Username="carlos"))
    claims = corp_sign_in(server, client)
    assert claims["sub"] != carlos_sub and claims["cognito:username"] == f"corp_{SUBJECT}"
    [identity] = claims["identities"]
    assert identity["userId"] == SUBJECT and identity["primary"] == "true"
    users = {u["Username"]: u for u in users_of(server, pool_id)}
    assert set(users) == {"carlos", f"corp_{SUBJECT}"}
    assert users[f"corp_{SUBJECT}"]["UserStatus"] == "EXTERNAL_PROVIDER"


def test_admin_disable_provider_for_user__cognito_leaves_only_the_linked_provider(
    server: FederationServer, pool_id: str
) -> None:
    """A user moved to the provider: its password no longer works on the hosted login page, the linked
    provider still signs it in."""
    dana_sub = native_user(server, pool_id, "dana")
    link(server, pool_id, "dana")
    server.idp.admin_disable_provider_for_user(
        UserPoolId=pool_id,
        User={"ProviderName": "Cognito", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "dana"},
    )
    client = federated_client(server, pool_id, ["COGNITO", "Corp"])

    with httpx.Client(follow_redirects=False, timeout=30, base_url=server.url) as browser:
        login = browser.get(
            "/login",
            params={
                "client_id": client["ClientId"],
                "response_type": "code",
                "redirect_uri": client["CallbackURLs"][0],
                "scope": "openid email",
            },
        )
        assert login.status_code == 200, login.text
        refused = submit(browser, login, {"username": "dana", "password": PASSWORD})
    assert refused.status_code == 400 and "Incorrect username or password." in refused.text

    claims = corp_sign_in(server, client)
    assert claims["sub"] == dana_sub and claims["cognito:username"] == "dana"
    assert len(users_of(server, pool_id)) == 1


def test_change_password__a_federated_user_cannot_give_itself_a_password(
    server: FederationServer, pool_id: str
) -> None:
    """Only a passwordless native user may set a password without the current one: a federated user's own
    password would let it in after its provider stopped doing so."""
    scopes = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]
    flows = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client = federated_client(server, pool_id, ["Corp"], AllowedOAuthScopes=scopes, ExplicitAuthFlows=flows)
    access_token = corp_tokens(server, client)["access_token"]
    for previous in ({}, {"PreviousPassword": "Any-Passw0rd!"}):
        with pytest.raises(server.idp.exceptions.NotAuthorizedException):
            server.idp.change_password(AccessToken=access_token, ProposedPassword=PASSWORD, **previous)
    user = server.idp.admin_get_user(UserPoolId=pool_id, Username=f"corp_{SUBJECT}")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    with pytest.raises(server.idp.exceptions.NotAuthorizedException):
        server.idp.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client["ClientId"],
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": f"corp_{SUBJECT}", "PASSWORD": PASSWORD},
        )
