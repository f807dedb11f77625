"""PreAuthentication and PostAuthentication through boto3 and pycognito: the events Cognito sends at sign-in,
a PreAuthentication that refuses, a PostAuthentication whose failure fails the sign-in, and the functions
that raise, time out or answer garbage (Cognito developer guide: 'Pre authentication Lambda trigger',
'Post authentication Lambda trigger')."""

from __future__ import annotations

from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from tests.support.auth import PASSWORD, payload
from tests.support.bridge import REGION
from tests.support.errors import fails
from tests.triggers.conftest import TriggerServer, events
from tests.triggers.sign_in_pools import app_client, live_sessions, password_sign_in, sign_in_pool, user

BOTH = {"PreAuthentication": "pre_authentication", "PostAuthentication": "post_authentication"}
SUSPENDED = ("UserLambdaValidationException", "PreAuthentication failed with error Account suspended.")


@pytest.mark.every_transport
def test_initiate_auth__pre_and_post_authentication_see_the_user(idp: Any) -> None:
    pool_id = sign_in_pool(idp, BOTH)
    client_id = app_client(idp, pool_id)
    sub = user(idp, pool_id, "ann", "ann@example.com")
    tokens = password_sign_in(idp, client_id, "ann", ClientMetadata={"app": "web"})["AuthenticationResult"]
    assert payload(tokens["IdToken"])["sub"] == sub

    attributes = {"sub": sub, "email": "ann@example.com", "email_verified": "true", "cognito:user_status": "CONFIRMED"}
    [pre] = events("pre_authentication")
    assert pre == {
        "version": "1",
        "triggerSource": "PreAuthentication_Authentication",
        "region": REGION,
        "userPoolId": pool_id,
        "userName": "ann",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        # InitiateAuth's ClientMetadata reaches PreAuthentication as validationData (API reference).
        "request": {"userAttributes": attributes, "validationData": {"app": "web"}},
        "response": {},
    }
    [post] = events("post_authentication")
    assert post == {
        "version": "1",
        "triggerSource": "PostAuthentication_Authentication",
        "region": REGION,
        "userPoolId": pool_id,
        "userName": "ann",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        # ... and to no PostAuthentication function.
        "request": {"userAttributes": attributes, "newDeviceUsed": False, "clientMetadata": {}},
        "response": {},
    }


def test_admin_initiate_auth__pre_authentication_refuses_before_the_password(server: TriggerServer, idp: Any) -> None:
    pool_id = sign_in_pool(idp, BOTH)
    client_id = app_client(idp, pool_id)
    user(idp, pool_id, "eve", "eve@suspended.example")
    for password in (PASSWORD, "Wrong-Passw0rd!"):
        assert (
            fails(
                idp.admin_initiate_auth,
                UserPoolId=pool_id,
                ClientId=client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "eve", "PASSWORD": password},
            )
            == SUSPENDED
        )
    assert len(events("pre_authentication")) == 2
    assert events("post_authentication") == []
    assert live_sessions(server, pool_id) == 0
    # The refusal is the function's: it counts no failed password attempt against the user.
    user(idp, pool_id, "ann", "ann@example.com")
    answer = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD},
    )
    assert "AccessToken" in answer["AuthenticationResult"]


def test_user_srp_auth__pre_authentication_runs_with_the_first_step(idp: Any) -> None:
    pool_id = sign_in_pool(idp, BOTH)
    client_id = app_client(idp, pool_id)
    user(idp, pool_id, "ann", "ann@example.com")
    user(idp, pool_id, "eve", "eve@suspended.example")
    tokens = AWSSRP("ann", PASSWORD, pool_id, client_id, client=idp).authenticate_user()["AuthenticationResult"]
    assert payload(tokens["AccessToken"])["username"] == "ann"
    assert [e["userName"] for e in events("pre_authentication")] == ["ann"]
    assert [e["userName"] for e in events("post_authentication")] == ["ann"]

    srp = AWSSRP("eve", PASSWORD, pool_id, client_id, client=idp)
    assert (
        fails(idp.initiate_auth, ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params())
        == SUSPENDED
    )


