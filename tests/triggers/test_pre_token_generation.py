"""PreTokenGeneration V1_0 and V2_0 through boto3 and pycognito: claims, groups and scopes changed in the issued
JWTs at sign-in and on refresh, each triggerSource, claims Cognito keeps to itself left alone, and broken
functions (Cognito developer guide: 'Pre token generation Lambda trigger')."""

from __future__ import annotations

from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP, generate_hash_device

from tests.support.auth import PASSWORD, payload
from tests.support.errors import fails
from tests.triggers.conftest import TriggerServer, arn, events
from tests.triggers.sign_in_pools import app_client, live_sessions, password_sign_in, sign_in_pool, user

STAFF_ROLE = "arn:aws:iam::123456789012:role/Staff"
BETA_ROLE = "arn:aws:iam::123456789012:role/Beta"


def _groups(idp: Any, pool_id: str) -> None:
    idp.create_group(UserPoolId=pool_id, GroupName="staff", RoleArn=STAFF_ROLE, Precedence=1)
    idp.create_group(UserPoolId=pool_id, GroupName="admins", Precedence=2)


def _refresh(idp: Any, client_id: str, tokens: dict[str, Any]) -> dict[str, Any]:
    answer = idp.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}
    )
    return dict(answer["AuthenticationResult"])


@pytest.mark.every_transport
def test_sign_in__v1_changes_id_token_claims_and_both_tokens_groups(idp: Any) -> None:
    # A legacy PreTokenGeneration ARN is a V1_0 function.
    pool_id = sign_in_pool(idp, {"PreTokenGeneration": "pre_token_v1"})
    client_id = app_client(idp, pool_id)
    _groups(idp, pool_id)
    sub = user(idp, pool_id, "ann", "ann@example.com", groups=("staff", "admins"))
    tokens = password_sign_in(idp, client_id, "ann")["AuthenticationResult"]

    id_claims = payload(tokens["IdToken"])
    assert id_claims["tenant"] == "acme"
    assert id_claims["token_source"] == "TokenGeneration_Authentication"
    assert id_claims["family_name"] == "Override"
    # Suppressed, and suppression wins over an addition of the same claim.
    assert "email" not in id_claims and "both" not in id_claims
    # Claims Cognito keeps to itself are untouched, whether the function overrides or suppresses them.
    assert id_claims["sub"] == sub and id_claims["cognito:username"] == "ann"
    assert id_claims["iss"].endswith("/" + pool_id)
    assert id_claims["aud"] == client_id and id_claims["token_use"] == "id"
    assert id_claims["cognito:groups"] == ["staff", "admins", "beta-testers"]
    assert id_claims["cognito:roles"] == [BETA_ROLE]
    assert id_claims["cognito:preferred_role"] == BETA_ROLE

    access = payload(tokens["AccessToken"])
    # V1_0 changes only the ID token's claims, but the groups of both.
    assert "tenant" not in access and access["username"] == "ann"
    assert access["cognito:groups"] == ["staff", "admins", "beta-testers"]
    assert "cognito:roles" not in access

    [event] = events("pre_token_v1")
    assert event["version"] == "1"
    assert event["triggerSource"] == "TokenGeneration_Authentication"
    assert event["callerContext"]["clientId"] == client_id
    request = event["request"]
    assert request["groupConfiguration"] == {
        "groupsToOverride": ["staff", "admins"],
        "iamRolesToOverride": [STAFF_ROLE],
        "preferredRole": STAFF_ROLE,
    }
    assert request["userAttributes"]["sub"] == sub and request["userAttributes"]["email"] == "ann@example.com"
    assert request["clientMetadata"] == {}
    assert "scopes" not in request

    refreshed = _refresh(idp, client_id, tokens)
    again = payload(refreshed["IdToken"])
    assert again["token_source"] == "TokenGeneration_RefreshTokens"
    assert again["tenant"] == "acme" and "email" not in again
    assert payload(refreshed["AccessToken"])["cognito:groups"] == ["staff", "admins", "beta-testers"]
    assert [e["triggerSource"] for e in events("pre_token_v1")][-1] == "TokenGeneration_RefreshTokens"


