"""GetClientToken: machine-to-machine access tokens for an app client with ALLOW_CLIENT_TOKEN_AUTH (API reference;
Cognito developer guide: 'Scopes, M2M, and APIs with resource servers'), the same token as /oauth2/token's
client_credentials grant."""

from __future__ import annotations

from typing import Any

import pytest
from botocore import UNSIGNED

from tests.conftest import Server
from tests.support.auth import payload
from tests.support.errors import fails

API = "https://api.example.com"
READ, WRITE = f"{API}/read", f"{API}/write"


def _machine(idp: Any, pool_id: str, **over: Any) -> dict[str, Any]:
    scopes = [{"ScopeName": n, "ScopeDescription": n} for n in ("read", "write", "admin")]
    idp.create_resource_server(UserPoolId=pool_id, Identifier=API, Name="api", Scopes=scopes)
    config: dict[str, Any] = {
        "UserPoolId": pool_id,
        "ClientName": "machine",
        "GenerateSecret": True,
        "ExplicitAuthFlows": ["ALLOW_CLIENT_TOKEN_AUTH"],
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["client_credentials"],
        "AllowedOAuthScopes": [READ, WRITE],
        **over,
    }
    return dict(idp.create_user_pool_client(**config)["UserPoolClient"])


def test_get_client_token__claims_equal_the_client_credentials_grant(clocked: Server) -> None:
    idp = clocked.client()
    pool_id = idp.create_user_pool(PoolName="m2m")["UserPool"]["Id"]
    machine = _machine(idp, pool_id)
    answer = idp.get_client_token(ClientId=machine["ClientId"], Secret=machine["ClientSecret"], Scopes=[READ])
    result = answer["ClientAuthenticationResult"]
    assert set(result) == {"AccessToken", "ExpiresIn", "TokenType"}
    assert (result["ExpiresIn"], result["TokenType"]) == (3600, "Bearer")

    granted = clocked.test_client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "scope": READ},
        auth=(machine["ClientId"], machine["ClientSecret"]),
    )
    assert granted.status_code == 200, granted.text
    assert granted.json()["expires_in"] == result["ExpiresIn"]
    api_claims, oauth_claims = payload(result["AccessToken"]), payload(granted.json()["access_token"])
    # The clock stands still: only the token's own id differs.
    assert api_claims.pop("jti") != oauth_claims.pop("jti")
    assert api_claims == oauth_claims
    assert api_claims["sub"] == api_claims["client_id"] == machine["ClientId"]
    assert api_claims["scope"] == READ and api_claims["token_use"] == "access"


def test_get_client_token__scopes_and_secrets(app_server: Server, pool_id: str) -> None:
    idp = app_server.client()
    machine = _machine(idp, pool_id)
    client_id = machine["ClientId"]
    everything = idp.get_client_token(ClientId=client_id, Secret=machine["ClientSecret"])
    assert payload(everything["ClientAuthenticationResult"]["AccessToken"])["scope"] == f"{READ} {WRITE}"
    assert fails(idp.get_client_token, ClientId=client_id, Secret=machine["ClientSecret"], Scopes=[f"{API}/admin"]) == (
        "InvalidParameterException",
        f"Scope {API}/admin is not allowed for client credentials.",
    )
    # Either secret while they are rotated.
    second = idp.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)["ClientSecretDescriptor"]
    rotated = idp.get_client_token(ClientId=client_id, Secret=second["ClientSecretValue"], Scopes=[WRITE])
    assert payload(rotated["ClientAuthenticationResult"]["AccessToken"])["scope"] == WRITE
    # A machine token opens none of the user operations.
    token = rotated["ClientAuthenticationResult"]["AccessToken"]
    assert fails(idp.get_user, AccessToken=token)[0] == "NotAuthorizedException"


def test_get_client_token__not_authorized_by_iam_credentials(app_server: Server, pool_id: str) -> None:
    machine = _machine(app_server.client(), pool_id)
    # No signature at all, and a signature by a key the server does not know: the client's secret decides.
    for idp in (app_server.client(signature_version=UNSIGNED), app_server.client("AKIDUNKNOWN000000000", "x" * 40)):
        answer = idp.get_client_token(ClientId=machine["ClientId"], Secret=machine["ClientSecret"])
        assert "AccessToken" in answer["ClientAuthenticationResult"]
        assert fails(idp.get_client_token, ClientId=machine["ClientId"], Secret="w" * 40) == (
            "NotAuthorizedException",
            f"Unable to verify secret for client {machine['ClientId']}",
        )


def test_get_client_token__errors(idp: Any, pool_id: str) -> None:
    oauth_only = _machine(idp, pool_id, ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])
    assert fails(idp.get_client_token, ClientId=oauth_only["ClientId"], Secret=oauth_only["ClientSecret"]) == (
        "InvalidParameterException",
        "CLIENT_TOKEN_AUTH flow not enabled for this client",
    )
    public = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="public")["UserPoolClient"]
    assert fails(idp.get_client_token, ClientId=public["ClientId"], Secret="s" * 40) == (
        "NotAuthorizedException",
        f"Unable to verify secret for client {public['ClientId']}",
    )
    assert fails(idp.get_client_token, ClientId="nosuchclient", Secret="s" * 40) == (
        "ResourceNotFoundException",
        "User pool client nosuchclient does not exist.",
    )
    no_scopes = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="bare", GenerateSecret=True, ExplicitAuthFlows=["ALLOW_CLIENT_TOKEN_AUTH"]
    )["UserPoolClient"]
    assert fails(idp.get_client_token, ClientId=no_scopes["ClientId"], Secret=no_scopes["ClientSecret"]) == (
        "InvalidParameterException",
        "The client has no custom scopes to grant.",
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"GenerateSecret": True, "ExplicitAuthFlows": ["ALLOW_CLIENT_TOKEN_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
            "ALLOW_CLIENT_TOKEN_AUTH can not be combined with other ExplicitAuthFlows values.",
        ),
        (
            {"ExplicitAuthFlows": ["ALLOW_CLIENT_TOKEN_AUTH"]},
            "ALLOW_CLIENT_TOKEN_AUTH can not be selected if client does not have a client secret.",
        ),
    ],
)
def test_create_user_pool_client__client_token_auth_rules(
    idp: Any, pool_id: str, config: dict[str, Any], message: str
) -> None:
    assert fails(idp.create_user_pool_client, UserPoolId=pool_id, ClientName="m", **config) == (
        "InvalidParameterException",
        message,
    )
    made = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="m", GenerateSecret=True, ExplicitAuthFlows=["ALLOW_CLIENT_TOKEN_AUTH"]
    )["UserPoolClient"]
    assert made["ExplicitAuthFlows"] == ["ALLOW_CLIENT_TOKEN_AUTH"]
    described = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=made["ClientId"])["UserPoolClient"]
    assert described["ExplicitAuthFlows"] == ["ALLOW_CLIENT_TOKEN_AUTH"]
