"""SetLogDeliveryConfiguration / GetLogDeliveryConfiguration, and the events a pool then exports: Cognito's
rules for each event source (Cognito developer guide: 'Exporting logs from Amazon Cognito user pools'),
message-delivery errors in Cognito's shape in each kind of sink the operator maps ARNs to, and threat
protection's user activity.

One server for the module, whose mail server refuses every recipient and whose SMS gateway cannot be
reached, so that every message it sends fails."""

from __future__ import annotations

import calendar
import json
import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, make_settings, running_server
from tests.support.auth import PASSWORD, make_client, make_user, sign_in
from tests.support.bridge import free_port
from tests.support.errors import fails
from tests.support.log_receiver import LogReceiver, log_receiver
from tests.support.mail import refusing_smtp
from userpool.config import LogDeliverySettings, log_sink
from userpool.delivery.logs.shipper import file_name

pytestmark = pytest.mark.xdist_group("log_delivery")

ACCOUNT = "123456789012"
GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/userpool/notifications"
HOOKED = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/userpool/hooked"
COLLECTED = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/userpool/collected"
UNMAPPED = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/vendedlogs/unmapped"
STREAM = f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/user-activity"
BUCKET = "arn:aws:s3:::user-activity-logs"
ENVELOPE = {"eventTimestamp", "eventSource", "logLevel", "message", "logSourceId"}
# The members of the developer guide's example user-activity event.
USER_ACTIVITY_MEMBERS = {
    "version",
    "eventId",
    "eventType",
    "userSub",
    "userName",
    "userPoolId",
    "clientId",
    "creationDate",
    "eventResponse",
    "riskLevel",
    "riskDecision",
    "challenges",
    "deviceName",
    "ipAddress",
    "requestId",
    "idpName",
    "compromisedCredentialDetected",
    "city",
    "country",
    "eventFeedbackValue",
    "eventFeedbackDate",
    "eventFeedbackProvider",
    "hasContextData",
}


@dataclass
class World:
    server: Server
    idp: Any
    file: Path
    activity: Path
    receiver: LogReceiver


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("log-delivery")
    file = folder / "sinks" / "notifications.jsonl"
    activity = folder / "sinks" / "activity.jsonl"
    with refusing_smtp() as smtp_port, log_receiver() as receiver:
        delivery = LogDeliverySettings(
            destinations={
                GROUP: log_sink(f"file://{file}"),
                HOOKED: log_sink(f"{receiver.url}/hook"),
                COLLECTED: log_sink(f"otlp+{receiver.url}/otel"),
                BUCKET: log_sink(f"file://{activity}"),
            }
        )
        settings = make_settings(
            folder / "data",
            f"sqlite:///{folder / 'userpool.sqlite3'}",
            smtp_url=f"smtp://127.0.0.1:{smtp_port}",
            # Nothing listens there: every SMS fails to connect.
            sms_webhook_url=f"http://127.0.0.1:{free_port()}/sms",
            log_delivery=delivery,
        )
        with running_server(settings) as server:
            yield World(server, server.client(), file, activity, receiver)


def _pool(world: World, **extra: Any) -> str:
    return str(world.idp.create_user_pool(PoolName="logged", **extra)["UserPool"]["Id"])


def _notifications(arn: str) -> dict[str, Any]:
    return {"EventSource": "userNotification", "LogLevel": "ERROR", "CloudWatchLogsConfiguration": {"LogGroupArn": arn}}


def _activity(**destination: Any) -> dict[str, Any]:
    return {"EventSource": "userAuthEvents", "LogLevel": "INFO", **destination}


def _eventually(world: World, found: Callable[[], list[Any]]) -> list[Any]:
    """What ``found`` returns once it is not empty, delivering the outbox meanwhile (10 s at most)."""
    deadline = time.monotonic() + 10
    while True:
        world.server.runtime.dispatcher.drain()
        result = found()
        if result or time.monotonic() > deadline:
            assert result, "no log event was delivered"
            return result
        time.sleep(0.05)


