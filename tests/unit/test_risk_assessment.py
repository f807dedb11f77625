"""model/risk_assessment.py and model/risk_notifications.py: IP ranges, signals to a level, the decision a
mode and a configured response make, the factor a step proves, the context a request gives, the MFA a risky
sign-in takes, and the notice mail (Cognito developer guide: 'Adaptive authentication', 'Message templates')."""

from __future__ import annotations

import pytest

from userpool.model.auth_events import ChallengeKind, ChallengeResult, RiskDecision, RiskLevel
from userpool.model.records import Pool, User
from userpool.model.risk_assessment import (
    SignInSignals,
    challenge_kind,
    decide,
    event_context,
    in_ranges,
    risk_level,
    risk_mfa_decision,
)
from userpool.model.risk_configuration import TakeoverAction
from userpool.model.risk_notifications import NoticeFacts, notice
from userpool.model.risk_signals import AdaptiveSignals
from userpool.model.user_mfa import MfaDecision
from userpool.model.vocabulary import UserStatus


@pytest.mark.parametrize(
    ("address", "ranges", "inside"),
    [
        ("192.0.2.9", ["192.0.2.0/24"], True),
        ("192.0.3.9", ["192.0.2.0/24"], False),
        ("10.1.2.3", ["10.1.2.3/32"], True),
        ("2001:db8::1", ["2001:db8::/32"], True),
        ("2001:db9::1", ["2001:db8::/32"], False),
        ("192.0.2.9", ["::/0"], False),  # an IPv4 address is in no IPv6 range
        ("testclient", ["0.0.0.0/0"], False),
        ("", ["0.0.0.0/0"], False),
    ],
)
def test_in_ranges__cidr_membership(address: str, ranges: list[str], inside: bool) -> None:
    assert in_ranges(address, ranges) is inside


def test_risk_level__ip_lists_first_then_adaptive_authentication() -> None:
    assert risk_level(SignInSignals("192.0.2.9")) is None
    assert risk_level(SignInSignals("192.0.2.9", blocked_ip=True)) == RiskLevel.High
    assert risk_level(SignInSignals("192.0.2.9", skipped_ip=True)) is None
    assert risk_level(SignInSignals("192.0.2.9", blocked_ip=True, skipped_ip=True)) == RiskLevel.High
    unfamiliar = AdaptiveSignals(new_device=True, new_network=True)
    assert risk_level(SignInSignals("192.0.2.9", adaptive=unfamiliar)) == RiskLevel.Medium
    assert risk_level(SignInSignals("192.0.2.9", adaptive=AdaptiveSignals(new_network=True))) == RiskLevel.Low
    # The never-assess list wins over any evidence.
    assert risk_level(SignInSignals("192.0.2.9", skipped_ip=True, adaptive=unfamiliar)) is None


@pytest.mark.parametrize(
    ("mode", "level", "action", "decision", "mfa"),
    [
        ("AUDIT", RiskLevel.High, TakeoverAction("BLOCK", True), RiskDecision.NoRisk, None),
        ("ENFORCED", None, TakeoverAction("BLOCK", True), RiskDecision.NoRisk, None),
        ("ENFORCED", RiskLevel.Low, TakeoverAction("NO_ACTION", False), RiskDecision.NoRisk, None),
        ("ENFORCED", RiskLevel.Low, TakeoverAction("NO_ACTION", True), RiskDecision.AccountTakeover, None),
        (
            "ENFORCED",
            RiskLevel.Medium,
            TakeoverAction("MFA_IF_CONFIGURED", False),
            RiskDecision.AccountTakeover,
            "MFA_IF_CONFIGURED",
        ),
        (
            "ENFORCED",
            RiskLevel.High,
            TakeoverAction("MFA_REQUIRED", True),
            RiskDecision.AccountTakeover,
            "MFA_REQUIRED",
        ),
        ("ENFORCED", RiskLevel.High, TakeoverAction("BLOCK", False), RiskDecision.Block, None),
    ],
)
def test_decide__mode_and_configured_response(
    mode: str, level: RiskLevel | None, action: TakeoverAction, decision: RiskDecision, mfa: str | None
) -> None:
    found = decide(mode, SignInSignals("198.51.100.1"), level, action)
    assert found.decision == decision and found.level == level and found.mfa == mfa
    assert found.refused is (decision == RiskDecision.Block)


def test_decide__blocked_range_blocks_whatever_the_response() -> None:
    found = decide(
        "ENFORCED", SignInSignals("192.0.2.9", blocked_ip=True), RiskLevel.High, TakeoverAction("NO_ACTION", True)
    )
    assert found.refused and found.action == TakeoverAction("BLOCK", True)
    assert found.refusal_message == "Request not allowed due to security reasons."
    assert decide("ENFORCED", SignInSignals(), RiskLevel.High, TakeoverAction("BLOCK", False)).refusal_message == (
        "Unable to login because of security reasons."
    )
    audited = decide(
        "AUDIT", SignInSignals("192.0.2.9", blocked_ip=True), RiskLevel.High, TakeoverAction("BLOCK", True)
    )
    assert not audited.refused and audited.level == RiskLevel.High


