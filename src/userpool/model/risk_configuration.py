"""Threat protection's risk configuration (AWS: SetRiskConfiguration, RiskConfigurationType): what a pool, or
one of its app clients, does about compromised credentials and account-takeover risk, whom it notifies and
how, and which IP ranges are always blocked or never assessed.

A configuration is stored as the document SetRiskConfiguration set, under Cognito's member names, for the
pool or for one client; a client's replaces the pool's whole for sign-ins through that client (Cognito
developer guide: 'Adaptive authentication': a global configuration for all app clients, a client-level one
for individual app clients). The layers above read it only through the functions here.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from userpool.errors import InvalidParameterException
from userpool.model.auth_events import RiskLevel

# ClientId "ALL" names the pool-level configuration, as CloudFormation's UserPoolRiskConfigurationAttachment
# sends it.
ALL_CLIENTS = "ALL"
CONFIG_MEMBERS = (
    "CompromisedCredentialsRiskConfiguration",
    "AccountTakeoverRiskConfiguration",
    "RiskExceptionConfiguration",
)
# CompromisedCredentialsRiskConfigurationType.EventFilter: "Defaults to all events."
ALL_EVENT_FILTERS = ("SIGN_IN", "PASSWORD_CHANGE", "SIGN_UP")
LEVEL_ACTIONS = {RiskLevel.Low: "LowAction", RiskLevel.Medium: "MediumAction", RiskLevel.High: "HighAction"}
_EMAILS = ("BlockEmail", "NoActionEmail", "MfaEmail")
# NotifyConfigurationType.SourceArn: the SES identity that authorises sending for From (AWS: ArnType; Amazon
# SES: identity ARNs are arn:aws:ses:<region>:<account>:identity/<email address or domain>).
_SES_IDENTITY = re.compile(r"arn:aws[\w-]*:ses:[a-z0-9-]+:\d{12}:identity/(?P<identity>[^\s/]+)")


@dataclass(frozen=True, slots=True)
class RiskConfiguration:
    """A stored configuration: the pool's (``client_id`` None) or one client's, as SetRiskConfiguration set it."""

    pool_id: str
    client_id: str | None
    config: dict[str, Any]
    updated_at: float


def is_pool_level(client_id: str | None) -> bool:
    """Whether a request's ClientId names the pool-level configuration (absent, or "ALL")."""
    return client_id is None or client_id == ALL_CLIENTS


def _ip_ranges(member: str, ranges: list[str]) -> list[str]:
    for text in ranges:
        # CIDR notation, IPv4 or IPv6 (Cognito developer guide: 'IP address exceptions'); host bits may be set,
        # as in AWS's own examples ("10.10.10.10/32" aside, "192.168.100.0/24").
        try:
            if "/" not in text:
                raise ValueError(text)
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise InvalidParameterException(
                f"{member} must hold IP address ranges in CIDR notation; '{text}' is not one."
            ) from None
    return list(ranges)


def _address(member: str, value: str) -> None:
    _, address = parseaddr(value)
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise InvalidParameterException(f"NotifyConfiguration.{member} must be an email address.")


def _notify_configuration(given: dict[str, Any]) -> dict[str, Any]:
    if not _SES_IDENTITY.fullmatch(given["SourceArn"]):
        raise InvalidParameterException(
            "NotifyConfiguration.SourceArn must be the ARN of an Amazon SES identity "
            "(arn:aws:ses:<region>:<account>:identity/<email address or domain>)."
        )
    for member in ("From", "ReplyTo"):
        if given.get(member):
            _address(member, given[member])
    for name in _EMAILS:
        template = given.get(name)
        if template is not None and not (template.get("HtmlBody") or template.get("TextBody")):
            raise InvalidParameterException(f"NotifyConfiguration.{name} needs an HtmlBody or a TextBody.")
    return copy.deepcopy(given)


