"""The user event history through boto3: AdminListUserAuthEvents, AdminUpdateAuthEventFeedback and
UpdateAuthEventFeedback, refused while threat protection is off (AWS: their API references; Cognito developer
guide: 'Viewing and exporting user event history')."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_settings, running_server
from tests.support.auth import PASSWORD, make_client, make_user, sdk_secret_hash
from tests.support.errors import fails
from tests.support.mail import Inbox, Mail, smtp_inbox

pytestmark = pytest.mark.xdist_group("auth_events")

ADD_ON_NOT_ENABLED = (
    "UserPoolAddOnNotEnabledException",
    "Advanced security features are not enabled for this user pool.",
)
BAD_TOKEN = ("NotAuthorizedException", "The feedback token is not valid.")


@dataclass(frozen=True)
class Served:
    idp: Any
    server: Any
    mail: Inbox


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the module, mailing through a real SMTP server."""
    folder = tmp_path_factory.mktemp("auth-events")
    with smtp_inbox() as (inbox, port):
        settings = make_settings(
            folder / "data", f"sqlite:///{folder / 'userpool.sqlite3'}", smtp_url=f"smtp://127.0.0.1:{port}"
        )
        with running_server(settings) as server:
            yield Served(server.client(), server, inbox)


@pytest.fixture
def idp(served: Served) -> Any:
    return served.idp


def _pool(idp: Any, mode: str, **config: Any) -> str:
    add_ons = {"AdvancedSecurityMode": mode}
    return str(idp.create_user_pool(PoolName=f"events-{mode}", UserPoolAddOns=add_ons, **config)["UserPool"]["Id"])


def test_admin_list_user_auth_events__refused_while_threat_protection_is_off(idp: Any) -> None:
    pool_id = _pool(idp, "OFF")
    make_user(idp, pool_id, "ann")
    assert fails(idp.admin_list_user_auth_events, UserPoolId=pool_id, Username="ann") == ADD_ON_NOT_ENABLED
    feedback = {"UserPoolId": pool_id, "Username": "ann", "EventId": "e1", "FeedbackValue": "Valid"}
    assert fails(idp.admin_update_auth_event_feedback, **feedback) == ADD_ON_NOT_ENABLED
    assert fails(idp.update_auth_event_feedback, FeedbackToken="t0ken", **feedback) == ADD_ON_NOT_ENABLED
    # A pool created without UserPoolAddOns is off too.
    plain = idp.create_user_pool(PoolName="plain")["UserPool"]["Id"]
    assert fails(idp.admin_list_user_auth_events, UserPoolId=plain, Username="nobody") == ADD_ON_NOT_ENABLED


def test_admin_list_user_auth_events__no_events_yet(idp: Any) -> None:
    pool_id = _pool(idp, "AUDIT")
    make_user(idp, pool_id, "ann")
    assert idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="ann")["AuthEvents"] == []


def test_admin_list_user_auth_events__unknown_pool_and_user(idp: Any) -> None:
    missing = "us-east-1_NoSuchPool"
    assert fails(idp.admin_list_user_auth_events, UserPoolId=missing, Username="ann") == (
        "ResourceNotFoundException",
        f"User pool {missing} does not exist.",
    )
    pool_id = _pool(idp, "ENFORCED")
    assert fails(idp.admin_list_user_auth_events, UserPoolId=pool_id, Username="nobody") == (
        "UserNotFoundException",
        "User does not exist.",
    )


def test_admin_update_auth_event_feedback__unknown_user_or_event(idp: Any) -> None:
    pool_id = _pool(idp, "AUDIT")
    make_user(idp, pool_id, "ann")
    base = {"UserPoolId": pool_id, "EventId": "no-such-event", "FeedbackValue": "Invalid"}
    assert fails(idp.admin_update_auth_event_feedback, Username="nobody", **base) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert fails(idp.admin_update_auth_event_feedback, Username="ann", **base) == (
        "ResourceNotFoundException",
        "Auth event not found.",
    )


def test_update_auth_event_feedback__unknown_user_and_event_answer_alike(idp: Any) -> None:
    pool_id = _pool(idp, "ENFORCED")
    make_user(idp, pool_id, "ann")
    base = {"UserPoolId": pool_id, "EventId": "no-such-event", "FeedbackValue": "Valid", "FeedbackToken": "abc.def"}
    assert fails(idp.update_auth_event_feedback, Username="nobody", **base) == BAD_TOKEN
    assert fails(idp.update_auth_event_feedback, Username="ann", **base) == BAD_TOKEN


