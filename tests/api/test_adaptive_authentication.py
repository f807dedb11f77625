"""Adaptive authentication's risk scores through boto3 (Cognito developer guide: 'Adaptive authentication'):
sign-ins from a new device and a new network, after repeated failures, and from impossibly far away, scored by
the rules of README.md ("Threat protection") and met with the configured response: BLOCK, an MFA challenge,
or a notice mail (a real SMTP server) whose feedback links mark the event. The source address is varied as
Cognito documents it: ContextData.IpAddress on AdminInitiateAuth, UserContextData.IpAddress on InitiateAuth
through a client with EnablePropagateAdditionalUserContextData. A GeoIP database written by mmdb-writer places
the documentation ranges in Berlin, Potsdam, Sydney and New York (tests/support/geoip.py)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from pycognito.aws_srp import generate_hash_device

from tests.conftest import Server, make_settings, running_server
from tests.support.auth import PASSWORD, make_client, make_user, sdk_secret_hash
from tests.support.errors import fails
from tests.support.geoip import write_city_database
from tests.support.mail import Inbox, Mail, smtp_inbox

pytestmark = pytest.mark.xdist_group("adaptive_authentication")

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CURL = "curl/8.5.0"
WRONG = "Wrong-Horse-1"
BLOCKED = ("NotAuthorizedException", "Unable to login because of security reasons.")
# Where tests/support/geoip.py places the documentation ranges.
BERLIN_IP, BERLIN_IP_2, SYDNEY_IP, POTSDAM_IP = ("192.0.2.10", "192.0.2.99", "198.51.100.20", "203.0.113.200")
UNPLACED_IP = "100.64.7.1"


@dataclass(frozen=True)
class Served:
    server: Server
    idp: Any
    mail: Inbox


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the module with a GeoIP database, mailing through a real SMTP server."""
    folder = tmp_path_factory.mktemp("adaptive")
    geoip = write_city_database(folder / "GeoLite2-City.mmdb")
    with smtp_inbox() as (inbox, port):
        settings = make_settings(
            folder / "data",
            f"sqlite:///{folder / 'userpool.sqlite3'}",
            smtp_url=f"smtp://127.0.0.1:{port}",
            geoip_database=str(geoip),
        )
        with running_server(settings) as server:
            yield Served(server, server.client(), inbox)


@pytest.fixture
def idp(served: Served) -> Any:
    return served.idp


def _protected(idp: Any, mode: str, email: str = "ann@example.com", **pool: Any) -> tuple[str, str]:
    """A pool in ``mode`` with a client and the user ann."""
    add_ons = {"AdvancedSecurityMode": mode}
    pool_id = idp.create_user_pool(PoolName="adaptive", UserPoolAddOns=add_ons, **pool)["UserPool"]["Id"]
    client_id = make_client(idp, pool_id, ExplicitAuthFlows=FLOWS)["ClientId"]
    make_user(idp, pool_id, "ann", attributes={"email": email, "email_verified": "true"})
    return pool_id, client_id


def _actions(idp: Any, pool_id: str, notify: dict[str, Any] | None = None, **actions: dict[str, Any]) -> None:
    takeover: dict[str, Any] = {"Actions": actions}
    if notify is not None:
        takeover["NotifyConfiguration"] = notify
    idp.set_risk_configuration(UserPoolId=pool_id, AccountTakeoverRiskConfiguration=takeover)


def _context(address: str, agent: str) -> dict[str, Any]:
    return {
        "IpAddress": address,
        "ServerName": "app.example.com",
        "ServerPath": "/login",
        "HttpHeaders": [{"headerName": "User-Agent", "headerValue": agent}],
    }


def _sign_in(
    idp: Any, pool_id: str, client_id: str, address: str, agent: str = FIREFOX, password: str = PASSWORD
) -> dict[str, Any]:
    return dict(
        idp.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "ann", "PASSWORD": password},
            ContextData=_context(address, agent),
        )
    )


def _refused(
    idp: Any, pool_id: str, client_id: str, address: str, agent: str = FIREFOX, password: str = PASSWORD
) -> tuple[str, str]:
    """The error of a sign-in that must fail."""
    attempt = {"address": address, "agent": agent, "password": password}
    return fails(_sign_in, idp=idp, pool_id=pool_id, client_id=client_id, **attempt)


def _fail(idp: Any, pool_id: str, client_id: str, address: str, agent: str, times: int) -> None:
    for _ in range(times):
        refused = _refused(idp, pool_id, client_id, address, agent, WRONG)
        assert refused == ("NotAuthorizedException", "Incorrect username or password.")


