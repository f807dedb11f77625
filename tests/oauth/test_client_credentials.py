"""client_credentials: a machine client gets an access token carrying only the custom scopes it was granted
(Cognito developer guide: 'Token endpoint', 'Scopes, M2M, and APIs with resource servers'), through authlib's client."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.oauth.conftest import OAuthServer


@pytest.fixture
def machine(oauth_server: OAuthServer, pool_id: str) -> dict[str, Any]:
    idp = oauth_server.idp
    scopes = [{"ScopeName": n, "ScopeDescription": n} for n in ("read", "write", "admin")]
    idp.create_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com", Name="api", Scopes=scopes)
    return dict(
        idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="machine",
            GenerateSecret=True,
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=["https://api.example.com/read", "https://api.example.com/write"],
        )["UserPoolClient"]
    )


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _claims(server: OAuthServer, pool_id: str, token: str) -> dict[str, Any]:
    keys = KeySet.import_key_set(httpx.get(f"{server.issuer(pool_id)}/.well-known/jwks.json").json())
    return dict(jwt.decode(token, keys, algorithms=["RS256"]).claims)


def test_client_credentials__token_carries_only_the_granted_custom_scopes(
    oauth_server: OAuthServer, pool_id: str, machine: dict[str, Any]
) -> None:
    url = f"{oauth_server.url}/oauth2/token"
    with OAuth2Client(machine["ClientId"], machine["ClientSecret"]) as rp:
        token = rp.fetch_token(url, grant_type="client_credentials", scope="https://api.example.com/read")
        assert set(token) == {"access_token", "token_type", "expires_in", "expires_at"}
        claims = _claims(oauth_server, pool_id, token["access_token"])
        assert claims["scope"] == "https://api.example.com/read"
        assert claims["sub"] == claims["client_id"] == machine["ClientId"]
        assert claims["token_use"] == "access" and claims["iss"] == oauth_server.issuer(pool_id)
        assert "username" not in claims

        everything = rp.fetch_token(url, grant_type="client_credentials")
        granted = _claims(oauth_server, pool_id, everything["access_token"])["scope"].split()
        assert granted == ["https://api.example.com/read", "https://api.example.com/write"]

        for scope in ("https://api.example.com/admin", "openid", "https://api.example.com/read nope"):
            with pytest.raises(OAuthError) as refused:
                rp.fetch_token(url, grant_type="client_credentials", scope=scope)
            assert refused.value.error == "invalid_scope"


def test_client_credentials__only_for_clients_allowed_it(
    oauth_server: OAuthServer, pool_id: str, machine: dict[str, Any]
) -> None:
    url = f"{oauth_server.url}/oauth2/token"
    web = oauth_server.idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        CallbackURLs=["https://app.example.com/cb"],
    )["UserPoolClient"]
    refused = httpx.post(url, data={"grant_type": "client_credentials"}, auth=(web["ClientId"], web["ClientSecret"]))
    assert refused.status_code == 400 and refused.json()["error"] == "unauthorized_client"
    wrong = httpx.post(url, data={"grant_type": "client_credentials"}, auth=(machine["ClientId"], "nope"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    # A machine token opens none of the user operations.
    token = httpx.post(
        url, data={"grant_type": "client_credentials"}, auth=(machine["ClientId"], machine["ClientSecret"])
    ).json()["access_token"]
    userinfo = httpx.get(f"{oauth_server.url}/oauth2/userInfo", headers={"authorization": f"Bearer {token}"})
    assert userinfo.status_code == 401


def test_client_credentials__either_secret_while_rotating(
    oauth_server: OAuthServer, pool_id: str, machine: dict[str, Any]
) -> None:
    """AddUserPoolClientSecret: both secrets authenticate the client, as HTTP Basic (client_secret_basic) and in
    the form (client_secret_post); once the old one is deleted only the new one does."""
    idp, client_id, old = oauth_server.idp, machine["ClientId"], machine["ClientSecret"]
    url = f"{oauth_server.url}/oauth2/token"
    new = idp.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)["ClientSecretDescriptor"]

    def token_status(secret: str, method: str) -> tuple[int, str]:
        with OAuth2Client(client_id, secret, token_endpoint_auth_method=method) as rp:
            try:
                rp.fetch_token(url, grant_type="client_credentials")
            except OAuthError as refused:
                return 401, refused.error
        return 200, ""

    for secret in (old, new["ClientSecretValue"]):
        for method in ("client_secret_basic", "client_secret_post"):
            assert token_status(secret, method) == (200, "")
    old_id = idp.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)["ClientSecrets"][0]
    idp.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id, ClientSecretId=old_id["ClientSecretId"])
    for method in ("client_secret_basic", "client_secret_post"):
        assert token_status(old, method) == (401, "invalid_client")
        assert token_status(new["ClientSecretValue"], method) == (200, "")
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": old}
    refused = httpx.post(url, data=form)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"


def test_token_endpoint__answers_never_cached_and_open_to_browser_apps(
    oauth_server: OAuthServer, machine: dict[str, Any]
) -> None:
    """What a browser app (Amplify in a SPA) and every cache between rely on, on success, on failure and on
    the preflight (RFC 6749 §5.1: Cache-Control no-store, Pragma no-cache)."""
    url = f"{oauth_server.url}/oauth2/token"
    form = {"grant_type": "client_credentials"}
    granted = httpx.post(url, data=form, auth=(machine["ClientId"], machine["ClientSecret"]))
    refused = httpx.post(url, data=form, auth=(machine["ClientId"], "nope"))
    assert (granted.status_code, refused.status_code) == (200, 401)
    for answer in (granted, refused):
        assert answer.headers["cache-control"] == "no-store" and answer.headers["pragma"] == "no-cache"
        assert answer.headers["access-control-allow-origin"] == "*"
        assert answer.headers["content-type"].startswith("application/json")
    assert granted.headers["content-length"] == str(len(granted.content))
    assert refused.headers["www-authenticate"].startswith("Basic")
    preflight = httpx.options(url, headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert httpx.get(url).status_code == 405


def test_token_endpoint__a_second_authorization_header_is_not_the_credentials(
    oauth_server: OAuthServer, machine: dict[str, Any]
) -> None:
    """Two Authorization headers: the first is read, whatever the second says, as for any header."""
    url = f"{oauth_server.url}/oauth2/token"
    basic, wrong = (_basic(machine["ClientId"], secret) for secret in (machine["ClientSecret"], "nope"))
    body = b"grant_type=client_credentials"
    form_type = ("Content-Type", "application/x-www-form-urlencoded")
    for first, second, status in ((basic, wrong, 200), (wrong, basic, 401)):
        headers = [form_type, ("Authorization", first), ("Authorization", second)]
        assert httpx.post(url, content=body, headers=headers).status_code == status
