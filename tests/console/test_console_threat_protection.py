"""The console's Threat protection and Log delivery pages against the API: a saved form leaves the state the
equivalent boto3 calls leave, the pool's other settings included; a refused form shows the API's words at
the field and changes nothing; the form as shown saves back to the same configuration; an app client's
settings of its own, and back to the pool's; every POST needs this browser's CSRF token."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.console.conftest import Console
from tests.support.html_forms import as_data, form_pairs
from userpool.model.risk_notifications import DEFAULTS
from userpool.web.console.threat_forms import NO_EVENT

SES = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
FIREHOSE = "arn:aws:firehose:us-east-1:123456789012:deliverystream/activity"
LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/userpool/notifications"
_VOLATILE = {"LastModifiedDate"}


def _shown(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<span class="api-message">(.*?)</span>', page, re.S)]


def _field_errors(page: str, name: str) -> list[str]:
    return [
        html.unescape(m) for m in re.findall(rf'<p class="field-error" id="e-{re.escape(name)}">(.*?)</p>', page, re.S)
    ]


def _api_error(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return str(caught.value.response["Error"]["Message"])


def _risk(idp: Any, pool_id: str, client_id: str | None = None) -> dict[str, Any]:
    params = {"UserPoolId": pool_id} | ({"ClientId": client_id} if client_id else {})
    found = dict(idp.describe_risk_configuration(**params)["RiskConfiguration"])
    return {k: v for k, v in found.items() if k not in _VOLATILE}


def _log_delivery(idp: Any, pool_id: str) -> dict[str, Any]:
    return dict(idp.get_log_delivery_configuration(UserPoolId=pool_id)["LogDeliveryConfiguration"])


def _form(**over: Any) -> dict[str, Any]:
    """Everything the pool-level page can set."""
    form: dict[str, Any] = {
        "mode": "AUDIT",
        "custom_auth_mode": "AUDIT",
        "tier": "PLUS",
        "cc_action": "BLOCK",
        "cc_events": ["SIGN_IN", "SIGN_UP"],
        "adaptive": "on",
        "action_low": "NO_ACTION",
        "action_medium": "MFA_IF_CONFIGURED",
        "notify_medium": "on",
        "action_high": "BLOCK",
        "notify_high": "on",
        "notify_from": "Security <security@example.com>",
        "notify_reply_to": "help@example.com",
        "notify_source_arn": SES,
        "block_subject": "We blocked a sign-in",
        "block_html": "<p>Blocked {username} from {ip-address}.</p>\r\n<p>{one-click-link-invalid}</p>",
        "block_text": "Blocked {username} from {ip-address}.",
        "mfa_subject": "Confirm it was you",
        "mfa_text": "Someone signed in as {username} at {login-time}.",
        "blocked_ips": "192.0.2.0/24\r\n 2001:db8::/32 \r\n",
        "skipped_ips": "10.0.0.0/8",
    }
    return form | over


def _boto3_configuration(idp: Any, pool_id: str) -> None:
    """What :func:`_form` sets, the way the SetRiskConfiguration documentation shows it."""
    idp.set_risk_configuration(
        UserPoolId=pool_id,
        CompromisedCredentialsRiskConfiguration={
            "EventFilter": ["SIGN_IN", "SIGN_UP"],
            "Actions": {"EventAction": "BLOCK"},
        },
        AccountTakeoverRiskConfiguration={
            "NotifyConfiguration": {
                "From": "Security <security@example.com>",
                "ReplyTo": "help@example.com",
                "SourceArn": SES,
                "BlockEmail": {
                    "Subject": "We blocked a sign-in",
                    "HtmlBody": "<p>Blocked {username} from {ip-address}.</p>\r\n<p>{one-click-link-invalid}</p>",
                    "TextBody": "Blocked {username} from {ip-address}.",
                },
                "MfaEmail": {
                    "Subject": "Confirm it was you",
                    "TextBody": "Someone signed in as {username} at {login-time}.",
                },
            },
            "Actions": {
                "LowAction": {"Notify": False, "EventAction": "NO_ACTION"},
                "MediumAction": {"Notify": True, "EventAction": "MFA_IF_CONFIGURED"},
                "HighAction": {"Notify": True, "EventAction": "BLOCK"},
            },
        },
        RiskExceptionConfiguration={
            "BlockedIPRangeList": ["192.0.2.0/24", "2001:db8::/32"],
            "SkippedIPRangeList": ["10.0.0.0/8"],
        },
    )


def _full_pool(idp: Any, name: str) -> str:
    """A pool with settings the page does not show, which its UpdateUserPool must keep."""
    pool = idp.create_user_pool(
        PoolName=name,
        Policies={"PasswordPolicy": {"MinimumLength": 12, "RequireSymbols": True, "TemporaryPasswordValidityDays": 3}},
        AutoVerifiedAttributes=["email"],
        DeletionProtection="ACTIVE",
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True},
        EmailConfiguration={"EmailSendingAccount": "COGNITO_DEFAULT", "ReplyToEmailAddress": "reply@example.com"},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        UserPoolTags={"team": "identity"},
        VerificationMessageTemplate={"EmailSubject": "Your code", "DefaultEmailOption": "CONFIRM_WITH_CODE"},
    )["UserPool"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    return str(pool["Id"])


def _pool_settings(idp: Any, pool_id: str) -> dict[str, Any]:
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    return {k: v for k, v in pool.items() if k not in ("LastModifiedDate", "UserPoolAddOns", "UserPoolTier")}


def test_set_risk_configuration__console_leaves_the_state_of_the_boto3_calls(signed_in: Console) -> None:
    idp = signed_in.idp
    by_console = _full_pool(idp, "console")
    before = _pool_settings(idp, by_console)
    answer = signed_in.post(f"/console/pools/{by_console}/threat-protection", _form())
    assert answer.status_code == 303, _shown(answer.text)
    by_boto3 = idp.create_user_pool(PoolName="boto3")["UserPool"]["Id"]
    _boto3_configuration(idp, by_boto3)
    assert _risk(idp, by_console) | {"UserPoolId": None} == _risk(idp, by_boto3) | {"UserPoolId": None}
    pool = idp.describe_user_pool(UserPoolId=by_console)["UserPool"]
    assert pool["UserPoolAddOns"] == {
        "AdvancedSecurityMode": "AUDIT",
        "AdvancedSecurityAdditionalFlows": {"CustomAuthMode": "AUDIT"},
    }
    assert pool["UserPoolTier"] == "PLUS"
    # UpdateUserPool replaces every member: the page sent the rest of the pool as it was.
    assert _pool_settings(idp, by_console) == before
    assert idp.get_user_pool_mfa_config(UserPoolId=by_console)["SoftwareTokenMfaConfiguration"] == {"Enabled": True}


def test_set_risk_configuration__the_form_as_shown_saves_the_same_configuration(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="round-trip")["UserPool"]["Id"]
    _boto3_configuration(idp, pool_id)
    idp.update_user_pool(UserPoolId=pool_id, UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
    configured = _risk(idp, pool_id)
    path = f"/console/pools/{pool_id}/threat-protection"
    shown = signed_in.http.get(path)
    assert shown.status_code == 200
    assert 'value="ENFORCED" checked' in shown.text
    assert shown.text.count('class="default-template"') == 1  # NoActionEmail's: the only template unset
    answer = signed_in.http.post(path, data=as_data(form_pairs(shown.text, path)))
    assert answer.status_code == 303, _shown(answer.text)
    assert _risk(idp, pool_id) == configured
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["UserPoolAddOns"] == {
        "AdvancedSecurityMode": "ENFORCED"
    }


def test_set_risk_configuration__defaults_are_shown_and_nothing_set_resets(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="defaults")["UserPool"]["Id"]
    path = f"/console/pools/{pool_id}/threat-protection"
    shown = signed_in.http.get(path)
    assert "Threat protection is off for this pool" in shown.text
    # Each template unset: the wording sent instead is shown under it.
    assert shown.text.count('class="default-template"') == 3
    for template in DEFAULTS.values():
        assert html.escape(template["Subject"]) in shown.text and html.escape(template["TextBody"]) in shown.text
    # As first shown: nothing configured, adaptive authentication off, so saving sets nothing.
    pairs = form_pairs(shown.text, path)
    assert ("adaptive", "on") not in pairs and ("cc_action", "") in pairs
    assert signed_in.http.post(path, data=as_data(pairs)).status_code == 303
    assert _risk(idp, pool_id) == {"UserPoolId": pool_id}
    _boto3_configuration(idp, pool_id)
    assert signed_in.post(path, {"mode": "OFF", "tier": "ESSENTIALS", "cc_action": ""}).status_code == 303
    assert _risk(idp, pool_id) == {"UserPoolId": pool_id}


@pytest.mark.parametrize(
    ("change", "field", "call"),
    [
        (
            {"blocked_ips": "192.0.2.0/24\nnot-a-range"},
            "blocked_ips",
            {"RiskExceptionConfiguration": {"BlockedIPRangeList": ["192.0.2.0/24", "not-a-range"]}},
        ),
        (
            {"notify_source_arn": "", "block_subject": "", "block_html": "", "block_text": ""},
            "notify_source_arn",
            {
                "AccountTakeoverRiskConfiguration": {
                    "Actions": {},
                    "NotifyConfiguration": {"From": "a@example.com", "MfaEmail": {"Subject": "s"}},
                }
            },
        ),
        (
            {"mfa_subject": ""},
            "mfa_subject",
            {
                "AccountTakeoverRiskConfiguration": {
                    "Actions": {},
                    "NotifyConfiguration": {"SourceArn": SES, "MfaEmail": {"TextBody": "Someone signed in."}},
                }
            },
        ),
        (
            {"block_html": "", "block_text": ""},
            "block_html",
            {
                "AccountTakeoverRiskConfiguration": {
                    "Actions": {},
                    "NotifyConfiguration": {"SourceArn": SES, "BlockEmail": {"Subject": "s"}},
                }
            },
        ),
        (
            {"notify_reply_to": "not an address"},
            "notify_reply_to",
            {
                "AccountTakeoverRiskConfiguration": {
                    "Actions": {},
                    "NotifyConfiguration": {"SourceArn": SES, "ReplyTo": "not an address"},
                }
            },
        ),
    ],
)
def test_set_risk_configuration__refusals_are_the_api_words_at_the_field(
    signed_in: Console, change: dict[str, Any], field: str, call: dict[str, Any]
) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="refused")["UserPool"]["Id"]
    answer = signed_in.post(f"/console/pools/{pool_id}/threat-protection", _form(**change))
    assert answer.status_code == 400
    expected = _api_error(signed_in.unchecked.set_risk_configuration, UserPoolId=pool_id, **call)
    assert _shown(answer.text) == [expected]
    assert _field_errors(answer.text, field), answer.text
    assert _risk(idp, pool_id) == {"UserPoolId": pool_id}
    assert "UserPoolAddOns" not in idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert html.escape(_form(**change)["notify_from"]) in answer.text  # what was typed is kept


def test_set_risk_configuration__no_event_ticked_is_refused_before_any_call(signed_in: Console) -> None:
    pool_id = signed_in.idp.create_user_pool(PoolName="no-event")["UserPool"]["Id"]
    answer = signed_in.post(f"/console/pools/{pool_id}/threat-protection", _form(cc_events=[]))
    assert answer.status_code == 400
    assert _field_errors(answer.text, "cc_events") == [NO_EVENT]
    assert _risk(signed_in.idp, pool_id) == {"UserPoolId": pool_id}


def test_update_user_pool__a_refused_mode_leaves_the_risk_configuration_as_it_was(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="half-way")["UserPool"]["Id"]
    _boto3_configuration(idp, pool_id)
    before = _risk(idp, pool_id)
    answer = signed_in.post(
        f"/console/pools/{pool_id}/threat-protection", _form(mode="SOMETIMES", blocked_ips="198.51.100.0/24")
    )
    assert answer.status_code == 400
    expected = _api_error(
        signed_in.unchecked.update_user_pool, UserPoolId=pool_id, UserPoolAddOns={"AdvancedSecurityMode": "SOMETIMES"}
    )
    assert _shown(answer.text) == [expected]
    assert _field_errors(answer.text, "mode")
    assert _risk(idp, pool_id) == before


def test_set_risk_configuration__an_app_client_gets_settings_of_its_own_and_back(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="clients")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]["ClientId"]
    idp.set_risk_configuration(
        UserPoolId=pool_id, RiskExceptionConfiguration={"BlockedIPRangeList": ["203.0.113.0/24"]}
    )
    client_page = signed_in.http.get(f"/console/pools/{pool_id}/clients/{client_id}")
    assert "The pool&#39;s settings" in client_page.text
    path = f"/console/pools/{pool_id}/threat-protection?client={client_id}"
    shown = signed_in.http.get(path)
    assert shown.status_code == 200 and "App client web" in shown.text
    assert "203.0.113.0/24" in shown.text  # what applies to it now: the pool's
    pairs = [(k, v) for k, v in form_pairs(shown.text, path) if k not in ("scope", "blocked_ips")]
    own = as_data([*pairs, ("scope", "own"), ("blocked_ips", "198.51.100.7/32"), ("cc_action", "NO_ACTION")])
    assert signed_in.http.post(path, data=own).status_code == 303
    assert _risk(idp, pool_id, client_id) == {
        "UserPoolId": pool_id,
        "ClientId": client_id,
        "CompromisedCredentialsRiskConfiguration": {
            "EventFilter": ["SIGN_IN", "PASSWORD_CHANGE", "SIGN_UP"],
            "Actions": {"EventAction": "NO_ACTION"},
        },
        "RiskExceptionConfiguration": {"BlockedIPRangeList": ["198.51.100.7/32"]},
    }
    assert _risk(idp, pool_id)["RiskExceptionConfiguration"] == {"BlockedIPRangeList": ["203.0.113.0/24"]}
    assert "Settings of its own" in signed_in.http.get(f"/console/pools/{pool_id}/clients/{client_id}").text
    back = signed_in.post(path, {"scope": "pool"})
    assert back.status_code == 303
    assert _risk(idp, pool_id, client_id)["ClientId"] == "ALL"
    # The pool-level page sent nothing to the pool's mode for a client's form.
    assert "UserPoolAddOns" not in idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert signed_in.http.get(f"/console/pools/{pool_id}/threat-protection?client=nope").status_code == 404


def test_set_log_delivery_configuration__console_leaves_the_state_of_the_boto3_call(signed_in: Console) -> None:
    idp = signed_in.idp
    pools = [idp.create_user_pool(PoolName=n, UserPoolTier="PLUS")["UserPool"]["Id"] for n in ("console", "boto3")]
    path = f"/console/pools/{pools[0]}/log-delivery"
    form = {"notification_arn": LOG_GROUP, "auth_kind": "FirehoseConfiguration", "auth_arn": FIREHOSE}
    answer = signed_in.post(path, form)
    assert answer.status_code == 303, _shown(answer.text)
    idp.set_log_delivery_configuration(
        UserPoolId=pools[1],
        LogConfigurations=[
            {
                "LogLevel": "ERROR",
                "EventSource": "userNotification",
                "CloudWatchLogsConfiguration": {"LogGroupArn": LOG_GROUP},
            },
            {"LogLevel": "INFO", "EventSource": "userAuthEvents", "FirehoseConfiguration": {"StreamArn": FIREHOSE}},
        ],
    )

    def configured(pool_id: str) -> Any:
        return idp.get_log_delivery_configuration(UserPoolId=pool_id)["LogDeliveryConfiguration"]["LogConfigurations"]

    assert configured(pools[0]) == configured(pools[1])
    shown = signed_in.http.get(path)
    assert as_data(form_pairs(shown.text, path)) | {"_csrf": ""} == form | {"_csrf": ""}
    assert signed_in.post(path, {"auth_kind": ""}).status_code == 303
    assert (
        "LogConfigurations" not in idp.get_log_delivery_configuration(UserPoolId=pools[0])["LogDeliveryConfiguration"]
    )


def test_set_log_delivery_configuration__refusals_are_shown_at_the_field(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="refusals")["UserPool"]["Id"]
    path = f"/console/pools/{pool_id}/log-delivery"
    # A log group's ARN where a Firehose stream's belongs.
    activity = {"LogLevel": "INFO", "EventSource": "userAuthEvents", "FirehoseConfiguration": {"StreamArn": LOG_GROUP}}
    answer = signed_in.post(path, {"auth_kind": "FirehoseConfiguration", "auth_arn": LOG_GROUP})
    assert answer.status_code == 400
    expected = _api_error(idp.set_log_delivery_configuration, UserPoolId=pool_id, LogConfigurations=[activity])
    assert _shown(answer.text) == [expected] and _field_errors(answer.text, "auth_arn") == [expected]
    bad = signed_in.post(path, {"notification_arn": "arn:aws:s3:::a-bucket"})
    assert bad.status_code == 400 and len(_field_errors(bad.text, "notification_arn")) == 1
    assert "LogConfigurations" not in _log_delivery(idp, pool_id)


def test_console__threat_protection_forms_refuse_a_post_without_this_browsers_token(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="forged")["UserPool"]["Id"]
    idp.admin_create_user(UserPoolId=pool_id, Username="ann", MessageAction="SUPPRESS")
    base = f"/console/pools/{pool_id}"
    for path, data in (
        (f"{base}/threat-protection", _form()),
        (f"{base}/log-delivery", {"notification_arn": LOG_GROUP}),
        (f"{base}/user/event-feedback?username=ann", {"event_id": "e1", "value": "Invalid"}),
    ):
        for token in (None, "forged-token"):
            answer = signed_in.http.post(path, data=data | ({"_csrf": token} if token else {}))
            assert answer.status_code == 403, (path, token)
            assert "This form did not come from this console" in answer.text
    assert _risk(idp, pool_id) == {"UserPoolId": pool_id}
    assert "UserPoolAddOns" not in idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert "LogConfigurations" not in _log_delivery(idp, pool_id)