def test_sign_in__v1_empty_group_override_leaves_group_claims_out(idp: Any) -> None:
    pool_id = sign_in_pool(idp, {}, pre_token=("V1_0", "pre_token_v1"))
    client_id = app_client(idp, pool_id)
    _groups(idp, pool_id)
    user(idp, pool_id, "nogroups", "no@example.com", groups=("staff",))
    tokens = password_sign_in(idp, client_id, "nogroups")["AuthenticationResult"]
    for token in (tokens["IdToken"], tokens["AccessToken"]):
        claims = payload(token)
        assert not {"cognito:groups", "cognito:roles", "cognito:preferred_role"} & set(claims)
    assert payload(tokens["IdToken"])["tenant"] == "acme"


@pytest.mark.every_transport
def test_sign_in__v2_changes_claims_scopes_and_groups_of_both_tokens(idp: Any) -> None:
    pool_id = sign_in_pool(idp, {}, pre_token=("V2_0", "pre_token_v2"))
    client_id = app_client(idp, pool_id)
    _groups(idp, pool_id)
    user(idp, pool_id, "ann", "ann@example.com", groups=("staff", "admins"))
    tokens = password_sign_in(idp, client_id, "ann")["AuthenticationResult"]

    id_claims = payload(tokens["IdToken"])
    assert id_claims["tenant"] == {"id": 7, "name": "acme"}
    assert id_claims["plan"] == "gold"
    # An ID token's email_verified keeps its boolean: V2 may not give it an array (AWS).
    assert id_claims["email_verified"] is True
    assert "email" not in id_claims and id_claims["token_use"] == "id"
    assert id_claims["cognito:groups"] == ["admins"]
    assert "cognito:roles" not in id_claims and "cognito:preferred_role" not in id_claims

    access = payload(tokens["AccessToken"])
    assert access["tenant_id"] == 7 and access["premium"] is True
    assert access["roles"] == ["reader", "writer"]
    assert access["token_source"] == "TokenGeneration_Authentication"
    assert access["client_id"] == client_id and access["username"] == "ann" and "auth_time" in access
    assert access["scope"] == "aws.cognito.signin.user.admin orders/read"
    assert access["cognito:groups"] == ["admins"]
    # The access token still opens the user's own operations.
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "ann"

    [event] = events("pre_token_v2")
    assert event["version"] == "2"
    assert event["request"]["scopes"] == ["aws.cognito.signin.user.admin"]
    assert event["request"]["groupConfiguration"]["groupsToOverride"] == ["staff", "admins"]

    # GetTokensFromRefreshToken hands its ClientMetadata to the function, which here narrows the scopes.
    refreshed = idp.get_tokens_from_refresh_token(
        ClientId=client_id, RefreshToken=tokens["RefreshToken"], ClientMetadata={"scope": "narrow"}
    )["AuthenticationResult"]
    narrowed = payload(refreshed["AccessToken"])
    assert narrowed["scope"] == "orders/read"
    assert narrowed["token_source"] == "TokenGeneration_RefreshTokens"
    assert payload(refreshed["IdToken"])["tenant"] == {"id": 7, "name": "acme"}
    assert events("pre_token_v2")[-1]["request"]["clientMetadata"] == {"scope": "narrow"}
    assert fails(idp.get_user, AccessToken=refreshed["AccessToken"]) == (
        "NotAuthorizedException",
        "Access Token does not have required scopes",
    )


def test_respond_to_auth_challenge__new_password_challenge_source(idp: Any) -> None:
    pool_id = sign_in_pool(idp, {"PreTokenGeneration": "pre_token_v1"})
    client_id = app_client(idp, pool_id)
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="ann",
        TemporaryPassword="Temp-Passw0rd!",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"}],
    )
    challenge = password_sign_in(idp, client_id, "ann", "Temp-Passw0rd!")
    assert events("pre_token_v1") == []
    tokens = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "ann", "NEW_PASSWORD": PASSWORD},
        ClientMetadata={"screen": "welcome"},
    )["AuthenticationResult"]
    assert payload(tokens["IdToken"])["token_source"] == "TokenGeneration_NewPasswordChallenge"
    assert events("pre_token_v1")[-1]["request"]["clientMetadata"] == {"screen": "welcome"}


