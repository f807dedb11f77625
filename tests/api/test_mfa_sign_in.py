"""Second factors in every sign-in flow (Cognito developer guide: 'Adding MFA to a user pool'): SOFTWARE_TOKEN_MFA with
codes computed by pyotp from the secret the server handed out, SMS_MFA with codes read at an SMS gateway the server
posts to, EMAIL_OTP with codes read from a real SMTP server, SELECT_MFA_TYPE, MFA_SETUP, and remembered devices in place
of a second factor. Wrong and replayed codes are refused.

The server keeps time by a clock the tests move, so that authenticator codes of later time steps can be
used; it runs in dev mode, as that clock is not the one boto3 signs with.
"""

from __future__ import annotations

import json
from typing import Any

import pyotp
import pytest
from pycognito.aws_srp import AWSSRP, generate_hash_device

from tests.api.conftest import Env
from tests.support.auth import PASSWORD, make_client, payload, sdk_secret_hash
from tests.support.errors import fails

FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]
SMS_CONFIG = {"SnsCallerArn": "arn:aws:iam::000000000000:role/sms", "ExternalId": "userpool"}
PHONE = "+14325551212"
EMAIL = "ann@example.com"
MISMATCH = ("CodeMismatchException", "Invalid code received for user")
SPENT = ("ExpiredCodeException", "Your software token has already been used once.")


def _pool(idp: Any, mode: str = "OPTIONAL", **config: Any) -> str:
    pool_id = str(idp.create_user_pool(PoolName="mfa", **config)["UserPool"]["Id"])
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration=mode,
        SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIG, "SmsAuthenticationMessage": "Sign-in code {####}"},
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Your sign-in code is {####}", "Subject": "Sign-in code"},
    )
    return pool_id


def _user(idp: Any, pool_id: str, username: str = "ann") -> None:
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": EMAIL},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "phone_number", "Value": PHONE},
            {"Name": "phone_number_verified", "Value": "true"},
        ],
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


def _tokens(idp: Any, client: dict[str, Any], username: str = "ann") -> dict[str, Any]:
    """Tokens of a sign-in with no second factor yet."""
    answer = idp.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    return dict(answer["AuthenticationResult"])


def _set_up_totp(env: Env, client: dict[str, Any], username: str = "ann") -> pyotp.TOTP:
    """Associate and verify an authenticator with an access token, and make it the preferred factor."""
    access = _tokens(env.idp, client, username)["AccessToken"]
    secret = env.idp.associate_software_token(AccessToken=access)["SecretCode"]
    totp = pyotp.TOTP(secret)
    status = env.idp.verify_software_token(AccessToken=access, UserCode=totp.at(env.clock.now()))
    assert status["Status"] == "SUCCESS"
    env.idp.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return totp


def _first_step(env: Env, pool_id: str, client: dict[str, Any], flow: str) -> tuple[dict[str, Any], str]:
    """Sign in with the password through ``flow``; the challenge that follows and the USERNAME to answer with."""
    idp, client_id = env.idp, client["ClientId"]
    if flow == "USER_SRP_AUTH":
        srp = AWSSRP("ann", PASSWORD, pool_id, client_id, client=idp)
        params = srp.get_auth_params()
        first = idp.initiate_auth(ClientId=client_id, AuthFlow=flow, AuthParameters=params)
        answer = idp.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses=srp.process_challenge(first["ChallengeParameters"], params),
        )
    elif flow == "ADMIN_USER_PASSWORD_AUTH":
        answer = idp.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow=flow,
            AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD},
        )
    else:
        answer = idp.initiate_auth(
            ClientId=client_id, AuthFlow=flow, AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD}
        )
    return dict(answer), str(answer["ChallengeParameters"].get("USER_ID_FOR_SRP", "ann"))


def _answer(env: Env, pool_id: str, client: dict[str, Any], flow: str, step: dict[str, Any], **responses: str) -> Any:
    call = dict(
        ClientId=client["ClientId"],
        ChallengeName=step["ChallengeName"],
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "ann", **responses},
    )
    if flow == "ADMIN_USER_PASSWORD_AUTH":
        return env.idp.admin_respond_to_auth_challenge(UserPoolId=pool_id, **call)
    return env.idp.respond_to_auth_challenge(**call)