def _events_in(path: Path, pool_id: str) -> Callable[[], list[dict[str, Any]]]:
    def read() -> list[dict[str, Any]]:
        if not path.exists():
            return []
        events = [json.loads(line) for line in path.read_text().splitlines()]
        return [e for e in events if e["logSourceId"] == {"userPoolId": pool_id}]

    return read


def _invite(world: World, pool_id: str, username: str) -> None:
    world.idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )


def _assert_delivery_error(event: dict[str, Any], pool_id: str, channel: str, started: float) -> None:
    assert set(event) == ENVELOPE
    assert event["eventSource"] == "USER_NOTIFICATION"
    assert event["logLevel"] == "ERROR"
    assert event["logSourceId"] == {"userPoolId": pool_id}
    assert set(event["message"]) == {"details"}
    first_attempt = f"{channel} message delivery failed (attempt 1 of 8, will be retried): "
    assert event["message"]["details"].startswith(first_attempt)
    # Epoch milliseconds, as a string.
    assert isinstance(event["eventTimestamp"], str) and event["eventTimestamp"].isdigit()
    assert started * 1000 - 1000 <= int(event["eventTimestamp"]) <= time.time() * 1000 + 1000


# -- Set / Get ---------------------------------------------------------------------------------------------


def test_set_log_delivery_configuration__answers_member_for_member(world: World) -> None:
    idp, pool_id = world.idp, _pool(world)
    configurations = [_notifications(GROUP)]
    answer = idp.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=configurations)
    expected = {"UserPoolId": pool_id, "LogConfigurations": configurations}
    assert answer["LogDeliveryConfiguration"] == expected
    assert idp.get_log_delivery_configuration(UserPoolId=pool_id)["LogDeliveryConfiguration"] == expected
    # Beside the pool, not in it: DescribeUserPool does not show it, and UpdateUserPool keeps it.
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert "LogConfigurations" not in described and "LogDeliveryConfiguration" not in described
    idp.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    assert idp.get_log_delivery_configuration(UserPoolId=pool_id)["LogDeliveryConfiguration"] == expected


def test_set_log_delivery_configuration__both_event_sources_on_the_plus_plan(world: World) -> None:
    idp, pool_id = world.idp, _pool(world, UserPoolTier="PLUS")
    for destination in (
        {"FirehoseConfiguration": {"StreamArn": STREAM}},
        {"S3Configuration": {"BucketArn": BUCKET}},
        {"CloudWatchLogsConfiguration": {"LogGroupArn": UNMAPPED}},
    ):
        configurations = [_activity(**destination), _notifications(GROUP)]
        answer = idp.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=configurations)
        assert answer["LogDeliveryConfiguration"] == {"UserPoolId": pool_id, "LogConfigurations": configurations}
        got = idp.get_log_delivery_configuration(UserPoolId=pool_id)["LogDeliveryConfiguration"]
        assert got["LogConfigurations"] == configurations


def test_set_log_delivery_configuration__an_empty_list_turns_export_off(world: World) -> None:
    idp, pool_id = world.idp, _pool(world)
    idp.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[_notifications(GROUP)])
    answer = idp.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[])
    assert answer["LogDeliveryConfiguration"] == {"UserPoolId": pool_id}
    assert idp.get_log_delivery_configuration(UserPoolId=pool_id)["LogDeliveryConfiguration"] == {"UserPoolId": pool_id}


def test_get_log_delivery_configuration__a_pool_that_exports_nothing(world: World) -> None:
    pool_id = _pool(world)
    answer = world.idp.get_log_delivery_configuration(UserPoolId=pool_id)
    assert answer["LogDeliveryConfiguration"] == {"UserPoolId": pool_id}