# Recording: each kind of event, its outcome, risk and context.

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
NO_RISK = {"RiskDecision": "NoRisk", "RiskLevel": "Low", "CompromisedCredentialsDetected": False}
BLOCKED_IP = ("NotAuthorizedException", "Request not allowed due to security reasons.")
AGENT = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"


def _context(address: str) -> dict[str, Any]:
    return {
        "IpAddress": address,
        "ServerName": "app.example.com",
        "ServerPath": "/login",
        "HttpHeaders": [{"headerName": "User-Agent", "headerValue": AGENT}],
    }


def _admin_sign_in(idp: Any, pool_id: str, client_id: str, address: str, password: str = PASSWORD) -> Any:
    return idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": password},
        ContextData=_context(address),
    )


def _events(idp: Any, pool_id: str, username: str = "ann") -> list[dict[str, Any]]:
    return list(idp.admin_list_user_auth_events(UserPoolId=pool_id, Username=username)["AuthEvents"])


def _protected(idp: Any, mode: str, email: str = "ann@example.com") -> tuple[str, str]:
    pool_id = _pool(idp, mode)
    client_id = make_client(idp, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    make_user(idp, pool_id, "ann", attributes={"email": email, "email_verified": "true"})
    return pool_id, client_id


def test_admin_list_user_auth_events__sign_ins_recorded_member_for_member(idp: Any) -> None:
    pool_id, client_id = _protected(idp, "AUDIT")
    _admin_sign_in(idp, pool_id, client_id, "198.51.100.7")
    assert fails(
        _admin_sign_in, idp=idp, pool_id=pool_id, client_id=client_id, address="2001:db8::1", password="Wrong-1a!"
    ) == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    failed, passed = _events(idp, pool_id)
    assert set(passed) == {
        "EventId",
        "EventType",
        "CreationDate",
        "EventResponse",
        "EventRisk",
        "ChallengeResponses",
        "EventContextData",
    }
    assert passed["EventType"] == "SignIn" and passed["EventResponse"] == "Pass"
    assert passed["EventRisk"] == NO_RISK
    assert passed["ChallengeResponses"] == [{"ChallengeName": "Password", "ChallengeResponse": "Success"}]
    assert passed["EventContextData"] == {"IpAddress": "198.51.100.7", "DeviceName": AGENT}
    assert failed["EventResponse"] == "Fail"
    assert failed["ChallengeResponses"] == [{"ChallengeName": "Password", "ChallengeResponse": "Failure"}]
    assert failed["EventContextData"]["IpAddress"] == "2001:db8::1"
    assert failed["CreationDate"] >= passed["CreationDate"] and failed["EventId"] != passed["EventId"]
    # Refreshing tokens is no sign-in.
    tokens = _admin_sign_in(idp, pool_id, client_id, "198.51.100.7")["AuthenticationResult"]
    idp.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}
    )
    assert len(_events(idp, pool_id)) == 3


def test_admin_list_user_auth_events__none_while_off(idp: Any) -> None:
    pool_id, client_id = _protected(idp, "OFF")
    _admin_sign_in(idp, pool_id, client_id, "198.51.100.7")
    idp.update_user_pool(UserPoolId=pool_id, UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})
    assert _events(idp, pool_id) == []
    _admin_sign_in(idp, pool_id, client_id, "198.51.100.7")
    assert len(_events(idp, pool_id)) == 1


def test_admin_list_user_auth_events__user_context_data_only_from_a_propagating_client(idp: Any) -> None:
    pool_id, _ = _protected(idp, "AUDIT")
    for propagates in (False, True):
        client = make_client(
            idp,
            pool_id,
            ExplicitAuthFlows=FLOWS,
            GenerateSecret=True,
            EnablePropagateAdditionalUserContextData=propagates,
        )
        idp.initiate_auth(
            ClientId=client["ClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": "ann",
                "PASSWORD": PASSWORD,
                "SECRET_HASH": sdk_secret_hash(client["ClientSecret"], "ann", client["ClientId"]),
            },
            UserContextData={"IpAddress": "203.0.113.9", "EncodedData": "e30="},
        )
    propagated, ignored = _events(idp, pool_id)
    # The device of a public call is the request's own User-Agent: here boto3's.
    assert all(e["EventContextData"].pop("DeviceName").startswith("Boto3/") for e in (propagated, ignored))
    assert propagated["EventContextData"] == {"IpAddress": "203.0.113.9"}
    # The in-process test client has no IP address of its own to record instead.
    assert ignored["EventContextData"] == {}


