"""Console pages against the API: a form's errors are the API's words for the same input, shown next to the
field; a console action leaves the state the equivalent boto3 call leaves; every page answers without a
500, for good and for bad input."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.console.conftest import Console

_VOLATILE = {"Id", "Name", "Arn", "CreationDate", "LastModifiedDate", "EstimatedNumberOfUsers"}


def _api_error(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return str(caught.value.response["Error"]["Message"])


def _shown(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<span class="api-message">(.*?)</span>', page, re.S)]


def _field_errors(page: str, name: str) -> list[str]:
    return [
        html.unescape(m) for m in re.findall(rf'<p class="field-error" id="e-{re.escape(name)}">(.*?)</p>', page, re.S)
    ]


def _wizard(**over: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "pool_name": "console-pool",
        "sign_in": "email",
        "required": ["email"],
        "min_length": "10",
        "temp_days": "3",
        "require_uppercase": "on",
        "require_numbers": "on",
        "auto_verify": ["email"],
        "self_sign_up": "on",
        "recovery": "verified_email",
        "mfa": "OPTIONAL",
        "mfa_factors": ["TOTP"],
        "custom_attributes": "tier\nlevel:Number",
    }
    return form | over


def _boto_pool(idp: Any, name: str) -> str:
    """The pool the wizard of :func:`_wizard` describes, made with boto3 as its documentation shows."""
    pool = idp.create_user_pool(
        PoolName=name,
        UsernameAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Mutable": True, "Required": True},
            {"Name": "tier", "AttributeDataType": "String", "Mutable": True},
            {"Name": "level", "AttributeDataType": "Number", "Mutable": True},
        ],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 10,
                "RequireUppercase": True,
                "RequireLowercase": False,
                "RequireNumbers": True,
                "RequireSymbols": False,
                "TemporaryPasswordValidityDays": 3,
            }
        },
        AutoVerifiedAttributes=["email"],
        DeletionProtection="INACTIVE",
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": False},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        VerificationMessageTemplate={"DefaultEmailOption": "CONFIRM_WITH_CODE"},
    )["UserPool"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    return str(pool["Id"])


def _created_pool(console: Console, name: str) -> str:
    for pool in console.idp.list_user_pools(MaxResults=60)["UserPools"]:
        if pool["Name"] == name:
            return str(pool["Id"])
    raise AssertionError(f"no pool {name}")


def _comparable(described: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in described.items() if k not in _VOLATILE}


def test_create_user_pool__wizard_leaves_the_state_of_the_boto3_call(signed_in: Console) -> None:
    answer = signed_in.post("/console/pools/new", _wizard())
    assert answer.status_code == 303, answer.text
    by_console = _created_pool(signed_in, "console-pool")
    by_boto3 = _boto_pool(signed_in.idp, "boto3-pool")
    idp = signed_in.idp
    assert _comparable(idp.describe_user_pool(UserPoolId=by_console)["UserPool"]) == _comparable(
        idp.describe_user_pool(UserPoolId=by_boto3)["UserPool"]
    )
    assert idp.get_user_pool_mfa_config(UserPoolId=by_console) | {
        "ResponseMetadata": None
    } == idp.get_user_pool_mfa_config(UserPoolId=by_boto3) | {"ResponseMetadata": None}


def test_create_user_pool__form_shows_the_api_errors_next_to_the_fields(signed_in: Console) -> None:
    answer = signed_in.post("/console/pools/new", _wizard(pool_name="", min_length="200", mfa="OFF"))
    assert answer.status_code == 400
    expected = _api_error(
        signed_in.unchecked.create_user_pool,
        PoolName="",
        Policies={"PasswordPolicy": {"MinimumLength": 200}},
    )
    assert _shown(answer.text) == [expected]
    assert _field_errors(answer.text, "pool_name")[0] == (
        "Value '' at 'poolName' failed to satisfy constraint: Member must have length greater than or equal to 1"
    )
    assert len(_field_errors(answer.text, "min_length")) == 1
    assert 'value="200"' in answer.text  # what was typed is kept


def test_create_user_pool__service_errors_are_the_api_words(signed_in: Console) -> None:
    answer = signed_in.post("/console/pools/new", _wizard(invite_message="Hello, no placeholders", mfa="OFF"))
    expected = _api_error(
        signed_in.unchecked.create_user_pool,
        PoolName="x",
        AdminCreateUserConfig={"InviteMessageTemplate": {"EmailMessage": "Hello, no placeholders"}},
    )
    assert _shown(answer.text) == [expected]


def test_create_group__console_and_boto3_leave_the_same_group(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="groups")["UserPool"]["Id"]
    answer = signed_in.post(
        f"/console/pools/{pool_id}/groups", {"group_name": "admin", "description": "Admins", "precedence": "1"}
    )
    assert answer.status_code == 303
    idp.create_group(UserPoolId=pool_id, GroupName="admin2", Description="Admins", Precedence=1)
    a = idp.get_group(UserPoolId=pool_id, GroupName="admin")["Group"]
    b = idp.get_group(UserPoolId=pool_id, GroupName="admin2")["Group"]
    volatile = {"GroupName", "CreationDate", "LastModifiedDate"}
    assert {k: v for k, v in a.items() if k not in volatile} == {k: v for k, v in b.items() if k not in volatile}
    bad = signed_in.post(f"/console/pools/{pool_id}/groups", {"group_name": "admin", "precedence": "-1"})
    assert _shown(bad.text) == [
        _api_error(signed_in.unchecked.create_group, UserPoolId=pool_id, GroupName="admin", Precedence=-1)
    ]


def test_admin_create_user__console_and_boto3_leave_the_same_user(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="users")["UserPool"]["Id"]
    answer = signed_in.post(
        f"/console/pools/{pool_id}/users/new",
        {
            "username": "ada",
            "attr.email": "ada@example.com",
            "email_verified": "on",
            "temporary_password": "Temp-Passw0rd!",
        },
    )
    assert answer.status_code == 303, answer.text
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="bob",
        TemporaryPassword="Temp-Passw0rd!",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "ada@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )

    def shape(name: str) -> dict[str, Any]:
        user = idp.admin_get_user(UserPoolId=pool_id, Username=name)
        attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"] if a["Name"] != "sub"}
        return {"status": user["UserStatus"], "enabled": user["Enabled"], "attributes": attrs}

    assert shape("ada") == shape("bob")
    # Disable through the console (after its confirmation page), and through boto3: the same again.
    confirm = signed_in.http.get(f"/console/pools/{pool_id}/user/disable", params={"username": "ada"})
    assert confirm.status_code == 200 and "Disable user" in confirm.text
    done = signed_in.post(f"/console/pools/{pool_id}/user/disable?username=ada", {})
    assert done.status_code == 303
    idp.admin_disable_user(UserPoolId=pool_id, Username="bob")
    assert shape("ada") == shape("bob")


def test_admin_create_user__form_errors_are_the_api_words(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="users")["UserPool"]["Id"]
    answer = signed_in.post(
        f"/console/pools/{pool_id}/users/new", {"username": "has space", "temporary_password": "short"}
    )
    expected = _api_error(
        signed_in.unchecked.admin_create_user, UserPoolId=pool_id, Username="has space", TemporaryPassword="short"
    )
    assert _shown(answer.text) == [expected]
    assert _field_errors(answer.text, "username")


def test_console__every_page_answers(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="tour")["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        AllowedOAuthFlowsUserPoolClient=True,
        CallbackURLs=["https://app.example/cb"],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    idp.admin_create_user(UserPoolId=pool_id, Username="a/b", MessageAction="SUPPRESS")
    idp.create_group(UserPoolId=pool_id, GroupName="ops/team")
    idp.create_resource_server(UserPoolId=pool_id, Identifier="https://api.example", Name="api")
    base = f"/console/pools/{pool_id}"
    for path in (
        "/console/",
        "/console/outbox",
        "/console/pools/new",
        base,
        f"{base}/edit",
        f"{base}/delete",
        f"{base}/clients",
        f"{base}/clients/new",
        f"{base}/clients/{client['ClientId']}",
        f"{base}/clients/{client['ClientId']}/edit",
        f"{base}/clients/{client['ClientId']}/delete",
        f"{base}/domain",
        f"{base}/users",
        f"{base}/users?attribute=username&match=prefix&q=a",
        f"{base}/users/new",
        f"{base}/user?username=a%2Fb",
        f"{base}/user/reset-password?username=a%2Fb",
        f"{base}/groups",
        f"{base}/group?name=ops%2Fteam",
        f"{base}/group/delete?name=ops%2Fteam",
        f"{base}/resource-servers",
        f"{base}/resource-servers/delete?identifier=https%3A%2F%2Fapi.example",
        f"{base}/triggers",
        f"{base}/keys",
        f"{base}/threat-protection",
        f"{base}/threat-protection?client={client['ClientId']}",
        f"{base}/log-delivery",
    ):
        answer = signed_in.http.get(path)
        assert answer.status_code == 200, (path, answer.text)
    for path, status in (
        ("/console/pools/us-east-1_nothere00", 404),
        ("/console/pools/not a pool", 400),
        (f"{base}/user?username=ghost", 404),
        (f"{base}/clients/nope", 404),
        (f"{base}/users?next=garbage", 400),
        (f"{base}/user?username=" + "x" * 5000, 400),
    ):
        answer = signed_in.http.get(path)
        assert answer.status_code == status, (path, answer.status_code, answer.text[:500])


def test_console__bad_posts_never_fail_with_500(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="bad")["UserPool"]["Id"]
    base = f"/console/pools/{pool_id}"
    token = signed_in.csrf()
    for path, data in (
        (f"{base}/edit", {"min_length": "abc", "pool_name": "x" * 500}),
        (f"{base}/clients/new", {"client_name": "", "access_validity": "1", "callback_urls": "not a url"}),
        (f"{base}/domain", {"domain": "-bad-", "kind": "prefix"}),
        (f"{base}/branding", {"css": "body { color: red }"}),
        (f"{base}/resource-servers", {"identifier": "", "name": "", "scopes": "a b: c"}),
        (f"{base}/user/attributes?username=nobody", {"attr.email": "x"}),
        (f"{base}/user/groups?username=nobody", {"group": "none"}),
        (f"{base}/group/members?name=nobody", {"username": "nobody"}),
        (f"{base}/user/explode?username=nobody", {}),
        (f"{base}/threat-protection", {"mode": "x", "cc_action": "x", "blocked_ips": "x", "adaptive": "on"}),
        (f"{base}/threat-protection?client=nope", {"scope": "own"}),
        (f"{base}/log-delivery", {"auth_kind": "x", "auth_arn": "x", "notification_arn": "y"}),
        (f"{base}/user/event-feedback?username=nobody", {"event_id": "", "value": ""}),
    ):
        answer = signed_in.http.post(path, data={"_csrf": token, **data})
        assert answer.status_code in (303, 400, 404), (path, answer.status_code, answer.text[:800])
    raw = signed_in.http.post(f"{base}/groups", content=b"\xff\xfe", headers={"content-type": "text/plain"})
    assert raw.status_code == 400


def test_create_user_pool_client__refused_write_attributes_are_shown_at_that_field(signed_in: Console) -> None:
    """Cognito's "Invalid write attributes" names no field: the form puts it at the writable attributes
    (here a pool that requires email, and a client that may not write it)."""
    pool_id = signed_in.idp.create_user_pool(
        PoolName="required-email",
        Schema=[{"Name": "email", "AttributeDataType": "String", "Mutable": True, "Required": True}],
    )["UserPool"]["Id"]
    answer = signed_in.post(
        f"/console/pools/{pool_id}/clients/new", {"client_name": "web", "write_attributes": ["name"]}
    )
    expected = _api_error(
        signed_in.unchecked.create_user_pool_client, UserPoolId=pool_id, ClientName="web", WriteAttributes=["name"]
    )
    assert answer.status_code == 400 and _shown(answer.text) == [expected]
    assert _field_errors(answer.text, "write_attributes") == [expected]
