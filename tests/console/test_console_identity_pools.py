"""The console's identity pool pages against the API: what the forms create, save and delete is what boto3's
cognito-identity client then describes; errors are the API's words, next to their field, with the input kept; the
overview shows the roles, the identities and the issuer to register as an IAM OIDC provider."""

from __future__ import annotations

import html
import re
from typing import Any

from botocore.exceptions import ClientError

from tests.console.conftest import Console

AUTH = "arn:aws:iam::123456789012:role/app-users"
GUEST = "arn:aws:iam::123456789012:role/app-guests"
ADMIN = "arn:aws:iam::123456789012:role/app-admins"


def _shown(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<span class="api-message">(.*?)</span>', page, re.S)]


def _field_errors(page: str, name: str) -> list[str]:
    found = re.findall(rf'<p class="field-error" id="e-{re.escape(name)}">(.*?)</p>', page, re.S)
    return [html.unescape(m) for m in found]


def _user_pool(console: Console) -> tuple[str, str]:
    pool_id = console.idp.create_user_pool(PoolName="users")["UserPool"]["Id"]
    client_id = console.idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]["ClientId"]
    return f"cognito-idp.eu-west-1.amazonaws.com/{pool_id}", client_id


def _create(console: Console, **fields: Any) -> str:
    provider, client_id = _user_pool(console)
    form = {
        "name": "app identities",
        "allow_guests": "on",
        "provider_name": [provider, ""],
        "client_id": [client_id, ""],
        "token_check": ["yes", "no"],
        "developer_provider": "login.example.app",
        "login_providers": "graph.facebook.com=1234\n",
        "oidc_arns": "",
        "saml_arns": "",
        "tags": "team=identity\n",
        **fields,
    }
    answer = console.post("/console/identity-pools/new", form)
    assert answer.status_code == 303, answer.text
    assert "notice=identity_pool_created" in answer.headers["location"]
    return answer.headers["location"].split("/console/identity-pools/", 1)[1].split("?", 1)[0]


def _described(console: Console, pool_id: str) -> dict[str, Any]:
    found = console.identity.describe_identity_pool(IdentityPoolId=pool_id)
    return {k: v for k, v in found.items() if k != "ResponseMetadata"}


def test_console_identity_pools__create_edit_delete(signed_in: Console) -> None:
    console = signed_in
    assert "No identity pools yet" in console.http.get("/console/identity-pools").text
    pool_id = _create(console)
    described = _described(console, pool_id)
    provider = described["CognitoIdentityProviders"][0]["ProviderName"]
    assert described["IdentityPoolName"] == "app identities"
    assert described["AllowUnauthenticatedIdentities"] is True and described["AllowClassicFlow"] is False
    assert described["CognitoIdentityProviders"][0]["ServerSideTokenCheck"] is True
    assert described["DeveloperProviderName"] == "login.example.app"
    assert described["SupportedLoginProviders"] == {"graph.facebook.com": "1234"}
    assert described["IdentityPoolTags"] == {"team": "identity"}
    listed = console.http.get("/console/identity-pools").text
    assert pool_id in listed and "app identities" in listed
    overview = console.http.get(f"/console/identity-pools/{pool_id}").text
    assert "http://localhost:9229/identity/.well-known/jwks.json" in overview and provider in overview
    edit = console.http.get(f"/console/identity-pools/{pool_id}/edit").text
    assert 'value="login.example.app"' in edit and "Cannot change" in edit
    saved = console.post(
        f"/console/identity-pools/{pool_id}/edit",
        {
            "name": "renamed",
            "classic_flow": "on",
            "provider_name": [provider],
            "client_id": [described["CognitoIdentityProviders"][0]["ClientId"]],
            "token_check": ["no"],
            "developer_provider": "login.example.app",
            "login_providers": "",
            "oidc_arns": "arn:aws:iam::123456789012:oidc-provider/id.example.com",
            "saml_arns": "",
            "tags": "",
        },
    )
    assert saved.status_code == 303 and "notice=identity_pool_updated" in saved.headers["location"]
    after = _described(console, pool_id)
    assert after["IdentityPoolName"] == "renamed" and after["AllowClassicFlow"] is True
    assert after["AllowUnauthenticatedIdentities"] is False
    assert after["CognitoIdentityProviders"][0]["ServerSideTokenCheck"] is False
    assert after["OpenIdConnectProviderARNs"] == ["arn:aws:iam::123456789012:oidc-provider/id.example.com"]
    assert after["SupportedLoginProviders"] == {} and after["IdentityPoolTags"] == {}
    assert "Delete the identity pool renamed" in console.http.get(f"/console/identity-pools/{pool_id}/delete").text
    deleted = console.post(f"/console/identity-pools/{pool_id}/delete", {})
    assert deleted.status_code == 303 and "notice=identity_pool_deleted" in deleted.headers["location"]
    try:
        console.identity.describe_identity_pool(IdentityPoolId=pool_id)
        raise AssertionError("the identity pool is still there")
    except ClientError as err:
        assert err.response["Error"]["Code"] == "ResourceNotFoundException"
    assert console.http.get(f"/console/identity-pools/{pool_id}").status_code == 404


