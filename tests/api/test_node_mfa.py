"""Second factors through amazon-cognito-identity-js, unchanged, against the server on a loopback socket
(tests/node/identity_js_totp.mjs, one sign-in per run): a pool that requires MFA has the user set up an
authenticator during sign-in (``mfaSetup`` → ``associateSoftwareToken`` → ``verifySoftwareToken``), later
sign-ins ask for its code (``totpRequired`` → ``sendMFACode``), a wrong or replayed code is refused and the
right one then accepted in the same sign-in, and SMS_MFA codes (``mfaRequired``) come from an SMS gateway.

The driver pauses for each code; the test computes it with pyotp from the secret the library was handed (or
reads it at the gateway). The server's clock is real time plus an offset the test moves: a code is accepted
once per 30-second step, so rather than wait up to 30 s for the authenticator's next code, the test moves
the server's clock (and its own) on by a step.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.api import test_node_sdks as sdks
from tests.api.test_node_sdks import SDK_FLOWS, Conversation, Pool, _steps
from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings
from tests.support.auth import PASSWORD, make_client, make_user
from tests.support.bridge import serve_in_thread, socket_client
from tests.support.sms import SmsGateway, sms_gateway
from userpool.app import Runtime, build_runtime, create_app

pytestmark = pytest.mark.socket

# The `node` fixture of the SDK tests (it fails rather than skips in CI when node or the packages are missing).
node = sdks.node

PHONE = "+14325551212"
SMS_CONFIG = {"SnsCallerArn": "arn:aws:iam::000000000000:role/sms", "ExternalId": "userpool"}
MISMATCH = ("CodeMismatchException", "Invalid code received for user")
SPENT = ("ExpiredCodeException", "Your software token has already been used once.")
STEP = 30  # seconds: a TOTP time step


class SteppingClock:
    """Real time plus an offset the test adds to: the server's clock."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def next_step(self) -> None:
        """On to the next TOTP step, as a user waiting for the authenticator's next code."""
        self.offset += STEP


@dataclass
class Live:
    url: str
    idp: Any
    runtime: Runtime  # what SmsGateway.next_code drains the outbox through
    clock: SteppingClock
    sms: SmsGateway


@pytest.fixture
def live(tmp_path: Path, database_url: str) -> Iterator[Live]:
    """The server on a loopback socket, keeping time by a SteppingClock and sending SMS to a gateway."""
    with sms_gateway() as sms:
        settings = make_settings(tmp_path / "data", database_url, sms_webhook_url=sms.url)
        clock = SteppingClock()
        runtime = build_runtime(settings, clock)
        try:
            with serve_in_thread(create_app(settings, runtime=runtime)) as url:
                yield Live(url, socket_client(url, ACCESS_KEY, SECRET_KEY), runtime, clock, sms)
        finally:
            runtime.store.dispose()


def _pool(live: Live, **mfa: Any) -> Pool:
    """A pool with the MFA configuration ``mfa``, a public client allowing SRP, USER_PASSWORD_AUTH and refresh,
    and user ann with a verified email and phone number."""
    pool_id = live.idp.create_user_pool(PoolName="node-mfa")["UserPool"]["Id"]
    live.idp.set_user_pool_mfa_config(UserPoolId=pool_id, **mfa)
    client = make_client(live.idp, pool_id, ExplicitAuthFlows=SDK_FLOWS)
    assert "ClientSecret" not in client
    contacts = {"email": "ann@example.com", "phone_number": PHONE}
    make_user(
        live.idp, pool_id, "ann", attributes={**contacts, "email_verified": "true", "phone_number_verified": "true"}
    )
    return Pool(live.url.rstrip("/") + "/", pool_id, client["ClientId"], "ann", "ann")


@pytest.fixture
def totp_pool(live: Live) -> Pool:
    """MFA required, by authenticator app only."""
    return _pool(live, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True})


