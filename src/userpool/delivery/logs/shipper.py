"""The log delivery adapter: a bounded queue and one thread per process that hands events to their sinks.

``ship`` only puts the event on the queue, so a request or the outbox never waits on a file or a network;
a full queue drops the event and counts it (delivery is best effort, as Cognito's). The thread takes what is
queued in batches, finds each destination ARN's sink (``log_delivery.destinations``, else the default sink,
else a JSON-lines file of the ARN's own in the log directory) and writes each sink's share in order.
``stop`` lets the thread finish what is queued, within a bound.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from userpool.config import LogDeliverySettings, LogSink
from userpool.delivery.logs.sinks import (
    Batch,
    DiscardSink,
    FileSink,
    OtlpSink,
    Sink,
    StdoutSink,
    WebhookSink,
)

log = logging.getLogger("userpool.log_delivery")

MAX_QUEUED = 10_000
BATCH = 200
MAX_FILE_NAME = 200
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def file_name(arn: str) -> str:
    """The file an ARN without a sink of its own is written to: the ARN with every character other than a
    letter, digit, dot, dash or underscore made ``_``; a long one is cut and ends in a digest of it."""
    name = _UNSAFE.sub("_", arn)
    if len(name) > MAX_FILE_NAME:
        name = name[: MAX_FILE_NAME - 17] + "-" + hashlib.sha256(arn.encode()).hexdigest()[:16]
    return name + ".jsonl"


class QueuedLogShipper:
    """The LogShipper of ``delivery/logs/port.py`` that ``app.py`` builds from the settings."""

    def __init__(self, settings: LogDeliverySettings, data_dir: Path, max_queued: int = MAX_QUEUED) -> None:
        self._settings = settings
        self._directory = Path(settings.directory) if settings.directory else data_dir / "logs"
        self._queue: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue(max_queued)
        self._sinks: dict[LogSink, Sink] = {}
        self._client: httpx.Client | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.dropped = 0

    def ship(self, destination: str, event: Mapping[str, Any]) -> None:
        self._start()
        try:
            self._queue.put_nowait((destination, dict(event)))
        except queue.Full:
            with self._lock:
                self.dropped += 1
                dropped = self.dropped
            if dropped == 1 or dropped % 1000 == 0:
                log.warning("log delivery queue full: %d events dropped so far", dropped)

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="userpool-log-delivery", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Deliver what is queued (within ``timeout`` seconds), then end the thread and close connections."""
        thread = self._thread
        if thread is not None:
            try:
                self._queue.put(None, timeout=timeout)
            except queue.Full:
                log.warning("log delivery stopped with events still queued")
            thread.join(timeout)
            self._thread = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def sink_for(self, destination: str) -> Sink:
        """The sink the ARN ``destination`` is delivered to."""
        spec = self._settings.destinations.get(destination) or self._settings.default_sink
        if spec is None:
            spec = LogSink("file", str(self._directory / file_name(destination)))
        sink = self._sinks.get(spec)
        if sink is None:
            sink = self._sinks[spec] = self._build(spec)
        return sink

    def _http(self) -> httpx.Client:
        if self._client is None:
            # No redirects, no cookies kept, each request bounded (log_delivery.timeout_seconds).
            self._client = httpx.Client(timeout=self._settings.timeout_seconds, follow_redirects=False)
        return self._client

    def _build(self, spec: LogSink) -> Sink:
        if spec.kind == "file":
            return FileSink(Path(spec.target))
        if spec.kind == "stdout":
            return StdoutSink()
        if spec.kind == "webhook":
            return WebhookSink(spec.target, self._http())
        if spec.kind == "otlp":
            return OtlpSink(spec.target, self._http())
        return DiscardSink()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            stopping = item is None
            batch = [item] if item is not None else []
            while len(batch) < BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                batch.append(more)
            self._write(batch)
            if stopping:
                return

    def _write(self, batch: Batch) -> None:
        by_sink: dict[int, tuple[Sink, list[tuple[str, Mapping[str, Any]]]]] = {}
        for destination, event in batch:
            try:
                sink = self.sink_for(destination)
            except Exception:
                log.exception("no sink for a log destination")
                continue
            by_sink.setdefault(id(sink), (sink, []))[1].append((destination, event))
        for sink, share in by_sink.values():
            try:
                sink.write(share)
            except Exception as exc:  # best effort: a sink that fails loses its share, the others go on
                log.warning("log delivery to a %s sink failed (%d events): %s", sink.kind, len(share), exc)