def test_admin_list_user_auth_events__sign_up_recovery_resend_and_password_change(idp: Any) -> None:
    pool_id = _pool(idp, "ENFORCED", AutoVerifiedAttributes=["email"])
    client_id = make_client(idp, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    idp.sign_up(
        ClientId=client_id,
        Username="bo",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "bo@example.com"}],
        UserContextData={"IpAddress": "203.0.113.1"},
    )
    idp.resend_confirmation_code(ClientId=client_id, Username="bo")
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="bo")
    idp.admin_update_user_attributes(
        UserPoolId=pool_id, Username="bo", UserAttributes=[{"Name": "email_verified", "Value": "true"}]
    )
    idp.forgot_password(ClientId=client_id, Username="bo")
    wrong = {"ClientId": client_id, "Username": "bo", "ConfirmationCode": "000000", "Password": "Another-Pass-2"}
    assert fails(idp.confirm_forgot_password, **wrong)[0] == "CodeMismatchException"
    access = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "bo", "PASSWORD": PASSWORD}
    )["AuthenticationResult"]["AccessToken"]
    idp.change_password(AccessToken=access, PreviousPassword=PASSWORD, ProposedPassword="Another-Pass-2")
    assert fails(idp.change_password, AccessToken=access, PreviousPassword=PASSWORD, ProposedPassword="Third-Pass-3")[
        0
    ] == ("NotAuthorizedException")
    events = _events(idp, pool_id, "bo")
    assert [(e["EventType"], e["EventResponse"]) for e in events] == [
        ("PasswordChange", "Fail"),
        ("PasswordChange", "Pass"),
        ("SignIn", "Pass"),
        ("ForgotPassword", "Fail"),
        ("ForgotPassword", "Pass"),
        ("ResendCode", "Pass"),
        ("SignUp", "Pass"),
    ]
    # The client does not propagate UserContextData, so the sign-up's address is not the one it sent.
    assert list(events[-1]["EventContextData"]) == ["DeviceName"]
    assert all(e["EventRisk"] == NO_RISK for e in events)


def test_admin_list_user_auth_events__unknown_names_leave_no_events(idp: Any) -> None:
    pool_id, client_id = _protected(idp, "AUDIT")
    assert fails(idp.forgot_password, ClientId=client_id, Username="nobody")[0] == "UserNotFoundException"
    with pytest.raises(ClientError):
        idp.initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "nobody", "PASSWORD": "x"}
        )
    assert _events(idp, pool_id) == []


def test_admin_list_user_auth_events__newest_first_in_pages(idp: Any) -> None:
    pool_id, client_id = _protected(idp, "AUDIT")
    for n in range(5):
        _admin_sign_in(idp, pool_id, client_id, f"198.51.100.{n}")
    seen: list[str] = []
    token = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="ann", MaxResults=2, **extra)
        assert len(page["AuthEvents"]) <= 2
        seen += [e["EventContextData"]["IpAddress"] for e in page["AuthEvents"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == [f"198.51.100.{n}" for n in (4, 3, 2, 1, 0)]
    # MaxResults 0 means the default page of 60; a token of another user's listing is refused.
    assert len(idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="ann", MaxResults=0)["AuthEvents"]) == 5
    first = idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="ann", MaxResults=1)["NextToken"]
    make_user(idp, pool_id, "cy")
    assert fails(idp.admin_list_user_auth_events, UserPoolId=pool_id, Username="cy", NextToken=first) == (
        "InvalidParameterException",
        "Invalid pagination token.",
    )


def test_admin_update_auth_event_feedback__shown_with_the_event(idp: Any) -> None:
    pool_id, client_id = _protected(idp, "AUDIT")
    _admin_sign_in(idp, pool_id, client_id, "198.51.100.7")
    (event,) = _events(idp, pool_id)
    idp.admin_update_auth_event_feedback(
        UserPoolId=pool_id, Username="ann", EventId=event["EventId"], FeedbackValue="Invalid"
    )
    (after,) = _events(idp, pool_id)
    feedback = after.pop("EventFeedback")
    assert after == event
    assert feedback["FeedbackValue"] == "Invalid" and feedback["Provider"] == "Admin"
    assert feedback["FeedbackDate"] >= event["CreationDate"]
    # Another user's event is not this user's to judge.
    make_user(idp, pool_id, "cy")
    assert fails(
        idp.admin_update_auth_event_feedback,
        UserPoolId=pool_id,
        Username="cy",
        EventId=event["EventId"],
        FeedbackValue="Valid",
    ) == ("ResourceNotFoundException", "Auth event not found.")


