"""What every scenario runs against, side by side in one run: our server on SQLite or PostgreSQL, and moto's
Cognito in server mode, each behind a boto3 ``cognito-idp`` client on 127.0.0.1; and the one way each request
is timed (p50/p95, requests per second, server CPU per request).

Our server (uvicorn in a thread) and moto (``ThreadedMotoServer``) both run inside the bench process, sharing
its GIL with the client: requests per second are of wall time with the given number of client threads, and the
server's CPU is the process's CPU minus what the client threads used (PostgreSQL's own processes not counted).
"""

from __future__ import annotations

import http.client
import logging
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

# Imported up front: moto adds a (disabled) botocore handler to every client created after its import, so every
# target's client carries the same handler chain.
from moto.server import ThreadedMotoServer
from tests.support.bridge import free_port, serve_in_thread, socket_client
from tests.support.postgres import scratch_database

from userpool.app import build_runtime, create_app
from userpool.config import Argon2Params, Settings

ACCESS_KEY = "AKIDUSERPOOLBENCH001"
SECRET_KEY = "bench-secret-key-0123456789abcdefghijklm"  # noqa: S105 - a key of the throwaway bench server
MOTO_ACCESS_KEY = "testing"
MOTO_SECRET_KEY = "testing"  # noqa: S105 - moto accepts any credentials
REGION = "eu-west-1"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGETS = ("sqlite", "postgresql", "moto")


@dataclass(frozen=True)
class Target:
    label: str
    """``userpool/sqlite``, ``userpool/postgresql`` or ``moto``."""
    client: Any
    """A boto3 ``cognito-idp`` client of the target."""
    engine: sa.Engine | None
    """Our server's database, for bulk loads and query plans; None for moto, which only has its API."""
    connect: Callable[[], Any]
    """A new boto3 ``cognito-idp`` client of the target, with its own connections: one per client thread."""

    @property
    def is_moto(self) -> bool:
        return self.engine is None


def _settings(data_dir: Path, url: str, argon2: Argon2Params) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=url,
        region=REGION,
        account_id="123456789012",
        admin_access_key_id=ACCESS_KEY,
        admin_secret_access_key=SECRET_KEY,
        secret_keys=("bench-server-secret",),
        argon2=argon2,
        log_level="warning",
    )


@contextmanager
def _database(database: str, folder: Path) -> Iterator[str]:
    if database == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    # A scratch database, dropped afterwards.
    with scratch_database(os.environ.get("USERPOOL_BENCH_DATABASE_URL", DEFAULT_POSTGRES)) as url:
        yield url


@contextmanager
def userpool(database: str, *, argon2: Argon2Params | None = None) -> Iterator[Target]:
    """Our server on ``sqlite`` (a temporary file) or ``postgresql``, under uvicorn on a loopback port.

    ``argon2`` is the password-hashing cost; by default the tests' cheap one, for scenarios that hash no
    passwords. Scenarios that do pass the real one, ``Settings().argon2``.
    """
    with tempfile.TemporaryDirectory(prefix="userpool-bench-") as folder, _database(database, Path(folder)) as url:
        settings = _settings(Path(folder) / "data", url, argon2 or Argon2Params.fast())
        runtime = build_runtime(settings)
        try:
            with serve_in_thread(create_app(settings, runtime=runtime)) as base_url:

                def connect() -> Any:
                    return socket_client(base_url, ACCESS_KEY, SECRET_KEY, REGION)

                yield Target(f"userpool/{database}", connect(), runtime.store.engine, connect)
        finally:
            runtime.store.dispose()


@contextmanager
def moto() -> Iterator[Target]:
    """moto's server mode on a free loopback port, with empty state; its state is dropped afterwards."""
    # werkzeug logs every request to stderr unless told otherwise; our server logs none either.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        _moto_reset(port)

        def connect() -> Any:
            return socket_client(f"http://127.0.0.1:{port}", MOTO_ACCESS_KEY, MOTO_SECRET_KEY, REGION)

        yield Target("moto", connect(), None, connect)
    finally:
        try:
            _moto_reset(port)  # moto keeps its state in the process, not in the server
        finally:
            server.stop()


def _moto_reset(port: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/moto-api/reset")
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"moto reset answered {response.status}")
    finally:
        connection.close()


@contextmanager
def target(name: str, *, argon2: Argon2Params | None = None) -> Iterator[Target]:
    """The target called ``name``, one of :data:`TARGETS`; ``argon2`` as for :func:`userpool` (moto hashes
    no passwords)."""
    if name == "moto":
        with moto() as t:
            yield t
    elif name in ("sqlite", "postgresql"):
        with userpool(name, argon2=argon2) as t:
            yield t
    else:
        raise ValueError(f"unknown target {name!r}: one of {', '.join(TARGETS)}")


