"""The Threat protection page's fields, turned into SetRiskConfiguration and UserPoolAddOns requests, and a
risk configuration (DescribeRiskConfiguration) turned back into the form's values.

Form fields carry simple names; ``FIELDS`` maps the API's validation paths to them and ``MESSAGE_FIELDS`` the
service's own messages, which name no path, so that each error is shown at the field it is about.
"""

from __future__ import annotations

from typing import Any

from userpool.model.risk_configuration import ALL_EVENT_FILTERS
from userpool.web.console.frame import Page

# AdvancedSecurityModeType, worded as the AWS console words it.
MODES = (
    ("OFF", "Off"),
    ("AUDIT", "Audit only: record and assess sign-ins, act on nothing"),
    ("ENFORCED", "Full function: act on the settings below"),
)
# AdvancedSecurityAdditionalFlowsType.CustomAuthMode (no member: off).
CUSTOM_AUTH_MODES = (("", "Off"), ("AUDIT", "Audit only"), ("ENFORCED", "Full function"))
TIERS = (("LITE", "Lite"), ("ESSENTIALS", "Essentials"), ("PLUS", "Plus"))
EVENT_FILTERS = (("SIGN_IN", "Sign-in"), ("PASSWORD_CHANGE", "Password change"), ("SIGN_UP", "Sign-up"))
COMPROMISED_ACTIONS = (
    ("", "Don't check"),
    ("BLOCK", "Block the request"),
    ("NO_ACTION", "Allow it (record only)"),
)
# AccountTakeoverEventActionType per risk level (AccountTakeoverActionsType's members).
TAKEOVER_ACTIONS = (
    ("NO_ACTION", "Allow"),
    ("MFA_IF_CONFIGURED", "Optional MFA (if the user has a factor)"),
    ("MFA_REQUIRED", "Require MFA (block without a factor)"),
    ("BLOCK", "Block"),
)
LEVELS = (("Low", "LowAction", "low"), ("Medium", "MediumAction", "medium"), ("High", "HighAction", "high"))
# NotifyConfigurationType's three templates: member, field prefix, when it is sent.
TEMPLATES = (
    ("BlockEmail", "block", "Blocked sign-in"),
    ("MfaEmail", "mfa", "MFA challenge"),
    ("NoActionEmail", "no_action", "Allowed sign-in"),
)
_TEMPLATE_PARTS = (("Subject", "subject"), ("HtmlBody", "html"), ("TextBody", "text"))
_TAKEOVER = "accountTakeoverRiskConfiguration"
_NOTIFY = f"{_TAKEOVER}.notifyConfiguration"
FIELDS = {
    "compromisedCredentialsRiskConfiguration.eventFilter": "cc_events",
    "compromisedCredentialsRiskConfiguration": "cc_action",
    **{f"{_TAKEOVER}.actions.{member[0].lower()}{member[1:]}": f"action_{key}" for _, member, key in LEVELS},
    f"{_TAKEOVER}.actions": "adaptive",
    f"{_NOTIFY}.sourceArn": "notify_source_arn",
    f"{_NOTIFY}.from": "notify_from",
    f"{_NOTIFY}.replyTo": "notify_reply_to",
    **{
        f"{_NOTIFY}.{member[0].lower()}{member[1:]}.{part[0].lower()}{part[1:]}": f"{prefix}_{name}"
        for member, prefix, _ in TEMPLATES
        for part, name in _TEMPLATE_PARTS
    },
    **{f"{_NOTIFY}.{member[0].lower()}{member[1:]}": f"{prefix}_subject" for member, prefix, _ in TEMPLATES},
    _NOTIFY: "notify_source_arn",
    "riskExceptionConfiguration.blockedIPRangeList": "blocked_ips",
    "riskExceptionConfiguration.skippedIPRangeList": "skipped_ips",
    # UpdateUserPool's members that this page sets.
    "userPoolAddOns.advancedSecurityMode": "mode",
    "userPoolAddOns.advancedSecurityAdditionalFlows": "custom_auth_mode",
    "userPoolAddOns": "mode",
    "userPoolTier": "tier",
}
# Errors of the service that name no validation path (model/risk_configuration.py), and their field.
MESSAGE_FIELDS = (
    ("BlockedIPRangeList", "blocked_ips"),
    ("SkippedIPRangeList", "skipped_ips"),
    ("NotifyConfiguration.SourceArn", "notify_source_arn"),
    ("NotifyConfiguration.From", "notify_from"),
    ("NotifyConfiguration.ReplyTo", "notify_reply_to"),
    *((f"NotifyConfiguration.{member}", f"{prefix}_html") for member, prefix, _ in TEMPLATES),
    ("pricing tier", "tier"),
)
NO_EVENT = "Choose at least one event to check, or choose Don't check."
MULTI = ("cc_events",)
FLAGS = ("adaptive", *(f"notify_{key}" for _, _, key in LEVELS))


def _lines(page: Page, name: str) -> list[str]:
    return [line.strip() for line in page.raw(name).splitlines() if line.strip()]


def _kept_text(page: Page, name: str) -> str | None:
    """A template body as typed (its line breaks are the message's), None when empty."""
    text = page.raw(name).strip("\r\n")
    return text if text.strip() else None