@pytest.mark.parametrize(
    ("configurations", "message"),
    [
        (
            [{**_notifications(GROUP), "LogLevel": "INFO"}],
            "The event source userNotification supports only the log level ERROR, not INFO.",
        ),
        (
            [_activity(S3Configuration={"BucketArn": BUCKET}) | {"LogLevel": "ERROR"}],
            "The event source userAuthEvents supports only the log level INFO, not ERROR.",
        ),
        (
            [{"EventSource": "userNotification", "LogLevel": "ERROR"}],
            "The userNotification log configuration needs a destination: CloudWatchLogsConfiguration, "
            "FirehoseConfiguration or S3Configuration.",
        ),
        (
            [_activity(S3Configuration={"BucketArn": BUCKET}, FirehoseConfiguration={"StreamArn": STREAM})],
            "The userAuthEvents log configuration can have only one destination; it has FirehoseConfiguration "
            "and S3Configuration.",
        ),
        (
            [{"EventSource": "userNotification", "LogLevel": "ERROR", "S3Configuration": {"BucketArn": BUCKET}}],
            "The event source userNotification can be delivered only to CloudWatchLogsConfiguration, "
            "not S3Configuration.",
        ),
        (
            [{"EventSource": "userNotification", "LogLevel": "ERROR", "FirehoseConfiguration": {"StreamArn": STREAM}}],
            "The event source userNotification can be delivered only to CloudWatchLogsConfiguration, "
            "not FirehoseConfiguration.",
        ),
        (
            [_notifications(GROUP), _notifications(UNMAPPED)],
            "LogConfigurations can have only one configuration for the event source userNotification.",
        ),
        (
            [{"EventSource": "userNotification", "LogLevel": "ERROR", "CloudWatchLogsConfiguration": {}}],
            "CloudWatchLogsConfiguration.LogGroupArn is required.",
        ),
        (
            [_notifications(STREAM)],
            "CloudWatchLogsConfiguration.LogGroupArn must be the ARN of a CloudWatch Logs log group.",
        ),
        (
            [_activity(FirehoseConfiguration={"StreamArn": GROUP})],
            "FirehoseConfiguration.StreamArn must be the ARN of an Amazon Data Firehose delivery stream.",
        ),
        (
            [_activity(S3Configuration={"BucketArn": "arn:aws:s3:::bucket/key"})],
            "S3Configuration.BucketArn must be the ARN of an Amazon S3 bucket.",
        ),
    ],
)
def test_set_log_delivery_configuration__refused_with_cognitos_error(
    world: World, configurations: list[dict[str, Any]], message: str
) -> None:
    idp, pool_id = world.idp, _pool(world, UserPoolTier="PLUS")
    idp.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[_notifications(GROUP)])
    code, text = fails(idp.set_log_delivery_configuration, UserPoolId=pool_id, LogConfigurations=configurations)
    assert (code, text) == ("InvalidParameterException", message)
    # Nothing was written half-way.
    got = idp.get_log_delivery_configuration(UserPoolId=pool_id)["LogDeliveryConfiguration"]
    assert got["LogConfigurations"] == [_notifications(GROUP)]


def test_set_log_delivery_configuration__user_activity_on_any_plan(world: World) -> None:
    # AWS asks for the Plus plan; there are no plans here, as for threat protection itself.
    idp, pool_id = world.idp, _pool(world)
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["UserPoolTier"] == "ESSENTIALS"
    activity = _activity(S3Configuration={"BucketArn": BUCKET})
    idp.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[activity])
    got = idp.get_log_delivery_configuration(UserPoolId=pool_id)["LogDeliveryConfiguration"]
    assert got["LogConfigurations"] == [activity]


def test_set_log_delivery_configuration__model_validation(world: World) -> None:
    idp, pool_id = world.idp, _pool(world)
    code, message = fails(
        idp.set_log_delivery_configuration,
        UserPoolId=pool_id,
        LogConfigurations=[{"EventSource": "userSignIns", "LogLevel": "ERROR"}],
    )
    assert code == "InvalidParameterException"
    assert message.startswith(
        "1 validation error detected: Value 'userSignIns' at 'logConfigurations.1.member.eventSource'"
    )
    code, _ = fails(
        idp.set_log_delivery_configuration,
        UserPoolId=pool_id,
        LogConfigurations=[_notifications(GROUP), _activity(), _notifications(GROUP)],
    )
    assert code == "InvalidParameterException"


