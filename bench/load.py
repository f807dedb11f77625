"""The closed-loop load driver: C workers, each on its own keep-alive connection, call one scenario back to
back; after a warm-up, a measured window bounded by time and by a number of requests.

A request counts in the window when it completes inside it. The server's CPU (and PostgreSQL's, and the
load generator's own) is read at the window's two ends, so CPU per request = CPU delta / requests; in a
steady state the requests in flight at either end cancel out.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.api import ApiError
from bench.connection import ConnectionFailed
from bench.servers import Server

Worker = Callable[[], Awaitable[None]]
"""One logical request of a scenario (a sign-in may be two HTTP round trips), on the worker's connection."""


class ScenarioError(Exception):
    """A 200 answer that is not what the scenario expects (a challenge instead of tokens, no user found)."""


STOP_TIMEOUT = 60.0
EXPECTED_ERRORS = (ApiError, ConnectionFailed, ScenarioError, OSError, asyncio.IncompleteReadError)


@dataclass
class Measurement:
    requests: int
    """Requests that succeeded in the window."""
    errors: int
    seconds: float
    latencies_ms: list[float]
    """Of the successful requests, sorted."""
    server_cpu_s: float
    server_system_s: float
    """Of which in the kernel (stime): system calls, thread switches, the network stack."""
    database_cpu_s: float | None
    client_cpu_s: float
    error_sample: str = ""
    error_kinds: dict[str, int] = field(default_factory=dict)
    cpus_busy_s: float | None = None
    """Time the server's CPUs were busy with anything (see Server.cpus_busy_seconds); None if not pinned."""

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else math.nan

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the latencies, in ms."""
        if not self.latencies_ms:
            return math.nan
        rank = max(1, math.ceil(q / 100 * len(self.latencies_ms)))
        return self.latencies_ms[rank - 1]

    @property
    def server_cpu_ms(self) -> float:
        """Server CPU per successful request."""
        return 1000 * self.server_cpu_s / self.requests if self.requests else math.nan

    @property
    def database_cpu_ms(self) -> float:
        if self.database_cpu_s is None or not self.requests:
            return math.nan
        return 1000 * self.database_cpu_s / self.requests

    @property
    def per_core(self) -> float:
        """Requests per second of one server core: 1 / CPU per request."""
        cpu = self.server_cpu_ms
        return 1000 / cpu if cpu > 0 else math.nan

    @property
    def server_busy(self) -> float:
        """Server cores kept busy over the window (1.0 = one core saturated)."""
        return self.server_cpu_s / self.seconds if self.seconds > 0 else math.nan

    @property
    def client_busy(self) -> float:
        return self.client_cpu_s / self.seconds if self.seconds > 0 else math.nan


def pooled(measurements: list[Measurement]) -> Measurement:
    """Several windows of one scenario as one: requests, errors, seconds and CPU summed, so that rates are
    totals over total time (a window of a slow moment weighs by its length, not as one vote)."""
    if not measurements:
        raise ValueError("no measurements to pool")
    kinds: dict[str, int] = {}
    for m in measurements:
        for kind, count in m.error_kinds.items():
            kinds[kind] = kinds.get(kind, 0) + count
    databases = [m.database_cpu_s for m in measurements]
    busy = [m.cpus_busy_s for m in measurements]
    return Measurement(
        requests=sum(m.requests for m in measurements),
        errors=sum(m.errors for m in measurements),
        seconds=sum(m.seconds for m in measurements),
        latencies_ms=sorted(x for m in measurements for x in m.latencies_ms),
        server_cpu_s=sum(m.server_cpu_s for m in measurements),
        server_system_s=sum(m.server_system_s for m in measurements),
        database_cpu_s=None if None in databases else sum(d for d in databases if d is not None),
        client_cpu_s=sum(m.client_cpu_s for m in measurements),
        error_sample=next((m.error_sample for m in measurements if m.error_sample), ""),
        error_kinds=kinds,
        cpus_busy_s=None if None in busy else sum(b for b in busy if b is not None),
    )


@dataclass
class _Window:
    open: bool = False
    stop: bool = False
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    error_sample: str = ""
    limit: int | None = None
    full: asyncio.Event = field(default_factory=asyncio.Event)

    def record(self, seconds: float, error: BaseException | None) -> None:
        if error is None:
            self.latencies.append(seconds * 1000)
        else:
            self.errors += 1
            kind = error.code if isinstance(error, ApiError) else type(error).__name__
            self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1
            self.error_sample = self.error_sample or str(error)[:160]
        if self.limit is not None and len(self.latencies) + self.errors >= self.limit:
            self.open = False
            self.full.set()


async def _loop(call: Worker, window: _Window) -> None:
    clock = time.perf_counter
    while not window.stop:
        started = clock()
        error: BaseException | None = None
        try:
            await call()
        except EXPECTED_ERRORS as failure:
            error = failure
        if window.open:
            window.record(clock() - started, error)
        elif error is not None and not window.stop:
            # Outside the window (warm-up): do not spin on a server that refuses everything.
            await asyncio.sleep(0.01)


async def drive(
    workers: list[Worker],
    server: Server,
    *,
    seconds: float,
    requests: int | None,
    warmup: float,
) -> Measurement:
    """Run ``workers`` concurrently: ``warmup`` seconds unmeasured, then a window of at most ``seconds``
    seconds and ``requests`` requests (successful or not)."""
    window = _Window(limit=requests)
    tasks = [asyncio.create_task(_loop(w, window)) for w in workers]
    try:
        await asyncio.sleep(warmup)
        for task in tasks:
            if task.done():
                task.result()  # a worker that died of an unexpected error: raise it here
        server_cpu, database_cpu, client_cpu = server.cpu_times(), server.database_cpu_seconds(), time.process_time()
        cpus_busy = server.cpus_busy_seconds()
        started = time.perf_counter()
        window.open = True
        try:
            await asyncio.wait_for(window.full.wait(), seconds)
        except TimeoutError:
            pass
        window.open = False
        elapsed = time.perf_counter() - started
        server_cpu = server.cpu_times() - server_cpu
        database_end = server.database_cpu_seconds()
        client_cpu = time.process_time() - client_cpu
        cpus_end = server.cpus_busy_seconds()
    finally:
        window.stop = True
        # Requests in flight finish (unmeasured); one the server never answers is abandoned.
        _, stuck = await asyncio.wait(tasks, timeout=STOP_TIMEOUT)
        for task in stuck:
            task.cancel()
        await asyncio.gather(*stuck, return_exceptions=True)
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
    return Measurement(
        requests=len(window.latencies),
        errors=window.errors,
        seconds=elapsed,
        latencies_ms=sorted(window.latencies),
        server_cpu_s=server_cpu.total,
        server_system_s=server_cpu.system,
        database_cpu_s=None if database_cpu is None or database_end is None else database_end - database_cpu,
        client_cpu_s=client_cpu,
        error_sample=window.error_sample,
        error_kinds=window.error_kinds,
        cpus_busy_s=None if cpus_busy is None or cpus_end is None else cpus_end - cpus_busy,
    )
