"""SetRiskConfiguration and DescribeRiskConfiguration through boto3: the pool's configuration and a client's,
what Describe answers with and without ClientId, resets, and each refusal with its message (AWS: their API
references; Cognito developer guide: 'Advanced security with threat protection')."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import make_settings, running_server
from tests.support.errors import fails

pytestmark = pytest.mark.xdist_group("risk_configuration")

SOURCE_ARN = "arn:aws:ses:us-east-1:123456789012:identity/security@example.com"
COMPROMISED = {"EventFilter": ["SIGN_IN", "SIGN_UP"], "Actions": {"EventAction": "BLOCK"}}
TAKEOVER = {
    "NotifyConfiguration": {
        "From": "Security <security@example.com>",
        "ReplyTo": "help@example.com",
        "SourceArn": SOURCE_ARN,
        "BlockEmail": {
            "Subject": "Blocked",
            "HtmlBody": "<p>Blocked {ip-address}</p>",
            "TextBody": "Blocked {ip-address}",
        },
        "NoActionEmail": {"Subject": "Noticed", "TextBody": "Sign-in from {city}"},
        "MfaEmail": {"Subject": "MFA", "HtmlBody": "<p>MFA asked from {ip-address}</p>"},
    },
    "Actions": {
        "LowAction": {"Notify": False, "EventAction": "NO_ACTION"},
        "MediumAction": {"Notify": True, "EventAction": "MFA_IF_CONFIGURED"},
        "HighAction": {"Notify": True, "EventAction": "BLOCK"},
    },
}
EXCEPTIONS = {"BlockedIPRangeList": ["192.0.2.0/24", "2001:db8::/32"], "SkippedIPRangeList": ["10.1.2.3/32"]}


@dataclass(frozen=True)
class Served:
    idp: Any


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("risk-configuration")
    with running_server(make_settings(folder / "data", f"sqlite:///{folder / 'userpool.sqlite3'}")) as server:
        yield Served(server.client())


@pytest.fixture
def idp(served: Served) -> Any:
    return served.idp


@pytest.fixture
def pool_id(idp: Any) -> str:
    return str(idp.create_user_pool(PoolName="risky")["UserPool"]["Id"])


def _client(idp: Any, pool_id: str) -> str:
    return str(idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"])


def test_set_risk_configuration__pool_level_echoed_member_for_member(idp: Any, pool_id: str) -> None:
    answer = idp.set_risk_configuration(
        UserPoolId=pool_id,
        CompromisedCredentialsRiskConfiguration=COMPROMISED,
        AccountTakeoverRiskConfiguration=TAKEOVER,
        RiskExceptionConfiguration=EXCEPTIONS,
    )["RiskConfiguration"]
    modified = answer.pop("LastModifiedDate")
    expected = {
        "UserPoolId": pool_id,
        "CompromisedCredentialsRiskConfiguration": COMPROMISED,
        "AccountTakeoverRiskConfiguration": TAKEOVER,
        "RiskExceptionConfiguration": EXCEPTIONS,
    }
    assert answer == expected
    described = idp.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]
    assert described.pop("LastModifiedDate") == modified
    assert described == expected


def test_set_risk_configuration__event_filter_defaults_to_every_event(idp: Any, pool_id: str) -> None:
    idp.set_risk_configuration(
        UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration={"Actions": {"EventAction": "NO_ACTION"}}
    )
    described = idp.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]
    assert described["CompromisedCredentialsRiskConfiguration"] == {
        "EventFilter": ["SIGN_IN", "PASSWORD_CHANGE", "SIGN_UP"],
        "Actions": {"EventAction": "NO_ACTION"},
    }
    assert "AccountTakeoverRiskConfiguration" not in described and "RiskExceptionConfiguration" not in described


def test_set_risk_configuration__replaces_the_whole_configuration(idp: Any, pool_id: str) -> None:
    idp.set_risk_configuration(UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration=COMPROMISED)
    idp.set_risk_configuration(UserPoolId=pool_id, RiskExceptionConfiguration=EXCEPTIONS)
    described = idp.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]
    assert "CompromisedCredentialsRiskConfiguration" not in described
    assert described["RiskExceptionConfiguration"] == EXCEPTIONS


def test_describe_risk_configuration__nothing_configured(idp: Any, pool_id: str) -> None:
    assert idp.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"] == {"UserPoolId": pool_id}
    client_id = _client(idp, pool_id)
    described = idp.describe_risk_configuration(UserPoolId=pool_id, ClientId=client_id)["RiskConfiguration"]
    assert described == {"UserPoolId": pool_id, "ClientId": "ALL"}


def test_describe_risk_configuration__client_inherits_then_overrides_the_pool(idp: Any, pool_id: str) -> None:
    client_id = _client(idp, pool_id)
    idp.set_risk_configuration(UserPoolId=pool_id, RiskExceptionConfiguration=EXCEPTIONS)
    inherited = idp.describe_risk_configuration(UserPoolId=pool_id, ClientId=client_id)["RiskConfiguration"]
    assert inherited["ClientId"] == "ALL"
    assert inherited["RiskExceptionConfiguration"] == EXCEPTIONS
    own = idp.set_risk_configuration(
        UserPoolId=pool_id, ClientId=client_id, CompromisedCredentialsRiskConfiguration=COMPROMISED
    )["RiskConfiguration"]
    assert own["ClientId"] == client_id
    described = idp.describe_risk_configuration(UserPoolId=pool_id, ClientId=client_id)["RiskConfiguration"]
    assert described["ClientId"] == client_id
    assert described["CompromisedCredentialsRiskConfiguration"] == COMPROMISED
    assert "RiskExceptionConfiguration" not in described  # the client's replaces the pool's whole
    # The pool's own is unchanged, and "ALL" names it too.
    for extra in ({}, {"ClientId": "ALL"}):
        pool_level = idp.describe_risk_configuration(UserPoolId=pool_id, **extra)["RiskConfiguration"]
        assert pool_level["RiskExceptionConfiguration"] == EXCEPTIONS
        assert "CompromisedCredentialsRiskConfiguration" not in pool_level


def test_set_risk_configuration__client_id_all_is_the_pool(idp: Any, pool_id: str) -> None:
    answer = idp.set_risk_configuration(UserPoolId=pool_id, ClientId="ALL", RiskExceptionConfiguration=EXCEPTIONS)
    assert answer["RiskConfiguration"]["ClientId"] == "ALL"
    assert idp.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]["RiskExceptionConfiguration"]


def test_set_risk_configuration__nothing_set_resets(idp: Any, pool_id: str) -> None:
    client_id = _client(idp, pool_id)
    idp.set_risk_configuration(UserPoolId=pool_id, RiskExceptionConfiguration=EXCEPTIONS)
    idp.set_risk_configuration(
        UserPoolId=pool_id, ClientId=client_id, CompromisedCredentialsRiskConfiguration=COMPROMISED
    )
    # A client reset falls back to the pool's configuration.
    reset = idp.set_risk_configuration(UserPoolId=pool_id, ClientId=client_id)["RiskConfiguration"]
    assert set(reset) == {"UserPoolId", "ClientId", "LastModifiedDate"}
    described = idp.describe_risk_configuration(UserPoolId=pool_id, ClientId=client_id)["RiskConfiguration"]
    assert described["ClientId"] == "ALL" and described["RiskExceptionConfiguration"] == EXCEPTIONS
    idp.set_risk_configuration(UserPoolId=pool_id)
    assert idp.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"] == {"UserPoolId": pool_id}


def test_set_risk_configuration__accepted_whatever_the_mode(idp: Any) -> None:
    for mode in ("OFF", "AUDIT", "ENFORCED"):
        pool_id = idp.create_user_pool(PoolName="m", UserPoolAddOns={"AdvancedSecurityMode": mode})["UserPool"]["Id"]
        idp.set_risk_configuration(UserPoolId=pool_id, RiskExceptionConfiguration=EXCEPTIONS)
        assert idp.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]["RiskExceptionConfiguration"]


def test_set_risk_configuration__client_deleted_with_its_configuration(idp: Any, pool_id: str) -> None:
    client_id = _client(idp, pool_id)
    idp.set_risk_configuration(UserPoolId=pool_id, ClientId=client_id, RiskExceptionConfiguration=EXCEPTIONS)
    idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    expected = ("ResourceNotFoundException", f"User pool client {client_id} does not exist.")
    assert fails(idp.describe_risk_configuration, UserPoolId=pool_id, ClientId=client_id) == expected


def test_set_risk_configuration__unknown_pool_or_client(idp: Any, pool_id: str) -> None:
    missing = "us-east-1_NoSuchPool"
    for call in (idp.set_risk_configuration, idp.describe_risk_configuration):
        assert fails(call, UserPoolId=missing) == ("ResourceNotFoundException", f"User pool {missing} does not exist.")
        assert fails(call, UserPoolId=pool_id, ClientId="nosuchclient") == (
            "ResourceNotFoundException",
            "User pool client nosuchclient does not exist.",
        )
    # A client of another pool is no client of this one.
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    foreign = _client(idp, other)
    assert (
        fails(idp.describe_risk_configuration, UserPoolId=pool_id, ClientId=foreign)[0] == "ResourceNotFoundException"
    )


@pytest.mark.parametrize("cidr", ["10.0.0.1", "10.0.0.0/33", "not-an-ip/8", "2001:db8::/129", "", "300.1.1.1/32"])
def test_set_risk_configuration__ip_ranges_must_be_cidr(idp: Any, pool_id: str, cidr: str) -> None:
    for member in ("BlockedIPRangeList", "SkippedIPRangeList"):
        code, message = fails(
            idp.set_risk_configuration, UserPoolId=pool_id, RiskExceptionConfiguration={member: ["10.0.0.0/8", cidr]}
        )
        assert code == "InvalidParameterException"
        assert message == f"{member} must hold IP address ranges in CIDR notation; '{cidr}' is not one."
    assert idp.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"] == {"UserPoolId": pool_id}


def test_set_risk_configuration__source_arn_must_be_an_ses_identity(idp: Any, pool_id: str) -> None:
    for arn in ("arn:aws:sns:us-east-1:123456789012:topic/x", "arn:aws:ses:us-east-1:123456789012:configuration-set/x"):
        takeover = {**TAKEOVER, "NotifyConfiguration": {**TAKEOVER["NotifyConfiguration"], "SourceArn": arn}}
        code, message = fails(idp.set_risk_configuration, UserPoolId=pool_id, AccountTakeoverRiskConfiguration=takeover)
        assert code == "InvalidParameterException"
        assert message.startswith("NotifyConfiguration.SourceArn must be the ARN of an Amazon SES identity")
    # The model's own pattern refuses what is no ARN at all.
    takeover = {**TAKEOVER, "NotifyConfiguration": {"SourceArn": "not an arn at all, really"}}
    assert fails(idp.set_risk_configuration, UserPoolId=pool_id, AccountTakeoverRiskConfiguration=takeover)[0] == (
        "InvalidParameterException"
    )


def test_set_risk_configuration__notify_addresses_and_templates_checked(idp: Any, pool_id: str) -> None:
    notify = TAKEOVER["NotifyConfiguration"]
    cases = [
        ({**notify, "From": "nobody"}, "NotifyConfiguration.From must be an email address."),
        ({**notify, "ReplyTo": "@example.com"}, "NotifyConfiguration.ReplyTo must be an email address."),
        ({**notify, "MfaEmail": {"Subject": "x"}}, "NotifyConfiguration.MfaEmail needs an HtmlBody or a TextBody."),
    ]
    for given, message in cases:
        takeover = {**TAKEOVER, "NotifyConfiguration": given}
        assert fails(idp.set_risk_configuration, UserPoolId=pool_id, AccountTakeoverRiskConfiguration=takeover) == (
            "InvalidParameterException",
            message,
        )
    # Without From, notifications are sent as the SES identity.
    minimal = {"Actions": TAKEOVER["Actions"], "NotifyConfiguration": {"SourceArn": SOURCE_ARN}}
    idp.set_risk_configuration(UserPoolId=pool_id, AccountTakeoverRiskConfiguration=minimal)


def test_set_risk_configuration__model_enums_and_required_members(idp: Any, pool_id: str) -> None:
    bad_action = {"Actions": {"HighAction": {"Notify": False, "EventAction": "CAPTCHA"}}}
    assert fails(idp.set_risk_configuration, UserPoolId=pool_id, AccountTakeoverRiskConfiguration=bad_action)[0] == (
        "InvalidParameterException"
    )
    bad_filter = {"EventFilter": ["SIGN_OUT"], "Actions": {"EventAction": "BLOCK"}}
    assert fails(idp.set_risk_configuration, UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration=bad_filter)[
        0
    ] == ("InvalidParameterException")
