"""Resource servers through boto3: CreateResourceServer, DescribeResourceServer, UpdateResourceServer,
DeleteResourceServer, ListResourceServers, and what their scopes mean for app clients."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server
from tests.support.errors import fails

RS = "https://api.example.com"
READ = {"ScopeName": "read", "ScopeDescription": "Read things"}
WRITE = {"ScopeName": "write", "ScopeDescription": "Write things"}


def _m2m_client(idp: Any, pool_id: str, scopes: list[str]) -> str:
    created = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="m2m",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=scopes,
    )
    return str(created["UserPoolClient"]["ClientId"])


def _client_scopes(idp: Any, pool_id: str, client_id: str) -> list[str] | None:
    client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    scopes: list[str] | None = client.get("AllowedOAuthScopes")
    return scopes


def test_create_resource_server__describe_echoes_it(idp: Any, pool_id: str) -> None:
    created = idp.create_resource_server(UserPoolId=pool_id, Identifier=RS, Name="My API", Scopes=[READ, WRITE])
    expected = {"UserPoolId": pool_id, "Identifier": RS, "Name": "My API", "Scopes": [READ, WRITE]}
    assert created["ResourceServer"] == expected
    assert idp.describe_resource_server(UserPoolId=pool_id, Identifier=RS)["ResourceServer"] == expected


def test_create_resource_server__without_scopes(idp: Any, pool_id: str) -> None:
    created = idp.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="orders")
    assert created["ResourceServer"]["Scopes"] == []


def test_create_resource_server__duplicate_identifier(idp: Any, pool_id: str) -> None:
    idp.create_resource_server(UserPoolId=pool_id, Identifier=RS, Name="first", Scopes=[READ])
    code, message = fails(idp.create_resource_server, UserPoolId=pool_id, Identifier=RS, Name="second")
    assert code == "InvalidParameterException"
    assert RS in message
    assert idp.describe_resource_server(UserPoolId=pool_id, Identifier=RS)["ResourceServer"]["Name"] == "first"
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    assert idp.create_resource_server(UserPoolId=other, Identifier=RS, Name="same id, other pool")["ResourceServer"]


def test_create_resource_server__bad_scopes(app_server: Server, idp: Any, pool_id: str) -> None:
    code, message = fails(idp.create_resource_server, UserPoolId=pool_id, Identifier=RS, Name="n", Scopes=[READ, READ])
    assert code == "InvalidParameterException"
    assert "read" in message
    unchecked = app_server.client(parameter_validation=False)
    too_many = [{"ScopeName": f"s{i}", "ScopeDescription": "d"} for i in range(101)]
    code, message = fails(
        unchecked.create_resource_server, UserPoolId=pool_id, Identifier=RS, Name="n", Scopes=too_many
    )
    assert code == "InvalidParameterException"
    assert "scopes" in message
    slash = [{"ScopeName": "a/b", "ScopeDescription": "d"}]
    code, _ = fails(unchecked.create_resource_server, UserPoolId=pool_id, Identifier=RS, Name="n", Scopes=slash)
    assert code == "InvalidParameterException"
    assert idp.list_resource_servers(UserPoolId=pool_id, MaxResults=50)["ResourceServers"] == []


def test_create_resource_server__at_most_25_per_pool(idp: Any, pool_id: str) -> None:
    for i in range(25):
        idp.create_resource_server(UserPoolId=pool_id, Identifier=f"api-{i:02d}", Name="n")
    code, _ = fails(idp.create_resource_server, UserPoolId=pool_id, Identifier="api-25", Name="n")
    assert code == "LimitExceededException"
    code, _ = fails(idp.describe_resource_server, UserPoolId=pool_id, Identifier="api-25")
    assert code == "ResourceNotFoundException"


def test_create_resource_server__unknown_pool(idp: Any) -> None:
    assert fails(idp.create_resource_server, UserPoolId="eu-west-1_nothere00", Identifier=RS, Name="n") == (
        "ResourceNotFoundException",
        "User pool eu-west-1_nothere00 does not exist.",
    )


def test_describe_resource_server__not_found(idp: Any, pool_id: str) -> None:
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    idp.create_resource_server(UserPoolId=other, Identifier=RS, Name="n")
    for identifier in (RS, "missing"):
        code, message = fails(idp.describe_resource_server, UserPoolId=pool_id, Identifier=identifier)
        assert code == "ResourceNotFoundException"
        assert identifier in message


def test_update_resource_server__replaces_name_and_scopes(idp: Any, pool_id: str) -> None:
    idp.create_resource_server(UserPoolId=pool_id, Identifier=RS, Name="old", Scopes=[READ])
    admin = {"ScopeName": "admin", "ScopeDescription": "Everything"}
    updated = idp.update_resource_server(UserPoolId=pool_id, Identifier=RS, Name="new", Scopes=[READ, admin])
    expected = {"UserPoolId": pool_id, "Identifier": RS, "Name": "new", "Scopes": [READ, admin]}
    assert updated["ResourceServer"] == expected
    assert idp.describe_resource_server(UserPoolId=pool_id, Identifier=RS)["ResourceServer"] == expected
    cleared = idp.update_resource_server(UserPoolId=pool_id, Identifier=RS, Name="new")
    assert cleared["ResourceServer"]["Scopes"] == []


def test_update_resource_server__removed_scope_leaves_clients(idp: Any, pool_id: str) -> None:
    idp.create_resource_server(UserPoolId=pool_id, Identifier=RS, Name="api", Scopes=[READ, WRITE])
    idp.create_resource_server(UserPoolId=pool_id, Identifier=f"{RS}/v2", Name="v2", Scopes=[WRITE])
    client_id = _m2m_client(idp, pool_id, [f"{RS}/read", f"{RS}/write", f"{RS}/v2/write"])
    idp.update_resource_server(UserPoolId=pool_id, Identifier=RS, Name="api", Scopes=[READ])
    assert _client_scopes(idp, pool_id, client_id) == [f"{RS}/read", f"{RS}/v2/write"]
    # The client can be saved again as it now stands.
    idp.update_user_pool_client(
        UserPoolId=pool_id,
        ClientId=client_id,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=_client_scopes(idp, pool_id, client_id),
    )


def test_update_resource_server__not_found(idp: Any, pool_id: str) -> None:
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    idp.create_resource_server(UserPoolId=other, Identifier=RS, Name="theirs")
    code, _ = fails(idp.update_resource_server, UserPoolId=pool_id, Identifier=RS, Name="mine")
    assert code == "ResourceNotFoundException"
    assert idp.describe_resource_server(UserPoolId=other, Identifier=RS)["ResourceServer"]["Name"] == "theirs"


def test_delete_resource_server__withdraws_its_scopes_from_clients(idp: Any, pool_id: str) -> None:
    idp.create_resource_server(UserPoolId=pool_id, Identifier=RS, Name="api", Scopes=[READ, WRITE])
    idp.create_resource_server(UserPoolId=pool_id, Identifier="billing", Name="billing", Scopes=[READ])
    both = _m2m_client(idp, pool_id, [f"{RS}/read", "billing/read"])
    only_rs = _m2m_client(idp, pool_id, [f"{RS}/write"])
    idp.delete_resource_server(UserPoolId=pool_id, Identifier=RS)
    code, _ = fails(idp.describe_resource_server, UserPoolId=pool_id, Identifier=RS)
    assert code == "ResourceNotFoundException"
    assert _client_scopes(idp, pool_id, both) == ["billing/read"]
    assert _client_scopes(idp, pool_id, only_rs) is None
    code, _ = fails(
        idp.create_user_pool_client,
        UserPoolId=pool_id,
        ClientName="late",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=[f"{RS}/read"],
    )
    assert code == "ScopeDoesNotExistException"


def test_delete_resource_server__not_found(idp: Any, pool_id: str) -> None:
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    idp.create_resource_server(UserPoolId=other, Identifier=RS, Name="theirs")
    for identifier in (RS, "missing"):
        code, _ = fails(idp.delete_resource_server, UserPoolId=pool_id, Identifier=identifier)
        assert code == "ResourceNotFoundException"
    assert idp.describe_resource_server(UserPoolId=other, Identifier=RS)["ResourceServer"]


def test_list_resource_servers__pages(idp: Any, pool_id: str) -> None:
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    idp.create_resource_server(UserPoolId=other, Identifier="elsewhere", Name="n")
    identifiers = [f"api-{i}" for i in range(5)]
    for identifier in identifiers:
        idp.create_resource_server(UserPoolId=pool_id, Identifier=identifier, Name=identifier, Scopes=[READ])
    seen: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "MaxResults": 2}
    while True:
        page = idp.list_resource_servers(**kwargs)
        assert len(page["ResourceServers"]) <= 2
        seen += page["ResourceServers"]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert sorted(s["Identifier"] for s in seen) == identifiers
    assert all(s["UserPoolId"] == pool_id and s["Scopes"] == [READ] for s in seen)
    paginated = idp.get_paginator("list_resource_servers").paginate(UserPoolId=pool_id, MaxResults=3)
    assert sorted(s["Identifier"] for p in paginated for s in p["ResourceServers"]) == identifiers


def test_list_resource_servers__bad_parameters(app_server: Server, idp: Any, pool_id: str) -> None:
    for i in range(2):
        idp.create_resource_server(UserPoolId=pool_id, Identifier=f"api-{i}", Name="n")
    token = idp.list_resource_servers(UserPoolId=pool_id, MaxResults=1)["NextToken"]
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    code, _ = fails(idp.list_resource_servers, UserPoolId=other, MaxResults=1, NextToken=token)
    assert code == "InvalidParameterException"
    unchecked = app_server.client(parameter_validation=False)
    code, message = fails(unchecked.list_resource_servers, UserPoolId=pool_id, MaxResults=51)
    assert code == "InvalidParameterException"
    assert "maxResults" in message
    code, _ = fails(idp.list_resource_servers, UserPoolId="eu-west-1_nothere00", MaxResults=10)
    assert code == "ResourceNotFoundException"
