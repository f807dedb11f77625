"""A pool's log delivery: the LogConfigurations that SetLogDeliveryConfiguration stores, held to Cognito's rules.

Cognito developer guide, 'Exporting logs from Amazon Cognito user pools' ('Things to know about log export'),
and LogConfigurationType in the API reference:

- message-delivery errors are ``userNotification`` logs at ``ERROR`` level, sent to a CloudWatch Logs log
  group and nowhere else;
- threat protection's user activity is ``userAuthEvents`` at ``INFO`` level ("Exported user-activity logs are
  at the INFO error level only"), sent to one log group, Firehose stream or S3 bucket, on the Plus feature
  plan only;
- a pool combines at most one configuration of each kind ("You can't send user-activity logs to multiple
  destinations").

The list is kept in the pool's configuration document under ``LogConfigurations``, as it was sent (nulls
dropped). It is no member of UserPoolType: DescribeUserPool does not show it, and UpdateUserPool keeps it.
Where a destination's events end up on this server is the operator's choice (settings ``log_delivery``).
"""

from __future__ import annotations

import copy
from typing import Any

from userpool.errors import InvalidParameterException
from userpool.model.records import Pool
from userpool.model.vocabulary import LogEventSource, LogLevel

STORED = "LogConfigurations"

# Each destination member, the member holding its ARN, the ARN's service and what its resource starts with.
DESTINATIONS: dict[str, tuple[str, str, str]] = {
    "CloudWatchLogsConfiguration": ("LogGroupArn", "logs", "log-group:"),
    "FirehoseConfiguration": ("StreamArn", "firehose", "deliverystream/"),
    "S3Configuration": ("BucketArn", "s3", ""),
}
_KIND = {
    "CloudWatchLogsConfiguration": "a CloudWatch Logs log group",
    "FirehoseConfiguration": "an Amazon Data Firehose delivery stream",
    "S3Configuration": "an Amazon S3 bucket",
}
# What each event source allows: its one log level and the destinations it may go to.
RULES: dict[LogEventSource, tuple[LogLevel, tuple[str, ...]]] = {
    LogEventSource.userNotification: (LogLevel.ERROR, ("CloudWatchLogsConfiguration",)),
    LogEventSource.userAuthEvents: (LogLevel.INFO, tuple(DESTINATIONS)),
}


def _arn_is(arn: str, member: str) -> bool:
    _, service, resource_prefix = DESTINATIONS[member]
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[2] != service:
        return False
    if member == "S3Configuration":
        # arn:<partition>:s3:::<bucket>: no region or account, no key (S3ArnType).
        return parts[3] == parts[4] == "" and "/" not in parts[5] and bool(parts[5])
    return parts[5].startswith(resource_prefix) and len(parts[5]) > len(resource_prefix)


def _destination(entry: dict[str, Any], source: str) -> str:
    """The one destination member of ``entry``, its ARN checked for its kind."""
    members = [m for m in DESTINATIONS if m in entry]
    if not members:
        raise InvalidParameterException(
            f"The {source} log configuration needs a destination: CloudWatchLogsConfiguration, "
            "FirehoseConfiguration or S3Configuration."
        )
    if len(members) > 1:
        raise InvalidParameterException(
            f"The {source} log configuration can have only one destination; it has {' and '.join(members)}."
        )
    member = members[0]
    arn_member = DESTINATIONS[member][0]
    arn = entry[member].get(arn_member)
    if not arn:
        raise InvalidParameterException(f"{member}.{arn_member} is required.")
    if not _arn_is(arn, member):
        raise InvalidParameterException(f"{member}.{arn_member} must be the ARN of {_KIND[member]}.")
    return member


def checked(configurations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``configurations`` (SetLogDeliveryConfiguration's LogConfigurations, nulls dropped) if a pool may have
    them, else Cognito's error. Error wording is ours [unverified]. AWS exports user activity only from pools
    on the Plus plan; there are no plans here, so any pool may, as any pool may have threat protection."""
    seen: set[str] = set()
    for entry in configurations:
        source = LogEventSource(entry["EventSource"])
        level, allowed = RULES[source]
        if source in seen:
            raise InvalidParameterException(
                f"LogConfigurations can have only one configuration for the event source {source}."
            )
        seen.add(source)
        if entry["LogLevel"] != level:
            raise InvalidParameterException(
                f"The event source {source} supports only the log level {level}, not {entry['LogLevel']}."
            )
        member = _destination(entry, source)
        if member not in allowed:
            raise InvalidParameterException(
                f"The event source {source} can be delivered only to {' or '.join(allowed)}, not {member}."
            )
    return copy.deepcopy(configurations)


def stored(config: dict[str, Any]) -> dict[str, Any]:
    """The log delivery members of a configuration document: what UpdateUserPool carries over."""
    return {STORED: copy.deepcopy(config[STORED])} if config.get(STORED) else {}


def with_configurations(config: dict[str, Any], configurations: list[dict[str, Any]]) -> dict[str, Any]:
    """``config`` with ``configurations`` as its log delivery (none: the member goes away)."""
    updated = {k: v for k, v in config.items() if k != STORED}
    if configurations:
        updated[STORED] = copy.deepcopy(configurations)
    return updated


def configurations(pool: Pool) -> list[dict[str, Any]]:
    """The pool's LogConfigurations, in the order they were set."""
    return copy.deepcopy(pool.config.get(STORED) or [])


def wire(pool_id: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """LogDeliveryConfigurationType. A pool without log delivery answers without LogConfigurations, as Cognito
    does after an empty SetLogDeliveryConfiguration (terraform-provider-aws reads it so)."""
    body: dict[str, Any] = {"UserPoolId": pool_id}
    if entries:
        body["LogConfigurations"] = copy.deepcopy(entries)
    return body


def destination_arn(pool: Pool, source: LogEventSource) -> str | None:
    """The ARN the pool sends ``source`` events to, or None when it sends them nowhere."""
    for entry in pool.config.get(STORED) or []:
        if entry.get("EventSource") == source:
            for member, (arn_member, _, _) in DESTINATIONS.items():
                if member in entry:
                    return str(entry[member][arn_member])
    return None