def _start(node: str, pool: Pool, flow: str) -> Conversation:
    request = {
        "endpoint": pool.endpoint,
        "userPoolId": pool.pool_id,
        "clientId": pool.client_id,
        "username": pool.username,
        "password": PASSWORD,
        "flow": flow,
    }
    return Conversation(node, "identity_js_totp", request)


def _finish(talk: Conversation) -> dict[str, Any]:
    """The driver's answer (its last line), once it has signed in and refreshed."""
    answer = talk.receive()
    assert "pause" not in answer, answer
    assert answer["ok"], answer
    assert answer["accessToken"]["username"] == "ann" and answer["idToken"]["cognito:username"] == "ann"
    assert answer["refreshed"]["username"] == "ann"
    return answer


def _password_steps(flow: str, then: str) -> list[tuple[str, str | None, str | None]]:
    """The calls of the password part of a sign-in through ``flow``, answered by the challenge ``then``."""
    if flow == "USER_SRP_AUTH":
        return [("InitiateAuth", flow, "PASSWORD_VERIFIER"), ("RespondToAuthChallenge", "PASSWORD_VERIFIER", then)]
    return [("InitiateAuth", flow, then)]


def _wrong_code(totp: pyotp.TOTP, now: float) -> str:
    """A code that is none of the authenticator's around ``now``."""
    near = {totp.at(now + k * STEP) for k in range(-3, 4)}
    return next(c for c in (f"{n:06d}" for n in range(0, 1_000_000, 111_111)) if c not in near)


def set_up_totp(node: str, live: Live, pool: Pool, flow: str) -> tuple[pyotp.TOTP, str, dict[str, Any]]:
    """The first sign-in: MFA_SETUP answered through the library. The authenticator, the code that verified
    it, and the driver's answer."""
    talk = _start(node, pool, flow)
    try:
        secret = talk.expect_pause("secret")["secret"]
        totp = pyotp.TOTP(secret)
        code = totp.at(live.clock.now())
        talk.send({"code": code})
        answer = _finish(talk)
    finally:
        talk.close()
    return totp, code, answer


