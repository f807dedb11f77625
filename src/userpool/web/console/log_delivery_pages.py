"""A pool's Log delivery page: where it exports message-delivery errors (userNotification, to a CloudWatch Logs
log group) and threat protection's user activity (userAuthEvents, to a log group, a Firehose stream or an S3
bucket), through GetLogDeliveryConfiguration and SetLogDeliveryConfiguration (Cognito
developer guide: 'Exporting logs from Amazon Cognito user pools'). Where each ARN's events end up on this
server is the operator's setting (README "Log delivery")."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from userpool.model.log_delivery import DESTINATIONS
from userpool.model.vocabulary import LogEventSource, LogLevel
from userpool.web.console.frame import Page
from userpool.web.console.pool_forms import echo
from userpool.web.console.pool_pages import load_pool

DESTINATION_CHOICES = (
    ("", "Not exported"),
    ("CloudWatchLogsConfiguration", "CloudWatch Logs log group"),
    ("FirehoseConfiguration", "Amazon Data Firehose stream"),
    ("S3Configuration", "Amazon S3 bucket"),
)
_NOTIFICATIONS = "CloudWatchLogsConfiguration"
# The service's messages that name no validation path, and the field each is about (model/log_delivery.py).
_MESSAGE_FIELDS = (
    (LogEventSource.userNotification.value, "notification_arn"),
    (LogEventSource.userAuthEvents.value, "auth_arn"),
    ("User Activity Log Export", "auth_kind"),
    ("FirehoseConfiguration", "auth_arn"),
    ("S3Configuration", "auth_arn"),
)


def _values(configurations: list[dict[str, Any]]) -> dict[str, Any]:
    values = {"notification_arn": "", "auth_kind": "", "auth_arn": ""}
    for entry in configurations:
        for member, (arn_member, _, _) in DESTINATIONS.items():
            if member not in entry:
                continue
            arn = entry[member].get(arn_member, "")
            if entry.get("EventSource") == LogEventSource.userNotification:
                values["notification_arn"] = arn
            else:
                values.update(auth_kind=member, auth_arn=arn)
    return values


def _request(page: Page) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """LogConfigurations from the form, and the validation paths of each entry's fields."""
    entries: list[dict[str, Any]] = []
    fields: dict[str, str] = {}
    arn = page.text("notification_arn")
    if arn:
        entries.append(
            {
                "LogLevel": LogLevel.ERROR.value,
                "EventSource": LogEventSource.userNotification.value,
                _NOTIFICATIONS: {"LogGroupArn": arn},
            }
        )
        fields[f"logConfigurations.{len(entries)}"] = "notification_arn"
    kind, arn = page.text("auth_kind"), page.text("auth_arn")
    if kind not in DESTINATIONS:
        if arn:
            page.errors.note("auth_kind", "Choose the kind of destination this ARN names.")
        return entries, fields
    entries.append(
        {
            "LogLevel": LogLevel.INFO.value,
            "EventSource": LogEventSource.userAuthEvents.value,
            # An empty ARN is sent absent: the operation's own error says it is required.
            kind: {DESTINATIONS[kind][0]: arn or None},
        }
    )
    fields[f"logConfigurations.{len(entries)}"] = "auth_arn"
    return entries, fields


def _place_errors(page: Page, entries: list[dict[str, Any]], fields: dict[str, str]) -> None:
    for message in page.errors.messages:
        field = next((name for phrase, name in _MESSAGE_FIELDS if phrase in message), None)
        if field is None and len(entries) == 1:
            field = next(iter(fields.values()))  # one entry: the message can only be about it
        if field and not page.errors.get(field):  # a validation failure placed by its path stays alone
            page.errors.note(field, message)


async def log_delivery(page: Page) -> Response:
    pool = await load_pool(page)
    found = await page.fetch("GetLogDeliveryConfiguration", {"UserPoolId": pool["Id"]})
    values = _values(found["LogDeliveryConfiguration"].get("LogConfigurations", []))
    if page.request.method == "POST":
        values = echo(page, (), ())
        entries, fields = _request(page)
        if not page.errors:
            request = {"UserPoolId": pool["Id"], "LogConfigurations": entries}
            if await page.call("SetLogDeliveryConfiguration", request, fields) is not None:
                return page.redirect(page.pool_url("/log-delivery"), "log_delivery_saved")
            _place_errors(page, entries, fields)
    return await page.render(
        "log_delivery.html",
        pool=pool,
        values=values,
        destinations=DESTINATION_CHOICES,
        crumbs=[("User pools", page.url("/")), (pool["Name"], page.pool_url()), ("Log delivery", None)],
    )
