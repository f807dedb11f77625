"""Identity pools through boto3's cognito-identity client on the server's endpoint: the pools themselves
(Create/Describe/Update/Delete/ListIdentityPools), their roles and role mappings, tags and principal tag maps, and
what the endpoint does with the second API (its SigV4 signing name, its model's validation as ValidationException,
its unsigned operations)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import ACCESS_KEY, SECRET_KEY, Server, make_settings, running_server
from tests.support.bridge import ENDPOINT, REGION, in_process_client
from tests.support.pools import error_of

pytestmark = pytest.mark.xdist_group("identity_pools")

COGNITO = "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example1"
AUTH_ROLE = "arn:aws:iam::123456789012:role/identity-auth"
GUEST_ROLE = "arn:aws:iam::123456789012:role/identity-guest"
ADMIN_ROLE = "arn:aws:iam::123456789012:role/identity-admin"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("identity-pools")
    with running_server(make_settings(folder / "data", f"sqlite:///{folder / 'userpool.sqlite3'}")) as found:
        yield found


@pytest.fixture(scope="module")
def cid(server: Server) -> Any:
    return server.identity()


def _pool(cid: Any, **config: Any) -> dict[str, Any]:
    config.setdefault("AllowUnauthenticatedIdentities", False)
    return dict(cid.create_identity_pool(IdentityPoolName=config.pop("IdentityPoolName", "app pool"), **config))


def _without_metadata(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def test_create_identity_pool__echoes_the_configuration_with_defaults(cid: Any) -> None:
    created = _without_metadata(_pool(cid, IdentityPoolName="app pool"))
    pool_id = created.pop("IdentityPoolId")
    region, guid = pool_id.split(":")
    assert region == REGION and len(guid) == 36
    assert created == {
        "IdentityPoolName": "app pool",
        "AllowUnauthenticatedIdentities": False,
        "AllowClassicFlow": False,
        "SupportedLoginProviders": {},
        "OpenIdConnectProviderARNs": [],
        "CognitoIdentityProviders": [],
        "SamlProviderARNs": [],
        "IdentityPoolTags": {},
    }
    assert _without_metadata(cid.describe_identity_pool(IdentityPoolId=pool_id)) == {
        "IdentityPoolId": pool_id,
        **created,
    }


def test_create_identity_pool__every_member(cid: Any) -> None:
    config = {
        "IdentityPoolName": "full",
        "AllowUnauthenticatedIdentities": True,
        "AllowClassicFlow": True,
        "SupportedLoginProviders": {"graph.facebook.com": "1234567890"},
        "DeveloperProviderName": "login.example.app",
        "OpenIdConnectProviderARNs": ["arn:aws:iam::123456789012:oidc-provider/id.example.com"],
        "CognitoIdentityProviders": [{"ProviderName": COGNITO, "ClientId": "client1", "ServerSideTokenCheck": True}],
        "SamlProviderARNs": ["arn:aws:iam::123456789012:saml-provider/corp"],
        "IdentityPoolTags": {"team": "identity"},
    }
    created = _without_metadata(cid.create_identity_pool(**config))
    assert created == {"IdentityPoolId": created["IdentityPoolId"], **config}
    # ServerSideTokenCheck defaults to false.
    other = _pool(cid, CognitoIdentityProviders=[{"ProviderName": COGNITO, "ClientId": "client2"}])
    assert other["CognitoIdentityProviders"] == [
        {"ProviderName": COGNITO, "ClientId": "client2", "ServerSideTokenCheck": False}
    ]


def test_create_identity_pool__refusals(cid: Any) -> None:
    code, message = error_of(lambda: _pool(cid, IdentityPoolName="no/slashes"))
    assert code == "ValidationException"
    assert message == (
        "1 validation error detected: Value 'no/slashes' at 'identityPoolName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"
    )
    assert error_of(lambda: _pool(cid, CognitoIdentityProviders=[{"ClientId": "c"}])) == (
        "InvalidParameterException",
        "Invalid Cognito Identity Provider",
    )
    tags = {f"k{n}": "v" for n in range(51)}
    assert error_of(lambda: _pool(cid, IdentityPoolTags=tags)) == (
        "InvalidParameterException",
        "An identity pool can have at most 50 tags; this would make 51.",
    )
    assert error_of(lambda: _pool(cid, IdentityPoolTags={"aws:x": "1"}))[0] == "InvalidParameterException"


def test_describe_identity_pool__unknown(cid: Any) -> None:
    missing = "eu-west-1:00000000-0000-0000-0000-000000000000"
    for call in (cid.describe_identity_pool, cid.delete_identity_pool, cid.get_identity_pool_roles):
        assert error_of(lambda c=call: c(IdentityPoolId=missing)) == (
            "ResourceNotFoundException",
            f"IdentityPool '{missing}' not found.",
        )
    code, message = error_of(lambda: cid.describe_identity_pool(IdentityPoolId="eu-west-1_userpool"))
    assert code == "ValidationException" and "at 'identityPoolId'" in message


def test_update_identity_pool__replaces_all_keeps_developer_provider_and_tags(cid: Any) -> None:
    pool = _pool(
        cid,
        AllowClassicFlow=True,
        DeveloperProviderName="login.example.app",
        SupportedLoginProviders={"accounts.google.com": "g-client"},
        IdentityPoolTags={"team": "a"},
    )
    updated = cid.update_identity_pool(
        IdentityPoolId=pool["IdentityPoolId"], IdentityPoolName="renamed", AllowUnauthenticatedIdentities=True
    )
    expected = {
        "IdentityPoolId": pool["IdentityPoolId"],
        "IdentityPoolName": "renamed",
        "AllowUnauthenticatedIdentities": True,
        "AllowClassicFlow": False,
        "SupportedLoginProviders": {},
        "OpenIdConnectProviderARNs": [],
        "CognitoIdentityProviders": [],
        "SamlProviderARNs": [],
        "DeveloperProviderName": "login.example.app",
        "IdentityPoolTags": {"team": "a"},
    }
    assert _without_metadata(updated) == expected
    assert _without_metadata(cid.describe_identity_pool(IdentityPoolId=pool["IdentityPoolId"])) == expected
    retagged = cid.update_identity_pool(
        IdentityPoolId=pool["IdentityPoolId"],
        IdentityPoolName="renamed",
        AllowUnauthenticatedIdentities=True,
        IdentityPoolTags={"team": "b"},
    )
    assert retagged["IdentityPoolTags"] == {"team": "b"}


def test_update_identity_pool__developer_provider_name_cannot_change(cid: Any) -> None:
    pool = _pool(cid, DeveloperProviderName="login.example.app")
    assert error_of(
        lambda: cid.update_identity_pool(
            IdentityPoolId=pool["IdentityPoolId"],
            IdentityPoolName="x",
            AllowUnauthenticatedIdentities=False,
            DeveloperProviderName="login.other.app",
        )
    ) == ("InvalidParameterException", "DeveloperProviderName cannot be changed once it is set.")
    missing = "eu-west-1:00000000-0000-0000-0000-00000000beef"
    assert error_of(
        lambda: cid.update_identity_pool(
            IdentityPoolId=missing, IdentityPoolName="x", AllowUnauthenticatedIdentities=False
        )
    ) == ("ResourceNotFoundException", f"IdentityPool '{missing}' not found.")


def test_delete_identity_pool__gone(cid: Any) -> None:
    pool_id = _pool(cid)["IdentityPoolId"]
    assert _without_metadata(cid.delete_identity_pool(IdentityPoolId=pool_id)) == {}
    assert error_of(lambda: cid.describe_identity_pool(IdentityPoolId=pool_id))[0] == "ResourceNotFoundException"


def test_list_identity_pools__pages(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'userpool.sqlite3'}")
    with running_server(settings) as server:
        cid = server.identity()
        made = {_pool(cid, IdentityPoolName=f"pool {n}")["IdentityPoolId"]: f"pool {n}" for n in range(5)}
        seen: dict[str, str] = {}
        kwargs: dict[str, Any] = {}
        pages = 0
        while True:
            page = cid.list_identity_pools(MaxResults=2, **kwargs)
            pages += 1
            assert len(page["IdentityPools"]) <= 2
            seen.update({p["IdentityPoolId"]: p["IdentityPoolName"] for p in page["IdentityPools"]})
            if "NextToken" not in page:
                break
            kwargs = {"NextToken": page["NextToken"]}
        assert seen == made and pages == 3
        assert error_of(lambda: cid.list_identity_pools(MaxResults=2, NextToken="garbage")) == (
            "InvalidParameterException",
            "Invalid pagination token.",
        )
        code, message = error_of(lambda: cid.list_identity_pools(MaxResults=61))
        assert code == "ValidationException"
        assert message == (
            "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: "
            "Member must have value less than or equal to 60"
        )


def test_set_identity_pool_roles__roles_and_mappings_round_trip(cid: Any) -> None:
    pool = _pool(cid, CognitoIdentityProviders=[{"ProviderName": COGNITO, "ClientId": "client1"}])
    pool_id = pool["IdentityPoolId"]
    assert _without_metadata(cid.get_identity_pool_roles(IdentityPoolId=pool_id)) == {
        "IdentityPoolId": pool_id,
        "Roles": {},
    }
    mappings = {
        f"{COGNITO}:client1": {
            "Type": "Rules",
            "AmbiguousRoleResolution": "AuthenticatedRole",
            "RulesConfiguration": {
                "Rules": [
                    {"Claim": "cognito:groups", "MatchType": "Contains", "Value": "admins", "RoleARN": ADMIN_ROLE}
                ]
            },
        }
    }
    roles = {"authenticated": AUTH_ROLE, "unauthenticated": GUEST_ROLE}
    cid.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=roles, RoleMappings=mappings)
    assert _without_metadata(cid.get_identity_pool_roles(IdentityPoolId=pool_id)) == {
        "IdentityPoolId": pool_id,
        "Roles": roles,
        "RoleMappings": mappings,
    }
    token = {f"{COGNITO}:client1": {"Type": "Token", "AmbiguousRoleResolution": "Deny"}}
    cid.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": AUTH_ROLE}, RoleMappings=token)
    got = cid.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["Roles"] == {"authenticated": AUTH_ROLE} and got["RoleMappings"] == token
    cid.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={})
    assert "RoleMappings" not in cid.get_identity_pool_roles(IdentityPoolId=pool_id)


def test_set_identity_pool_roles__refusals(cid: Any) -> None:
    pool_id = _pool(cid, CognitoIdentityProviders=[{"ProviderName": COGNITO, "ClientId": "client1"}])["IdentityPoolId"]
    key = f"{COGNITO}:client1"

    def refused(mappings: dict[str, Any], roles: dict[str, str] | None = None) -> tuple[str, str]:
        return error_of(
            lambda: cid.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=roles or {}, RoleMappings=mappings)
        )

    assert refused({COGNITO: {"Type": "Token", "AmbiguousRoleResolution": "Deny"}}) == (
        "InvalidParameterException",
        f"{COGNITO} is not a valid RoleMapping ProviderName or is not a configured provider.",
    )
    assert refused({key: {"Type": "Token"}}) == (
        "InvalidParameterException",
        f"AmbiguousRoleResolution must be specified for the RoleMapping of {key} of type Token.",
    )
    assert refused({key: {"Type": "Rules", "AmbiguousRoleResolution": "Deny"}}) == (
        "InvalidParameterException",
        f"RulesConfiguration must be specified for the RoleMapping of {key} of type Rules.",
    )
    rule = {"Claim": "locale", "MatchType": "Equals", "Value": "de", "RoleARN": ADMIN_ROLE}
    too_many = {"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": {"Rules": [rule] * 26}}
    assert refused({key: too_many}) == (
        "InvalidParameterException",
        f"The RoleMapping of {key} has 26 rules; an identity provider can have at most 25.",
    )
    code, message = refused({}, {"admin": ADMIN_ROLE})
    assert (
        code == "ValidationException"
        and "Member must satisfy regular expression pattern: (un)?authenticated" in message
    )
    code, message = refused({key: {"Type": "Groups", "AmbiguousRoleResolution": "Deny"}})
    assert code == "ValidationException" and "Member must satisfy enum value set: [Token, Rules]" in message
    assert cid.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {}


def test_tag_resource__tags_of_an_identity_pool(cid: Any) -> None:
    pool_id = _pool(cid, IdentityPoolTags={"team": "a"})["IdentityPoolId"]
    arn = f"arn:aws:cognito-identity:{REGION}:123456789012:identitypool/{pool_id}"
    assert cid.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "a"}
    cid.tag_resource(ResourceArn=arn, Tags={"team": "b", "env": "test"})
    cid.untag_resource(ResourceArn=arn, TagKeys=["env", "never-set"])
    assert cid.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "b"}
    assert cid.describe_identity_pool(IdentityPoolId=pool_id)["IdentityPoolTags"] == {"team": "b"}


def test_tag_resource__unknown_or_malformed_arn(cid: Any) -> None:
    pool_id = _pool(cid)["IdentityPoolId"]
    missing = "eu-west-1:00000000-0000-0000-0000-000000000000"
    for arn, message in (
        (
            f"arn:aws:cognito-identity:{REGION}:123456789012:identitypool/{missing}",
            f"IdentityPool '{missing}' not found.",
        ),
        (
            f"arn:aws:cognito-identity:{REGION}:999999999999:identitypool/{pool_id}",
            f"IdentityPool '{pool_id}' not found.",
        ),
        (
            f"arn:aws:cognito-identity:us-east-1:123456789012:identitypool/{pool_id}",
            f"IdentityPool '{pool_id}' not found.",
        ),
    ):
        for call in (
            lambda a=arn: cid.tag_resource(ResourceArn=a, Tags={"k": "v"}),
            lambda a=arn: cid.untag_resource(ResourceArn=a, TagKeys=["k"]),
            lambda a=arn: cid.list_tags_for_resource(ResourceArn=a),
        ):
            assert error_of(call) == ("ResourceNotFoundException", message)
    user_pool_arn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Example1"
    assert error_of(lambda: cid.list_tags_for_resource(ResourceArn=user_pool_arn)) == (
        "InvalidParameterException",
        f"Invalid ARN: {user_pool_arn} is not the ARN of an identity pool.",
    )


def test_set_principal_tag_attribute_map__round_trip_and_defaults(cid: Any) -> None:
    pool_id = _pool(cid, CognitoIdentityProviders=[{"ProviderName": COGNITO, "ClientId": "client1"}])["IdentityPoolId"]
    assert _without_metadata(
        cid.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=COGNITO)
    ) == {
        "IdentityPoolId": pool_id,
        "IdentityProviderName": COGNITO,
        "UseDefaults": False,
        "PrincipalTags": {},
    }
    answer = cid.set_principal_tag_attribute_map(
        IdentityPoolId=pool_id, IdentityProviderName=COGNITO, PrincipalTags={"dept": "custom:dept"}
    )
    assert answer["PrincipalTags"] == {"dept": "custom:dept"} and answer["UseDefaults"] is False
    defaults = cid.set_principal_tag_attribute_map(
        IdentityPoolId=pool_id, IdentityProviderName=COGNITO, UseDefaults=True
    )
    assert defaults["PrincipalTags"] == {"username": "sub", "client": "aud"}
    got = cid.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=COGNITO)
    assert got["UseDefaults"] is True and got["PrincipalTags"] == {"username": "sub", "client": "aud"}
    # UpdateIdentityPool keeps the mappings.
    cid.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName="x", AllowUnauthenticatedIdentities=False)
    assert cid.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=COGNITO)["UseDefaults"]


def _post(server: Server, operation: str, body: bytes, headers: dict[str, str] | None = None) -> Any:
    sent = {"X-Amz-Target": f"AWSCognitoIdentityService.{operation}", "Content-Type": "application/x-amz-json-1.1"}
    return server.test_client.post("/", headers={**sent, **(headers or {})}, content=body)


def test_identity_api__admin_operations_are_signed(server: Server) -> None:
    """Admin operations must carry a SigV4 signature by a key the server knows."""
    answer = _post(server, "ListIdentityPools", b'{"MaxResults": 1}')
    assert answer.status_code == 400
    assert answer.json()["__type"] == "MissingAuthenticationTokenException"
    unknown_key = server.identity(access_key="AKIDUNKNOWN000000000", secret_key="x" * 40)
    assert error_of(lambda: unknown_key.list_identity_pools(MaxResults=1))[0] == "UnrecognizedClientException"
    bad_secret = server.identity(secret_key="y" * 40)
    assert error_of(lambda: bad_secret.list_identity_pools(MaxResults=1))[0] == "InvalidSignatureException"


def test_identity_api__credential_scope_names_the_service(server: Server) -> None:
    """A request signed for cognito-idp is not one for cognito-identity (nor the reverse)."""
    for service, operation, prefix, wanted in (
        ("cognito-idp", "ListIdentityPools", "AWSCognitoIdentityService", "cognito-identity"),
        ("cognito-identity", "ListUserPools", "AWSCognitoIdentityProviderService", "cognito-idp"),
    ):
        raw = AWSRequest(
            method="POST",
            url=f"{ENDPOINT}/",
            data=b'{"MaxResults": 1}',
            headers={"X-Amz-Target": f"{prefix}.{operation}", "Content-Type": "application/x-amz-json-1.1"},
        )
        raw.headers["Host"] = ENDPOINT.split("://")[1]
        SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), service, REGION).add_auth(raw)
        answer = server.test_client.post("/", headers=dict(raw.headers.items()), content=raw.body)
        assert answer.status_code == 400
        assert answer.json() == {
            "__type": "InvalidSignatureException",
            "message": f"Credential should be scoped to correct service: '{wanted}'.",
        }


def test_identity_api__unknown_operation(server: Server) -> None:
    answer = _post(server, "NoSuchThing", b"{}")
    assert answer.status_code == 400
    assert answer.json() == {
        "__type": "UnknownOperationException",
        "message": "Unknown operation AWSCognitoIdentityService.NoSuchThing",
    }


def test_identity_api__public_operations_need_no_signature(server: Server) -> None:
    """GetId is unsigned (authtype none), as on AWS: a request without Authorization reaches the operation, and so
    does boto3's unsigned request."""
    missing = "eu-west-1:00000000-0000-0000-0000-000000000000"
    answer = _post(server, "GetId", b'{"IdentityPoolId": "%s"}' % missing.encode())
    assert answer.status_code == 400
    assert answer.json() == {"__type": "ResourceNotFoundException", "message": f"IdentityPool '{missing}' not found."}
    unsigned = in_process_client(
        server.test_client, ACCESS_KEY, SECRET_KEY, service="cognito-identity", signature_version=UNSIGNED
    )
    assert error_of(lambda: unsigned.get_id(IdentityPoolId=missing)) == (
        "ResourceNotFoundException",
        f"IdentityPool '{missing}' not found.",
    )
