"""Choice-based sign-in (USER_AUTH) through Amplify v6, unchanged, against the server on a loopback socket
(tests/node/amplify_user_auth.mjs): a passwordless EMAIL_OTP sign-in with the code read from a real SMTP
server, SMS_OTP chosen from the offered factors with the code read at an SMS gateway, and PASSWORD_SRP chosen
from them and then proved with the password."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.api import test_node_sdks as sdks
from tests.api.test_node_sdks import Conversation, _steps
from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings
from tests.support.auth import PASSWORD
from tests.support.bridge import serve_in_thread, socket_client
from tests.support.mail import Inbox
from tests.support.passkeys import SoftwareAuthenticator
from tests.support.sms import SmsGateway, sms_gateway
from userpool.app import Runtime, build_runtime, create_app

pytestmark = pytest.mark.socket

node = sdks.node
PHONE = "+14325551212"
EMAIL = "ann@example.com"


@dataclass
class Live:
    url: str
    idp: Any
    runtime: Runtime  # what the inbox and the gateway drain the outbox through
    mail: Inbox
    sms: SmsGateway


@pytest.fixture
def live(tmp_path: Path, database_url: str, inbox: tuple[Inbox, int]) -> Iterator[Live]:
    with sms_gateway() as sms:
        settings = make_settings(
            tmp_path / "data", database_url, smtp_url=f"smtp://127.0.0.1:{inbox[1]}", sms_webhook_url=sms.url
        )
        runtime = build_runtime(settings)
        try:
            with serve_in_thread(create_app(settings, runtime=runtime)) as url:
                yield Live(url, socket_client(url, ACCESS_KEY, SECRET_KEY), runtime, inbox[0], sms)
        finally:
            runtime.store.dispose()


def _request(live: Live, **extra: Any) -> dict[str, Any]:
    policies = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}}
    pool_id = live.idp.create_user_pool(PoolName="node-user-auth", Policies=policies)["UserPool"]["Id"]
    client = live.idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]
    attributes = {"email": EMAIL, "email_verified": "true", "phone_number": PHONE, "phone_number_verified": "true"}
    live.idp.admin_create_user(
        UserPoolId=pool_id,
        Username="ann",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
    )
    live.idp.admin_set_user_password(UserPoolId=pool_id, Username="ann", Password=PASSWORD, Permanent=True)
    return {
        "endpoint": live.url.rstrip("/") + "/",
        "userPoolId": pool_id,
        "clientId": client["ClientId"],
        "username": "ann",
        "password": PASSWORD,
        **extra,
    }


def _sign_in(node: str, request: dict[str, Any], code: Any = None) -> dict[str, Any]:
    talk = Conversation(node, "amplify_user_auth", request)
    try:
        answer = talk.receive()
        if "pause" in answer:
            talk.send({"code": code(answer)})
            answer = talk.receive()
    finally:
        talk.close()
    assert answer["ok"], answer
    assert answer["accessToken"]["username"] == "ann"
    return answer


def test_amplify__user_auth_email_otp(node: str, live: Live) -> None:
    def code(pause: dict[str, Any]) -> str:
        assert (pause["step"], pause["destination"]) == ("CONFIRM_SIGN_IN_WITH_EMAIL_CODE", "a***@e***")
        return live.mail.next(live).code

    answer = _sign_in(node, _request(live, preferred="EMAIL_OTP"), code)
    assert answer["steps"] == ["CONFIRM_SIGN_IN_WITH_EMAIL_CODE"]
    assert _steps(answer["calls"]) == [
        ("InitiateAuth", "USER_AUTH", "EMAIL_OTP"),
        ("RespondToAuthChallenge", "EMAIL_OTP", "tokens"),
    ]


def test_amplify__user_auth_select_sms_otp(node: str, live: Live) -> None:
    def code(pause: dict[str, Any]) -> str:
        assert (pause["step"], pause["destination"]) == ("CONFIRM_SIGN_IN_WITH_SMS_CODE", "+*******1212")
        return live.sms.next_code(live)

    answer = _sign_in(node, _request(live, choice="SMS_OTP"), code)
    assert answer["available"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    assert answer["steps"] == ["CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION", "CONFIRM_SIGN_IN_WITH_SMS_CODE"]
    assert _steps(answer["calls"]) == [
        ("InitiateAuth", "USER_AUTH", "SELECT_CHALLENGE"),
        ("RespondToAuthChallenge", "SELECT_CHALLENGE", "SMS_OTP"),
        ("RespondToAuthChallenge", "SMS_OTP", "tokens"),
    ]


def test_amplify__user_auth_select_password_srp(node: str, live: Live) -> None:
    answer = _sign_in(node, _request(live, choice="PASSWORD_SRP"))
    assert answer["steps"] == ["CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION", "CONFIRM_SIGN_IN_WITH_PASSWORD"]
    assert _steps(answer["calls"]) == [
        ("InitiateAuth", "USER_AUTH", "SELECT_CHALLENGE"),
        ("RespondToAuthChallenge", "SELECT_CHALLENGE", "PASSWORD_VERIFIER"),
        ("RespondToAuthChallenge", "PASSWORD_VERIFIER", "tokens"),
    ]


def test_amplify__passkeys_register_sign_in_and_delete(node: str, live: Live) -> None:
    """associateWebAuthnCredential, listWebAuthnCredentials, signIn with preferredChallenge WEB_AUTHN and
    deleteWebAuthnCredential as Amplify calls them (tests/node/amplify_passkeys.mjs), the test's software
    authenticator standing in for the browser's (tests/support/passkeys.py)."""
    request = _request(live)
    policies = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
    live.idp.update_user_pool(UserPoolId=request["userPoolId"], Policies=policies)
    live.idp.set_user_pool_mfa_config(
        UserPoolId=request["userPoolId"],
        MfaConfiguration="OFF",
        WebAuthnConfiguration={"RelyingPartyId": "localhost", "UserVerification": "required"},
    )
    authenticator = SoftwareAuthenticator()
    talk = Conversation(node, "amplify_passkeys", request)
    try:
        answer = talk.receive()
        assert answer.get("pause") == "create", answer
        assert answer["options"]["rp"]["id"] == "localhost"
        talk.send({"credential": authenticator.register(answer["options"])})
        answer = talk.receive()
        assert answer.get("pause") == "get", answer
        talk.send({"credential": json.loads(authenticator.assertion(answer["options"]))})
        answer = talk.receive()
    finally:
        talk.close()
    assert answer["ok"], answer
    [listed] = answer["listed"]
    assert (listed["credentialId"], listed["relyingPartyId"]) == (authenticator.id, "localhost")
    assert answer["remaining"] == []
    assert answer["passkeyClaims"]["username"] == "ann"
    # Without its passkey the user is no longer offered one: Amplify is asked to choose another factor.
    assert answer["afterDelete"] == {"ok": True, "step": "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"}
    assert _steps(answer["calls"]) == [
        ("InitiateAuth", "USER_AUTH", "tokens"),
        ("StartWebAuthnRegistration", None, None),
        ("CompleteWebAuthnRegistration", None, None),
        ("ListWebAuthnCredentials", None, None),
        ("RevokeToken", None, None),
        ("InitiateAuth", "USER_AUTH", "WEB_AUTHN"),
        ("RespondToAuthChallenge", "WEB_AUTHN", "tokens"),
        ("DeleteWebAuthnCredential", None, None),
        ("ListWebAuthnCredentials", None, None),
        ("RevokeToken", None, None),
        ("InitiateAuth", "USER_AUTH", "SELECT_CHALLENGE"),
    ]