def test_set_log_delivery_configuration__unknown_pool(world: World) -> None:
    for call, extra in (
        (world.idp.set_log_delivery_configuration, {"LogConfigurations": []}),
        (world.idp.get_log_delivery_configuration, {}),
    ):
        code, message = fails(call, UserPoolId="us-east-1_NoSuchPool", **extra)
        assert (code, message) == ("ResourceNotFoundException", "User pool us-east-1_NoSuchPool does not exist.")


# -- message-delivery errors in each sink --------------------------------------------------------------------


def test_set_log_delivery_configuration__refused_mail_is_logged_to_a_file(world: World) -> None:
    pool_id, started = _pool(world), time.time()
    world.idp.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[_notifications(GROUP)])
    _invite(world, pool_id, "ann")
    event = _eventually(world, _events_in(world.file, pool_id))[0]
    _assert_delivery_error(event, pool_id, "EMAIL", started)
    assert "SMTPRecipientsRefused" in event["message"]["details"] and "550" in event["message"]["details"]
    assert stat.S_IMODE(os.stat(world.file).st_mode) == 0o600


def test_set_log_delivery_configuration__unreachable_sms_is_logged_to_the_default_directory(world: World) -> None:
    pool_id, started = _pool(world), time.time()
    world.idp.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[_notifications(UNMAPPED)])
    world.idp.admin_create_user(
        UserPoolId=pool_id,
        Username="bea",
        UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}],
        DesiredDeliveryMediums=["SMS"],
    )
    # An ARN the settings do not map goes to a file of its own in <data_dir>/logs.
    path = world.server.settings.data_dir / "logs" / file_name(UNMAPPED)
    assert path.name == "arn_aws_logs_us-east-1_123456789012_log-group__aws_vendedlogs_unmapped.jsonl"
    event = _eventually(world, _events_in(path, pool_id))[0]
    _assert_delivery_error(event, pool_id, "SMS", started)
    assert "ConnectError" in event["message"]["details"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_set_log_delivery_configuration__errors_posted_to_a_webhook(world: World) -> None:
    pool_id, started = _pool(world), time.time()
    world.idp.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[_notifications(HOOKED)])
    _invite(world, pool_id, "cid")

    def posted() -> list[Any]:
        return [r for r in world.receiver.posts("/hook") if r.body["logSourceId"]["userPoolId"] == pool_id]

    received = _eventually(world, posted)[0]
    assert received.content_type == "application/json"
    _assert_delivery_error(received.body, pool_id, "EMAIL", started)


def test_set_log_delivery_configuration__errors_sent_to_an_otlp_collector(world: World) -> None:
    pool_id, started = _pool(world), time.time()
    world.idp.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[_notifications(COLLECTED)])
    _invite(world, pool_id, "dee")

    def records() -> list[dict[str, Any]]:
        found = []
        for post in world.receiver.posts("/otel/v1/logs"):
            for resource in post.body["resourceLogs"]:
                assert {"key": "service.name", "value": {"stringValue": "userpool"}} in resource["resource"][
                    "attributes"
                ]
                for scope in resource["scopeLogs"]:
                    found += [r for r in scope["logRecords"] if pool_id in r["body"]["stringValue"]]
        return found

    record = _eventually(world, records)[0]
    event = json.loads(record["body"]["stringValue"])
    _assert_delivery_error(event, pool_id, "EMAIL", started)
    assert record["timeUnixNano"] == event["eventTimestamp"] + "000000"
    assert (record["severityNumber"], record["severityText"]) == (17, "ERROR")
    assert {"key": "cognito.log_destination", "value": {"stringValue": COLLECTED}} in record["attributes"]
    assert {"key": "cognito.user_pool_id", "value": {"stringValue": pool_id}} in record["attributes"]


