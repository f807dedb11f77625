"""Every admin operation of the foundation once, by boto3 over a real socket, as a setup script would run it."""

from __future__ import annotations

from typing import Any

from tests.support.errors import fails

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"


def _pool_lifecycle(idp: Any) -> str:
    pool = idp.create_user_pool(
        PoolName="script",
        AliasAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "team", "AttributeDataType": "String", "Mutable": True}],
        UserPoolTags={"env": "test"},
    )["UserPool"]
    pool_id = str(pool["Id"])
    idp.update_user_pool(UserPoolId=pool_id, DeletionProtection="ACTIVE", AutoVerifiedAttributes=["email"])
    idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[{"Name": "level", "AttributeDataType": "Number"}])
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["DeletionProtection"] == "ACTIVE"
    assert {"custom:team", "custom:level"} <= {a["Name"] for a in described["SchemaAttributes"]}
    assert "cognito:username" in idp.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    assert [p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]] == [pool_id]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
    )
    assert idp.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OPTIONAL"
    arn = described["Arn"]
    idp.tag_resource(ResourceArn=arn, Tags={"team": "identity"})
    idp.untag_resource(ResourceArn=arn, TagKeys=["env"])
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "identity"}
    return pool_id


def _clients_domains_servers(idp: Any, pool_id: str) -> None:
    idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier="https://api.example.com",
        Name="api",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}],
    )
    idp.update_resource_server(
        UserPoolId=pool_id,
        Identifier="https://api.example.com",
        Name="api v2",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "read things"}],
    )
    assert (
        idp.describe_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com")["ResourceServer"]["Name"]
        == "api v2"
    )
    assert len(idp.list_resource_servers(UserPoolId=pool_id, MaxResults=10)["ResourceServers"]) == 1
    client = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="backend",
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["https://api.example.com/read"],
    )["UserPoolClient"]
    client_id = client["ClientId"]
    idp.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ClientName="backend-2")
    described = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert described["ClientSecret"] == client["ClientSecret"] and described["ClientName"] == "backend-2"
    assert [c["ClientId"] for c in idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]] == [client_id]
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="script-login")
    idp.update_user_pool_domain(UserPoolId=pool_id, Domain="script-login", ManagedLoginVersion=2)
    assert idp.describe_user_pool_domain(Domain="script-login")["DomainDescription"]["UserPoolId"] == pool_id
    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain="script-login")
    idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    idp.delete_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com")


def _users_and_groups(idp: Any, pool_id: str) -> None:
    created = idp.admin_create_user(
        UserPoolId=pool_id,
        Username="dana",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "dana@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )["User"]
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    idp.admin_update_user_attributes(
        UserPoolId=pool_id, Username="dana", UserAttributes=[{"Name": "name", "Value": "Dana"}]
    )
    idp.admin_delete_user_attributes(UserPoolId=pool_id, Username="dana", UserAttributeNames=["name"])
    idp.admin_set_user_password(UserPoolId=pool_id, Username="dana", Password="Str0ng!Passw0rd", Permanent=True)
    idp.admin_disable_user(UserPoolId=pool_id, Username="dana")
    idp.admin_enable_user(UserPoolId=pool_id, Username="dana")
    idp.admin_reset_user_password(UserPoolId=pool_id, Username="dana")
    user = idp.admin_get_user(UserPoolId=pool_id, Username="dana@example.com")
    assert (user["Username"], user["UserStatus"], user["Enabled"]) == ("dana", "RESET_REQUIRED", True)
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool_id, Filter='email ^= "dana"')["Users"]] == ["dana"]
    idp.create_group(UserPoolId=pool_id, GroupName="ops", Precedence=1)
    idp.update_group(UserPoolId=pool_id, GroupName="ops", Description="operators")
    assert idp.get_group(UserPoolId=pool_id, GroupName="ops")["Group"]["Description"] == "operators"
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="dana", GroupName="ops")
    assert [g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="dana")["Groups"]] == [
        "ops"
    ]
    assert [u["Username"] for u in idp.list_users_in_group(UserPoolId=pool_id, GroupName="ops")["Users"]] == ["dana"]
    assert [g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]] == ["ops"]
    idp.admin_remove_user_from_group(UserPoolId=pool_id, Username="dana", GroupName="ops")
    idp.delete_group(UserPoolId=pool_id, GroupName="ops")
    idp.admin_create_user(UserPoolId=pool_id, Username="eve", MessageAction="SUPPRESS")
    assert fails(idp.admin_confirm_sign_up, UserPoolId=pool_id, Username="eve")[0] == "NotAuthorizedException"
    idp.admin_delete_user(UserPoolId=pool_id, Username="eve")


def test_admin_api__a_whole_setup_script_over_a_socket(live_idp: Any) -> None:
    pool_id = _pool_lifecycle(live_idp)
    _clients_domains_servers(live_idp, pool_id)
    _users_and_groups(live_idp, pool_id)
    code, message = fails(live_idp.delete_user_pool, UserPoolId=pool_id)
    assert code == "InvalidParameterException" and "deletion protection" in message
    live_idp.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    live_idp.delete_user_pool(UserPoolId=pool_id)
    assert fails(live_idp.describe_user_pool, UserPoolId=pool_id)[0] == "ResourceNotFoundException"
