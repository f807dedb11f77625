"""PreSignUp and PostConfirmation through boto3: the events Cognito sends and what the answers do."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.bridge import REGION
from tests.support.errors import fails
from tests.support.mail import Inbox
from tests.triggers.conftest import TriggerServer, arn, create_client, create_pool, events
from tests.triggers.handlers import pre_sign_up as pre_sign_up_handler

PASSWORD = "Passw0rd!"


def _sign_up(idp: Any, client_id: str, username: str, email: str, **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = idp.sign_up(
        ClientId=client_id,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}],
        **extra,
    )
    return answer


def _attributes(idp: Any, pool_id: str, username: str) -> dict[str, str]:
    found = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return {"status": found["UserStatus"]} | {a["Name"]: a["Value"] for a in found["UserAttributes"]}


def _outbox_is_empty(server: TriggerServer) -> bool:
    with server.runtime.store.read() as tx:
        return not tx.outbox.recent(10)


@pytest.mark.every_transport
def test_sign_up__pre_sign_up_gets_cognitos_event(idp: Any) -> None:
    pool_id = create_pool(idp, {"PreSignUp": "pre_sign_up"})
    client_id = create_client(idp, pool_id)
    _sign_up(
        idp,
        client_id,
        "alice",
        "alice@example.com",
        ValidationData=[{"Name": "invite", "Value": "abc"}],
        ClientMetadata={"source": "web"},
    )
    [event] = events("pre_sign_up")
    assert event == {
        "version": "1",
        "triggerSource": "PreSignUp_SignUp",
        "region": REGION,
        "userPoolId": pool_id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "request": {
            "userAttributes": {"email": "alice@example.com"},
            "validationData": {"invite": "abc"},
            "clientMetadata": {"source": "web"},
        },
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    }


@pytest.mark.every_transport
def test_sign_up__handler_gets_a_lambda_context(idp: Any) -> None:
    pool_id = create_pool(idp, {"PreSignUp": "pre_sign_up"})
    _sign_up(idp, create_client(idp, pool_id), "alice", "alice@example.com")
    [context] = pre_sign_up_handler.contexts
    assert context["function_name"] == "PreSignUpFn"
    assert context["invoked_function_arn"] == arn("pre_sign_up")
    assert context["function_version"] == "$LATEST"
    assert context["memory_limit_in_mb"] == "128"
    assert str(uuid.UUID(context["aws_request_id"])) == context["aws_request_id"]
    assert context["log_group_name"] == "/aws/lambda/PreSignUpFn"
    assert "[$LATEST]" in context["log_stream_name"]
    assert 0 < context["remaining_ms"] <= 5000


def test_sign_up__pre_sign_up_auto_confirms_and_verifies(server: TriggerServer, idp: Any, mail: Inbox) -> None:
    pool_id = create_pool(idp, {"PreSignUp": "pre_sign_up", "PostConfirmation": "post_confirmation"})
    client_id = create_client(idp, pool_id)
    answer = _sign_up(idp, client_id, "bob", "bob@trusted.example")
    assert answer["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in answer
    user = _attributes(idp, pool_id, "bob")
    assert (user["status"], user["email_verified"]) == ("CONFIRMED", "true")
    # The user signs in at once with the password it chose.
    tokens = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD}
    )
    assert tokens["AuthenticationResult"]["AccessToken"]
    # No confirmation code went out; PostConfirmation saw the confirmed user.
    server.runtime.dispatcher.drain()
    assert mail.mails == [] and _outbox_is_empty(server)
    [confirmed] = events("post_confirmation")
    assert confirmed["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert confirmed["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert confirmed["request"]["userAttributes"]["sub"] == answer["UserSub"]


def test_sign_up__auto_confirm_without_post_confirmation_when_configured_off(start_server: Any) -> None:
    with start_server(auto_confirm_post_confirmation=False) as server:
        idp = server.client()
        pool_id = create_pool(idp, {"PreSignUp": "pre_sign_up", "PostConfirmation": "post_confirmation"})
        answer = _sign_up(idp, create_client(idp, pool_id), "bob", "bob@trusted.example")
    assert answer["UserConfirmed"] is True
    assert events("post_confirmation") == []


def test_sign_up__pre_sign_up_rejection_leaves_no_user(server: TriggerServer, idp: Any, mail: Inbox) -> None:
    pool_id = create_pool(idp, {"PreSignUp": "pre_sign_up", "PostConfirmation": "post_confirmation"})
    client_id = create_client(idp, pool_id)
    code, message = fails(
        idp.sign_up,
        ClientId=client_id,
        Username="mallory",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "mallory@blocked.example"}],
    )
    assert (code, message) == ("UserLambdaValidationException", "PreSignUp failed with error Email domain not allowed.")
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []
    assert fails(idp.admin_get_user, UserPoolId=pool_id, Username="mallory")[0] == "UserNotFoundException"
    server.runtime.dispatcher.drain()
    assert mail.mails == [] and _outbox_is_empty(server)
    assert events("post_confirmation") == []
    # Nothing reserved the name: a permitted sign-up with it goes through.
    assert _sign_up(idp, client_id, "mallory", "mallory@example.com")["UserConfirmed"] is False


@pytest.mark.every_transport
def test_sign_up__pre_sign_up_wrong_type_is_an_invalid_response(idp: Any) -> None:
    pool_id = create_pool(idp, {"PreSignUp": "pre_sign_up"})
    code, message = fails(
        idp.sign_up,
        ClientId=create_client(idp, pool_id),
        Username="carol",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "carol@sloppy.example"}],
    )
    assert (code, message) == ("InvalidLambdaResponseException", "Invalid lambda response")
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []


def test_admin_create_user__pre_sign_up_verifies_but_does_not_confirm(idp: Any) -> None:
    pool_id = create_pool(idp, {"PreSignUp": "pre_sign_up"})
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="dave",
        UserAttributes=[{"Name": "email", "Value": "dave@trusted.example"}],
        MessageAction="SUPPRESS",
        ClientMetadata={"by": "admin"},
    )
    [event] = events("pre_sign_up")
    assert event["triggerSource"] == "PreSignUp_AdminCreateUser"
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert event["request"]["clientMetadata"] == {"by": "admin"}
    user = _attributes(idp, pool_id, "dave")
    assert (user["status"], user["email_verified"]) == ("FORCE_CHANGE_PASSWORD", "true")


def test_admin_create_user__pre_sign_up_rejection_leaves_no_user(idp: Any) -> None:
    pool_id = create_pool(idp, {"PreSignUp": "pre_sign_up"})
    code, message = fails(
        idp.admin_create_user,
        UserPoolId=pool_id,
        Username="eve",
        UserAttributes=[{"Name": "email", "Value": "eve@blocked.example"}],
    )
    assert (code, message) == ("UserLambdaValidationException", "PreSignUp failed with error Email domain not allowed.")
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []


@pytest.mark.every_transport
def test_confirm_sign_up__post_confirmation_sees_the_confirmed_user(
    idp: Any, server: TriggerServer, mail: Inbox
) -> None:
    pool_id = create_pool(idp, {"PostConfirmation": "post_confirmation"})
    idp.create_group(UserPoolId=pool_id, GroupName="members")
    client_id = create_client(idp, pool_id)
    sub = _sign_up(idp, client_id, "frank", "frank@example.com")["UserSub"]
    code = mail.next(server).code
    idp.confirm_sign_up(
        ClientId=client_id, Username="frank", ConfirmationCode=code, ClientMetadata={"group": "members"}
    )
    [event] = events("post_confirmation")
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["callerContext"]["clientId"] == client_id
    assert event["request"] == {
        "userAttributes": {
            "sub": sub,
            "email": "frank@example.com",
            "email_verified": "true",
            "cognito:user_status": "CONFIRMED",
        },
        "clientMetadata": {"group": "members"},
    }
    # The function called the API back while the confirmation was committed and no transaction was open.
    groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="frank")["Groups"]
    assert [g["GroupName"] for g in groups] == ["members"]


def test_admin_confirm_sign_up__fires_post_confirmation(idp: Any) -> None:
    pool_id = create_pool(idp, {"PostConfirmation": "post_confirmation"})
    _sign_up(idp, create_client(idp, pool_id), "grace", "grace@example.com")
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="grace")
    [event] = events("post_confirmation")
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"


def test_confirm_forgot_password__fires_post_confirmation(idp: Any, server: TriggerServer, mail: Inbox) -> None:
    pool_id = create_pool(idp, {"PostConfirmation": "post_confirmation"})
    client_id = create_client(idp, pool_id)
    _sign_up(idp, client_id, "heidi", "heidi@example.com")
    idp.confirm_sign_up(ClientId=client_id, Username="heidi", ConfirmationCode=mail.next(server).code)
    idp.forgot_password(ClientId=client_id, Username="heidi")
    idp.confirm_forgot_password(
        ClientId=client_id, Username="heidi", ConfirmationCode=mail.next(server).code, Password="N3w-Passw0rd!"
    )
    assert [e["triggerSource"] for e in events("post_confirmation")] == [
        "PostConfirmation_ConfirmSignUp",
        "PostConfirmation_ConfirmForgotPassword",
    ]