@pytest.mark.parametrize("flow", ["USER_PASSWORD_AUTH", "USER_SRP_AUTH", "ADMIN_USER_PASSWORD_AUTH"])
def test_software_token_mfa__each_flow_wrong_and_replayed_codes(env: Env, flow: str) -> None:
    pool_id = _pool(env.idp)
    client = make_client(env.idp, pool_id, ExplicitAuthFlows=FLOWS)
    _user(env.idp, pool_id)
    totp = _set_up_totp(env, client)
    env.clock.advance(30)

    step, _ = _first_step(env, pool_id, client, flow)
    assert step["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and step["Session"]
    assert "AuthenticationResult" not in step
    wrong = str((int(totp.at(env.clock.now())) + 1) % 1_000_000).zfill(6)
    code = totp.at(env.clock.now())
    failed = fails(lambda: _answer(env, pool_id, client, flow, step, SOFTWARE_TOKEN_MFA_CODE=wrong))
    assert failed == MISMATCH
    # The Session survives a wrong code: the user may type it again.
    done = _answer(env, pool_id, client, flow, step, SOFTWARE_TOKEN_MFA_CODE=code)
    assert payload(done["AuthenticationResult"]["AccessToken"])["username"] == "ann"
    # A used Session is gone; the same code in a new sign-in is a replay.
    again = fails(lambda: _answer(env, pool_id, client, flow, step, SOFTWARE_TOKEN_MFA_CODE=code))
    assert again[0] == "NotAuthorizedException"
    fresh, _ = _first_step(env, pool_id, client, flow)
    assert fails(lambda: _answer(env, pool_id, client, flow, fresh, SOFTWARE_TOKEN_MFA_CODE=code)) == SPENT
    env.clock.advance(30)
    later = _answer(env, pool_id, client, flow, fresh, SOFTWARE_TOKEN_MFA_CODE=totp.at(env.clock.now()))
    assert "AccessToken" in later["AuthenticationResult"]


@pytest.mark.parametrize("flow", ["USER_PASSWORD_AUTH", "USER_SRP_AUTH", "ADMIN_USER_PASSWORD_AUTH"])
def test_sms_mfa__code_from_the_gateway(env: Env, flow: str) -> None:
    pool_id = _pool(env.idp)
    client = make_client(env.idp, pool_id, ExplicitAuthFlows=FLOWS)
    _user(env.idp, pool_id)
    env.idp.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="ann", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    step, _ = _first_step(env, pool_id, client, flow)
    assert step["ChallengeName"] == "SMS_MFA"
    assert step["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert step["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******1212"
    code = env.sms.next_code(env.server)
    message = env.sms.received[-1]
    assert message["to"] == PHONE and message["message"] == f"Sign-in code {code}"
    assert (
        fails(
            lambda: _answer(env, pool_id, client, flow, step, SMS_MFA_CODE="000000" if code != "000000" else "111111")
        )
        == MISMATCH
    )
    done = _answer(env, pool_id, client, flow, step, SMS_MFA_CODE=code)
    assert "IdToken" in done["AuthenticationResult"]
    # The code was used up with the sign-in: the next sign-in gets a new one and refuses the old.
    fresh, _ = _first_step(env, pool_id, client, flow)
    new_code = env.sms.next_code(env.server)
    if new_code != code:
        assert fails(lambda: _answer(env, pool_id, client, flow, fresh, SMS_MFA_CODE=code)) == MISMATCH
    assert "AuthenticationResult" in _answer(env, pool_id, client, flow, fresh, SMS_MFA_CODE=new_code)


def test_email_otp__code_from_the_mail_and_expiry(env: Env) -> None:
    pool_id = _pool(env.idp)
    client = make_client(env.idp, pool_id, ExplicitAuthFlows=FLOWS)
    _user(env.idp, pool_id)
    env.idp.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="ann", EmailMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    flow = "USER_PASSWORD_AUTH"
    step, _ = _first_step(env, pool_id, client, flow)
    assert step["ChallengeName"] == "EMAIL_OTP"
    assert step["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "a***@e***"
    mail = env.mail.next(env.server)
    assert mail.recipients == [EMAIL] and mail.message["Subject"] == "Sign-in code"
    done = _answer(env, pool_id, client, flow, step, EMAIL_OTP_CODE=mail.code)
    assert "AccessToken" in done["AuthenticationResult"]
    # Three minutes later the Session (AuthSessionValidity, 3 minutes by default) has expired...
    late, _ = _first_step(env, pool_id, client, flow)
    code = env.mail.next(env.server).code
    env.clock.advance(181)
    expired = fails(lambda: _answer(env, pool_id, client, flow, late, EMAIL_OTP_CODE=code))
    assert expired == ("NotAuthorizedException", "Invalid session for the user, session is expired.")
    # ... and with a longer Session the code itself has: it lives three minutes.
    patient = make_client(env.idp, pool_id, ExplicitAuthFlows=FLOWS, AuthSessionValidity=15)
    late, _ = _first_step(env, pool_id, patient, flow)
    code = env.mail.next(env.server).code
    env.clock.advance(181)
    code_type, _ = fails(lambda: _answer(env, pool_id, patient, flow, late, EMAIL_OTP_CODE=code))
    assert code_type == "ExpiredCodeException"


def test_select_mfa_type__then_the_chosen_factor(env: Env) -> None:
    pool_id = _pool(env.idp)
    client = make_client(env.idp, pool_id, ExplicitAuthFlows=FLOWS)
    _user(env.idp, pool_id)
    totp = _set_up_totp(env, client)
    env.idp.admin_set_user_mfa_preference(
        UserPoolId=pool_id,
        Username="ann",
        SMSMfaSettings={"Enabled": True},
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False},
    )
    env.clock.advance(30)
    flow = "USER_PASSWORD_AUTH"
    step, _ = _first_step(env, pool_id, client, flow)
    assert step["ChallengeName"] == "SELECT_MFA_TYPE"
    assert json.loads(step["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    code, _ = fails(lambda: _answer(env, pool_id, client, flow, step, ANSWER="EMAIL_OTP"))
    assert code == "InvalidParameterException"
    chosen = _answer(env, pool_id, client, flow, step, ANSWER="SOFTWARE_TOKEN_MFA")
    assert chosen["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = _answer(env, pool_id, client, flow, chosen, SOFTWARE_TOKEN_MFA_CODE=totp.at(env.clock.now()))
    assert "AccessToken" in done["AuthenticationResult"]
    # Choosing SMS sends a code.
    step, _ = _first_step(env, pool_id, client, flow)
    chosen = _answer(env, pool_id, client, flow, step, ANSWER="SMS_MFA")
    assert chosen["ChallengeName"] == "SMS_MFA"
    done = _answer(env, pool_id, client, flow, chosen, SMS_MFA_CODE=env.sms.next_code(env.server))
    assert "AccessToken" in done["AuthenticationResult"]


def test_mfa_setup__required_mfa_set_up_during_sign_in(env: Env) -> None:
    pool_id = str(env.idp.create_user_pool(PoolName="totp-only")["UserPool"]["Id"])
    env.idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    client = make_client(env.idp, pool_id, ExplicitAuthFlows=FLOWS, GenerateSecret=True)
    _user(env.idp, pool_id)
    secret_hash = sdk_secret_hash(client["ClientSecret"], "ann", client["ClientId"])
    step = env.idp.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash},
    )
    assert step["ChallengeName"] == "MFA_SETUP"
    assert json.loads(step["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    responses = {"USERNAME": "ann", "SECRET_HASH": secret_hash}
    # Answering before an authenticator is set up is refused, and the Session stays usable.
    code, _ = fails(
        env.idp.respond_to_auth_challenge,
        ClientId=client["ClientId"],
        ChallengeName="MFA_SETUP",
        Session=step["Session"],
        ChallengeResponses=responses,
    )
    assert code == "InvalidParameterException"
    associated = env.idp.associate_software_token(Session=step["Session"])
    totp = pyotp.TOTP(associated["SecretCode"])
    verified = env.idp.verify_software_token(Session=associated["Session"], UserCode=totp.at(env.clock.now()))
    assert verified["Status"] == "SUCCESS"
    done = env.idp.respond_to_auth_challenge(
        ClientId=client["ClientId"],
        ChallengeName="MFA_SETUP",
        Session=verified["Session"],
        ChallengeResponses=responses,
    )
    assert "AccessToken" in done["AuthenticationResult"]
    # From now on the authenticator is asked for.
    env.clock.advance(30)
    step = env.idp.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash},
    )
    assert step["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = env.idp.respond_to_auth_challenge(
        ClientId=client["ClientId"],
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=step["Session"],
        ChallengeResponses={**responses, "SOFTWARE_TOKEN_MFA_CODE": totp.at(env.clock.now())},
    )
    assert "AccessToken" in done["AuthenticationResult"]


def test_software_token_mfa__challenge_names_the_device_and_spent_codes_expire(env: Env) -> None:
    pool_id = _pool(env.idp)
    client = make_client(env.idp, pool_id, ExplicitAuthFlows=FLOWS)
    _user(env.idp, pool_id)
    access = _tokens(env.idp, client)["AccessToken"]
    totp = pyotp.TOTP(env.idp.associate_software_token(AccessToken=access)["SecretCode"])
    env.idp.verify_software_token(AccessToken=access, UserCode=totp.at(env.clock.now()), FriendlyDeviceName="A's phone")
    env.idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True})
    env.clock.advance(30)

    step, _ = _first_step(env, pool_id, client, "USER_PASSWORD_AUTH")
    assert step["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    # The name given at VerifySoftwareToken, as Cognito sends it for apps to show which authenticator to open.
    assert step["ChallengeParameters"] == {"USER_ID_FOR_SRP": "ann", "FRIENDLY_DEVICE_NAME": "A's phone"}
    # The code of the step before, which verified the authenticator, is still inside the window.
    code, at_verification = totp.at(env.clock.now()), totp.at(env.clock.now() - 30)
    _answer(env, pool_id, client, "USER_PASSWORD_AUTH", step, SOFTWARE_TOKEN_MFA_CODE=code)
    again, _ = _first_step(env, pool_id, client, "USER_PASSWORD_AUTH")

    def answer(given: str) -> Any:
        return _answer(env, pool_id, client, "USER_PASSWORD_AUTH", again, SOFTWARE_TOKEN_MFA_CODE=given)

    # Both codes were used once: spent, not wrong; the Session stays usable for a fresh code.
    assert fails(lambda: answer(code)) == SPENT
    if at_verification != code:
        assert fails(lambda: answer(at_verification)) == SPENT
    env.clock.advance(30)
    assert "AccessToken" in answer(totp.at(env.clock.now()))["AuthenticationResult"]


def test_software_token_mfa__wrong_codes_lock_the_user_out(env: Env) -> None:
    pool_id = _pool(env.idp)
    client = make_client(env.idp, pool_id, ExplicitAuthFlows=FLOWS)
    _user(env.idp, pool_id)
    totp = _set_up_totp(env, client)
    env.clock.advance(30)
    step, _ = _first_step(env, pool_id, client, "USER_PASSWORD_AUTH")
    right = totp.at(env.clock.now())
    wrong = "000000" if right != "000000" else "111111"
    outcomes = [
        fails(lambda: _answer(env, pool_id, client, "USER_PASSWORD_AUTH", step, SOFTWARE_TOKEN_MFA_CODE=wrong))
        for _ in range(6)
    ]
    assert MISMATCH in outcomes
    assert outcomes[-1] == ("NotAuthorizedException", "Password attempts exceeded")
    # Locked: even the right code is refused now.
    locked = fails(lambda: _answer(env, pool_id, client, "USER_PASSWORD_AUTH", step, SOFTWARE_TOKEN_MFA_CODE=right))
    assert locked == ("NotAuthorizedException", "Password attempts exceeded")


@pytest.mark.parametrize("replaces_mfa", [True, False])
def test_remembered_device__stands_in_for_mfa_when_the_pool_says_so(env: Env, replaces_mfa: bool) -> None:
    devices = {"ChallengeRequiredOnNewDevice": replaces_mfa, "DeviceOnlyRememberedOnUserPrompt": False}
    pool_id = _pool(env.idp, DeviceConfiguration=devices)
    client = make_client(env.idp, pool_id, ExplicitAuthFlows=FLOWS)
    _user(env.idp, pool_id)
    totp = _set_up_totp(env, client)
    env.clock.advance(30)
    srp = AWSSRP("ann", PASSWORD, pool_id, client["ClientId"], client=env.idp)
    step, _ = _first_step(env, pool_id, client, "USER_SRP_AUTH")
    assert step["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = _answer(env, pool_id, client, "USER_SRP_AUTH", step, SOFTWARE_TOKEN_MFA_CODE=totp.at(env.clock.now()))
    tokens = done["AuthenticationResult"]
    meta = tokens["NewDeviceMetadata"]
    device_password, config = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    env.idp.confirm_device(
        AccessToken=tokens["AccessToken"], DeviceKey=meta["DeviceKey"], DeviceSecretVerifierConfig=config
    )
    env.clock.advance(30)
    srp = AWSSRP(
        "ann",
        PASSWORD,
        pool_id,
        client["ClientId"],
        client=env.idp,
        device_key=meta["DeviceKey"],
        device_group_key=meta["DeviceGroupKey"],
        device_password=device_password,
    )
    if replaces_mfa:
        tokens = srp.authenticate_user()["AuthenticationResult"]
        assert payload(tokens["AccessToken"])["device_key"] == meta["DeviceKey"]
        return
    # Without ChallengeRequiredOnNewDevice the device proves itself and the second factor still follows.
    params = srp.get_auth_params()
    first = env.idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    step = env.idp.respond_to_auth_challenge(
        ClientId=client["ClientId"],
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=srp.process_challenge(first["ChallengeParameters"], params),
    )
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
    verifier = env.idp.respond_to_auth_challenge(
        ClientId=client["ClientId"],
        ChallengeName="DEVICE_SRP_AUTH",
        Session=step["Session"],
        ChallengeResponses={
            "USERNAME": "ann",
            "DEVICE_KEY": meta["DeviceKey"],
            "SRP_A": format(srp.large_a_value, "x"),
        },
    )
    after = env.idp.respond_to_auth_challenge(
        ClientId=client["ClientId"],
        ChallengeName="DEVICE_PASSWORD_VERIFIER",
        ChallengeResponses=srp.process_device_challenge(verifier["ChallengeParameters"]),
    )
    assert after["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = _answer(env, pool_id, client, "USER_SRP_AUTH", after, SOFTWARE_TOKEN_MFA_CODE=totp.at(env.clock.now()))
    assert payload(done["AuthenticationResult"]["AccessToken"])["device_key"] == meta["DeviceKey"]
    assert "NewDeviceMetadata" not in done["AuthenticationResult"]


def test_mfa_off__no_second_factor(env: Env) -> None:
    pool_id = str(env.idp.create_user_pool(PoolName="plain")["UserPool"]["Id"])
    client = make_client(env.idp, pool_id, ExplicitAuthFlows=FLOWS)
    _user(env.idp, pool_id)
    env.idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="ann", SMSMfaSettings={"Enabled": False})
    assert "AccessToken" in _tokens(env.idp, client)


def _auth_factors(env: Env, pool_id: str, username: str = "ann") -> dict[str, Any]:
    answer = dict(env.idp.admin_get_user_auth_factors(UserPoolId=pool_id, Username=username))
    answer.pop("ResponseMetadata")
    return answer


def test_admin_delete_software_token__next_sign_in_without_it(env: Env) -> None:
    pool_id = _pool(env.idp)
    client = make_client(env.idp, pool_id, ExplicitAuthFlows=FLOWS)
    _user(env.idp, pool_id)
    _set_up_totp(env, client)
    env.idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="ann", SMSMfaSettings={"Enabled": True})
    step, _ = _first_step(env, pool_id, client, "USER_PASSWORD_AUTH")
    assert step["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert _auth_factors(env, pool_id) == {
        "Username": "ann",
        "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA",
        "UserMFASettingList": ["SMS_MFA", "SOFTWARE_TOKEN_MFA"],
        "ConfiguredUserAuthFactors": ["PASSWORD", "SOFTWARE_TOKEN"],
    }

    answer = env.idp.admin_delete_software_token(UserPoolId=pool_id, Username="ann")
    assert set(answer) == {"ResponseMetadata"}
    # The authenticator and its preference are gone; SMS MFA, turned on beside it, stays.
    assert _auth_factors(env, pool_id) == {
        "Username": "ann",
        "UserMFASettingList": ["SMS_MFA"],
        "ConfiguredUserAuthFactors": ["PASSWORD"],
    }
    step, _ = _first_step(env, pool_id, client, "USER_PASSWORD_AUTH")
    assert step["ChallengeName"] == "SMS_MFA"
    env.idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="ann", SMSMfaSettings={"Enabled": False})
    assert "AccessToken" in _tokens(env.idp, client)
    # A new authenticator can be registered as before.
    totp = _set_up_totp(env, client)
    env.clock.advance(30)
    step, _ = _first_step(env, pool_id, client, "USER_PASSWORD_AUTH")
    done = _answer(env, pool_id, client, "USER_PASSWORD_AUTH", step, SOFTWARE_TOKEN_MFA_CODE=totp.at(env.clock.now()))
    assert "AccessToken" in done["AuthenticationResult"]


def test_admin_delete_software_token__required_mfa_falls_back_or_asks_to_set_up(env: Env) -> None:
    pool_id = _pool(env.idp)
    client = make_client(env.idp, pool_id, ExplicitAuthFlows=FLOWS)
    _user(env.idp, pool_id)
    _set_up_totp(env, client)
    env.idp.admin_create_user(UserPoolId=pool_id, Username="bea", MessageAction="SUPPRESS")
    env.idp.admin_set_user_password(UserPoolId=pool_id, Username="bea", Password=PASSWORD, Permanent=True)
    _set_up_totp(env, client, "bea")
    env.idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="ON",
        SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIG},
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    for username in ("ann", "bea"):
        env.idp.admin_delete_software_token(UserPoolId=pool_id, Username=username)
    # ann has a phone number to fall back on; bea has no other factor and must set one up.
    step, _ = _first_step(env, pool_id, client, "USER_PASSWORD_AUTH")
    assert step["ChallengeName"] == "SMS_MFA"
    bea = env.idp.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bea", "PASSWORD": PASSWORD},
    )
    assert bea["ChallengeName"] == "MFA_SETUP"
    assert json.loads(bea["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]


def test_admin_delete_software_token__errors(env: Env) -> None:
    pool_id = _pool(env.idp)
    _user(env.idp, pool_id)
    assert fails(lambda: env.idp.admin_delete_software_token(UserPoolId=pool_id, Username="ann")) == (
        "ResourceNotFoundException",
        "Software Token MFA has not been associated with the user.",
    )
    assert fails(lambda: env.idp.admin_delete_software_token(UserPoolId=pool_id, Username="nobody")) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert fails(lambda: env.idp.admin_delete_software_token(UserPoolId="us-east-1_nothere", Username="ann")) == (
        "ResourceNotFoundException",
        "User pool us-east-1_nothere does not exist.",
    )


def test_admin_get_user_auth_factors__by_alias_and_errors(env: Env) -> None:
    pool_id = _pool(env.idp, AliasAttributes=["email"])
    _user(env.idp, pool_id)
    sub = env.idp.admin_get_user(UserPoolId=pool_id, Username="ann")["UserAttributes"][0]["Value"]
    expected = {"Username": "ann", "ConfiguredUserAuthFactors": ["PASSWORD"]}
    for name in ("ann", EMAIL, sub):
        assert _auth_factors(env, pool_id, name) == expected
    assert fails(lambda: env.idp.admin_get_user_auth_factors(UserPoolId=pool_id, Username="nobody")) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert fails(lambda: env.idp.admin_get_user_auth_factors(UserPoolId="us-east-1_nothere", Username="ann")) == (
        "ResourceNotFoundException",
        "User pool us-east-1_nothere does not exist.",
    )