def _events(idp: Any, pool_id: str) -> list[dict[str, Any]]:
    return list(idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="ann")["AuthEvents"])


def _risk(event: dict[str, Any]) -> tuple[str, str]:
    return event["EventRisk"]["RiskLevel"], event["EventRisk"]["RiskDecision"]


def _mail_to(served: Served, address: str) -> Mail:
    """The latest mail to ``address``, delivering the outbox until it comes."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        served.server.runtime.dispatcher.drain()
        found = [m for m in served.mail.mails if address in m.recipients]
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"no mail to {address}")


def test_admin_initiate_auth__known_device_and_network_score_low(idp: Any) -> None:
    pool_id, client_id = _protected(idp, "ENFORCED")
    # Even a Low risk blocked: only a sign-in with nothing unusual about it passes.
    _actions(idp, pool_id, LowAction={"Notify": False, "EventAction": "BLOCK"})
    assert "AuthenticationResult" in _sign_in(idp, pool_id, client_id, BERLIN_IP)
    # Another address of the same /24, the same browser: nothing new.
    assert "AuthenticationResult" in _sign_in(idp, pool_id, client_id, BERLIN_IP_2)
    second, first = _events(idp, pool_id)
    assert second["EventRisk"] == {
        "RiskDecision": "NoRisk",
        "RiskLevel": "Low",
        "CompromisedCredentialsDetected": False,
    }
    assert first["EventRisk"] == second["EventRisk"]
    assert second["EventContextData"] == {
        "IpAddress": BERLIN_IP_2,
        "DeviceName": FIREFOX,
        "City": "Berlin",
        "Country": "Germany",
    }
    # Another browser on the same network is a new device: Low, and this pool blocks Low.
    assert _refused(idp, pool_id, client_id, BERLIN_IP, CURL) == BLOCKED
    assert _risk(_events(idp, pool_id)[0]) == ("Low", "Block")


def test_admin_initiate_auth__new_device_and_network_after_failures_blocked(idp: Any) -> None:
    pool_id, client_id = _protected(idp, "ENFORCED")
    _actions(
        idp,
        pool_id,
        LowAction={"Notify": False, "EventAction": "NO_ACTION"},
        MediumAction={"Notify": False, "EventAction": "NO_ACTION"},
        HighAction={"Notify": False, "EventAction": "BLOCK"},
    )
    _sign_in(idp, pool_id, client_id, BERLIN_IP)
    # Someone else, elsewhere, guessing: a new device and a new network, three wrong passwords.
    _fail(idp, pool_id, client_id, POTSDAM_IP, CURL, 3)
    assert _refused(idp, pool_id, client_id, POTSDAM_IP, CURL) == BLOCKED
    blocked, *guesses, usual = _events(idp, pool_id)
    assert blocked["EventResponse"] == "Fail" and blocked["ChallengeResponses"] == []
    assert blocked["EventRisk"] == {
        "RiskDecision": "Block",
        "RiskLevel": "High",
        "CompromisedCredentialsDetected": False,
    }
    assert blocked["EventContextData"] == {
        "IpAddress": POTSDAM_IP,
        "DeviceName": CURL,
        "City": "Potsdam",
        "Country": "Germany",
    }
    # The guesses themselves were new device and new network, not yet after failures: Medium, let through.
    assert [_risk(e) for e in guesses] == [("Medium", "NoRisk")] * 3
    assert usual["EventResponse"] == "Pass"
    # The user, from its usual browser and network, still signs in: the failures alone are a Low risk.
    assert "AuthenticationResult" in _sign_in(idp, pool_id, client_id, BERLIN_IP)
    assert _risk(_events(idp, pool_id)[0]) == ("Low", "NoRisk")


def test_admin_initiate_auth__high_risk_asks_for_mfa_when_configured(served: Served) -> None:
    idp = served.idp
    pool_id, client_id = _protected(idp, "ENFORCED", email="mfa-risk@example.com")
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        EmailMfaConfiguration={"Message": "Your sign-in code is {####}", "Subject": "Sign-in code"},
    )
    _actions(idp, pool_id, HighAction={"Notify": False, "EventAction": "MFA_REQUIRED"})
    # Without the risk, no second factor: the user has not turned MFA on.
    assert "AuthenticationResult" in _sign_in(idp, pool_id, client_id, BERLIN_IP)
    _fail(idp, pool_id, client_id, POTSDAM_IP, CURL, 3)
    step = _sign_in(idp, pool_id, client_id, POTSDAM_IP, CURL)
    assert step["ChallengeName"] == "EMAIL_OTP"
    code = _mail_to(served, "mfa-risk@example.com").code
    done = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="EMAIL_OTP",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "ann", "EMAIL_OTP_CODE": code},
    )
    assert "AccessToken" in done["AuthenticationResult"]
    event = _events(idp, pool_id)[0]
    assert _risk(event) == ("High", "AccountTakeover")
    assert event["EventResponse"] == "Pass"
    assert [c["ChallengeName"] for c in event["ChallengeResponses"]] == ["Password", "Mfa"]


NOTIFY = {
    "From": "security@example.com",
    "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
    "NoActionEmail": {
        "Subject": "New sign-in to {username}",
        "TextBody": (
            "A sign-in from {ip-address} in {city}, {country} on {device-name}.\n"
            "This was me: {one-click-link-valid}\nThis was not me: {one-click-link-invalid}"
        ),
    },
}


def _links(mail: Mail) -> tuple[str, str]:
    """The mail's "this was me" and "this was not me" links."""
    found = re.findall(r"https?://\S+/authEventFeedback\?\S+", mail.text)
    valid = next(link for link in found if dict(parse_qsl(urlsplit(link).query))["feedback_value"] == "Valid")
    invalid = next(link for link in found if dict(parse_qsl(urlsplit(link).query))["feedback_value"] == "Invalid")
    return valid, invalid


