"""Assessing a sign-in's risk (Cognito developer guide: 'Adaptive authentication'): the signals known about
an attempt, the risk level they add up to, and the decision a pool's mode and risk configuration make of it.

``SignInSignals`` is the one record of what is known; ``risk_level`` the one function from signals to a
level. A new signal is a new field of the record, with a default that means "no evidence", and a rule in
``risk_level``; nothing else changes. The signals are the pool's IP exception lists and adaptive
authentication's evidence (a new device, a new network, repeated failures, impossible travel), whose rules
are in model/risk_signals.py.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from userpool.model.auth_events import ChallengeKind, ChallengeResult, RiskDecision, RiskLevel
from userpool.model.pool_mfa import EMAIL, SMS, TOTP, enabled_factors
from userpool.model.records import Pool, User
from userpool.model.risk_configuration import NO_TAKEOVER_ACTION, TakeoverAction
from userpool.model.risk_signals import NO_EVIDENCE, AdaptiveSignals, adaptive_level
from userpool.model.user_mfa import DESTINATION, MfaDecision
from userpool.model.vocabulary import ChallengeName

# The account-takeover responses that ask for a second factor (AWS: AccountTakeoverActionType).
MFA_IF_CONFIGURED = "MFA_IF_CONFIGURED"
MFA_REQUIRED = "MFA_REQUIRED"
BLOCK = "BLOCK"
NO_ACTION = "NO_ACTION"
# What Cognito answers a refused sign-in, as its users have seen it (application code that handles Cognito's
# errors quotes both; AWS's documentation gives no wording): a sign-in from an address of the
# BlockedIPRangeList, and one that adaptive authentication blocked.
BLOCKED_IP_MESSAGE = "Request not allowed due to security reasons."
BLOCKED_RISK_MESSAGE = "Unable to login because of security reasons."


def ip_address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``text`` as an IP address; None when it is none (a test client's peer name, an empty value)."""
    if not text:
        return None
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def in_ranges(address: str | None, ranges: list[str]) -> bool:
    """Whether ``address`` lies in one of the CIDR ``ranges`` (an IPv4 address is never in an IPv6 range)."""
    found = ip_address(address)
    if found is None:
        return False
    for text in ranges:
        network = ipaddress.ip_network(text, strict=False)
        if network.version == found.version and found in network:
            return True
    return False


@dataclass(frozen=True, slots=True)
class SignInSignals:
    """What is known about one sign-in attempt when it is assessed. ``ip_address`` is the address assessed
    (empty when none is known); ``blocked_ip`` / ``skipped_ip``: it lies in the configuration's
    BlockedIPRangeList / SkippedIPRangeList; ``adaptive``: what the user's history, devices and the GeoIP
    database say of it."""

    ip_address: str = ""
    blocked_ip: bool = False
    skipped_ip: bool = False
    adaptive: AdaptiveSignals = NO_EVIDENCE


def risk_level(signals: SignInSignals) -> RiskLevel | None:
    """The risk the signals add up to; None for no risk. An address of the always-block list is High; one of
    the never-assess list is not assessed at all; any other is scored by adaptive authentication's rules."""
    if signals.blocked_ip:
        return RiskLevel.High
    if signals.skipped_ip:
        return None
    return adaptive_level(signals.adaptive)


@dataclass(frozen=True, slots=True)
class Assessment:
    """A sign-in's assessment: its ``level`` (None: no risk), the ``decision`` recorded with the event, and in
    ENFORCED mode the configured ``action`` for that level, which the sign-in then undergoes."""

    level: RiskLevel | None
    decision: RiskDecision
    action: TakeoverAction = NO_TAKEOVER_ACTION
    blocked_ip: bool = False

    @property
    def refused(self) -> bool:
        return self.decision == RiskDecision.Block

    @property
    def mfa(self) -> str | None:
        """MFA_REQUIRED or MFA_IF_CONFIGURED when the sign-in must take a second factor for its risk."""
        if self.decision == RiskDecision.AccountTakeover and self.action.event_action in (
            MFA_REQUIRED,
            MFA_IF_CONFIGURED,
        ):
            return self.action.event_action
        return None

    @property
    def refusal_message(self) -> str:
        return BLOCKED_IP_MESSAGE if self.blocked_ip else BLOCKED_RISK_MESSAGE


