"""Where exported log events land: a JSON-lines file, standard output, a webhook, or an OTLP collector.

Built by ``shipper.py`` from the settings (config.LogSink), and called only from its delivery thread. A sink
writes a batch of ``(destination ARN, event)`` pairs in order, and raises when it could not; the shipper
logs that and goes on (delivery is best effort). Errors name no URL (it may carry a token) and no event.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO

import httpx
import orjson

Batch = Sequence[tuple[str, Mapping[str, Any]]]
USER_AGENT = "userpool-log-delivery"
# OTLP's SeverityNumber for the levels Cognito's events carry (OpenTelemetry logs data model).
SEVERITY = {"INFO": 9, "ERROR": 17}


class SinkError(Exception):
    pass


class Sink(Protocol):
    kind: str

    def write(self, batch: Batch) -> None: ...


def _lines(batch: Batch) -> bytes:
    return b"".join(orjson.dumps(event) + b"\n" for _, event in batch)


class FileSink:
    """Appends one event per line. The file is created private to the server's user (0600), its folder too
    (0700) when missing; the batch goes out in one ``write`` on an ``O_APPEND`` descriptor, so the lines of
    several worker processes sharing the file do not interleave."""

    kind = "file"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, batch: Batch) -> None:
        data = _lines(batch)
        with self._lock:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                written = 0
                while written < len(data):
                    written += os.write(fd, data[written:])
            finally:
                os.close(fd)


class StdoutSink:
    """One event per line on standard output, for a process whose output a log collector reads."""

    kind = "stdout"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, batch: Batch) -> None:
        stream = self._stream or sys.stdout
        with self._lock:
            stream.write(_lines(batch).decode())
            stream.flush()


def _post(client: httpx.Client, url: str, body: bytes) -> None:
    try:
        response = client.post(
            url, content=body, headers={"content-type": "application/json", "user-agent": USER_AGENT}
        )
    except httpx.HTTPError as exc:
        raise SinkError(type(exc).__name__) from None
    if response.status_code >= 300:
        raise SinkError(f"answered {response.status_code}")


class WebhookSink:
    """POSTs each event, as the JSON object Cognito would deliver, to a URL (HTTPS, or plain HTTP to this
    machine: config.log_sink). No redirect is followed; the client's timeout bounds each request."""

    kind = "webhook"

    def __init__(self, url: str, client: httpx.Client) -> None:
        self._url = url
        self._client = client

    def write(self, batch: Batch) -> None:
        for _, event in batch:
            _post(self._client, self._url, orjson.dumps(event))


def _string(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


def otlp_logs(batch: Batch) -> dict[str, Any]:
    """An OTLP ExportLogsServiceRequest in OTLP/JSON: one log record per event, its body the event's JSON as
    Cognito delivers it, its time the event's, its severity the event's level."""
    records = []
    for destination, event in batch:
        level = str(event.get("logLevel", "INFO"))
        source = event.get("logSourceId") or {}
        records.append(
            {
                "timeUnixNano": str(int(str(event.get("eventTimestamp", "0"))) * 1_000_000),
                "severityNumber": SEVERITY.get(level, 9),
                "severityText": level,
                "body": {"stringValue": orjson.dumps(event).decode()},
                "attributes": [
                    _string("cognito.event_source", str(event.get("eventSource", ""))),
                    _string("cognito.user_pool_id", str(source.get("userPoolId", ""))),
                    _string("cognito.log_destination", destination),
                ],
            }
        )
    return {
        "resourceLogs": [
            {
                "resource": {"attributes": [_string("service.name", "userpool")]},
                "scopeLogs": [{"scope": {"name": "userpool.log_delivery"}, "logRecords": records}],
            }
        ]
    }


class OtlpSink:
    """Sends each batch to an OpenTelemetry collector as OTLP/HTTP with JSON encoding: one POST to
    ``<endpoint>/v1/logs`` (OTLP specification, 'OTLP/HTTP')."""

    kind = "otlp"

    def __init__(self, endpoint: str, client: httpx.Client) -> None:
        self._url = endpoint.rstrip("/") + "/v1/logs"
        self._client = client

    def write(self, batch: Batch) -> None:
        _post(self._client, self._url, orjson.dumps(otlp_logs(batch)))


class DiscardSink:
    """Drops every event: the sink ``none``."""

    kind = "none"

    def write(self, batch: Batch) -> None:
        return None