def test_initiate_auth__pre_authentication_hears_of_unknown_names_only_when_users_are_hidden(idp: Any) -> None:
    pool_id = sign_in_pool(idp, BOTH)
    hiding = app_client(idp, pool_id, PreventUserExistenceErrors="ENABLED")
    legacy = app_client(idp, pool_id, PreventUserExistenceErrors="LEGACY")
    assert fails(password_sign_in, idp=idp, client_id=hiding, username="ghost") == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    [event] = events("pre_authentication")
    assert event["userName"] == "ghost"
    assert event["request"] == {"userAttributes": {}, "validationData": {}, "userNotFound": True}

    assert fails(password_sign_in, idp=idp, client_id=legacy, username="ghost") == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert len(events("pre_authentication")) == 1

    user(idp, pool_id, "ann", "ann@example.com")
    password_sign_in(idp, hiding, "ann")
    assert events("pre_authentication")[-1]["request"]["userNotFound"] is False


def test_respond_to_auth_challenge__post_authentication_gets_its_client_metadata(idp: Any) -> None:
    pool_id = sign_in_pool(idp, BOTH)
    client_id = app_client(idp, pool_id)
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="ann",
        TemporaryPassword="Temp-Passw0rd!",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"}],
    )
    challenge = password_sign_in(idp, client_id, "ann", "Temp-Passw0rd!")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert events("post_authentication") == []
    idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "ann", "NEW_PASSWORD": PASSWORD},
        ClientMetadata={"screen": "welcome"},
    )
    [event] = events("post_authentication")
    assert event["request"]["clientMetadata"] == {"screen": "welcome"}
    # The event shows the user as committed: its new password made it CONFIRMED.
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"


@pytest.mark.every_transport
def test_initiate_auth__post_authentication_failure_fails_the_sign_in(server: TriggerServer, idp: Any) -> None:
    pool_id = sign_in_pool(idp, BOTH)
    client_id = app_client(idp, pool_id)
    user(idp, pool_id, "ann", "ann@audit-down.example")
    assert fails(password_sign_in, idp=idp, client_id=client_id, username="ann") == (
        "UserLambdaValidationException",
        "PostAuthentication failed with error Audit log unavailable.",
    )
    # The caller never saw the tokens: the sign-in session they belonged to is revoked.
    assert live_sessions(server, pool_id) == 0


@pytest.mark.every_transport
@pytest.mark.parametrize(
    ("trigger", "module", "expected"),
    [
        (
            "PreAuthentication",
            "failing",
            ("UserLambdaValidationException", "PreAuthentication failed with error 'userAttributes'."),
        ),
        ("PreAuthentication", "garbage", ("InvalidLambdaResponseException", "Unrecognizable lambda output")),
        (
            "PreAuthentication",
            "slow",
            ("UnexpectedLambdaException", "PreAuthentication invocation failed due to error TimeoutError."),
        ),
        (
            "PostAuthentication",
            "failing",
            ("UserLambdaValidationException", "PostAuthentication failed with error 'userAttributes'."),
        ),
        ("PostAuthentication", "garbage", ("InvalidLambdaResponseException", "Unrecognizable lambda output")),
        (
            "PostAuthentication",
            "slow",
            ("UnexpectedLambdaException", "PostAuthentication invocation failed due to error TimeoutError."),
        ),
    ],
)
def test_initiate_auth__broken_functions_give_cognitos_errors(
    start_server: Any, trigger: str, module: str, expected: tuple[str, str]
) -> None:
    with start_server(trigger_timeout_seconds=0.3) as server:
        idp = server.client()
        pool_id = sign_in_pool(idp, {trigger: module})
        client_id = app_client(idp, pool_id)
        user(idp, pool_id, "ann", "ann@example.com")
        assert fails(password_sign_in, idp=idp, client_id=client_id, username="ann") == expected
        assert live_sessions(server, pool_id) == 0