def test_console_identity_pools__the_api_s_errors_next_to_their_fields(signed_in: Console) -> None:
    console = signed_in
    bad_name = console.post(
        "/console/identity-pools/new",
        {"name": "no/slash", "provider_name": [""], "client_id": [""], "token_check": ["no"], "tags": "a=b"},
    )
    assert bad_name.status_code == 400
    message = (
        "1 validation error detected: Value 'no/slash' at 'identityPoolName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"
    )
    assert _shown(bad_name.text) == [message]
    assert _field_errors(bad_name.text, "name") == [message.removeprefix("1 validation error detected: ")]
    assert 'value="no/slash"' in bad_name.text and "a=b" in bad_name.text
    half = console.post(
        "/console/identity-pools/new",
        {
            "name": "half",
            "provider_name": ["cognito-idp.eu-west-1.amazonaws.com/eu-west-1_x"],
            "client_id": [""],
            "token_check": ["no"],
        },
    )
    assert half.status_code == 400 and _shown(half.text) == ["Invalid Cognito Identity Provider"]
    not_pairs = console.post(
        "/console/identity-pools/new",
        {"name": "pairs", "provider_name": [""], "client_id": [""], "token_check": ["no"], "tags": "just-a-key"},
    )
    assert not_pairs.status_code == 400 and _field_errors(not_pairs.text, "tags") == ["'just-a-key' is not key=value."]
    assert console.identity.list_identity_pools(MaxResults=10)["IdentityPools"] == []


def test_console_identity_pools__roles_and_role_mappings(signed_in: Console) -> None:
    console = signed_in
    pool_id = _create(console)
    key = next(iter(console.http.get(f"/console/identity-pools/{pool_id}/roles").text.split("Role mapping of")[1:]))
    assert "cognito-idp.eu-west-1.amazonaws.com/" in key
    described = _described(console, pool_id)
    provider = described["CognitoIdentityProviders"][0]
    mapping_key = f"{provider['ProviderName']}:{provider['ClientId']}"
    # The user pool is provider 0, graph.facebook.com provider 1.
    rules = {
        "authenticated_role": AUTH,
        "unauthenticated_role": GUEST,
        "type_0": "Rules",
        "ambiguous_0": "Deny",
        "claim_0": ["cognito:groups", ""],
        "match_0": ["Contains", "Equals"],
        "value_0": ["admins", ""],
        "role_0": [ADMIN, ""],
        "type_1": "",
        "ambiguous_1": "AuthenticatedRole",
        "claim_1": [""],
        "match_1": ["Equals"],
        "value_1": [""],
        "role_1": [""],
    }
    saved = console.post(f"/console/identity-pools/{pool_id}/roles", rules)
    assert saved.status_code == 303 and "notice=identity_roles_saved" in saved.headers["location"]
    roles = console.identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert roles["Roles"] == {"authenticated": AUTH, "unauthenticated": GUEST}
    assert roles["RoleMappings"] == {
        mapping_key: {
            "Type": "Rules",
            "AmbiguousRoleResolution": "Deny",
            "RulesConfiguration": {
                "Rules": [{"Claim": "cognito:groups", "MatchType": "Contains", "Value": "admins", "RoleARN": ADMIN}]
            },
        }
    }
    form = console.http.get(f"/console/identity-pools/{pool_id}/roles").text
    assert 'value="cognito:groups"' in form and f'value="{ADMIN}"' in form
    overview = console.http.get(f"/console/identity-pools/{pool_id}").text
    assert "cognito:groups Contains admins" in html.unescape(overview)
    refused = console.post(
        f"/console/identity-pools/{pool_id}/roles",
        {**rules, "claim_0": ["", ""], "value_0": ["", ""], "role_0": ["", ""]},
    )
    assert refused.status_code == 400
    assert _shown(refused.text) == [
        f"RulesConfiguration must be specified for the RoleMapping of {mapping_key} of type Rules."
    ]
    assert console.identity.get_identity_pool_roles(IdentityPoolId=pool_id)["RoleMappings"] == roles["RoleMappings"]


def test_console_identity_pools__overview_lists_identities(signed_in: Console) -> None:
    console = signed_in
    pool_id = _create(console)
    guest = console.identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    overview = console.http.get(f"/console/identity-pools/{pool_id}").text
    assert guest in overview and "guest" in overview


def test_console_identity_pools__need_a_signed_in_operator(console: Console) -> None:
    answer = console.http.get("/console/identity-pools")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/login")