def decide(mode: str, signals: SignInSignals, level: RiskLevel | None, action: TakeoverAction) -> Assessment:
    """What threat protection in ``mode`` (AUDIT or ENFORCED) does with a sign-in assessed at ``level``, whose
    configured response is ``action``. AUDIT records the level and acts on nothing, so its decision is always
    NoRisk (RiskDecisionType: the action taken). ENFORCED blocks an address of the always-block list whatever
    the configured response; otherwise it applies the response: BLOCK blocks, an MFA response or a notice is
    an account-takeover response, no action at all is none."""
    if mode != "ENFORCED":
        return Assessment(level, RiskDecision.NoRisk, blocked_ip=signals.blocked_ip)
    if signals.blocked_ip:
        return Assessment(level, RiskDecision.Block, TakeoverAction(BLOCK, action.notify), blocked_ip=True)
    if level is None:
        return Assessment(None, RiskDecision.NoRisk)
    if action.event_action == BLOCK:
        return Assessment(level, RiskDecision.Block, action)
    if action.event_action != NO_ACTION or action.notify:
        return Assessment(level, RiskDecision.AccountTakeover, action)
    return Assessment(level, RiskDecision.NoRisk, action)


@dataclass(slots=True)
class EventNote:
    """What the steps of one call learn about the auth event the call records, before it is written (a call's
    ``Ctx.event_note``): compromised-credentials detection sets ``compromised``, the event's
    CompromisedCredentialsDetected."""

    compromised: bool = False


@dataclass(frozen=True, slots=True)
class RiskResponse:
    """What ENFORCED threat protection asks of a sign-in in progress (a call's ``Ctx.risk_response``): a second
    factor, MFA_REQUIRED or MFA_IF_CONFIGURED, for the risk it was assessed at."""

    mfa: str


def _header(headers: list[dict[str, Any]], name: str) -> str:
    for header in headers:
        if str(header.get("headerName", "")).lower() == name:
            return str(header.get("headerValue", ""))
    return ""


def event_context(
    peer: str,
    request: dict[str, Any],
    *,
    admin: bool,
    propagates: bool,
    user_agent: str = "",
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """EventContextData for a request (Cognito developer guide: 'Adding user device and session data to API
    requests'): an Admin* call's ContextData gives the user's address and, from its HttpHeaders, the
    User-Agent as device name; a public call's UserContextData.IpAddress counts only for an app client with
    EnablePropagateAdditionalUserContextData (``propagates``), and its device is the request's own
    ``user_agent`` (the user's browser or app calls the public operations itself); otherwise the request's own
    peer address. The address is kept in its canonical form, so that one address is always written alike."""
    context: dict[str, str] = dict(extra or {})
    if admin:
        data = request.get("ContextData") or {}
        address = str(data.get("IpAddress") or "") or peer
        agent = _header(list(data.get("HttpHeaders") or []), "user-agent")
    else:
        data = request.get("UserContextData") or {}
        address = str(data.get("IpAddress") or "") if propagates else ""
        address = address or peer
        agent = user_agent
    if agent.strip():
        context["DeviceName"] = agent.strip()
    found = ip_address(address)
    if found is not None:
        context["IpAddress"] = str(found)
    return context


# The challenges whose answer proves a factor, as the event history names them (ChallengeResponseType).
_MFA_CHALLENGES = frozenset({ChallengeName.SMS_MFA, ChallengeName.SOFTWARE_TOKEN_MFA})


def challenge_kind(
    challenge: str | None, responses: dict[str, str], so_far: tuple[tuple[ChallengeKind, ChallengeResult], ...]
) -> ChallengeKind | None:
    """Which factor a sign-in step proves: the password (an InitiateAuth carrying PASSWORD, SRP's
    PASSWORD_VERIFIER, SELECT_CHALLENGE answered with a password), a second factor (SMS_MFA,
    SOFTWARE_TOKEN_MFA, and EMAIL_OTP after a password), or nothing the history names (None)."""
    if challenge is None:
        return ChallengeKind.Password if responses.get("PASSWORD") else None
    if challenge == ChallengeName.PASSWORD_VERIFIER:
        return ChallengeKind.Password
    if challenge == ChallengeName.SELECT_CHALLENGE:
        return ChallengeKind.Password if responses.get("PASSWORD") else None
    if challenge in _MFA_CHALLENGES:
        return ChallengeKind.Mfa
    if challenge == ChallengeName.EMAIL_OTP and any(kind == ChallengeKind.Password for kind, _ in so_far):
        return ChallengeKind.Mfa
    return None


def risk_mfa_decision(pool: Pool, user: User, totp_verified: bool, usual: MfaDecision) -> MfaDecision | None:
    """The second factor a sign-in takes for its risk (AccountTakeoverActionType: MFA "if possible"): the MFA
    step the pool and user call for anyway, else a factor the pool offers (MfaConfiguration OPTIONAL or ON)
    and the user can receive even without having turned it on: a verified authenticator, a phone number for
    SMS, an email address for EMAIL_OTP. None when no factor is possible."""
    if usual.challenge is not None and usual.challenge != ChallengeName.MFA_SETUP:
        return usual
    offered = set(enabled_factors(pool.config))
    if totp_verified and TOTP in offered:
        return MfaDecision(TOTP)
    for factor in (SMS, EMAIL):
        if factor in offered and user.attributes.get(DESTINATION[factor]):
            return MfaDecision(factor)
    return None