def _follow(served: Served, link: str) -> None:
    parts = urlsplit(link)
    page = served.server.test_client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200, page.text


def test_admin_initiate_auth__medium_risk_notice_and_its_feedback_links(served: Served) -> None:
    idp = served.idp
    pool_id, client_id = _protected(idp, "ENFORCED", email="notice-risk@example.com")
    _actions(idp, pool_id, NOTIFY, MediumAction={"Notify": True, "EventAction": "NO_ACTION"})
    _sign_in(idp, pool_id, client_id, BERLIN_IP)
    # Nearby (no travel to speak of), but from a new device on a new network.
    assert "AuthenticationResult" in _sign_in(idp, pool_id, client_id, POTSDAM_IP, CURL)
    mail = _mail_to(served, "notice-risk@example.com")
    assert mail.message["Subject"] == "New sign-in to ann"
    assert mail.text.startswith(f"A sign-in from {POTSDAM_IP} in Potsdam, Germany on {CURL}.")
    event = _events(idp, pool_id)[0]
    assert _risk(event) == ("Medium", "AccountTakeover") and "EventFeedback" not in event
    valid, invalid = _links(mail)
    _follow(served, invalid)
    feedback = _events(idp, pool_id)[0]["EventFeedback"]
    assert feedback["FeedbackValue"] == "Invalid" and feedback["Provider"] == "User"
    _follow(served, valid)
    assert _events(idp, pool_id)[0]["EventFeedback"]["FeedbackValue"] == "Valid"
    # Only the risky sign-in was noticed.
    assert len([m for m in served.mail.mails if "notice-risk@example.com" in m.recipients]) == 1


def test_admin_initiate_auth__impossible_travel_scores_high(idp: Any) -> None:
    pool_id, client_id = _protected(idp, "AUDIT")
    _sign_in(idp, pool_id, client_id, BERLIN_IP)
    # Minutes later, the same browser: from Potsdam (27 km) nothing unusual; from Sydney impossible.
    _sign_in(idp, pool_id, client_id, POTSDAM_IP)
    _sign_in(idp, pool_id, client_id, SYDNEY_IP)
    sydney, potsdam, berlin = _events(idp, pool_id)
    assert _risk(potsdam) == ("Low", "NoRisk") and potsdam["EventContextData"]["City"] == "Potsdam"
    # AUDIT records the level and acts on nothing.
    assert _risk(sydney) == ("High", "NoRisk") and sydney["EventResponse"] == "Pass"
    assert sydney["EventContextData"]["Country"] == "Australia"
    assert berlin["EventContextData"]["City"] == "Berlin"
    # An address the database does not place is no travel, only a new network.
    _sign_in(idp, pool_id, client_id, UNPLACED_IP)
    unplaced = _events(idp, pool_id)[0]
    assert _risk(unplaced) == ("Low", "NoRisk")
    assert unplaced["EventContextData"] == {"IpAddress": UNPLACED_IP, "DeviceName": FIREFOX}


