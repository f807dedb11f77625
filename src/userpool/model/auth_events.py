"""The user event history of threat protection: one record per sign-in, sign-up, password change, password
recovery or code resend of a user in a pool whose AdvancedSecurityMode is AUDIT or ENFORCED, as
AdminListUserAuthEvents shows it (AWS: AuthEventType; Cognito developer guide: 'Viewing and exporting user
event history').

The names here are the model's enums, each member the literal itself (tests/unit/test_vocabulary.py checks
them against botocore's model), so a value read back from the database compares equal to its member.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    """EventType: what the user did."""

    SignIn = "SignIn"
    SignUp = "SignUp"
    ForgotPassword = "ForgotPassword"
    PasswordChange = "PasswordChange"
    ResendCode = "ResendCode"


class EventResponse(StrEnum):
    """EventResponseType: how it ended; InProgress while a challenge is open."""

    Pass = "Pass"  # noqa: S105 (an event response)
    Fail = "Fail"
    InProgress = "InProgress"


class RiskDecision(StrEnum):
    """RiskDecisionType: the action taken: none, the configured account-takeover response, or a block."""

    NoRisk = "NoRisk"
    AccountTakeover = "AccountTakeover"
    Block = "Block"


class RiskLevel(StrEnum):
    """RiskLevelType, lowest first."""

    Low = "Low"
    Medium = "Medium"
    High = "High"


class ChallengeKind(StrEnum):
    """ChallengeResponseType's ChallengeName: the factor the user was asked for."""

    Password = "Password"  # noqa: S105 (a challenge kind)
    Mfa = "Mfa"


class ChallengeResult(StrEnum):
    """ChallengeResponseType's ChallengeResponse."""

    Success = "Success"
    Failure = "Failure"


class FeedbackValue(StrEnum):
    """FeedbackValueType: whether the event was the user's (Valid) or not (Invalid)."""

    Valid = "Valid"
    Invalid = "Invalid"


# Who gave feedback: the console and AdminUpdateAuthEventFeedback say "Admin" (AWS: EventFeedbackType);
# the user's one-click link, UpdateAuthEventFeedback, says "User" [unverified].
ADMIN_PROVIDER = "Admin"
USER_PROVIDER = "User"

# The members of EventContextDataType an event may carry.
CONTEXT_MEMBERS = ("IpAddress", "DeviceName", "Timezone", "City", "Country")


def new_event_id() -> str:
    """A UUID, as the event ids in AWS's examples are; within EventIdType's pattern and 50 characters."""
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class AuthEvent:
    """One event of a user's history. ``challenges`` are (ChallengeKind, ChallengeResult) pairs in the order
    they were answered; ``context`` holds EventContextDataType members; ``client_id`` is the app client the
    event came through (its risk configuration applies), None for events without one. The feedback token a
    notification carries is kept only as its SHA-256 (``feedback_token_hash``); so is ``link_hash``, the Session (or
    SRP SECRET_BLOCK) of the sign-in's open challenge, by which its next step finds the event. ``network`` and
    ``device`` are what adaptive authentication recognises a sign-in's network and device by later
    (model/risk_signals.py ``network_of`` and ``device_identity``), None where the event has none."""

    pool_id: str
    sub: str
    event_id: str
    event_type: EventType
    created_at: float
    response: EventResponse
    risk_decision: RiskDecision = RiskDecision.NoRisk
    risk_level: RiskLevel | None = None
    compromised: bool = False
    challenges: tuple[tuple[ChallengeKind, ChallengeResult], ...] = ()
    context: dict[str, str] = field(default_factory=dict)
    client_id: str | None = None
    feedback_value: FeedbackValue | None = None
    feedback_provider: str | None = None
    feedback_at: float | None = None
    feedback_token_hash: str | None = None
    link_hash: str | None = None
    network: str | None = None
    device: str | None = None


def wire(event: AuthEvent) -> dict[str, Any]:
    """AuthEventType for ``event``. An event assessed as no risk reports the level Low, as Cognito's own
    no-risk events do."""
    risk: dict[str, Any] = {
        "RiskDecision": event.risk_decision.value,
        "RiskLevel": (event.risk_level or RiskLevel.Low).value,
        "CompromisedCredentialsDetected": event.compromised,
    }
    body: dict[str, Any] = {
        "EventId": event.event_id,
        "EventType": event.event_type.value,
        "CreationDate": event.created_at,
        "EventResponse": event.response.value,
        "EventRisk": risk,
        "ChallengeResponses": [
            {"ChallengeName": kind.value, "ChallengeResponse": result.value} for kind, result in event.challenges
        ],
        "EventContextData": {k: event.context[k] for k in CONTEXT_MEMBERS if event.context.get(k)},
    }
    if event.feedback_value is not None:
        feedback: dict[str, Any] = {"FeedbackValue": event.feedback_value.value, "Provider": event.feedback_provider}
        if event.feedback_at is not None:
            feedback["FeedbackDate"] = event.feedback_at
        body["EventFeedback"] = feedback
    return body
