"""The events a pool's log delivery exports, in the shapes Cognito delivers them (Cognito developer guide,
'Exporting logs from Amazon Cognito user pools': the example events of 'Exporting email and SMS message
delivery errors' and 'Exporting threat protection user activity logs').

Every event has the same envelope: ``eventTimestamp`` (epoch milliseconds, as a string), ``eventSource``,
``logLevel``, ``message`` and ``logSourceId`` (the pool). A message-delivery error's ``message`` is
``{"details": ...}``; a user-activity event's is one auth event of threat protection's user event history, its
values all strings (or the list of challenges). Nothing in an event carries a message's text, a code, a
password or a token.
"""

from __future__ import annotations

import time
from typing import Any

from userpool.model.auth_events import CONTEXT_MEMBERS, AuthEvent, RiskDecision
from userpool.model.vocabulary import LogEventSource, LogLevel

# The envelope's eventSource for each EventSourceName a LogConfiguration names.
ENVELOPE_SOURCE = {
    LogEventSource.userNotification: "USER_NOTIFICATION",
    LogEventSource.userAuthEvents: "USER_ACTIVITY",
}


def envelope(pool_id: str, now: float, source: LogEventSource, level: LogLevel, message: Any) -> dict[str, Any]:
    """One exported event of ``pool_id`` at ``now`` (epoch seconds)."""
    return {
        "eventTimestamp": str(int(now * 1000)),
        "eventSource": ENVELOPE_SOURCE[source],
        "logLevel": str(level),
        "message": message,
        "logSourceId": {"userPoolId": pool_id},
    }


def delivery_error_details(channel: str, attempt: int, max_attempts: int, retrying: bool, error: str) -> str:
    """What a message-delivery error says: the channel (EMAIL or SMS), which attempt failed, whether another
    follows, and the sender's reason."""
    outcome = "will be retried" if retrying else "not retried"
    return f"{channel} message delivery failed (attempt {attempt} of {max_attempts}, {outcome}): {error}"


def message_delivery_error(pool_id: str, now: float, details: str) -> dict[str, Any]:
    """A ``userNotification`` event: an email or SMS message that could not be delivered."""
    return envelope(pool_id, now, LogEventSource.userNotification, LogLevel.ERROR, {"details": details})


# The log's names for the risk decisions: AWS's example shows PASS for an event without risk; the others
# follow its spelling [unverified].
RISK_DECISIONS = {
    RiskDecision.NoRisk: "PASS",
    RiskDecision.AccountTakeover: "ACCOUNT_TAKEOVER",
    RiskDecision.Block: "BLOCK",
}


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def java_date(epoch: float) -> str:
    """``epoch`` as AWS's example writes creationDate, Java's Date.toString in UTC: "Wed Jul 17 17:25:55 UTC
    2024" (English names whatever the process's locale)."""
    t = time.gmtime(epoch)
    clock = f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
    return f"{_DAYS[t.tm_wday]} {_MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} {clock} UTC {t.tm_year}"


def user_activity(event: AuthEvent, user_name: str, request_id: str, idp_name: str = "") -> dict[str, Any]:
    """A ``userAuthEvents`` event for one recorded auth event of ``user_name``, as Cognito exports threat
    protection's user activity: every member of AWS's example, absent values as empty strings."""
    context = event.context
    challenges = [{"challengeName": str(kind), "challengeResponse": str(result)} for kind, result in event.challenges]
    message = {
        "version": "1",
        "eventId": event.event_id,
        "eventType": str(event.event_type),
        "userSub": event.sub,
        "userName": user_name,
        "userPoolId": event.pool_id,
        "clientId": event.client_id or "",
        "creationDate": java_date(event.created_at),
        "eventResponse": str(event.response),
        "riskLevel": str(event.risk_level).upper() if event.risk_level is not None else "",
        "riskDecision": RISK_DECISIONS[event.risk_decision],
        "challenges": challenges,
        "deviceName": context.get("DeviceName", ""),
        "ipAddress": context.get("IpAddress", ""),
        "requestId": request_id,
        "idpName": idp_name,
        "compromisedCredentialDetected": "true" if event.compromised else "false",
        "city": context.get("City", ""),
        "country": context.get("Country", ""),
        "eventFeedbackValue": str(event.feedback_value) if event.feedback_value is not None else "",
        "eventFeedbackDate": java_date(event.feedback_at) if event.feedback_at is not None else "",
        "eventFeedbackProvider": event.feedback_provider or "",
        "hasContextData": "true" if any(context.get(k) for k in CONTEXT_MEMBERS) else "false",
    }
    return envelope(event.pool_id, event.created_at, LogEventSource.userAuthEvents, LogLevel.INFO, message)