def _template(page: Page, prefix: str) -> dict[str, Any] | None:
    """NotifyEmailType from a template's three fields; None when all three are empty (the default wording)."""
    found = {
        "Subject": page.text(f"{prefix}_subject") or None,
        "HtmlBody": _kept_text(page, f"{prefix}_html"),
        "TextBody": _kept_text(page, f"{prefix}_text"),
    }
    return found if any(v is not None for v in found.values()) else None


def _notify_configuration(page: Page) -> dict[str, Any] | None:
    """NotifyConfigurationType; None when nothing of it is filled in. A SourceArn left empty while something
    else is filled is sent as absent, for the API's own "must not be null" at that field."""
    notify: dict[str, Any] = {
        "From": page.text("notify_from") or None,
        "ReplyTo": page.text("notify_reply_to") or None,
        "SourceArn": page.text("notify_source_arn") or None,
    }
    for member, prefix, _ in TEMPLATES:
        notify[member] = _template(page, prefix)
    return notify if any(v is not None for v in notify.values()) else None


def risk_request(page: Page) -> dict[str, Any]:
    """SetRiskConfiguration's configuration members from the form (without UserPoolId and ClientId). What is
    switched off is left out; a request that sets nothing resets the configuration."""
    request: dict[str, Any] = {}
    action = page.text("cc_action")
    if action:
        events = page.values("cc_events")
        if not events:
            page.errors.note("cc_events", NO_EVENT)
        request["CompromisedCredentialsRiskConfiguration"] = {
            "EventFilter": events,
            "Actions": {"EventAction": action},
        }
    if page.checked("adaptive"):
        actions = {
            member: {"EventAction": page.text(f"action_{key}") or None, "Notify": page.checked(f"notify_{key}")}
            for _, member, key in LEVELS
        }
        takeover: dict[str, Any] = {"Actions": actions}
        notify = _notify_configuration(page)
        if notify is not None:
            takeover["NotifyConfiguration"] = notify
        request["AccountTakeoverRiskConfiguration"] = takeover
    blocked, skipped = _lines(page, "blocked_ips"), _lines(page, "skipped_ips")
    if blocked or skipped:
        request["RiskExceptionConfiguration"] = {
            "BlockedIPRangeList": blocked or None,
            "SkippedIPRangeList": skipped or None,
        }
    return request


def add_ons(page: Page, current: dict[str, Any]) -> dict[str, Any]:
    """UserPoolAddOns for the chosen modes; members the form does not show are kept from ``current``."""
    found = {k: v for k, v in current.items() if k not in ("AdvancedSecurityMode", "AdvancedSecurityAdditionalFlows")}
    found["AdvancedSecurityMode"] = page.text("mode") or "OFF"
    custom = page.text("custom_auth_mode")
    if custom:
        found["AdvancedSecurityAdditionalFlows"] = {"CustomAuthMode": custom}
    return found


def place_errors(page: Page) -> None:
    """The service's messages that name no path, at the field each is about too."""
    for message in page.errors.messages:
        field = next((name for phrase, name in MESSAGE_FIELDS if phrase in message), None)
        if field and not page.errors.get(field):  # a validation failure placed by its path stays alone
            page.errors.note(field, message)


def form_values(config: dict[str, Any]) -> dict[str, Any]:
    """The form's values for a RiskConfigurationType as DescribeRiskConfiguration shows it."""
    compromised = config.get("CompromisedCredentialsRiskConfiguration") or {}
    takeover = config.get("AccountTakeoverRiskConfiguration")
    actions = (takeover or {}).get("Actions") or {}
    notify = (takeover or {}).get("NotifyConfiguration") or {}
    exceptions = config.get("RiskExceptionConfiguration") or {}
    values: dict[str, Any] = {
        "cc_action": (compromised.get("Actions") or {}).get("EventAction", ""),
        "cc_events": list(compromised.get("EventFilter") or ALL_EVENT_FILTERS),
        "adaptive": takeover is not None,
        "notify_from": notify.get("From", ""),
        "notify_reply_to": notify.get("ReplyTo", ""),
        "notify_source_arn": notify.get("SourceArn", ""),
        "blocked_ips": "\n".join(exceptions.get("BlockedIPRangeList") or []),
        "skipped_ips": "\n".join(exceptions.get("SkippedIPRangeList") or []),
    }
    for _, member, key in LEVELS:
        # Proposed for a configuration not made yet: more friction the higher the risk.
        proposed = {"low": "NO_ACTION", "medium": "MFA_IF_CONFIGURED", "high": "BLOCK"}[key]
        action = actions.get(member) or {}
        values[f"action_{key}"] = action.get("EventAction", proposed if takeover is None else "NO_ACTION")
        values[f"notify_{key}"] = bool(action.get("Notify", takeover is None and key != "low"))
    for member, prefix, _ in TEMPLATES:
        template = notify.get(member) or {}
        for part, name in _TEMPLATE_PARTS:
            values[f"{prefix}_{name}"] = template.get(part, "")
    return values


def mode_values(pool: dict[str, Any]) -> dict[str, Any]:
    """The mode fields' values for a pool as DescribeUserPool shows it."""
    found = pool.get("UserPoolAddOns") or {}
    return {
        "mode": found.get("AdvancedSecurityMode", "OFF"),
        "custom_auth_mode": (found.get("AdvancedSecurityAdditionalFlows") or {}).get("CustomAuthMode", ""),
        "tier": pool.get("UserPoolTier", "ESSENTIALS"),
    }
