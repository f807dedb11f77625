"""USER_AUTH, choice-based sign-in, through boto3 (Cognito developer guide: 'Authentication flows', choice-based):
SELECT_CHALLENGE with AvailableChallenges, PREFERRED_CHALLENGE, PASSWORD and PASSWORD_SRP (pycognito's SRP maths),
EMAIL_OTP with codes read from a real SMTP server and SMS_OTP with codes read at an SMS gateway, wrong and replayed
codes, names no user has; and GetUserAuthFactors."""

from __future__ import annotations

from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from tests.api.conftest import Env
from tests.support.auth import PASSWORD, payload
from tests.support.errors import fails
from tests.support.existence import outcome, shape

FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
FLOWS = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
SMS_CONFIG = {"SnsCallerArn": "arn:aws:iam::000000000000:role/sms", "ExternalId": "userpool"}
PHONE = "+14325551212"
EMAIL = "ann@example.com"
MISMATCH = ("CodeMismatchException", "Invalid code received for user")
WRONG = ("NotAuthorizedException", "Incorrect username or password.")


def _pool(idp: Any, factors: list[str] | None = None) -> str:
    policies = {"SignInPolicy": {"AllowedFirstAuthFactors": factors or FACTORS}}
    return str(idp.create_user_pool(PoolName="passwordless", Policies=policies)["UserPool"]["Id"])


def _client(idp: Any, pool_id: str, **config: Any) -> str:
    config.setdefault("ExplicitAuthFlows", FLOWS)
    return str(
        idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **config)["UserPoolClient"]["ClientId"]
    )


def _user(idp: Any, pool_id: str, username: str = "ann", phone: bool = True) -> None:
    attributes = [{"Name": "email", "Value": EMAIL}, {"Name": "email_verified", "Value": "true"}]
    if phone:
        attributes += [{"Name": "phone_number", "Value": PHONE}, {"Name": "phone_number_verified", "Value": "true"}]
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS", UserAttributes=attributes)
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


def _start(idp: Any, client_id: str, username: str = "ann", **params: str) -> Any:
    return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username, **params})


def _respond(idp: Any, client_id: str, step: dict[str, Any], username: str = "ann", **responses: str) -> Any:
    return idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName=step["ChallengeName"],
        Session=step["Session"],
        ChallengeResponses={"USERNAME": username, **responses},
    )


