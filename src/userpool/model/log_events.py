"""The events a pool's log delivery exports, in the shapes Cognito delivers them (Cognito developer guide,
'Exporting logs from Amazon Cognito user pools': the example events of 'Exporting email and SMS message
delivery errors' and 'Exporting threat protection user activity logs').

Every event has the same envelope: ``eventTimestamp`` (epoch milliseconds, as a string), ``eventSource``,
``logLevel``, ``message`` and ``logSourceId`` (the pool). A message-delivery error's ``message`` is
``{"details": ...}``. Nothing in an event carries a message's text, a code or a password.
"""

from __future__ import annotations

from typing import Any

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
