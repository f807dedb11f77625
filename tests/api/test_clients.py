"""App clients through boto3: CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
DeleteUserPoolClient, ListUserPoolClients."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import Server
from tests.support.errors import fails
from userpool.store.sql.tables import clients

RS = "https://api.example.com"
DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
TIMESTAMPS = ("CreationDate", "LastModifiedDate")


def _without_times(client: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in client.items() if k not in TIMESTAMPS}


@pytest.fixture
def api_scopes(idp: Any, pool_id: str) -> None:
    idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier=RS,
        Name="api",
        Scopes=[
            {"ScopeName": "read", "ScopeDescription": "Read"},
            {"ScopeName": "write", "ScopeDescription": "Write"},
        ],
    )


def test_create_user_pool_client__echoes_cognito_defaults(idp: Any, pool_id: str) -> None:
    created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]
    assert re.fullmatch(r"[a-z0-9]{26}", created["ClientId"])
    assert _without_times(created) == {
        "UserPoolId": pool_id,
        "ClientName": "web",
        "ClientId": created["ClientId"],
        "RefreshTokenValidity": 30,
        "AccessTokenValidity": 1,
        "IdTokenValidity": 1,
        "TokenValidityUnits": {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"},
        "ExplicitAuthFlows": DEFAULT_FLOWS,
        "AllowedOAuthFlowsUserPoolClient": False,
        "PreventUserExistenceErrors": "LEGACY",
        "EnableTokenRevocation": True,
        "EnablePropagateAdditionalUserContextData": False,
        "AuthSessionValidity": 3,
    }
    described = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"])["UserPoolClient"]
    assert described == created


def test_create_user_pool_client__generated_secret_is_returned_and_sealed(
    idp: Any, app_server: Server, pool_id: str
) -> None:
    created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="server", GenerateSecret=True)
    secret = created["UserPoolClient"]["ClientSecret"]
    assert re.fullmatch(r"[a-z0-9]{51}", secret)
    client_id = created["UserPoolClient"]["ClientId"]
    described = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert described["ClientSecret"] == secret
    summaries = idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]
    assert summaries == [{"ClientId": client_id, "UserPoolId": pool_id, "ClientName": "server"}]
    with app_server.runtime.store.engine.connect() as conn:
        stored = conn.execute(sa.select(clients.c.secret_sealed).where(clients.c.id == client_id)).scalar_one()
    assert secret not in stored


def test_create_user_pool_client__custom_secret(idp: Any, pool_id: str) -> None:
    secret = "my_own_client_secret_0123456789"
    created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c", ClientSecret=secret)
    assert created["UserPoolClient"]["ClientSecret"] == secret
    code, message = fails(
        idp.create_user_pool_client, UserPoolId=pool_id, ClientName="c", ClientSecret=secret, GenerateSecret=True
    )
    assert code == "InvalidParameterException"
    assert "GenerateSecret" in message


def test_create_user_pool_client__unknown_pool(idp: Any) -> None:
    code, message = fails(idp.create_user_pool_client, UserPoolId="eu-west-1_nothere00", ClientName="c")
    assert (code, message) == ("ResourceNotFoundException", "User pool eu-west-1_nothere00 does not exist.")


def test_create_user_pool_client__explicit_auth_flows(idp: Any, pool_id: str) -> None:
    legacy = ["USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"]
    created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=legacy)
    assert created["UserPoolClient"]["ExplicitAuthFlows"] == legacy
    modern = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=modern)
    assert created["UserPoolClient"]["ExplicitAuthFlows"] == modern
    code, _ = fails(
        idp.create_user_pool_client,
        UserPoolId=pool_id,
        ClientName="c",
        ExplicitAuthFlows=["USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    assert code == "InvalidParameterException"
    code, message = fails(
        idp.create_user_pool_client, UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=["USER_SRP_AUTH"]
    )
    assert code == "InvalidParameterException"
    assert "explicitAuthFlows" in message


def test_create_user_pool_client__every_explicit_auth_flow_of_the_model(idp: Any, pool_id: str) -> None:
    """Every ExplicitAuthFlowsType value botocore's model lists is accepted by Create and Update and echoed
    (the token-exchange ones included), the ALLOW_* values all together, each legacy value on its own."""
    values = list(idp.meta.service_model.shape_for("ExplicitAuthFlowsType").enum)
    modern = [v for v in values if v.startswith("ALLOW_")]
    assert {"ALLOW_USER_AUTH", "ALLOW_TOKEN_EXCHANGE_DELEGATION", "ALLOW_TOKEN_EXCHANGE_IMPERSONATION"} <= set(modern)
    created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=modern)[
        "UserPoolClient"
    ]
    assert created["ExplicitAuthFlows"] == modern
    client_id = created["ClientId"]
    for value in values:
        updated = idp.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ExplicitAuthFlows=[value])
        assert updated["UserPoolClient"]["ExplicitAuthFlows"] == [value]
        described = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
        assert described["ExplicitAuthFlows"] == [value]


def test_create_user_pool_client__token_validity_in_units(idp: Any, pool_id: str) -> None:
    created = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="c",
        AccessTokenValidity=30,
        IdTokenValidity=5,
        RefreshTokenValidity=0,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes"},
    )["UserPoolClient"]
    assert created["AccessTokenValidity"] == 30
    assert created["IdTokenValidity"] == 5
    assert created["RefreshTokenValidity"] == 30  # 0 means the 30-day default
    assert created["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}


OUT_OF_RANGE_VALIDITIES: list[dict[str, Any]] = [
    {"AccessTokenValidity": 25},  # hours by default: more than a day
    {"IdTokenValidity": 4, "TokenValidityUnits": {"IdToken": "minutes"}},
    {"AccessTokenValidity": 2, "TokenValidityUnits": {"AccessToken": "days"}},
    {"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}},
    {"RefreshTokenValidity": 3651},
]


def test_create_user_pool_client__token_validity_out_of_range(idp: Any, pool_id: str) -> None:
    for overrides in OUT_OF_RANGE_VALIDITIES:
        code, message = fails(idp.create_user_pool_client, UserPoolId=pool_id, ClientName="c", **overrides)
        assert code == "InvalidParameterException", overrides
        assert message.startswith("Invalid range for token validity."), overrides


def test_create_user_pool_client__auth_session_validity_range(app_server: Server, idp: Any, pool_id: str) -> None:
    created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c", AuthSessionValidity=15)
    assert created["UserPoolClient"]["AuthSessionValidity"] == 15
    unchecked = app_server.client(parameter_validation=False)
    code, message = fails(unchecked.create_user_pool_client, UserPoolId=pool_id, ClientName="c", AuthSessionValidity=2)
    assert code == "InvalidParameterException"
    assert "authSessionValidity" in message


def test_create_user_pool_client__read_and_write_attributes(idp: Any) -> None:
    pool_id = idp.create_user_pool(
        PoolName="p",
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True},
            {"Name": "team", "AttributeDataType": "String"},
        ],
    )["UserPool"]["Id"]
    created = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="c",
        ReadAttributes=["email", "email_verified", "custom:team"],
        WriteAttributes=["email", "custom:team"],
    )["UserPoolClient"]
    assert created["ReadAttributes"] == ["email", "email_verified", "custom:team"]
    assert created["WriteAttributes"] == ["email", "custom:team"]
    invalid_write = "Invalid write attributes specified while creating a client"
    cases = [
        ({"ReadAttributes": ["custom:nope"]}, "Invalid read attributes specified while creating a client"),
        ({"WriteAttributes": ["email", "email_verified"]}, invalid_write),
        ({"WriteAttributes": ["email", "sub"]}, invalid_write),
        ({"WriteAttributes": ["name"]}, invalid_write),  # email is required, so it must be writable
    ]
    for overrides, expected in cases:
        code, message = fails(idp.create_user_pool_client, UserPoolId=pool_id, ClientName="c", **overrides)
        assert (code, message) == ("InvalidParameterException", expected)


def test_create_user_pool_client__oauth_flows_and_scopes(idp: Any, pool_id: str, api_scopes: None) -> None:
    settings = {
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["code", "implicit"],
        "AllowedOAuthScopes": ["openid", "email", "aws.cognito.signin.user.admin", f"{RS}/read"],
        "CallbackURLs": ["https://app.example.com/cb", "http://localhost:3000/cb", "myapp://callback"],
        "LogoutURLs": ["http://127.0.0.1/bye", "http://[::1]:8080/bye"],
        "DefaultRedirectURI": "https://app.example.com/cb",
        "SupportedIdentityProviders": ["COGNITO"],
    }
    created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web", **settings)["UserPoolClient"]
    assert {k: created[k] for k in settings} == settings
    machine = {
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["client_credentials"],
        "AllowedOAuthScopes": [f"{RS}/read", f"{RS}/write"],
    }
    created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="m2m", GenerateSecret=True, **machine)
    assert {k: created["UserPoolClient"][k] for k in machine} == machine


INVALID_OAUTH_FLOWS: list[tuple[dict[str, Any], str]] = [
    (
        {"AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"]},
        "CallbackUrls can not be empty when code flow or implicit flow is selected",
    ),
    (
        {"AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": [f"{RS}/read"]},
        "client_credentials flow can not be selected if client does not have a client secret.",
    ),
    (
        {
            "GenerateSecret": True,
            "AllowedOAuthFlows": ["client_credentials", "code"],
            "AllowedOAuthScopes": [f"{RS}/read"],
            "CallbackURLs": ["https://app.example.com/cb"],
        },
        "client_credentials flow can not be selected along with code flow or implicit flow.",
    ),
    (
        {
            "GenerateSecret": True,
            "AllowedOAuthFlows": ["client_credentials"],
            "AllowedOAuthScopes": [f"{RS}/read", "openid"],
        },
        "openid is not supported with client_credentials flow",
    ),
    (
        {"AllowedOAuthScopes": ["openid"], "CallbackURLs": ["https://app.example.com/cb"]},
        "AllowedOAuthFlows can not be empty when AllowedOAuthFlowsUserPoolClient is true.",
    ),
]


def test_create_user_pool_client__invalid_oauth_flow(idp: Any, pool_id: str, api_scopes: None) -> None:
    for overrides, expected in INVALID_OAUTH_FLOWS:
        code, message = fails(
            idp.create_user_pool_client,
            UserPoolId=pool_id,
            ClientName="c",
            AllowedOAuthFlowsUserPoolClient=True,
            **overrides,
        )
        assert (code, message) == ("InvalidOAuthFlowException", expected)


def test_create_user_pool_client__unknown_scope(idp: Any, pool_id: str, api_scopes: None) -> None:
    for scope in ("Cognito", f"{RS}/delete", "https://other.example.com/read", "/read"):
        code, message = fails(
            idp.create_user_pool_client,
            UserPoolId=pool_id,
            ClientName="c",
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", scope],
            CallbackURLs=["https://app.example.com/cb"],
        )
        assert (code, message) == ("ScopeDoesNotExistException", f"Invalid scope requested: {scope}")


INVALID_REDIRECTS = [
    ("CallbackURLs", "http://app.example.com/cb"),
    ("CallbackURLs", "http://localhost.evil.example/cb"),
    ("CallbackURLs", "https://app.example.com/cb#fragment"),
    ("CallbackURLs", "javascript:alert(1)"),
    ("CallbackURLs", "/relative/path"),
    ("LogoutURLs", "http://example.com/bye"),
]


def test_create_user_pool_client__invalid_redirect_url(idp: Any, pool_id: str) -> None:
    for member, url in INVALID_REDIRECTS:
        code, message = fails(idp.create_user_pool_client, UserPoolId=pool_id, ClientName="c", **{member: [url]})
        assert code == "InvalidParameterException", url
        assert url in message
    assert idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"] == []


def test_create_user_pool_client__default_redirect_must_be_a_callback(idp: Any, pool_id: str) -> None:
    code, message = fails(
        idp.create_user_pool_client,
        UserPoolId=pool_id,
        ClientName="c",
        CallbackURLs=["https://app.example.com/cb"],
        DefaultRedirectURI="https://app.example.com/other",
    )
    assert (code, message) == ("InvalidParameterException", "DefaultRedirectURI must be one of the CallbackURLs.")


def test_create_user_pool_client__unknown_identity_provider(idp: Any, pool_id: str) -> None:
    code, message = fails(
        idp.create_user_pool_client, UserPoolId=pool_id, ClientName="c", SupportedIdentityProviders=["COGNITO", "Okta"]
    )
    assert (code, message) == ("InvalidParameterException", f"The provider Okta does not exist for User Pool {pool_id}")


def test_create_user_pool_client__propagate_user_context_needs_a_secret(idp: Any, pool_id: str) -> None:
    code, _ = fails(
        idp.create_user_pool_client, UserPoolId=pool_id, ClientName="c", EnablePropagateAdditionalUserContextData=True
    )
    assert code == "InvalidParameterException"
    created = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="c", GenerateSecret=True, EnablePropagateAdditionalUserContextData=True
    )["UserPoolClient"]
    assert created["EnablePropagateAdditionalUserContextData"] is True


def test_create_user_pool_client__echoes_analytics_and_rotation(idp: Any, pool_id: str) -> None:
    analytics = {
        "ApplicationArn": "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/abcdef",
        "UserDataShared": True,
    }
    rotation = {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}
    created = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="c",
        AnalyticsConfiguration=analytics,
        RefreshTokenRotation=rotation,
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=False,
    )["UserPoolClient"]
    assert created["AnalyticsConfiguration"] == analytics
    assert created["RefreshTokenRotation"] == rotation
    assert created["PreventUserExistenceErrors"] == "ENABLED"
    assert created["EnableTokenRevocation"] is False


def test_describe_user_pool_client__not_found(idp: Any, pool_id: str) -> None:
    other_pool = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=other_pool, ClientName="c")["UserPoolClient"]["ClientId"]
    for pool, client in ((pool_id, client_id), (pool_id, "abcdefghijklmnopqrstuvwxyz")):
        assert fails(idp.describe_user_pool_client, UserPoolId=pool, ClientId=client) == (
            "ResourceNotFoundException",
            f"User pool client {client} does not exist.",
        )
    code, _ = fails(idp.describe_user_pool_client, UserPoolId="eu-west-1_nothere00", ClientId=client_id)
    assert code == "ResourceNotFoundException"


def test_update_user_pool_client__replaces_everything_and_keeps_the_secret(
    idp: Any, pool_id: str, api_scopes: None
) -> None:
    created = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="before",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        AccessTokenValidity=10,
        TokenValidityUnits={"AccessToken": "minutes"},
        ReadAttributes=["email"],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", f"{RS}/read"],
        CallbackURLs=["https://app.example.com/cb"],
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=False,
        AuthSessionValidity=10,
    )["UserPoolClient"]
    client_id = created["ClientId"]
    updated = idp.update_user_pool_client(
        UserPoolId=pool_id, ClientId=client_id, ClientName="after", IdTokenValidity=2
    )["UserPoolClient"]
    fresh = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="after", IdTokenValidity=2)["UserPoolClient"]
    assert updated["ClientSecret"] == created["ClientSecret"]
    assert updated["CreationDate"] == created["CreationDate"]
    assert updated["LastModifiedDate"] >= created["LastModifiedDate"]
    reset = {k: v for k, v in _without_times(updated).items() if k not in ("ClientId", "ClientSecret")}
    assert reset == {k: v for k, v in _without_times(fresh).items() if k != "ClientId"}
    described = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert described == updated


def test_update_user_pool_client__invalid_change_leaves_client_unchanged(idp: Any, pool_id: str) -> None:
    before = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c", AccessTokenValidity=2)["UserPoolClient"]
    code, message = fails(
        idp.update_user_pool_client,
        UserPoolId=pool_id,
        ClientId=before["ClientId"],
        ClientName="renamed",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["openid"],
    )
    assert (code, message) == (
        "InvalidOAuthFlowException",
        "client_credentials flow can not be selected if client does not have a client secret.",
    )
    after = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=before["ClientId"])["UserPoolClient"]
    assert after == before


def test_update_user_pool_client__not_found(idp: Any, pool_id: str) -> None:
    other_pool = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=other_pool, ClientName="c")["UserPoolClient"]["ClientId"]
    assert fails(idp.update_user_pool_client, UserPoolId=pool_id, ClientId=client_id, ClientName="x") == (
        "ResourceNotFoundException",
        f"User pool client {client_id} does not exist.",
    )
    assert (
        idp.describe_user_pool_client(UserPoolId=other_pool, ClientId=client_id)["UserPoolClient"]["ClientName"] == "c"
    )


def test_delete_user_pool_client__removes_it(idp: Any, pool_id: str) -> None:
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
    assert (
        idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["ResponseMetadata"]["HTTPStatusCode"] == 200
    )
    for call in (idp.describe_user_pool_client, idp.delete_user_pool_client):
        assert fails(call, UserPoolId=pool_id, ClientId=client_id) == (
            "ResourceNotFoundException",
            f"User pool client {client_id} does not exist.",
        )


def test_delete_user_pool_client__wrong_pool(idp: Any, pool_id: str) -> None:
    other_pool = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=other_pool, ClientName="c")["UserPoolClient"]["ClientId"]
    code, _ = fails(idp.delete_user_pool_client, UserPoolId=pool_id, ClientId=client_id)
    assert code == "ResourceNotFoundException"
    assert idp.describe_user_pool_client(UserPoolId=other_pool, ClientId=client_id)["UserPoolClient"]


def test_list_user_pool_clients__pages(idp: Any, pool_id: str) -> None:
    other_pool = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    idp.create_user_pool_client(UserPoolId=other_pool, ClientName="elsewhere")
    ids = {
        idp.create_user_pool_client(UserPoolId=pool_id, ClientName=f"c{i}")["UserPoolClient"]["ClientId"]
        for i in range(5)
    }
    seen: list[str] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "MaxResults": 2}
    while True:
        page = idp.list_user_pool_clients(**kwargs)
        assert len(page["UserPoolClients"]) <= 2
        seen += [c["ClientId"] for c in page["UserPoolClients"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert sorted(seen) == sorted(ids)
    paginated = idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id, MaxResults=3)
    assert sorted(c["ClientId"] for p in paginated for c in p["UserPoolClients"]) == sorted(ids)


def test_list_user_pool_clients__bad_parameters(app_server: Server, idp: Any, pool_id: str) -> None:
    for i in range(2):
        idp.create_user_pool_client(UserPoolId=pool_id, ClientName=f"c{i}")
    token = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=1)["NextToken"]
    other_pool = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    code, _ = fails(idp.list_user_pool_clients, UserPoolId=other_pool, NextToken=token)
    assert code == "InvalidParameterException"
    unchecked = app_server.client(parameter_validation=False)
    code, message = fails(unchecked.list_user_pool_clients, UserPoolId=pool_id, MaxResults=0)
    assert code == "InvalidParameterException"
    assert "maxResults" in message
    code, _ = fails(idp.list_user_pool_clients, UserPoolId="eu-west-1_nothere00")
    assert code == "ResourceNotFoundException"