# -- threat protection's user activity ------------------------------------------------------------------------


def test_set_log_delivery_configuration__sign_ins_exported_as_user_activity(world: World) -> None:
    idp = world.idp
    add_ons = {"AdvancedSecurityMode": "AUDIT"}
    pool_id = _pool(world, UserPoolTier="PLUS", UserPoolAddOns=add_ons)
    destination = _activity(S3Configuration={"BucketArn": BUCKET})
    idp.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[destination])
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "erin")
    sub = idp.admin_get_user(UserPoolId=pool_id, Username="erin")["UserAttributes"][0]["Value"]
    started = time.time()
    sign_in(idp, client, "erin")
    with pytest.raises(ClientError) as refused:
        sign_in(idp, client, "erin", PASSWORD + "-wrong")
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"

    # Each state an event is recorded in is exported: InProgress, then Pass or Fail.
    def finished() -> list[dict[str, Any]]:
        events = _events_in(world.activity, pool_id)()
        return (
            events
            if [e["message"]["eventResponse"] for e in events].count("InProgress") == 2 and len(events) == 4
            else []
        )

    events = _eventually(world, finished)
    listed = idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="erin")["AuthEvents"]
    failed_id, passed_id = (e["EventId"] for e in listed)  # newest first
    final = {e["message"]["eventId"]: e for e in events}  # the last state of each
    assert set(final) == {passed_id, failed_id}
    for event_id, response, challenge in ((passed_id, "Pass", "Success"), (failed_id, "Fail", "Failure")):
        event = final[event_id]
        assert set(event) == ENVELOPE
        assert (event["eventSource"], event["logLevel"]) == ("USER_ACTIVITY", "INFO")
        assert event["logSourceId"] == {"userPoolId": pool_id}
        message = event["message"]
        assert set(message) == USER_ACTIVITY_MEMBERS
        assert message["version"] == "1"
        assert (message["eventType"], message["eventResponse"]) == ("SignIn", response)
        assert (message["userName"], message["userSub"], message["userPoolId"]) == ("erin", sub, pool_id)
        assert message["clientId"] == client["ClientId"]
        assert message["challenges"] == [{"challengeName": "Password", "challengeResponse": challenge}]
        assert message["riskDecision"] == "PASS"
        assert message["compromisedCredentialDetected"] == "false"
        assert message["requestId"] and message["idpName"] == ""
        assert all(isinstance(v, str) for k, v in message.items() if k != "challenges")
        created = time.strptime(message["creationDate"], "%a %b %d %H:%M:%S UTC %Y")
        assert started - 2 <= calendar.timegm(created) <= time.time() + 1
        assert int(event["eventTimestamp"]) // 1000 == calendar.timegm(created)
    in_progress = [e for e in events if e["message"]["eventResponse"] == "InProgress"]
    assert {e["message"]["eventId"] for e in in_progress} == {passed_id, failed_id}


def test_set_log_delivery_configuration__no_user_activity_for_a_name_no_user_has(world: World) -> None:
    idp = world.idp
    pool_id = _pool(world, UserPoolTier="PLUS", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})
    destination = _activity(S3Configuration={"BucketArn": BUCKET})
    idp.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[destination])
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "fay")
    with pytest.raises(ClientError):
        sign_in(idp, client, "nobody")
    sign_in(idp, client, "fay")
    # Events are exported in order: once fay's are in the file, the stranger's would be before them.
    events = _eventually(world, lambda: [e for e in _events_in(world.activity, pool_id)() if _passed(e)])
    assert {e["message"]["userName"] for e in _events_in(world.activity, pool_id)()} == {"fay"}
    assert len(events) == 1


def _passed(event: dict[str, Any]) -> bool:
    return bool(event["message"]["eventResponse"] == "Pass")