# The IP exception lists.


def _exceptions(idp: Any, pool_id: str, **lists: list[str]) -> None:
    idp.set_risk_configuration(UserPoolId=pool_id, RiskExceptionConfiguration=lists)


def test_admin_initiate_auth__blocked_range_refused_when_enforced(idp: Any) -> None:
    pool_id, client_id = _protected(idp, "ENFORCED")
    _exceptions(idp, pool_id, BlockedIPRangeList=["192.0.2.0/24", "2001:db8:bad::/48"])
    for address in ("192.0.2.77", "2001:db8:bad::1"):
        assert fails(_admin_sign_in, idp=idp, pool_id=pool_id, client_id=client_id, address=address) == BLOCKED_IP
    # Blocked whoever the name designates, so that the answer tells nothing of it.
    nobody = {"USERNAME": "nobody", "PASSWORD": PASSWORD}
    refused = fails(
        idp.admin_initiate_auth,
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters=nobody,
        ContextData=_context("192.0.2.1"),
    )
    assert refused == BLOCKED_IP
    _admin_sign_in(idp, pool_id, client_id, "198.51.100.7")
    passed, *blocked = _events(idp, pool_id)
    assert passed["EventResponse"] == "Pass" and passed["EventRisk"] == NO_RISK
    for event in blocked:
        assert event["EventResponse"] == "Fail"
        assert event["EventRisk"] == {
            "RiskDecision": "Block",
            "RiskLevel": "High",
            "CompromisedCredentialsDetected": False,
        }
        assert event["ChallengeResponses"] == []


def test_admin_initiate_auth__blocked_range_only_recorded_in_audit(idp: Any) -> None:
    pool_id, client_id = _protected(idp, "AUDIT")
    _exceptions(idp, pool_id, BlockedIPRangeList=["192.0.2.0/24"])
    assert "AuthenticationResult" in _admin_sign_in(idp, pool_id, client_id, "192.0.2.77")
    (event,) = _events(idp, pool_id)
    assert event["EventResponse"] == "Pass"
    assert event["EventRisk"] == {
        "RiskDecision": "NoRisk",
        "RiskLevel": "High",
        "CompromisedCredentialsDetected": False,
    }


def test_admin_initiate_auth__skipped_range_not_assessed_and_client_configuration_wins(idp: Any) -> None:
    pool_id, client_id = _protected(idp, "ENFORCED")
    _exceptions(idp, pool_id, BlockedIPRangeList=["192.0.2.0/24"])
    idp.set_risk_configuration(
        UserPoolId=pool_id, ClientId=client_id, RiskExceptionConfiguration={"SkippedIPRangeList": ["192.0.2.0/25"]}
    )
    # The client's configuration replaces the pool's: its own list has no blocked range.
    assert "AuthenticationResult" in _admin_sign_in(idp, pool_id, client_id, "192.0.2.77")
    (event,) = _events(idp, pool_id)
    assert event["EventRisk"] == NO_RISK
    other = make_client(idp, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    assert fails(_admin_sign_in, idp=idp, pool_id=pool_id, client_id=other, address="192.0.2.77") == BLOCKED_IP


def test_initiate_auth__no_address_nothing_to_block(idp: Any) -> None:
    pool_id, client_id = _protected(idp, "ENFORCED")
    _exceptions(idp, pool_id, BlockedIPRangeList=["0.0.0.0/0", "::/0"])
    # Every address is blocked, and a request without an address is not: nothing to compare.
    client = make_client(idp, pool_id, ExplicitAuthFlows=FLOWS)
    assert "AuthenticationResult" in idp.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD},
    )
    assert fails(_admin_sign_in, idp=idp, pool_id=pool_id, client_id=client_id, address="10.9.8.7") == BLOCKED_IP


# Notices and the user's feedback.