def test_user_srp_auth__remembered_device_source(idp: Any) -> None:
    devices = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
    pool_id = sign_in_pool(
        idp,
        {"PreTokenGeneration": "pre_token_v1", "PostAuthentication": "post_authentication"},
        DeviceConfiguration=devices,
    )
    client_id = app_client(idp, pool_id)
    user(idp, pool_id, "ann", "ann@example.com")
    first = AWSSRP("ann", PASSWORD, pool_id, client_id, client=idp).authenticate_user()["AuthenticationResult"]
    assert payload(first["IdToken"])["token_source"] == "TokenGeneration_Authentication"
    assert events("post_authentication")[-1]["request"]["newDeviceUsed"] is True

    meta = first["NewDeviceMetadata"]
    device_password, verifier = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    idp.confirm_device(
        AccessToken=first["AccessToken"],
        DeviceKey=meta["DeviceKey"],
        DeviceName="laptop",
        DeviceSecretVerifierConfig=verifier,
    )
    held = {"device_key": meta["DeviceKey"], "device_group_key": meta["DeviceGroupKey"]}
    srp = AWSSRP("ann", PASSWORD, pool_id, client_id, client=idp, device_password=device_password, **held)
    second = srp.authenticate_user()["AuthenticationResult"]
    assert payload(second["IdToken"])["token_source"] == "TokenGeneration_AuthenticateDevice"
    assert payload(second["AccessToken"])["device_key"] == meta["DeviceKey"]
    assert events("post_authentication")[-1]["request"]["newDeviceUsed"] is False


@pytest.mark.every_transport
@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("failing", ("UserLambdaValidationException", "PreTokenGeneration failed with error 'userAttributes'.")),
        ("garbage", ("InvalidLambdaResponseException", "Unrecognizable lambda output")),
        ("wrong_types", ("InvalidLambdaResponseException", "Invalid lambda response")),
    ],
)
def test_sign_in__broken_function_gives_cognitos_error_and_no_session(
    server: TriggerServer, idp: Any, module: str, expected: tuple[str, str]
) -> None:
    pool_id = sign_in_pool(idp, {"PreTokenGeneration": module, "PostAuthentication": "post_authentication"})
    client_id = app_client(idp, pool_id)
    user(idp, pool_id, "ann", "ann@example.com")
    assert fails(password_sign_in, idp=idp, client_id=client_id, username="ann") == expected
    assert live_sessions(server, pool_id) == 0
    # No tokens, so no PostAuthentication either.
    assert events("post_authentication") == []


@pytest.mark.every_transport
def test_refresh__broken_function_fails_the_refresh_and_keeps_the_sign_in(server: TriggerServer, idp: Any) -> None:
    pool_id = sign_in_pool(idp, {"PreTokenGeneration": "pre_token_v1"})
    client_id = app_client(idp, pool_id, RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0})
    user(idp, pool_id, "ann", "ann@example.com")
    tokens = password_sign_in(idp, client_id, "ann")["AuthenticationResult"]
    idp.update_user_pool(UserPoolId=pool_id, LambdaConfig={"PreTokenGeneration": arn("failing")})
    assert fails(idp.get_tokens_from_refresh_token, ClientId=client_id, RefreshToken=tokens["RefreshToken"]) == (
        "UserLambdaValidationException",
        "PreTokenGeneration failed with error 'userAttributes'.",
    )
    assert live_sessions(server, pool_id) == 1
    # The function failed before the token was rotated out: it still refreshes once the function works.
    idp.update_user_pool(UserPoolId=pool_id, LambdaConfig={"PreTokenGeneration": arn("pre_token_v1")})
    refreshed = idp.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=tokens["RefreshToken"])
    assert payload(refreshed["AuthenticationResult"]["IdToken"])["token_source"] == "TokenGeneration_RefreshTokens"
