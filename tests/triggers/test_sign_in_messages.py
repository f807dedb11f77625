"""Sign-in codes through the message triggers (Cognito developer guide: 'Custom message Lambda trigger',
'Custom sender Lambda triggers'): the SMS_MFA and EMAIL_OTP codes of MFA and
the EMAIL_OTP / SMS_OTP first factors of USER_AUTH are written by CustomMessage_Authentication, or handed to
CustomEmailSender_Authentication, and the code that arrives completes the sign-in."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from tests.support.auth import PASSWORD, make_user, payload
from tests.support.errors import fails
from tests.support.mail import Inbox
from tests.support.sms import SmsGateway, sms_gateway
from tests.triggers.conftest import TriggerServer, arn, events
from tests.triggers.sign_in_pools import app_client, password_sign_in

SMS_CONFIG = {"SnsCallerArn": "arn:aws:iam::000000000000:role/sms", "ExternalId": "userpool"}
KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/2f1c3e52-0000-4000-8000-000000000000"
PHONE = "+14325551212"
EMAIL = "ann@example.com"
CUSTOM_MESSAGE = {"CustomMessage": arn("custom_message")}
EMAIL_SENDER = {"CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": arn("email_sender")}, "KMSKeyID": KMS_KEY}


@pytest.fixture
def sms() -> Iterator[SmsGateway]:
    with sms_gateway() as gateway:
        yield gateway


@pytest.fixture
def server(
    start_server: Callable[..., AbstractContextManager[TriggerServer]], sms: SmsGateway
) -> Iterator[TriggerServer]:
    with start_server(sms_webhook_url=sms.url) as found:
        yield found


def _mfa_pool(idp: Any, lambda_config: dict[str, Any]) -> str:
    pool_id = str(idp.create_user_pool(PoolName="mfa", LambdaConfig=lambda_config)["UserPool"]["Id"])
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIG, "SmsAuthenticationMessage": "Sign-in code {####}"},
        EmailMfaConfiguration={"Message": "Your sign-in code is {####}", "Subject": "Sign-in code"},
    )
    return pool_id


def _passwordless_pool(idp: Any, lambda_config: dict[str, Any]) -> str:
    policies = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}}
    created = idp.create_user_pool(PoolName="passwordless", LambdaConfig=lambda_config, Policies=policies)
    return str(created["UserPool"]["Id"])


def _user(idp: Any, pool_id: str, mfa: str | None = None) -> dict[str, str]:
    """ann, with a verified email and phone; ``mfa`` ("SMS" or "Email") her preferred second factor. Her
    attributes as a function sees them."""
    attributes = {
        "email": EMAIL,
        "email_verified": "true",
        "phone_number": PHONE,
        "phone_number_verified": "true",
        "given_name": "Al",
    }
    make_user(idp, pool_id, "ann", PASSWORD, attributes)
    if mfa is not None:
        idp.admin_set_user_mfa_preference(
            UserPoolId=pool_id, Username="ann", **{f"{mfa}MfaSettings": {"Enabled": True, "PreferredMfa": True}}
        )
    found = idp.admin_get_user(UserPoolId=pool_id, Username="ann")["UserAttributes"]
    return {**{a["Name"]: a["Value"] for a in found}, "cognito:user_status": "CONFIRMED"}


def _answer(idp: Any, client_id: str, step: dict[str, Any], **responses: str) -> Any:
    return idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName=step["ChallengeName"],
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "ann", **responses},
    )


def _wait_for(module: str, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while len(events(module)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return events(module)


def test_sms_mfa__custom_message_writes_the_sign_in_code(server: TriggerServer, idp: Any, sms: SmsGateway) -> None:
    pool_id = _mfa_pool(idp, CUSTOM_MESSAGE)
    client_id = app_client(idp, pool_id)
    attributes = _user(idp, pool_id, "SMS")
    step = password_sign_in(idp, client_id, "ann", ClientMetadata={"lang": "en"})
    assert step["ChallengeName"] == "SMS_MFA"
    code = sms.next_code(server)
    assert sms.received[-1] == {**sms.received[-1], "to": PHONE, "message": f"Example sign-in code: {code}"}
    [event] = events("custom_message")
    assert event["triggerSource"] == "CustomMessage_Authentication"
    assert event["userName"] == "ann"
    assert event["callerContext"]["clientId"] == client_id
    assert event["request"] == {
        "userAttributes": attributes,
        "codeParameter": "{####}",
        "usernameParameter": None,
        "clientMetadata": {"lang": "en"},
    }
    # The code in the rewritten message is the one the server checks.
    done = _answer(idp, client_id, step, SMS_MFA_CODE=code)
    assert payload(done["AuthenticationResult"]["IdToken"])["cognito:username"] == "ann"


def test_email_otp_mfa__custom_message_after_srp(server: TriggerServer, idp: Any, mail: Inbox) -> None:
    pool_id = _mfa_pool(idp, CUSTOM_MESSAGE)
    client_id = app_client(idp, pool_id)
    _user(idp, pool_id, "Email")
    srp = AWSSRP("ann", PASSWORD, pool_id, client_id, client=idp)
    params = srp.get_auth_params()
    first = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    # The code is sent by the answer to PASSWORD_VERIFIER: its ClientMetadata reaches the function.
    step = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=srp.process_challenge(first["ChallengeParameters"], params),
        ClientMetadata={"step": "password"},
    )
    assert step["ChallengeName"] == "EMAIL_OTP"
    message = mail.next(server)
    assert message.recipients == [EMAIL]
    assert message.message["Subject"] == "Your Example sign-in code"
    assert message.text.strip() == f"Hello Al, sign in to Example with {message.code}."
    [event] = events("custom_message")
    assert event["triggerSource"] == "CustomMessage_Authentication"
    assert event["request"]["clientMetadata"] == {"step": "password"}
    assert "AccessToken" in _answer(idp, client_id, step, EMAIL_OTP_CODE=message.code)["AuthenticationResult"]


@pytest.mark.every_transport
def test_email_otp_mfa__message_without_the_code_fails_the_sign_in(
    server: TriggerServer, idp: Any, mail: Inbox
) -> None:
    pool_id = _mfa_pool(idp, CUSTOM_MESSAGE)
    client_id = app_client(idp, pool_id)
    _user(idp, pool_id, "Email")
    refused = fails(lambda: password_sign_in(idp, client_id, "ann", ClientMetadata={"template": "broken"}))
    assert refused == ("InvalidLambdaResponseException", "Invalid lambda response")
    server.runtime.dispatcher.drain()
    assert mail.mails == []
    # Nothing is left in the way of the next sign-in, whose code is sent and works.
    step = password_sign_in(idp, client_id, "ann")
    code = mail.next(server).code
    assert "AccessToken" in _answer(idp, client_id, step, EMAIL_OTP_CODE=code)["AuthenticationResult"]


def test_email_otp_mfa__custom_email_sender_gets_the_code_instead_of_the_mail(
    server: TriggerServer, idp: Any, mail: Inbox
) -> None:
    pool_id = _mfa_pool(idp, EMAIL_SENDER)
    client_id = app_client(idp, pool_id)
    attributes = _user(idp, pool_id, "Email")
    step = password_sign_in(idp, client_id, "ann", ClientMetadata={"lang": "en"})
    assert step["ChallengeName"] == "EMAIL_OTP"
    assert step["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "a***@e***"
    [event] = _wait_for("email_sender", 1)
    assert event["triggerSource"] == "CustomEmailSender_Authentication"
    assert event["callerContext"]["clientId"] == client_id
    code = event["request"]["code"]
    assert event["request"] == {
        "type": "customEmailSenderRequestV1",
        "code": code,
        "userAttributes": attributes,
        "clientMetadata": {"lang": "en"},
    }
    assert "AccessToken" in _answer(idp, client_id, step, EMAIL_OTP_CODE=code)["AuthenticationResult"]
    server.runtime.dispatcher.drain()
    assert mail.mails == []


def test_user_auth_otp__custom_message_writes_the_code(
    server: TriggerServer, idp: Any, mail: Inbox, sms: SmsGateway
) -> None:
    pool_id = _passwordless_pool(idp, CUSTOM_MESSAGE)
    client_id = app_client(idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_AUTH"])
    attributes = _user(idp, pool_id)
    step = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "ann", "PREFERRED_CHALLENGE": "EMAIL_OTP"},
        ClientMetadata={"lang": "en"},
    )
    assert step["ChallengeName"] == "EMAIL_OTP"
    message = mail.next(server)
    assert message.message["Subject"] == "Your Example sign-in code"
    assert message.text.strip() == f"Hello Al, sign in to Example with {message.code}."
    [event] = events("custom_message")
    assert event["triggerSource"] == "CustomMessage_Authentication"
    assert event["request"]["userAttributes"] == attributes
    assert event["request"]["clientMetadata"] == {"lang": "en"}
    assert "AccessToken" in _answer(idp, client_id, step, EMAIL_OTP_CODE=message.code)["AuthenticationResult"]
    # SMS_OTP chosen at SELECT_CHALLENGE: the rewritten SMS carries the code that signs in.
    offer = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "ann"})
    chosen = _answer(idp, client_id, offer, ANSWER="SMS_OTP")
    assert chosen["ChallengeName"] == "SMS_OTP"
    code = sms.next_code(server)
    assert sms.received[-1]["message"] == f"Example sign-in code: {code}"
    assert events("custom_message")[-1]["triggerSource"] == "CustomMessage_Authentication"
    assert "AccessToken" in _answer(idp, client_id, chosen, SMS_OTP_CODE=code)["AuthenticationResult"]


def test_user_auth_email_otp__custom_email_sender_gets_the_code(server: TriggerServer, idp: Any, mail: Inbox) -> None:
    pool_id = _passwordless_pool(idp, EMAIL_SENDER)
    client_id = app_client(idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_AUTH"])
    _user(idp, pool_id)
    step = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "ann", "PREFERRED_CHALLENGE": "EMAIL_OTP"}
    )
    assert step["ChallengeName"] == "EMAIL_OTP"
    [event] = _wait_for("email_sender", 1)
    assert event["triggerSource"] == "CustomEmailSender_Authentication"
    assert event["request"]["userAttributes"]["email"] == EMAIL
    done = _answer(idp, client_id, step, EMAIL_OTP_CODE=event["request"]["code"])
    assert "AccessToken" in done["AuthenticationResult"]
    server.runtime.dispatcher.drain()
    assert mail.mails == []
