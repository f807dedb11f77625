"""CustomMessage rewriting the mail that reaches the SMTP server; CustomEmailSender taking the code."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.support.errors import fails
from tests.support.mail import Inbox
from tests.triggers.conftest import TriggerServer, arn, create_client, create_pool, events

PASSWORD = "Passw0rd!"


def _sign_up(idp: Any, client_id: str, username: str, **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = idp.sign_up(
        ClientId=client_id,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}, {"Name": "given_name", "Value": "Al"}],
        **extra,
    )
    return answer


@pytest.mark.every_transport
def test_sign_up__custom_message_writes_the_mail(server: TriggerServer, idp: Any, mail: Inbox) -> None:
    pool_id = create_pool(idp, {"CustomMessage": "custom_message"})
    client_id = create_client(idp, pool_id)
    sub = _sign_up(idp, client_id, "alice", ClientMetadata={"lang": "en"})["UserSub"]
    message = mail.next(server)
    assert message.recipients == ["alice@example.com"]
    assert message.message["Subject"] == "Welcome to Example"
    assert message.text.strip() == f"Hello Al, confirm your account with {message.code}."
    [event] = events("custom_message")
    assert event["triggerSource"] == "CustomMessage_SignUp"
    assert event["callerContext"]["clientId"] == client_id
    assert event["request"] == {
        "userAttributes": {
            "sub": sub,
            "email": "alice@example.com",
            "given_name": "Al",
            "cognito:user_status": "UNCONFIRMED",
        },
        "codeParameter": "{####}",
        "usernameParameter": None,
        "clientMetadata": {"lang": "en"},
    }
    # The code in the rewritten mail is the one the server checks.
    idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=message.code)
    assert idp.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == "CONFIRMED"


def test_resend_and_forgot_password__custom_message(server: TriggerServer, idp: Any, mail: Inbox) -> None:
    pool_id = create_pool(idp, {"CustomMessage": "custom_message"})
    client_id = create_client(idp, pool_id)
    _sign_up(idp, client_id, "bob")
    mail.next(server)
    idp.resend_confirmation_code(ClientId=client_id, Username="bob")
    resent = mail.next(server)
    assert resent.text.strip() == f"Hello Al, confirm your account with {resent.code}."
    idp.confirm_sign_up(ClientId=client_id, Username="bob", ConfirmationCode=resent.code)
    idp.forgot_password(ClientId=client_id, Username="bob")
    reset = mail.next(server)
    assert reset.message["Subject"] == "Reset your Example password"
    assert reset.text.strip() == f"Hello Al, reset your password with {reset.code}."
    idp.confirm_forgot_password(ClientId=client_id, Username="bob", ConfirmationCode=reset.code, Password="N3w-Pass!")
    idp.admin_reset_user_password(UserPoolId=pool_id, Username="bob")
    assert mail.next(server).message["Subject"] == "Reset your Example password"
    assert [e["triggerSource"] for e in events("custom_message")] == [
        "CustomMessage_SignUp",
        "CustomMessage_ResendCode",
        "CustomMessage_ForgotPassword",
        "CustomMessage_ForgotPassword",
    ]
    assert events("custom_message")[-1]["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"


def test_attribute_verification__custom_message(server: TriggerServer, idp: Any, mail: Inbox) -> None:
    pool_id = create_pool(idp, {"CustomMessage": "custom_message"})
    client_id = create_client(idp, pool_id)
    _sign_up(idp, client_id, "carol")
    idp.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode=mail.next(server).code)
    token = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "carol", "PASSWORD": PASSWORD}
    )["AuthenticationResult"]["AccessToken"]
    idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "carol@new.example"}])
    changed = mail.next(server)
    assert changed.recipients == ["carol@new.example"]
    assert changed.text.strip() == f"CustomMessage_UpdateUserAttribute: {changed.code}"
    idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    again = mail.next(server)
    assert again.text.strip() == f"CustomMessage_VerifyUserAttribute: {again.code}"
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=again.code)
    update_event = events("custom_message")[-2]
    assert update_event["request"]["userAttributes"]["email"] == "carol@new.example"


def test_admin_create_user__custom_message_writes_the_invitation(server: TriggerServer, idp: Any, mail: Inbox) -> None:
    pool_id = create_pool(idp, {"CustomMessage": "custom_message"})
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="dave",
        UserAttributes=[{"Name": "email", "Value": "dave@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    invitation = mail.next(server)
    assert invitation.message["Subject"] == "You are invited to Example"
    found = re.fullmatch(r"Sign in as dave with the password (\S+)\s*", invitation.text)
    assert found is not None, invitation.text
    [event] = events("custom_message")
    assert event["triggerSource"] == "CustomMessage_AdminCreateUser"
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert (event["request"]["codeParameter"], event["request"]["usernameParameter"]) == ("{####}", "{username}")
    assert event["request"]["userAttributes"]["cognito:user_status"] == "FORCE_CHANGE_PASSWORD"
    # The temporary password in the rewritten invitation is the user's.
    client_id = create_client(idp, pool_id)
    challenge = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "dave", "PASSWORD": found.group(1)},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


@pytest.mark.every_transport
def test_sign_up__message_without_the_code_is_an_invalid_response(server: TriggerServer, idp: Any, mail: Inbox) -> None:
    pool_id = create_pool(idp, {"CustomMessage": "custom_message"})
    code, message = fails(
        idp.sign_up,
        ClientId=create_client(idp, pool_id),
        Username="erin",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "erin@example.com"}],
        ClientMetadata={"template": "broken"},
    )
    assert (code, message) == ("InvalidLambdaResponseException", "Invalid lambda response")
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []
    server.runtime.dispatcher.drain()
    assert mail.mails == []


def _wait_for(module: str, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while len(events(module)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return events(module)


@pytest.mark.every_transport
def test_sign_up__custom_email_sender_gets_the_code_instead_of_the_mail(
    server: TriggerServer, idp: Any, mail: Inbox
) -> None:
    pool_id = str(
        idp.create_user_pool(
            PoolName="sender",
            AutoVerifiedAttributes=["email"],
            LambdaConfig={
                "CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": arn("email_sender")},
                "KMSKeyID": "arn:aws:kms:eu-west-1:123456789012:key/2f1c3e52-0000-4000-8000-000000000000",
            },
        )["UserPool"]["Id"]
    )
    client_id = create_client(idp, pool_id)
    answer = _sign_up(idp, client_id, "frank")
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    [event] = _wait_for("email_sender", 1)
    assert event["triggerSource"] == "CustomEmailSender_SignUp"
    assert event["request"]["type"] == "customEmailSenderRequestV1"
    assert event["request"]["userAttributes"]["email"] == "frank@example.com"
    # No KMS here: the code arrives in plaintext (README "Triggers"), and it confirms the user.
    idp.confirm_sign_up(ClientId=client_id, Username="frank", ConfirmationCode=event["request"]["code"])
    server.runtime.dispatcher.drain()
    assert mail.mails == []