def _other(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_user_auth__select_challenge_offers_the_users_factors(env: Env) -> None:
    pool_id = _pool(env.idp)
    client_id = _client(env.idp, pool_id)
    _user(env.idp, pool_id)
    _user(env.idp, pool_id, "bea", phone=False)
    env.idp.admin_create_user(UserPoolId=pool_id, Username="cy", MessageAction="SUPPRESS")
    step = _start(env.idp, client_id)
    assert step["ChallengeName"] == "SELECT_CHALLENGE"
    assert step["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    assert step["Session"] and step["ChallengeParameters"] == {}
    assert _start(env.idp, client_id, "bea")["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    # A temporary password must be replaced through NEW_PASSWORD_REQUIRED, so no code stands in for it.
    assert _start(env.idp, client_id, "cy")["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    # Factors the pool does not allow are not offered; a preference for one of them is not followed.
    strict = _pool(env.idp, ["PASSWORD"])
    _user(env.idp, strict)
    step = _start(env.idp, _client(env.idp, strict), PREFERRED_CHALLENGE="EMAIL_OTP")
    assert (step["ChallengeName"], step["AvailableChallenges"]) == ("SELECT_CHALLENGE", ["PASSWORD", "PASSWORD_SRP"])
    env.server.runtime.dispatcher.drain()
    assert env.mail.mails == []


def test_user_auth__select_password(env: Env) -> None:
    pool_id = _pool(env.idp)
    client_id = _client(env.idp, pool_id)
    _user(env.idp, pool_id)
    step = _start(env.idp, client_id)
    # A choice that was not offered, or without its PASSWORD, is refused and the Session stays usable.
    assert fails(lambda: _respond(env.idp, client_id, step, ANSWER="WEB_AUTHN"))[0] == "InvalidParameterException"
    missing = fails(lambda: _respond(env.idp, client_id, step, ANSWER="PASSWORD"))
    assert missing == ("InvalidParameterException", "Missing required parameter PASSWORD")
    done = _respond(env.idp, client_id, step, ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert payload(done["AuthenticationResult"]["AccessToken"])["username"] == "ann"
    wrong = _start(env.idp, client_id)
    assert fails(lambda: _respond(env.idp, client_id, wrong, ANSWER="PASSWORD", PASSWORD="Wrong-Pass-1")) == WRONG


def test_user_auth__select_password_srp(env: Env) -> None:
    pool_id = _pool(env.idp)
    client_id = _client(env.idp, pool_id)
    _user(env.idp, pool_id)
    step = _start(env.idp, client_id)
    srp = AWSSRP("ann", PASSWORD, pool_id, client_id, client=env.idp)
    params = srp.get_auth_params()
    verifier = _respond(env.idp, client_id, step, ANSWER="PASSWORD_SRP", SRP_A=params["SRP_A"])
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    done = env.idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=srp.process_challenge(verifier["ChallengeParameters"], params),
    )
    assert payload(done["AuthenticationResult"]["IdToken"])["cognito:username"] == "ann"


def test_user_auth__preferred_password_and_srp(env: Env) -> None:
    pool_id = _pool(env.idp)
    client_id = _client(env.idp, pool_id)
    _user(env.idp, pool_id)
    done = _start(env.idp, client_id, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert done["ChallengeParameters"] == {} and done["AuthenticationResult"]["RefreshToken"]
    assert fails(lambda: _start(env.idp, client_id, PREFERRED_CHALLENGE="PASSWORD", PASSWORD="nope-Nope-1")) == WRONG
    srp = AWSSRP("ann", PASSWORD, pool_id, client_id, client=env.idp)
    params = srp.get_auth_params()
    verifier = _start(env.idp, client_id, PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=params["SRP_A"])
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    done = env.idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=srp.process_challenge(verifier["ChallengeParameters"], params),
    )
    assert done["AuthenticationResult"]["AccessToken"]
    # Through AdminInitiateAuth as well.
    admin = env.idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "ann", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD},
    )
    assert admin["AuthenticationResult"]["AccessToken"]


def test_user_auth__email_otp_code_from_the_mail(env: Env) -> None:
    pool_id = _pool(env.idp)
    client_id = _client(env.idp, pool_id)
    _user(env.idp, pool_id)
    step = _start(env.idp, client_id, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert step["ChallengeName"] == "EMAIL_OTP" and step["Session"]
    assert step["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert step["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "a***@e***"
    mail = env.mail.next(env.server)
    assert mail.recipients == [EMAIL]
    assert fails(lambda: _respond(env.idp, client_id, step, EMAIL_OTP_CODE=_other(mail.code))) == MISMATCH
    # The Session survives a wrong code; the right one signs in.
    done = _respond(env.idp, client_id, step, EMAIL_OTP_CODE=mail.code)
    assert payload(done["AuthenticationResult"]["AccessToken"])["username"] == "ann"
    # Used up: the Session and the code are gone.
    assert fails(lambda: _respond(env.idp, client_id, step, EMAIL_OTP_CODE=mail.code))[0] == "NotAuthorizedException"
    chosen = _respond(env.idp, client_id, _start(env.idp, client_id), ANSWER="EMAIL_OTP")
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    fresh = env.mail.next(env.server).code
    if fresh != mail.code:
        assert fails(lambda: _respond(env.idp, client_id, chosen, EMAIL_OTP_CODE=mail.code)) == MISMATCH
    assert "IdToken" in _respond(env.idp, client_id, chosen, EMAIL_OTP_CODE=fresh)["AuthenticationResult"]


def test_user_auth__sms_otp_code_from_the_gateway(env: Env) -> None:
    pool_id = _pool(env.idp)
    client_id = _client(env.idp, pool_id)
    _user(env.idp, pool_id)
    step = _respond(env.idp, client_id, _start(env.idp, client_id), ANSWER="SMS_OTP")
    assert step["ChallengeName"] == "SMS_OTP"
    assert step["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert step["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******1212"
    code = env.sms.next_code(env.server)
    assert env.sms.received[-1]["to"] == PHONE
    assert fails(lambda: _respond(env.idp, client_id, step, SMS_OTP_CODE=_other(code))) == MISMATCH
    # The SMS_MFA member does not answer SMS_OTP.
    assert fails(lambda: _respond(env.idp, client_id, step, SMS_MFA_CODE=code))[0] == "InvalidParameterException"
    done = _respond(env.idp, client_id, step, SMS_OTP_CODE=code)
    assert payload(done["AuthenticationResult"]["AccessToken"])["username"] == "ann"


def test_user_auth__wrong_codes_are_attempt_limited(env: Env) -> None:
    pool_id = _pool(env.idp)
    client_id = _client(env.idp, pool_id)
    _user(env.idp, pool_id)
    step = _start(env.idp, client_id, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = env.mail.next(env.server).code
    for _ in range(5):
        assert fails(lambda: _respond(env.idp, client_id, step, EMAIL_OTP_CODE=_other(code))) == MISMATCH
    # Past the limit even the right code is refused, so that a guesser cannot tell it found it.
    limited = fails(lambda: _respond(env.idp, client_id, step, EMAIL_OTP_CODE=code))
    assert limited == ("LimitExceededException", "Attempt limit exceeded, please try after some time.")


def test_user_auth__passwordless_sign_in_skips_mfa_but_password_does_not(env: Env) -> None:
    pool_id = _pool(env.idp)
    env.idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIG, "SmsAuthenticationMessage": "MFA code {####}"},
    )
    client_id = _client(env.idp, pool_id)
    _user(env.idp, pool_id)
    env.idp.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="ann", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    mfa = _start(env.idp, client_id, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert mfa["ChallengeName"] == "SMS_MFA"
    done = _respond(env.idp, client_id, mfa, SMS_MFA_CODE=env.sms.next_code(env.server))
    assert done["AuthenticationResult"]["AccessToken"]
    otp = _start(env.idp, client_id, PREFERRED_CHALLENGE="EMAIL_OTP")
    done = _respond(env.idp, client_id, otp, EMAIL_OTP_CODE=env.mail.next(env.server).code)
    assert done["AuthenticationResult"]["AccessToken"]


def test_user_auth__unknown_user(env: Env) -> None:
    pool_id = _pool(env.idp)
    legacy = _client(env.idp, pool_id)
    assert fails(lambda: _start(env.idp, legacy, "ghost")) == ("UserNotFoundException", "User does not exist.")
    hiding = _client(env.idp, pool_id, PreventUserExistenceErrors="ENABLED")
    step = _start(env.idp, hiding, "ghost")
    # Offered what a user with every factor would be offered.
    assert step["ChallengeName"] == "SELECT_CHALLENGE"
    assert step["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    otp = _respond(env.idp, hiding, step, "ghost", ANSWER="EMAIL_OTP")
    assert otp["ChallengeName"] == "EMAIL_OTP"
    assert otp["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert fails(lambda: _respond(env.idp, hiding, otp, "ghost", EMAIL_OTP_CODE="123456")) == MISMATCH
    choice = _start(env.idp, hiding, "ghost")
    assert fails(lambda: _respond(env.idp, hiding, choice, "ghost", ANSWER="PASSWORD", PASSWORD="x")) == WRONG
    env.server.runtime.dispatcher.drain()
    assert env.mail.mails == []


def test_user_auth__flow_must_be_enabled(env: Env) -> None:
    pool_id = _pool(env.idp)
    _user(env.idp, pool_id)
    client_id = _client(env.idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"])
    assert fails(lambda: _start(env.idp, client_id)) == (
        "InvalidParameterException",
        "USER_AUTH flow not enabled for this client",
    )


def test_get_user_auth_factors(env: Env) -> None:
    pool_id = _pool(env.idp)
    client_id = _client(env.idp, pool_id)
    _user(env.idp, pool_id)
    _user(env.idp, pool_id, "bea", phone=False)
    env.idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Code"},
    )
    env.idp.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="ann", EmailMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    tokens = _start(env.idp, client_id, "bea", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    factors = env.idp.get_user_auth_factors(AccessToken=tokens["AuthenticationResult"]["AccessToken"])
    factors.pop("ResponseMetadata")
    assert factors == {"Username": "bea", "ConfiguredUserAuthFactors": ["PASSWORD", "EMAIL_OTP"]}
    otp = _start(env.idp, client_id, PREFERRED_CHALLENGE="EMAIL_OTP")
    done = _respond(env.idp, client_id, otp, EMAIL_OTP_CODE=env.mail.next(env.server).code)
    factors = env.idp.get_user_auth_factors(AccessToken=done["AuthenticationResult"]["AccessToken"])
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    assert factors["UserMFASettingList"] == ["EMAIL_OTP"] and factors["PreferredMfaSetting"] == "EMAIL_OTP"
    assert fails(lambda: env.idp.get_user_auth_factors(AccessToken="not-a-token"))[0] == "NotAuthorizedException"


@pytest.mark.parametrize("session", ["x" * 64, "v1.abc.def" + "A" * 40])
def test_user_auth__forged_sessions_are_refused(env: Env, session: str) -> None:
    pool_id = _pool(env.idp)
    client_id = _client(env.idp, pool_id)
    _user(env.idp, pool_id)
    for challenge, responses in (
        ("SELECT_CHALLENGE", {"ANSWER": "EMAIL_OTP"}),
        ("EMAIL_OTP", {"EMAIL_OTP_CODE": "123456"}),
        ("SMS_OTP", {"SMS_OTP_CODE": "123456"}),
    ):
        step = {"ChallengeName": challenge, "Session": session}
        code, _ = fails(lambda: _respond(env.idp, client_id, step, **responses))  # noqa: B023
        assert code == "NotAuthorizedException", challenge


def test_user_auth__an_unknown_names_sessions_look_like_a_users(env: Env) -> None:
    pool_id = _pool(env.idp)
    hiding = _client(env.idp, pool_id, PreventUserExistenceErrors="ENABLED")
    _user(env.idp, pool_id)
    steps = {name: _start(env.idp, hiding, name) for name in ("ann", "bob")}
    assert shape(steps["ann"]) == shape(steps["bob"])
    assert steps["ann"]["AvailableChallenges"] == steps["bob"]["AvailableChallenges"]
    for name, step in steps.items():
        wrong = {"ANSWER": "PASSWORD", "PASSWORD": "Wrong-Pass-1"}
        assert outcome(_respond, idp=env.idp, client_id=hiding, step=step, username=name, **wrong) == ("error", *WRONG)
        # The choice used the Session up.
        again = outcome(_respond, idp=env.idp, client_id=hiding, step=step, username=name, **wrong)
        assert again == ("error", "NotAuthorizedException", "Invalid session for the user, session is expired.")