NOTIFY = {
    "From": "Security <security@example.com>",
    "ReplyTo": "help@example.com",
    "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
    "BlockEmail": {
        "Subject": "Blocked sign-in for {username}",
        "TextBody": (
            "Blocked {ip-address} on {device-name}. Mine: {one-click-link-valid} Not mine: {one-click-link-invalid}"
        ),
    },
}


def test_admin_initiate_auth__blocked_range_notifies_with_feedback_links(served: Served) -> None:
    idp = served.idp
    pool_id, client_id = _protected(idp, "ENFORCED", email="notice@example.com")
    idp.set_risk_configuration(
        UserPoolId=pool_id,
        RiskExceptionConfiguration={"BlockedIPRangeList": ["192.0.2.0/24"]},
        AccountTakeoverRiskConfiguration={
            "NotifyConfiguration": NOTIFY,
            "Actions": {"HighAction": {"Notify": True, "EventAction": "MFA_IF_CONFIGURED"}},
        },
    )
    assert fails(_admin_sign_in, idp=idp, pool_id=pool_id, client_id=client_id, address="192.0.2.9") == BLOCKED_IP
    mail = _mail_to(served, "notice@example.com")
    assert mail.message["Subject"] == "Blocked sign-in for ann"
    assert mail.message["From"] == "Security <security@example.com>"
    assert mail.message["Reply-To"] == "help@example.com"
    links = re.findall(r"http\S+/authEventFeedback\?\S+", mail.text)
    assert len(links) == 2 and mail.text.startswith(f"Blocked 192.0.2.9 on {AGENT}.")
    valid, invalid = (dict(parse_qsl(urlsplit(link).query)) for link in links)
    assert valid["feedback_value"] == "Valid" and invalid["feedback_value"] == "Invalid"
    (event,) = _events(idp, pool_id)
    assert valid["event_id"] == event["EventId"] and valid["user_pool_id"] == pool_id and valid["username"] == "ann"
    # The token answers for this event and user only, and a wrong one answers as every other failure does.
    base = {"UserPoolId": pool_id, "Username": "ann", "EventId": event["EventId"], "FeedbackValue": "Invalid"}
    assert fails(idp.update_auth_event_feedback, FeedbackToken=valid["feedback_token"] + "x", **base) == BAD_TOKEN
    make_user(idp, pool_id, "cy")
    wrong_user = {**base, "Username": "cy"}
    assert fails(idp.update_auth_event_feedback, FeedbackToken=valid["feedback_token"], **wrong_user) == BAD_TOKEN
    # Unsigned, as an email link's page calls it.
    anonymous = served.server.client(access_key="AKIDNOTAKEY000000000", secret_key="not-a-secret")
    anonymous.update_auth_event_feedback(FeedbackToken=invalid["feedback_token"], **base)
    feedback = _events(idp, pool_id)[0]["EventFeedback"]
    assert feedback["FeedbackValue"] == "Invalid" and feedback["Provider"] == "User"
    # The one-click link itself, opened in a browser.
    page = served.server.test_client.get(urlsplit(links[0]).path + "?" + urlsplit(links[0]).query)
    assert page.status_code == 200 and "Your answer has been recorded" in page.text
    assert _events(idp, pool_id)[0]["EventFeedback"]["FeedbackValue"] == "Valid"
    tampered = served.server.test_client.get(urlsplit(links[0]).path + "?" + urlsplit(links[0]).query + "x")
    assert tampered.status_code == 400


def test_admin_initiate_auth__no_notice_in_audit_or_without_notify(served: Served) -> None:
    idp = served.idp
    for mode, notify in (("AUDIT", True), ("ENFORCED", False)):
        address = f"{mode.lower()}-{notify}@example.com"
        pool_id, client_id = _protected(idp, mode, email=address)
        idp.set_risk_configuration(
            UserPoolId=pool_id,
            RiskExceptionConfiguration={"BlockedIPRangeList": ["192.0.2.0/24"]},
            AccountTakeoverRiskConfiguration={
                "NotifyConfiguration": NOTIFY,
                "Actions": {"HighAction": {"Notify": notify, "EventAction": "BLOCK"}},
            },
        )
        with contextlib.suppress(ClientError):
            _admin_sign_in(idp, pool_id, client_id, "192.0.2.9")
        served.server.runtime.dispatcher.drain()
        assert not [m for m in served.mail.mails if address in m.recipients]