def _propagating_client(idp: Any, pool_id: str) -> tuple[str, str]:
    """A client whose back end passes the user's address on (UserContextData), which takes a secret; its id and
    ann's SECRET_HASH."""
    client = make_client(
        idp, pool_id, ExplicitAuthFlows=FLOWS, GenerateSecret=True, EnablePropagateAdditionalUserContextData=True
    )
    return client["ClientId"], sdk_secret_hash(client["ClientSecret"], "ann", client["ClientId"])


def test_initiate_auth__user_context_data_and_user_agent_of_a_propagating_client(served: Served) -> None:
    idp = served.idp
    pool_id, _ = _protected(idp, "AUDIT")
    client_id, secret_hash = _propagating_client(idp, pool_id)

    def sign_in(agent: str, address: str) -> None:
        served.server.client(user_agent=agent).initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash},
            UserContextData={"IpAddress": address, "EncodedData": "e30="},
        )

    phone, laptop, tablet = (f"ExampleApp/2.1 ({kind})" for kind in ("iPhone", "Macintosh", "iPad"))
    sign_in(phone, BERLIN_IP)
    sign_in(laptop, BERLIN_IP_2)
    sign_in(phone, UNPLACED_IP)
    sign_in(tablet, "2001:db8:2::1")
    on_tablet, away, on_laptop, first = _events(idp, pool_id)
    assert first["EventContextData"]["IpAddress"] == BERLIN_IP
    # The request's User-Agent names the device (boto3 adds its own words after the application's).
    assert first["EventContextData"]["DeviceName"].startswith(phone)
    assert _risk(first) == ("Low", "NoRisk")
    assert _risk(on_laptop) == ("Low", "NoRisk")
    assert _risk(away) == ("Low", "NoRisk")
    assert on_tablet["EventContextData"]["IpAddress"] == "2001:db8:2::1"
    assert on_tablet["EventContextData"]["City"] == "Sydney"
    assert _risk(on_tablet) == ("Medium", "NoRisk")


def test_initiate_auth__a_remembered_device_is_known_by_its_key(served: Served) -> None:
    idp = served.idp
    device_config = {"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": False}
    pool_id, _ = _protected(idp, "AUDIT", DeviceConfiguration=device_config)
    client_id, secret_hash = _propagating_client(idp, pool_id)
    parameters = {"USERNAME": "ann", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash}

    def sign_in(address: str, agent: str, **extra: str) -> dict[str, Any]:
        client = served.server.client(user_agent=agent)
        return dict(
            client.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={**parameters, **extra},
                UserContextData={"IpAddress": address},
            )
        )

    tokens = sign_in(BERLIN_IP, "ExampleApp/1.0")["AuthenticationResult"]
    meta = tokens["NewDeviceMetadata"]
    _, verifier = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    idp.confirm_device(
        AccessToken=tokens["AccessToken"],
        DeviceKey=meta["DeviceKey"],
        DeviceName="phone",
        DeviceSecretVerifierConfig=verifier,
    )
    # The app, upgraded (another user agent), on another network, with its remembered device's key: only the
    # network is new. Without the key, it is a new device too.
    # (The device then proves itself with DEVICE_SRP_AUTH; the risk was assessed before.)
    assert sign_in(POTSDAM_IP, "ExampleApp/1.1", DEVICE_KEY=meta["DeviceKey"])["ChallengeName"] == "DEVICE_SRP_AUTH"
    assert "AuthenticationResult" in sign_in(UNPLACED_IP, "ExampleApp/1.2")
    keyless, keyed, _ = _events(idp, pool_id)
    assert _risk(keyed) == ("Low", "NoRisk")
    assert _risk(keyless) == ("Medium", "NoRisk")


def test_sign_up__every_event_placed_by_the_geoip_database(served: Served) -> None:
    idp = served.idp
    pool_id = idp.create_user_pool(PoolName="placed", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})["UserPool"][
        "Id"
    ]
    client_id, secret_hash = _propagating_client(idp, pool_id)
    idp.sign_up(
        ClientId=client_id,
        SecretHash=secret_hash,
        Username="ann",
        Password=PASSWORD,
        UserContextData={"IpAddress": SYDNEY_IP},
    )
    (signed_up,) = _events(idp, pool_id)
    assert signed_up["EventType"] == "SignUp"
    assert signed_up["EventContextData"]["City"] == "Sydney"
    assert signed_up["EventContextData"]["Country"] == "Australia"