@pytest.mark.parametrize("flow", ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"])
def test_identity_js__mfa_setup_in_sign_in_then_totp_sign_in_with_send_mfa_code(
    node: str, live: Live, totp_pool: Pool, flow: str
) -> None:
    # 1. MFA_SETUP: associateSoftwareToken and verifySoftwareToken with the challenge's Session, then the
    # library answers MFA_SETUP and gets tokens.
    totp, _, setup = set_up_totp(node, live, totp_pool, flow)
    assert [c["challenge"] for c in setup["challenges"]] == ["MFA_SETUP"]
    assert json.loads(setup["challenges"][0]["parameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    assert _steps(setup["calls"]) == [
        *_password_steps(flow, "MFA_SETUP"),
        ("AssociateSoftwareToken", None, None),
        ("VerifySoftwareToken", None, None),
        ("RespondToAuthChallenge", "MFA_SETUP", "tokens"),
        ("InitiateAuth", "REFRESH_TOKEN_AUTH", "tokens"),
    ]
    assert [c["credential"] for c in setup["calls"][-4:-1]] == ["Session"] * 3
    user = live.idp.get_user(AccessToken=setup["accessJwt"])
    assert user["Username"] == "ann"
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    # 2. A later sign-in, a step later (the code that verified the authenticator is spent): totpRequired,
    # then sendMFACode(code, callbacks, "SOFTWARE_TOKEN_MFA").
    live.clock.next_step()
    talk = _start(node, totp_pool, flow)
    try:
        asked = talk.expect_pause("code")
        assert (asked["challenge"], asked["refused"]) == ("SOFTWARE_TOKEN_MFA", None)
        talk.send({"code": totp.at(live.clock.now())})
        answer = _finish(talk)
    finally:
        talk.close()
    assert _steps(answer["calls"]) == [
        *_password_steps(flow, "SOFTWARE_TOKEN_MFA"),
        ("RespondToAuthChallenge", "SOFTWARE_TOKEN_MFA", "tokens"),
        ("InitiateAuth", "REFRESH_TOKEN_AUTH", "tokens"),
    ]
    assert answer["accessToken"]["sub"] == setup["accessToken"]["sub"]
    assert answer["accessToken"]["jti"] != setup["accessToken"]["jti"]


def test_identity_js__wrong_and_replayed_totp_codes_refused_then_the_right_one_signs_in(
    node: str, live: Live, totp_pool: Pool
) -> None:
    """In one sign-in (one Session): a wrong code (CodeMismatchException) and the code that verified the
    authenticator (its step is spent: ExpiredCodeException) are refused through sendMFACode's onFailure; the
    library keeps the Session, and the next step's code then signs in."""
    flow = "USER_SRP_AUTH"
    totp, spent, _ = set_up_totp(node, live, totp_pool, flow)
    talk = _start(node, totp_pool, flow)
    try:
        asked = talk.expect_pause("code")
        assert asked["challenge"] == "SOFTWARE_TOKEN_MFA"
        talk.send({"code": _wrong_code(totp, live.clock.now())})
        asked = talk.expect_pause("code")
        assert (asked["refused"]["code"], asked["refused"]["message"]) == MISMATCH
        talk.send({"code": spent})
        asked = talk.expect_pause("code")
        assert (asked["refused"]["code"], asked["refused"]["message"]) == SPENT
        live.clock.next_step()
        talk.send({"code": totp.at(live.clock.now())})
        answer = _finish(talk)
    finally:
        talk.close()
    assert _steps(answer["calls"]) == [
        *_password_steps(flow, "SOFTWARE_TOKEN_MFA"),
        ("RespondToAuthChallenge", "SOFTWARE_TOKEN_MFA", "CodeMismatchException"),
        ("RespondToAuthChallenge", "SOFTWARE_TOKEN_MFA", "ExpiredCodeException"),
        ("RespondToAuthChallenge", "SOFTWARE_TOKEN_MFA", "tokens"),
        ("InitiateAuth", "REFRESH_TOKEN_AUTH", "tokens"),
    ]


@pytest.mark.parametrize("flow", ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"])
def test_identity_js__sms_mfa_code_from_the_gateway_through_send_mfa_code(node: str, live: Live, flow: str) -> None:
    """SMS_MFA: mfaRequired tells where the code went; a wrong code is refused and the texted one, through
    sendMFACode (the library's default SMS_MFA), signs in."""
    pool = _pool(
        live,
        MfaConfiguration="ON",
        SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIG, "SmsAuthenticationMessage": "Sign-in code {####}"},
    )
    live.idp.admin_set_user_mfa_preference(
        UserPoolId=pool.pool_id, Username="ann", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    talk = _start(node, pool, flow)
    try:
        asked = talk.expect_pause("code")
        assert asked["challenge"] == "SMS_MFA"
        assert asked["parameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
        assert asked["parameters"]["CODE_DELIVERY_DESTINATION"] == "+*******1212"
        code = live.sms.next_code(live)
        assert live.sms.received[-1]["to"] == PHONE
        assert live.sms.received[-1]["message"] == f"Sign-in code {code}"
        talk.send({"code": "000000" if code != "000000" else "111111"})
        asked = talk.expect_pause("code")
        assert (asked["refused"]["code"], asked["refused"]["message"]) == MISMATCH
        talk.send({"code": code})
        answer = _finish(talk)
    finally:
        talk.close()
    assert _steps(answer["calls"]) == [
        *_password_steps(flow, "SMS_MFA"),
        ("RespondToAuthChallenge", "SMS_MFA", "CodeMismatchException"),
        ("RespondToAuthChallenge", "SMS_MFA", "tokens"),
        ("InitiateAuth", "REFRESH_TOKEN_AUTH", "tokens"),
    ]
    assert answer["idToken"]["phone_number"] == PHONE
    assert len(live.sms.received) == 1