@dataclass(frozen=True)
class Timing:
    calls: int
    threads: int
    p50_ms: float
    p95_ms: float
    per_second: float
    """Requests per second of wall time."""
    server_cpu_ms: float
    """CPU of the bench process per request, the client threads' own CPU taken out."""

    @property
    def per_cpu_second(self) -> float:
        """Requests per second of server CPU: the per-core rate."""
        return 1000 / self.server_cpu_ms if self.server_cpu_ms > 0 else float("nan")


def timed(call: Callable[[int], object], calls: int, *, warmup: int = 20, threads: int = 1) -> Timing:
    """Time ``call(i)`` for ``i`` in ``warmup .. warmup + calls`` after ``warmup`` untimed calls, from
    ``threads`` client threads (each takes every ``threads``-th ``i``)."""
    for i in range(warmup):
        call(i)
    samples: list[float] = []
    client_cpu: list[float] = []
    lock = threading.Lock()

    def worker(first: int) -> None:
        cpu = time.thread_time()
        mine = []
        for i in range(warmup + first, warmup + calls, threads):
            started = time.perf_counter()
            call(i)
            mine.append((time.perf_counter() - started) * 1000)
        used = time.thread_time() - cpu
        with lock:
            samples.extend(mine)
            client_cpu.append(used)

    process_cpu = time.process_time()
    started = time.perf_counter()
    if threads == 1:
        worker(0)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(worker, range(threads)))
    wall = time.perf_counter() - started
    server_cpu = time.process_time() - process_cpu - sum(client_cpu)
    cuts = statistics.quantiles(samples, n=100)
    return Timing(calls, threads, cuts[49], cuts[94], calls / wall, server_cpu * 1000 / calls)


def timed_threads(calls: Sequence[Callable[[int], object]], seconds: float, *, limit: int | None = None) -> Timing:
    """Time ``calls[t](i)`` from one client thread per callable, for ``seconds`` of wall time or until
    ``limit`` calls: thread ``t`` takes ``i`` = ``t``, ``t + threads``, ``t + 2 * threads``, ... (below
    ``limit``), its first one untimed (it opens the thread's connection), then all threads start together.

    Each callable should use its own boto3 client. The server's CPU is the process's CPU over the timed
    stretch minus what the client threads used in it, as for :func:`timed`.
    """
    threads = len(calls)
    samples: list[float] = []
    client_cpu: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    clock: dict[str, float] = {}

    def start_clock() -> None:
        clock["cpu"] = time.process_time()
        clock["wall"] = time.perf_counter()

    barrier = threading.Barrier(threads, action=start_clock)

    def worker(first: int) -> None:
        try:
            if limit is None or first < limit:
                calls[first](first)
            barrier.wait()
            deadline = clock["wall"] + seconds
            cpu = time.thread_time()
            mine: list[float] = []
            i = first + threads
            while (limit is None or i < limit) and time.perf_counter() < deadline and not errors:
                started = time.perf_counter()
                calls[first](i)
                mine.append((time.perf_counter() - started) * 1000)
                i += threads
            used = time.thread_time() - cpu
            with lock:
                samples.extend(mine)
                client_cpu.append(used)
        except threading.BrokenBarrierError:
            pass
        except BaseException as error:  # re-raised by the caller's thread below
            with lock:
                errors.append(error)
            barrier.abort()

    workers = [threading.Thread(target=worker, args=(t,), name=f"bench-client-{t}") for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
    wall = time.perf_counter() - clock["wall"]
    server_cpu = time.process_time() - clock["cpu"] - sum(client_cpu)
    done = len(samples)
    if done == 0:
        nan = float("nan")
        return Timing(0, threads, nan, nan, nan, nan)
    cuts = statistics.quantiles(samples, n=100) if done > 1 else [samples[0]] * 99
    return Timing(done, threads, cuts[49], cuts[94], done / wall, server_cpu * 1000 / done)


def machine() -> str:
    return (
        f"{os.cpu_count()} cores. Client and server share the bench process: req/s is of wall time; srv CPU is "
        "the process's CPU per request minus the client's, req/CPU-s its inverse (PostgreSQL's own CPU not counted)"
    )


def ratio_text(ours: float, theirs: float) -> str:
    """``ours / theirs`` and how it reads for a latency: ``0.10 (10.0x faster)``."""
    ratio = ours / theirs
    verdict = f"{1 / ratio:.1f}x faster" if ratio < 1 else f"{ratio:.1f}x slower"
    return f"{ratio:.2f} ({verdict})"
