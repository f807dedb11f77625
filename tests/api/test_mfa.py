"""A user's MFA factors through boto3: AssociateSoftwareToken, VerifySoftwareToken (access token and MFA_SETUP
Session), SetUserMFAPreference, AdminSetUserMFAPreference, AdminSetUserSettings, and how GetUser and
AdminGetUser show them. TOTP codes are computed by pyotp from the SecretCode the server handed out."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError

from tests.conftest import ACCESS_KEY, SECRET_KEY, Server
from tests.support.auth import make_client, make_user, sign_in
from tests.support.bridge import socket_client
from tests.support.errors import fails
from tests.support.pools import SMS_CONFIGURATION
from userpool.clock import FixedClock
from userpool.crypto.opaque import digest, new_opaque_value
from userpool.model.token_records import ChallengeSession
from userpool.services.sign_in.mfa import software_token_set_up

TOTP, SMS, EMAIL = "SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP"
MISMATCH = ("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
NO_TOTP_POOL = ("SoftwareTokenMFANotFoundException", "Software Token MFA has not been enabled by the userPool")
BAD_SESSION = ("NotAuthorizedException", "Invalid session for the user, session is expired.")
SMS_OPTIONS = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
MFA_MEMBERS = ("UserMFASettingList", "PreferredMfaSetting", "MFAOptions")
CALLERS = 8


def _mfa_pool(idp: Any, mode: str = "OPTIONAL", all_factors: bool = False) -> str:
    pool_id = str(idp.create_user_pool(PoolName="mfa")["UserPool"]["Id"])
    extra: dict[str, Any] = {}
    if all_factors:
        extra = {
            "SmsMfaConfiguration": {"SmsConfiguration": SMS_CONFIGURATION},
            "EmailMfaConfiguration": {"Message": "Your code: {####}", "Subject": "Sign-in code"},
        }
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration=mode, SoftwareTokenMfaConfiguration={"Enabled": True}, **extra
    )
    return pool_id


def _signed_in(idp: Any, pool_id: str, username: str = "ann", **attributes: str) -> tuple[dict[str, Any], str]:
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, username, attributes=attributes)
    return client, sign_in(idp, client, username)["AccessToken"]


def _mfa_view(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: answer[k] for k in MFA_MEMBERS if k in answer}


def _admin_view(idp: Any, pool_id: str, username: str) -> dict[str, Any]:
    return _mfa_view(idp.admin_get_user(UserPoolId=pool_id, Username=username))


def _wrong_code(secret: str, now: float) -> str:
    """A six-digit code that no step near ``now`` has."""
    near = {pyotp.TOTP(secret).at(now + 30 * offset) for offset in range(-3, 4)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in near)


def test_associate_software_token__verify_prefer_and_get_user_shows_it(idp: Any) -> None:
    pool_id = _mfa_pool(idp)
    _client, token = _signed_in(idp, pool_id)
    associated = idp.associate_software_token(AccessToken=token)
    secret = associated["SecretCode"]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert "Session" not in associated
    assert _mfa_view(idp.get_user(AccessToken=token)) == {}

    verified = idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).now(), FriendlyDeviceName="ph")
    assert verified["Status"] == "SUCCESS"
    assert "Session" not in verified
    # Verifying registers the authenticator; SetUserMFAPreference is what turns TOTP MFA on (as on AWS).
    assert _mfa_view(idp.get_user(AccessToken=token)) == {}

    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    expected = {"UserMFASettingList": [TOTP], "PreferredMfaSetting": TOTP}
    assert _mfa_view(idp.get_user(AccessToken=token)) == expected
    assert _admin_view(idp, pool_id, "ann") == expected
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False})
    assert _mfa_view(idp.get_user(AccessToken=token)) == {"UserMFASettingList": [TOTP]}
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": False})
    assert _mfa_view(idp.get_user(AccessToken=token)) == {"UserMFASettingList": []}


def test_verify_software_token__wrong_replayed_and_stale_codes_refused(clocked: Server, clock: FixedClock) -> None:
    idp = clocked.client()
    pool_id = _mfa_pool(idp)
    _client, token = _signed_in(idp, pool_id)
    assert fails(idp.verify_software_token, AccessToken=token, UserCode="123456") == (
        "SoftwareTokenMFANotFoundException",
        "Software Token MFA has not been associated with the user.",
    )
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    totp, now = pyotp.TOTP(secret), clock.now()
    assert fails(idp.verify_software_token, AccessToken=token, UserCode=_wrong_code(secret, now)) == MISMATCH
    # Two steps away is outside the ±1 step window.
    assert fails(idp.verify_software_token, AccessToken=token, UserCode=totp.at(now + 60)) == MISMATCH
    unchecked = clocked.client(parameter_validation=False)
    for malformed in ("12345", "1234567", "12345a"):
        code, _ = fails(unchecked.verify_software_token, AccessToken=token, UserCode=malformed)
        assert code == "InvalidParameterException"
    # The wrong codes changed nothing: the previous step's code still verifies the pending secret.
    assert idp.verify_software_token(AccessToken=token, UserCode=totp.at(now - 30))["Status"] == "SUCCESS"
    assert idp.verify_software_token(AccessToken=token, UserCode=totp.at(now))["Status"] == "SUCCESS"
    # Spent: the same code again, and any code of a step up to the last one accepted.
    assert fails(idp.verify_software_token, AccessToken=token, UserCode=totp.at(now)) == MISMATCH
    assert fails(idp.verify_software_token, AccessToken=token, UserCode=totp.at(now - 30)) == MISMATCH
    assert idp.verify_software_token(AccessToken=token, UserCode=totp.at(now + 30))["Status"] == "SUCCESS"
    clock.advance(30)
    assert fails(idp.verify_software_token, AccessToken=token, UserCode=totp.at(now + 30)) == MISMATCH

    # A new association: codes of the old secret no longer verify it, the new secret's do.
    fresh = idp.associate_software_token(AccessToken=token)["SecretCode"]
    assert fresh != secret
    later = clock.now() + 30
    if totp.at(later) != pyotp.TOTP(fresh).at(later):
        assert fails(idp.verify_software_token, AccessToken=token, UserCode=totp.at(later)) == MISMATCH
    assert idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(fresh).at(later))["Status"] == "SUCCESS"


def test_software_token__refused_tokens_and_requests(clocked: Server, clock: FixedClock) -> None:
    idp = clocked.client()
    pool_id = _mfa_pool(idp)
    client, ann = _signed_in(idp, pool_id)
    make_user(idp, pool_id, "bo")
    bo = sign_in(idp, client, "bo")["AccessToken"]
    ann_secret = idp.associate_software_token(AccessToken=ann)["SecretCode"]
    bo_secret = idp.associate_software_token(AccessToken=bo)["SecretCode"]
    # Another user's token verifies that user's own secret, never ann's.
    ann_code = pyotp.TOTP(ann_secret).at(clock.now())
    if ann_code not in {pyotp.TOTP(bo_secret).at(clock.now() + 30 * o) for o in (-1, 0, 1)}:
        assert fails(idp.verify_software_token, AccessToken=bo, UserCode=ann_code) == MISMATCH
    assert idp.verify_software_token(AccessToken=ann, UserCode=ann_code)["Status"] == "SUCCESS"

    invalid = ("NotAuthorizedException", "Invalid Access Token")
    assert fails(idp.associate_software_token, AccessToken="not-a-token") == invalid
    assert fails(idp.verify_software_token, AccessToken="not-a-token", UserCode="123456") == invalid
    assert fails(idp.set_user_mfa_preference, AccessToken="x.y.z", SMSMfaSettings={"Enabled": False}) == invalid
    two = fails(idp.associate_software_token, AccessToken=ann, Session="s" * 32)
    assert two == ("InvalidParameterException", "Exactly one of AccessToken and Session must be given.")
    assert fails(idp.associate_software_token)[0] == "InvalidParameterException"
    assert fails(idp.verify_software_token, UserCode="123456")[0] == "InvalidParameterException"

    idp.global_sign_out(AccessToken=bo)
    revoked = ("NotAuthorizedException", "Access Token has been revoked")
    assert fails(idp.associate_software_token, AccessToken=bo) == revoked
    clock.advance(3601)
    expired = ("NotAuthorizedException", "Access Token has expired")
    assert fails(idp.associate_software_token, AccessToken=ann) == expired
    assert fails(idp.verify_software_token, AccessToken=ann, UserCode="123456") == expired
    assert fails(idp.set_user_mfa_preference, AccessToken=ann, SMSMfaSettings={"Enabled": False}) == expired

    # A pool that does not offer TOTP neither associates nor verifies.
    plain = str(idp.create_user_pool(PoolName="plain")["UserPool"]["Id"])
    _client, token = _signed_in(idp, plain)
    assert fails(idp.associate_software_token, AccessToken=token) == NO_TOTP_POOL
    assert fails(idp.verify_software_token, AccessToken=token, UserCode="123456") == NO_TOTP_POOL


def test_set_user_mfa_preference__refused_combinations_change_nothing(idp: Any) -> None:
    pool_id = _mfa_pool(idp)
    _client, token = _signed_in(idp, pool_id)
    no_delivery = "User does not have delivery config set to turn on {}"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"SoftwareTokenMfaSettings": {"Enabled": True}}, no_delivery.format(TOTP)),
        ({"SMSMfaSettings": {"Enabled": True}}, "SMS_MFA is not enabled for the user pool."),
        ({"EmailMfaSettings": {"Enabled": True}}, "EMAIL_OTP is not enabled for the user pool."),
        (
            {"SMSMfaSettings": {"PreferredMfa": True}, "SoftwareTokenMfaSettings": {"PreferredMfa": True}},
            "Only one MFA method can be set as preferred.",
        ),
        ({"SMSMfaSettings": {"Enabled": False, "PreferredMfa": True}}, "SMS_MFA cannot be set as preferred"),
    ]
    for settings, message in cases:
        code, text = fails(idp.set_user_mfa_preference, AccessToken=token, **settings)
        assert (code, text.startswith(message)) == ("InvalidParameterException", True), (settings, text)
        admin = fails(idp.admin_set_user_mfa_preference, UserPoolId=pool_id, Username="ann", **settings)
        assert admin == (code, text)

    everything = _mfa_pool(idp, all_factors=True)
    make_user(idp, everything, "cy")
    for settings, factor in (
        ({"SMSMfaSettings": {"Enabled": True}}, SMS),
        ({"EmailMfaSettings": {"Enabled": True}}, EMAIL),
    ):
        assert fails(idp.admin_set_user_mfa_preference, UserPoolId=everything, Username="cy", **settings) == (
            "InvalidParameterException",
            no_delivery.format(factor),
        )
    assert _admin_view(idp, pool_id, "ann") == {}
    assert _admin_view(idp, everything, "cy") == {}
    assert fails(
        idp.admin_set_user_mfa_preference, UserPoolId=pool_id, Username="nobody", SMSMfaSettings={"Enabled": False}
    ) == ("UserNotFoundException", "User does not exist.")
    assert fails(
        idp.admin_set_user_mfa_preference, UserPoolId="eu-west-1_missing00", Username="ann", SMSMfaSettings={}
    ) == ("ResourceNotFoundException", "User pool eu-west-1_missing00 does not exist.")


def test_admin_set_user_mfa_preference__sms_email_and_the_legacy_view(idp: Any) -> None:
    pool_id = _mfa_pool(idp, all_factors=True)
    make_user(idp, pool_id, "ann", attributes={"phone_number": "+15555550100", "email": "ann@example.com"})
    idp.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="ann", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    assert _admin_view(idp, pool_id, "ann") == {
        "UserMFASettingList": [SMS],
        "PreferredMfaSetting": SMS,
        "MFAOptions": SMS_OPTIONS,
    }
    idp.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="ann", EmailMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    assert _admin_view(idp, pool_id, "ann") == {
        "UserMFASettingList": [SMS, EMAIL],
        "PreferredMfaSetting": EMAIL,
        "MFAOptions": SMS_OPTIONS,
    }
    listed = idp.list_users(UserPoolId=pool_id)["Users"][0]
    assert listed["MFAOptions"] == SMS_OPTIONS

    # The legacy settings turn the same SMS switch.
    idp.admin_set_user_settings(UserPoolId=pool_id, Username="ann", MFAOptions=[])
    assert _admin_view(idp, pool_id, "ann") == {"UserMFASettingList": [EMAIL], "PreferredMfaSetting": EMAIL}
    idp.admin_set_user_settings(UserPoolId=pool_id, Username="ann", MFAOptions=SMS_OPTIONS)
    assert _admin_view(idp, pool_id, "ann")["UserMFASettingList"] == [SMS, EMAIL]
    assert fails(
        idp.admin_set_user_settings,
        UserPoolId=pool_id,
        Username="ann",
        MFAOptions=[{"DeliveryMedium": "EMAIL", "AttributeName": "email"}],
    ) == ("InvalidParameterException", "Only SMS to phone_number is supported as an MFA option.")
    assert fails(idp.admin_set_user_settings, UserPoolId=pool_id, Username="nobody", MFAOptions=[])[0] == (
        "UserNotFoundException"
    )

    # In a pool that requires MFA, TOTP cannot be turned off once on; the preference can still move.
    required = _mfa_pool(idp, mode="OPTIONAL")
    _client, token = _signed_in(idp, required, "bo")
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).now())
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True})
    idp.set_user_pool_mfa_config(
        UserPoolId=required, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    code, _ = fails(idp.set_user_mfa_preference, AccessToken=token, SoftwareTokenMfaSettings={"Enabled": False})
    assert code == "InvalidParameterException"
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert _admin_view(idp, required, "bo") == {"UserMFASettingList": [TOTP], "PreferredMfaSetting": TOTP}


def test_get_user__factors_all_turned_off_leave_an_empty_factor_list(app_server: Server) -> None:
    """Once a user set an MFA preference and then turned every factor off, Cognito answers
    ``UserMFASettingList: []`` (no PreferredMfaSetting) rather than leaving the member out, as it does for a
    user who never set one: on the wire, not only as boto3 parses it."""
    idp = app_server.client()
    pool_id = _mfa_pool(idp, all_factors=True)
    _client, token = _signed_in(idp, pool_id, phone_number="+15555550100", email="ann@example.com")
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).now())
    assert _mfa_view(idp.get_user(AccessToken=token)) == {}
    idp.set_user_mfa_preference(
        AccessToken=token,
        SMSMfaSettings={"Enabled": True},
        EmailMfaSettings={"Enabled": True},
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    assert _mfa_view(idp.get_user(AccessToken=token))["UserMFASettingList"] == [SMS, TOTP, EMAIL]
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": False})
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="ann", EmailMfaSettings={"Enabled": False})
    idp.set_user_settings(AccessToken=token, MFAOptions=[])

    assert _mfa_view(idp.get_user(AccessToken=token)) == {"UserMFASettingList": []}
    assert _admin_view(idp, pool_id, "ann") == {"UserMFASettingList": []}
    factors = idp.get_user_auth_factors(AccessToken=token)
    assert factors["UserMFASettingList"] == [] and "PreferredMfaSetting" not in factors
    # GetUser is unsigned, so its raw answer is easy to read.
    raw = app_server.test_client.post(
        "/",
        headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser"},
        content=json.dumps({"AccessToken": token}),
    )
    assert raw.status_code == 200, raw.text
    assert {k: v for k, v in raw.json().items() if k in MFA_MEMBERS} == {"UserMFASettingList": []}, raw.text


def _mfa_setup_session(server: Server, pool_id: str, client_id: str, username: str, **over: Any) -> str:
    """A live MFA_SETUP challenge Session, stored as a sign-in that requires MFA set-up stores it."""
    value = new_opaque_value()
    store = server.runtime.store
    now = server.runtime.deps.clock.now()
    with store.write() as tx:
        pool = tx.pools.get(pool_id)
        assert pool is not None
        user = tx.users.get_by_username(pool_id, username)
        assert user is not None
        fields: dict[str, Any] = {
            "session_hash": digest(value),
            "pool_id": pool_id,
            "client_id": client_id,
            "sub": user.sub,
            "challenge": "MFA_SETUP",
            "created_at": now,
            "expires_at": now + 180,
            "state": {"carried": "along"},
        }
        tx.auth_challenges.add(ChallengeSession(**{**fields, **over}))
    return value


def test_software_token__mfa_setup_session_mode(app_server: Server) -> None:
    idp = app_server.client()
    pool_id = _mfa_pool(idp, mode="ON")
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    session = _mfa_setup_session(app_server, pool_id, client["ClientId"], "ann")

    associated = idp.associate_software_token(Session=session)
    secret, second = associated["SecretCode"], associated["Session"]
    assert second != session
    # Each Session is single use.
    assert fails(idp.associate_software_token, Session=session) == BAD_SESSION
    assert (
        fails(
            idp.verify_software_token, Session=second, UserCode=_wrong_code(secret, app_server.runtime.deps.clock.now())
        )
        == MISMATCH
    )
    verified = idp.verify_software_token(Session=second, UserCode=pyotp.TOTP(secret).now(), FriendlyDeviceName="ph")
    assert verified["Status"] == "SUCCESS"
    third = verified["Session"]
    assert fails(idp.verify_software_token, Session=second, UserCode=pyotp.TOTP(secret).now()) == BAD_SESSION
    # Set up in a sign-in, TOTP MFA is on and preferred, and the next Session says the set-up is done.
    assert _admin_view(idp, pool_id, "ann") == {"UserMFASettingList": [TOTP], "PreferredMfaSetting": TOTP}
    with app_server.runtime.store.read() as tx:
        stored = tx.auth_challenges.get(digest(third))
    assert stored is not None and stored.challenge == "MFA_SETUP"
    assert software_token_set_up(stored) and stored.state["carried"] == "along"

    other = _mfa_setup_session(app_server, pool_id, client["ClientId"], "ann", challenge="SMS_MFA")
    expired = _mfa_setup_session(app_server, pool_id, client["ClientId"], "ann", expires_at=1.0)
    for refused in (other, expired, "x" * 40):
        assert fails(idp.associate_software_token, Session=refused) == BAD_SESSION
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF")
    no_totp = _mfa_setup_session(app_server, pool_id, client["ClientId"], "ann")
    assert fails(idp.associate_software_token, Session=no_totp) == NO_TOTP_POOL


def _race(clients: list[Any], token: str, code: str) -> Counter[str]:
    start = threading.Barrier(len(clients))

    def attempt(client: Any) -> str:
        start.wait(timeout=60)
        try:
            return str(client.verify_software_token(AccessToken=token, UserCode=code)["Status"])
        except ClientError as exc:
            return str(exc.response["Error"]["Code"])

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return Counter(pool.map(attempt, clients))


@pytest.mark.socket
def test_verify_software_token__concurrent_same_code_accepted_once(live_server: str) -> None:
    admin = socket_client(live_server, ACCESS_KEY, SECRET_KEY)
    pool_id = _mfa_pool(admin)
    username = f"racer-{uuid.uuid4().hex[:6]}"
    _client, token = _signed_in(admin, pool_id, username)
    secret = admin.associate_software_token(AccessToken=token)["SecretCode"]
    totp = pyotp.TOTP(secret)
    # boto3 clients are thread-safe to use, not to build: one per thread, built here.
    clients = [socket_client(live_server, ACCESS_KEY, SECRET_KEY) for _ in range(CALLERS)]
    try:
        # Verifying the pending secret, then a later code of the verified one: each accepted exactly once.
        assert _race(clients, token, totp.now()) == {"SUCCESS": 1, "EnableSoftwareTokenMFAException": CALLERS - 1}
        later = totp.at(time.time() + 30)
        assert _race(clients, token, later) == {"SUCCESS": 1, "EnableSoftwareTokenMFAException": CALLERS - 1}
    finally:
        for client in clients:
            client.close()
