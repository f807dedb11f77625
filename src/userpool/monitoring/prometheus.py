"""The metrics adapter: the port of ``port.py`` on prometheus_client, and the text ``GET /metrics`` serves
(README "Monitoring"). The one module that imports prometheus_client (an import-linter contract), built by
``app.py``.

One process (``serve --workers 1``, tests) keeps its values in memory and a registry of its own. ``serve``
with several workers uses prometheus_client's multiprocess mode, so that a scrape, which reaches whichever
worker the kernel gives the connection to, reports the sum of them all: ``workers.py`` makes a private, empty
directory at start and names it in ``PROMETHEUS_MULTIPROC_DIR`` for the workers it spawns; each worker's values
live in memory-mapped files there (prometheus_client chooses this when it is first imported, from that
variable); the worker that answers a scrape reads every worker's files; a worker that dies has its gauges
forgotten (``worker_exited``) while its counters still count; the directory is removed when serve stops.

The hot path (GetUser: 5,000 requests a second per core) pays a dictionary look-up for the label children,
made once per label pair, and two or three additions to memory (or to the mapped files).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

from userpool.errors import CognitoError
from userpool.model.vocabulary import AuthFlow, ChallengeName, DeliveryMedium
from userpool.monitoring.port import (
    CLIENT_ERROR,
    ERROR_PAGE,
    FEDERATED,
    HOSTED,
    NO_RISK_LEVEL,
    OTHER,
    RISK_DECISIONS,
    RISK_LEVELS,
    SERVER_ERROR,
    SUCCESS,
    TOKENS,
)

log = logging.getLogger("userpool.monitoring")

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
# The text exposition format every Prometheus version reads (what generate_latest writes).
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
# From half a millisecond (GetUser) to ten seconds (a slow trigger or identity provider); argon2id sign-ins
# fall in the tens of milliseconds.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# The error codes a federated sign-in can give the application (RFC 6749 §4.1.2.1, §5.2).
OAUTH_ERRORS = frozenset(
    {
        "invalid_request",
        "unauthorized_client",
        "access_denied",
        "unsupported_response_type",
        "invalid_scope",
        "server_error",
        "temporarily_unavailable",
        "invalid_client",
        "invalid_grant",
        "unsupported_grant_type",
    }
)


def _error_types() -> frozenset[str]:
    """Every Cognito ``__type`` of errors.py."""
    found: set[str] = set()
    pending: list[type[CognitoError]] = [CognitoError]
    while pending:
        cls = pending.pop()
        found.add(cls.code)
        pending.extend(cls.__subclasses__())
    return frozenset(found)


class _OutboxDepth(Collector):
    """``userpool_outbox_queued_messages``, read from the database at each scrape: the outbox is shared by
    every worker and instance, so any of them reports the same figure."""

    def __init__(self, queued: Callable[[], Mapping[str, int]]) -> None:
        self._queued = queued

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "userpool_outbox_queued_messages",
            "Messages in the outbox not yet delivered or given up on, by channel.",
            labels=["channel"],
        )

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # What registering asks for: without it the registry would collect, reading the database as the
        # server is built.
        yield self._family()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            queued = self._queued()
        except Exception as exc:  # the database is unreachable: the other metrics are still worth having
            log.warning("outbox depth not read for /metrics: %s", type(exc).__name__)
            return
        family = self._family()
        for channel in (DeliveryMedium.EMAIL, DeliveryMedium.SMS):
            family.add_metric([channel.value], queued.get(channel, 0))
        yield family


class _HashingGauges:
    """The password hasher's queue (crypto/passwords.py HashingLoad): computations waiting for a thread and
    threads at work, summed over the live workers."""

    def __init__(self, waiting: Gauge, busy: Gauge) -> None:
        self._waiting = waiting
        self._busy = busy

    def queued(self) -> None:
        self._waiting.inc()

    def started(self) -> None:
        self._waiting.dec()
        self._busy.inc()

    def finished(self) -> None:
        self._busy.dec()


class PrometheusMetrics:
    """The Metrics port on prometheus_client (one process, or serve's workers sharing a directory)."""

    def __init__(self, outbox_queued: Callable[[], Mapping[str, int]]) -> None:
        # No ``_created`` series: the multiprocess mode has none, so a server says the same with any number
        # of workers (and a scrape is half the size).
        disable_created_metrics()  # type: ignore[no-untyped-call]
        directory = os.environ.get(MULTIPROCESS_DIRECTORY, "")
        self.multiprocess = bool(directory) and os.path.isdir(directory)
        self._scrape = CollectorRegistry(auto_describe=True)
        if self.multiprocess:
            multiprocess.MultiProcessCollector(self._scrape, path=directory)  # type: ignore[no-untyped-call]
            own: CollectorRegistry | None = None  # the workers' files are the only source: no value twice
        else:
            own = self._scrape
        self._scrape.register(_OutboxDepth(outbox_queued))
        self._requests_total = Counter(
            "userpool_requests",
            "Requests answered, by operation (the API's X-Amz-Target operation, or the route) and outcome "
            "(success, the Cognito __type of an error, 4xx, 5xx).",
            ["operation", "outcome"],
            registry=own,
        )
        self._request_seconds = Histogram(
            "userpool_request_duration_seconds",
            "Time from a request's body in hand to its answer, by operation.",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=own,
        )
        self._sign_ins_total = Counter(
            "userpool_sign_ins",
            "Sign-in steps, by flow (AuthFlow, the ChallengeName answered, hosted, federated) and result "
            "(tokens, the next ChallengeName, the failure's type).",
            ["flow", "result"],
            registry=own,
        )
        self._risk_decisions_total = Counter(
            "userpool_risk_decisions",
            "Threat protection's risk evaluations, by RiskLevel and RiskDecision.",
            ["level", "decision"],
            registry=own,
        )
        # livesum: the sum over the workers alive now (a dead worker's files are forgotten, workers.py).
        self._hash_waiting = Gauge(
            "userpool_password_hashes_waiting",
            "Password hash computations waiting for a hasher thread.",
            registry=own,
            multiprocess_mode="livesum",
        )
        self._hash_busy = Gauge(
            "userpool_password_hash_threads_busy",
            "Hasher threads computing a password hash now.",
            registry=own,
            multiprocess_mode="livesum",
        )
        self._hash_threads = Gauge(
            "userpool_password_hash_threads",
            "Hasher threads (argon2id runs on these only).",
            registry=own,
            multiprocess_mode="livesum",
        )
        self._operations: frozenset[str] = frozenset()
        self._outcomes = _error_types() | {SUCCESS, CLIENT_ERROR, SERVER_ERROR}
        challenges = {c.value for c in ChallengeName}
        self._flows = {f.value for f in AuthFlow} | challenges | {HOSTED, FEDERATED}
        self._results = _error_types() | challenges | OAUTH_ERRORS | {TOKENS, ERROR_PAGE}
        self._request_children: dict[tuple[str, str], tuple[Counter, Histogram]] = {}
        self._sign_in_children: dict[tuple[str, str], Counter] = {}

    def allow_operations(self, names: Iterable[str]) -> None:
        """The values the ``operation`` label may take: the model's operations and the routes' path templates
        (app.py, once its routes are known); any other is recorded as ``other``."""
        self._operations = self._operations | frozenset(names)

    def hashing_load(self, threads: int) -> _HashingGauges:
        """What the password hasher of ``threads`` threads reports its queue to."""
        self._hash_threads.set(threads)
        return _HashingGauges(self._hash_waiting, self._hash_busy)

    # The port (monitoring/port.py).

    def request(self, operation: str, outcome: str, seconds: float) -> None:
        children = self._request_children.get((operation, outcome))
        if children is None:
            children = self._new_request_children(operation, outcome)
        children[0].inc()
        children[1].observe(seconds)

    def _new_request_children(self, operation: str, outcome: str) -> tuple[Counter, Histogram]:
        key = (
            operation if operation in self._operations else OTHER,
            outcome if outcome in self._outcomes else OTHER,
        )
        children = (self._requests_total.labels(*key), self._request_seconds.labels(key[0]))
        # Kept under the values recorded: values outside the sets take this path every time, and the table
        # stays as bounded as the labels.
        self._request_children[key] = children
        return children

    def sign_in(self, flow: str, result: str) -> None:
        child = self._sign_in_children.get((flow, result))
        if child is None:
            key = (flow if flow in self._flows else OTHER, result if result in self._results else OTHER)
            child = self._sign_in_children[key] = self._sign_ins_total.labels(*key)
        child.inc()

    def risk_decision(self, level: str | None, decision: str) -> None:
        given = NO_RISK_LEVEL if level is None else level
        self._risk_decisions_total.labels(
            given if given in RISK_LEVELS else OTHER, decision if decision in RISK_DECISIONS else OTHER
        ).inc()

    def exposition(self) -> tuple[bytes, str]:
        """Every metric in the text exposition format, and its content type: this process's, or with several
        workers, all of theirs summed."""
        return generate_latest(self._scrape), CONTENT_TYPE


@contextmanager
def worker_directory() -> Iterator[str]:
    """A private, empty directory for the value files of serve's workers, named in PROMETHEUS_MULTIPROC_DIR
    for the processes started inside the block (spawned workers take the environment with them); removed
    after it."""
    directory = tempfile.mkdtemp(prefix="userpool-metrics-")  # 0700, made anew at every start
    previous = os.environ.get(MULTIPROCESS_DIRECTORY)
    os.environ[MULTIPROCESS_DIRECTORY] = directory
    try:
        yield directory
    finally:
        if previous is None:
            os.environ.pop(MULTIPROCESS_DIRECTORY, None)
        else:
            os.environ[MULTIPROCESS_DIRECTORY] = previous
        shutil.rmtree(directory, ignore_errors=True)


def worker_exited(directory: str, pid: int) -> None:
    """Forget the gauges of a worker that is gone (a dead worker's queue is no one's); its counters stay,
    so that the sums never go down."""
    multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