def checked(request: dict[str, Any]) -> dict[str, Any]:
    """The document SetRiskConfiguration stores for ``request`` (nulls already dropped): its configuration
    members, checked, with Cognito's defaults filled in; empty when it sets none, which resets the
    configuration."""
    config: dict[str, Any] = {}
    compromised = request.get("CompromisedCredentialsRiskConfiguration")
    if compromised is not None:
        filters = list(dict.fromkeys(compromised.get("EventFilter") or ALL_EVENT_FILTERS))
        config["CompromisedCredentialsRiskConfiguration"] = {
            "EventFilter": filters,
            "Actions": {"EventAction": compromised["Actions"]["EventAction"]},
        }
    takeover = request.get("AccountTakeoverRiskConfiguration")
    if takeover is not None:
        checked_takeover: dict[str, Any] = {"Actions": copy.deepcopy(takeover["Actions"])}
        if "NotifyConfiguration" in takeover:
            checked_takeover["NotifyConfiguration"] = _notify_configuration(takeover["NotifyConfiguration"])
        config["AccountTakeoverRiskConfiguration"] = checked_takeover
    exceptions = request.get("RiskExceptionConfiguration")
    if exceptions is not None:
        config["RiskExceptionConfiguration"] = {
            member: _ip_ranges(member, exceptions[member])
            for member in ("BlockedIPRangeList", "SkippedIPRangeList")
            if member in exceptions
        }
    return config


def wire(pool_id: str, client_id: str | None, stored: RiskConfiguration | None) -> dict[str, Any]:
    """RiskConfigurationType: ``stored`` (None: nothing configured) as the configuration of ``client_id``
    (None: the pool's)."""
    body: dict[str, Any] = {"UserPoolId": pool_id}
    if client_id is not None:
        body["ClientId"] = client_id
    if stored is not None:
        body.update({k: copy.deepcopy(stored.config[k]) for k in CONFIG_MEMBERS if k in stored.config})
        body["LastModifiedDate"] = stored.updated_at
    return body


# Reading an effective configuration (the client's, else the pool's; None: nothing configured).


def compromised_credentials_action(config: RiskConfiguration | None, event: str) -> str | None:
    """What to do with compromised credentials detected at ``event`` (SIGN_IN, PASSWORD_CHANGE, SIGN_UP):
    "BLOCK" or "NO_ACTION"; None when compromised-credentials detection is not configured for that event."""
    found = (config.config if config else {}).get("CompromisedCredentialsRiskConfiguration")
    if not found or event not in found.get("EventFilter", ALL_EVENT_FILTERS):
        return None
    action: str = found["Actions"]["EventAction"]
    return action


@dataclass(frozen=True, slots=True)
class TakeoverAction:
    """AccountTakeoverActionType for one risk level: BLOCK, MFA_IF_CONFIGURED, MFA_REQUIRED or NO_ACTION, and
    whether the user is notified."""

    event_action: str
    notify: bool


NO_TAKEOVER_ACTION = TakeoverAction("NO_ACTION", False)


def takeover_action(config: RiskConfiguration | None, level: RiskLevel) -> TakeoverAction:
    """The configured response to a sign-in assessed at ``level``; no action and no notice when none is."""
    takeover = (config.config if config else {}).get("AccountTakeoverRiskConfiguration") or {}
    action = (takeover.get("Actions") or {}).get(LEVEL_ACTIONS[level])
    if not action:
        return NO_TAKEOVER_ACTION
    return TakeoverAction(str(action["EventAction"]), bool(action["Notify"]))


def notify_configuration(config: RiskConfiguration | None) -> dict[str, Any]:
    """NotifyConfigurationType (From, ReplyTo, SourceArn and the three templates); empty when not configured."""
    takeover = (config.config if config else {}).get("AccountTakeoverRiskConfiguration") or {}
    return dict(takeover.get("NotifyConfiguration") or {})


def notification_sender(notify: dict[str, Any]) -> str | None:
    """The From of notifications: NotifyConfiguration.From, else the SES identity's address when it is one
    (an identity may be a domain, which is no address); None leaves the server's own sender."""
    if notify.get("From"):
        return str(notify["From"])
    match = _SES_IDENTITY.fullmatch(str(notify.get("SourceArn", "")))
    if match and "@" in match["identity"]:
        return match["identity"]
    return None


def blocked_ranges(config: RiskConfiguration | None) -> list[str]:
    """RiskExceptionConfiguration.BlockedIPRangeList: sign-ins from these are always blocked."""
    exceptions = (config.config if config else {}).get("RiskExceptionConfiguration") or {}
    return list(exceptions.get("BlockedIPRangeList") or [])


def skipped_ranges(config: RiskConfiguration | None) -> list[str]:
    """RiskExceptionConfiguration.SkippedIPRangeList: sign-ins from these are not assessed."""
    exceptions = (config.config if config else {}).get("RiskExceptionConfiguration") or {}
    return list(exceptions.get("SkippedIPRangeList") or [])