def test_event_context__where_the_address_comes_from() -> None:
    admin = {
        "ContextData": {
            "IpAddress": "198.51.100.4",
            "HttpHeaders": [{"headerName": "user-agent", "headerValue": "curl/8"}],
        }
    }
    assert event_context("10.0.0.1", admin, admin=True, propagates=False) == {
        "IpAddress": "198.51.100.4",
        "DeviceName": "curl/8",
    }
    assert event_context("10.0.0.1", {}, admin=True, propagates=False) == {"IpAddress": "10.0.0.1"}
    public = {"UserContextData": {"IpAddress": "203.0.113.5"}}
    assert event_context("10.0.0.1", public, admin=False, propagates=True) == {"IpAddress": "203.0.113.5"}
    assert event_context("10.0.0.1", public, admin=False, propagates=False) == {"IpAddress": "10.0.0.1"}
    # What is no address is not recorded as one.
    assert event_context("testclient", {"UserContextData": {"IpAddress": "nope"}}, admin=False, propagates=True) == {}


def test_event_context__device_name_and_canonical_address() -> None:
    # A public call's device is the request's own User-Agent; an admin call's is the user's, in ContextData.
    assert event_context("10.0.0.1", {}, admin=False, propagates=False, user_agent=" MyApp/1.0 ") == {
        "IpAddress": "10.0.0.1",
        "DeviceName": "MyApp/1.0",
    }
    assert event_context("10.0.0.1", {}, admin=True, propagates=False, user_agent="Boto3/1.40") == {
        "IpAddress": "10.0.0.1"
    }
    # One address is written one way, whatever way it was sent.
    public = {"UserContextData": {"IpAddress": " 2001:DB8:0:0::1 "}}
    assert event_context("", public, admin=False, propagates=True) == {"IpAddress": "2001:db8::1"}


def test_challenge_kind__the_factor_a_step_proves() -> None:
    password = ((ChallengeKind.Password, ChallengeResult.Success),)
    assert challenge_kind(None, {"USERNAME": "a", "PASSWORD": "p"}, ()) == ChallengeKind.Password
    assert challenge_kind(None, {"USERNAME": "a", "SRP_A": "x"}, ()) is None
    assert challenge_kind("PASSWORD_VERIFIER", {}, ()) == ChallengeKind.Password
    assert challenge_kind("SELECT_CHALLENGE", {"ANSWER": "PASSWORD", "PASSWORD": "p"}, ()) == ChallengeKind.Password
    assert challenge_kind("SELECT_CHALLENGE", {"ANSWER": "EMAIL_OTP"}, ()) is None
    assert challenge_kind("SOFTWARE_TOKEN_MFA", {}, ()) == ChallengeKind.Mfa
    assert challenge_kind("SMS_MFA", {}, ()) == ChallengeKind.Mfa
    assert challenge_kind("EMAIL_OTP", {}, password) == ChallengeKind.Mfa
    assert challenge_kind("EMAIL_OTP", {}, ()) is None  # a passwordless first factor
    assert challenge_kind("NEW_PASSWORD_REQUIRED", {}, password) is None


def _pool(factors: list[str]) -> Pool:
    return Pool(
        "us-east-1_X", "p", {"MfaConfiguration": "OPTIONAL" if factors else "OFF", "EnabledMfas": factors}, 0, 0
    )


def _user(**attributes: str) -> User:
    return User("us-east-1_X", "s", "ann", "ann", UserStatus.CONFIRMED, True, None, None, attributes, 0, 0)


def test_risk_mfa_decision__a_factor_the_user_can_receive() -> None:
    usual = MfaDecision(None)
    assert risk_mfa_decision(_pool([]), _user(email="a@example.com"), True, usual) is None
    assert risk_mfa_decision(_pool(["SOFTWARE_TOKEN_MFA"]), _user(), True, usual) == MfaDecision("SOFTWARE_TOKEN_MFA")
    assert risk_mfa_decision(_pool(["SOFTWARE_TOKEN_MFA"]), _user(), False, usual) is None
    both = _pool(["SMS_MFA", "EMAIL_OTP"])
    assert risk_mfa_decision(both, _user(email="a@example.com"), False, usual) == MfaDecision("EMAIL_OTP")
    assert risk_mfa_decision(both, _user(phone_number="+15555550100"), False, usual) == MfaDecision("SMS_MFA")
    # The user's own MFA step stands.
    assert risk_mfa_decision(both, _user(), False, MfaDecision("SMS_MFA")) == MfaDecision("SMS_MFA")


def _facts() -> NoticeFacts:
    return NoticeFacts(
        "ann", "us-east-1_X", "e-1", "tok.en", 0.0, {"IpAddress": "192.0.2.9", "DeviceName": "<b>"}, "https://h/f"
    )


def test_notice__template_of_the_response_with_placeholders() -> None:
    notify = {
        "BlockEmail": {"Subject": "Blocked {username}", "HtmlBody": "<p>{device-name} {one-click-link-valid}</p>"},
        "MfaEmail": {"Subject": "MFA", "TextBody": "{ip-address} {login-time} {event-id} {feedback-token}"},
    }
    blocked = notice(notify, "BLOCK", _facts())
    assert blocked.subject == "Blocked ann"
    assert blocked.body == (
        "<p>&lt;b&gt; https://h/f?user_pool_id=us-east-1_X&amp;username=ann&amp;event_id=e-1"
        "&amp;feedback_token=tok.en&amp;feedback_value=Valid</p>"
    )
    mfa = notice(notify, "MFA_REQUIRED", _facts())
    assert mfa.body == "192.0.2.9 1970-01-01 00:00:00 UTC e-1 tok.en"
    default = notice({}, "NO_ACTION", _facts())
    assert default.subject == "New sign-in attempt" and "feedback_value=Invalid" in default.body