def _mail_to(served: Served, address: str, after: str | None = None) -> Mail:
    """The latest mail to ``address`` (one whose code is not ``after``), delivering the outbox until it comes."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        served.server.runtime.dispatcher.drain()
        found = [m for m in served.mail.mails if address in m.recipients]
        if found and (after is None or found[-1].code != after):
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"no mail to {address}")


def test_respond_to_auth_challenge__mfa_step_carries_on_the_sign_in_event(served: Served) -> None:
    idp = served.idp
    pool_id, client_id = _protected(idp, "AUDIT", email="mfa@example.com")
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::000000000000:role/sms"}},
        EmailMfaConfiguration={"Message": "Your sign-in code is {####}", "Subject": "Sign-in code"},
    )
    idp.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="ann", EmailMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    step = _admin_sign_in(idp, pool_id, client_id, "198.51.100.7")
    assert step["ChallengeName"] == "EMAIL_OTP"
    (pending,) = _events(idp, pool_id)
    assert pending["EventResponse"] == "InProgress"
    assert pending["ChallengeResponses"] == [{"ChallengeName": "Password", "ChallengeResponse": "Success"}]
    code = _mail_to(served, "mfa@example.com").code
    answer = {"USERNAME": "ann", "EMAIL_OTP_CODE": "000000" if code != "000000" else "111111"}
    wrong = fails(
        idp.admin_respond_to_auth_challenge,
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="EMAIL_OTP",
        Session=step["Session"],
        ChallengeResponses=answer,
    )
    assert wrong[0] == "CodeMismatchException"
    (failed,) = _events(idp, pool_id)
    assert failed["EventResponse"] == "Fail"
    assert failed["ChallengeResponses"][-1] == {"ChallengeName": "Mfa", "ChallengeResponse": "Failure"}
    again = _admin_sign_in(idp, pool_id, client_id, "198.51.100.8")
    code = _mail_to(served, "mfa@example.com", after=code).code
    done = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="EMAIL_OTP",
        Session=again["Session"],
        ChallengeResponses={"USERNAME": "ann", "EMAIL_OTP_CODE": code},
    )
    assert "AccessToken" in done["AuthenticationResult"]
    passed, _ = _events(idp, pool_id)
    assert passed["EventResponse"] == "Pass"
    assert passed["ChallengeResponses"] == [
        {"ChallengeName": "Password", "ChallengeResponse": "Success"},
        {"ChallengeName": "Mfa", "ChallengeResponse": "Success"},
    ]


# Compromised credentials (services/threat_protection/steps/compromised_credentials.py) mark the event.

COMMON = "P@ssw0rd"  # on the built-in list of the most common breached passwords


def test_admin_list_user_auth_events__compromised_credentials_marked(idp: Any) -> None:
    pool_id = _pool(idp, "AUDIT")
    client_id = make_client(idp, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    idp.set_risk_configuration(
        UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration={"Actions": {"EventAction": "BLOCK"}}
    )
    make_user(idp, pool_id, "ann", password=COMMON)
    _admin_sign_in(idp, pool_id, client_id, "198.51.100.7", password=COMMON)
    idp.sign_up(ClientId=client_id, Username="bo", Password=COMMON)
    (sign_in,) = _events(idp, pool_id)
    assert sign_in["EventResponse"] == "Pass" and sign_in["EventRisk"]["CompromisedCredentialsDetected"] is True
    (sign_up,) = _events(idp, pool_id, "bo")
    assert sign_up["EventType"] == "SignUp" and sign_up["EventRisk"]["CompromisedCredentialsDetected"] is True
    # In ENFORCED mode the new password is refused, and the refusal recorded.
    idp.update_user_pool(UserPoolId=pool_id, UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
    make_user(idp, pool_id, "cy")
    access = _admin_sign_in_as(idp, pool_id, client_id, "cy")["AuthenticationResult"]["AccessToken"]
    code, _ = fails(idp.change_password, AccessToken=access, PreviousPassword=PASSWORD, ProposedPassword=COMMON)
    assert code == "InvalidPasswordException"
    changed, signed_in = _events(idp, pool_id, "cy")
    assert (changed["EventType"], changed["EventResponse"]) == ("PasswordChange", "Fail")
    assert changed["EventRisk"]["CompromisedCredentialsDetected"] is True
    assert signed_in["EventRisk"]["CompromisedCredentialsDetected"] is False


def _admin_sign_in_as(idp: Any, pool_id: str, client_id: str, username: str) -> Any:
    return idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
