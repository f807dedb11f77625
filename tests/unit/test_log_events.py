"""The exported events' shapes against the examples of Cognito's developer guide ('Exporting logs from Amazon
Cognito user pools'): the envelope, a message-delivery error, and a user-activity event."""

from __future__ import annotations

from userpool.model.auth_events import AuthEvent, ChallengeKind, ChallengeResult, EventResponse, EventType, RiskLevel
from userpool.model.log_events import java_date, message_delivery_error, user_activity

POOL = "us-west-2_EXAMPLE"
# The example user-activity event of the developer guide, member for member.
EXAMPLE_MESSAGE = {
    "version": "1",
    "eventId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
    "eventType": "SignUp",
    "userSub": "a1b2c3d4-5678-90ab-cdef-EXAMPLE22222",
    "userName": "test-user",
    "userPoolId": POOL,
    "clientId": "1example23456789",
    "creationDate": "Wed Jul 17 17:25:55 UTC 2024",
    "eventResponse": "InProgress",
    "riskLevel": "",
    "riskDecision": "PASS",
    "challenges": [],
    "deviceName": "Other, Other",
    "ipAddress": "192.0.2.1",
    "requestId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE33333",
    "idpName": "",
    "compromisedCredentialDetected": "false",
    "city": "Seattle",
    "country": "United States",
    "eventFeedbackValue": "",
    "eventFeedbackDate": "",
    "eventFeedbackProvider": "",
    "hasContextData": "true",
}


def test_log_events__message_delivery_error_has_the_guides_shape() -> None:
    assert message_delivery_error(POOL, 1687297330.677, "EMAIL message delivery failed") == {
        "eventTimestamp": "1687297330677",
        "eventSource": "USER_NOTIFICATION",
        "logLevel": "ERROR",
        "message": {"details": "EMAIL message delivery failed"},
        "logSourceId": {"userPoolId": POOL},
    }


def test_log_events__user_activity_reproduces_the_guides_example() -> None:
    event = AuthEvent(
        pool_id=POOL,
        sub=EXAMPLE_MESSAGE["userSub"],
        event_id=EXAMPLE_MESSAGE["eventId"],
        event_type=EventType.SignUp,
        created_at=1721237155.0,
        response=EventResponse.InProgress,
        context={"IpAddress": "192.0.2.1", "DeviceName": "Other, Other", "City": "Seattle", "Country": "United States"},
        client_id="1example23456789",
    )
    exported = user_activity(event, "test-user", "a1b2c3d4-5678-90ab-cdef-EXAMPLE33333")
    assert exported == {
        "eventTimestamp": "1721237155000",
        "eventSource": "USER_ACTIVITY",
        "logLevel": "INFO",
        "message": EXAMPLE_MESSAGE,
        "logSourceId": {"userPoolId": POOL},
    }


def test_log_events__user_activity_of_a_failed_sign_in_without_context() -> None:
    event = AuthEvent(
        pool_id=POOL,
        sub="sub-1",
        event_id="e-1",
        event_type=EventType.SignIn,
        created_at=0.0,
        response=EventResponse.Fail,
        risk_level=RiskLevel.Low,
        challenges=((ChallengeKind.Password, ChallengeResult.Failure),),
    )
    message = user_activity(event, "alice", "r-1")["message"]
    assert set(message) == set(EXAMPLE_MESSAGE)
    assert (message["eventType"], message["eventResponse"], message["riskLevel"]) == ("SignIn", "Fail", "LOW")
    assert message["challenges"] == [{"challengeName": "Password", "challengeResponse": "Failure"}]
    assert (message["clientId"], message["ipAddress"], message["hasContextData"]) == ("", "", "false")
    assert all(isinstance(v, str) for k, v in message.items() if k != "challenges")


def test_log_events__java_dates_whatever_the_locale() -> None:
    assert java_date(0) == "Thu Jan 01 00:00:00 UTC 1970"
    assert java_date(1721237155.9) == "Wed Jul 17 17:25:55 UTC 2024"
