"""``serve --workers N``: N worker processes, each with a listening socket and CPUs of its own.

uvicorn's own workers share one listening socket, and the worker whose event loop wakes first accepts every
connection then waiting: a client that opens its keep-alive connections together (a load balancer's pool, an
SDK's, the bench's) had them all on one worker while the others idled. Here each worker listens on a socket of
its own, all bound to the same address with ``SO_REUSEPORT``, and the kernel deals new connections out among
them. The parent binds the sockets and keeps them, so a worker that dies leaves its socket, and the connections
queued on it, to the worker that replaces it.

Each worker also runs on its own share of the CPUs (``pin_workers``, on by default). A worker is one process
with one GIL, running its event loop and its request threads; free to run on every CPU, those threads run on
two CPUs at once and hand the GIL to each other across them, every hand-off waking a thread on the other CPU.
With 2 workers on 2 CPUs, GetUser then cost 0.9 to 2.4 ms of CPU per request against 0.66 ms for one worker
alone on one CPU. Pinned, a worker's threads take turns on its CPU as a lone worker's do. The CPUs are dealt
out one per worker when there are as many workers as CPUs (the default), several per worker when there are
fewer (their argon2id threads use them all), and round again when there are more.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
from multiprocessing.process import BaseProcess
from typing import Any

from userpool.config import Settings
from userpool.monitoring.logs import configure_logging
from userpool.monitoring.prometheus import worker_directory, worker_exited

log = logging.getLogger("userpool")

# uvicorn's exit status for a worker that could not start (bad TLS files, an app that fails to build): the
# same would happen again, so the server stops instead of restarting it forever.
STARTUP_FAILURE = 3
BACKLOG = 2048


class AddressInUse(RuntimeError):
    pass


def bind(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets on one address, the kernel balancing connections among them.

    The address is first bound once without ``SO_REUSEPORT``: a server already listening there (another
    userpool too) makes that fail, where sockets with ``SO_REUSEPORT`` would silently share its port.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise AddressInUse(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        port = probe.getsockname()[1]
    reuse_port = getattr(socket, "SO_REUSEPORT", None)
    if reuse_port is None:
        # No SO_REUSEPORT (Windows): one socket that every worker accepts on, as uvicorn's workers do.
        shared = socket.socket(family, socket.SOCK_STREAM)
        shared.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        shared.bind((host, port))
        shared.listen(BACKLOG)
        return [shared] * count
    sockets = []
    for _ in range(count):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, reuse_port, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
        sockets.append(sock)
    return sockets


def cpus_of_slot(slot: int, workers: int, cpus: list[int]) -> set[int]:
    """The CPUs of worker ``slot`` when ``workers`` workers share ``cpus``."""
    if workers >= len(cpus):
        return {cpus[slot % len(cpus)]}
    return set(cpus[slot % workers :: workers])


def _pin(slot: int, workers: int) -> set[int] | None:
    """Pin this process (and the threads it starts from now on) to its share of the CPUs; None when there is
    nothing to share or affinity cannot be set."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2 or workers < 2:
        return None
    mine = cpus_of_slot(slot, workers, cpus)
    os.sched_setaffinity(0, mine)
    return mine


def _worker(slot: int, sock: socket.socket, settings: Settings, options: dict[str, Any]) -> None:
    """One worker process: its CPUs, its own engine (connection pool), hasher and outbox sender, its socket."""
    import uvicorn

    from userpool.app import build_runtime, create_app
    from userpool.connections import http_protocol

    configure_logging(settings)
    cpus = _pin(slot, settings.worker_count) if settings.pin_workers else None
    # Pinned, the worker hashes on one thread per CPU of its share; unpinned, the workers divide all the CPUs.
    share = len(cpus) if cpus else None
    try:
        app = create_app(settings, runtime=build_runtime(settings, run_migrations=False, hashing_cpus=share))
    except Exception:
        log.exception("worker %d could not start", slot)
        sys.exit(STARTUP_FAILURE)  # the next one would fail the same way: serve stops
    log.info("worker %d (pid %d) on CPUs %s", slot, os.getpid(), ",".join(map(str, sorted(cpus))) if cpus else "all")
    uvicorn.Server(uvicorn.Config(app, http=http_protocol(settings), **options)).run(sockets=[sock])


def serve_workers(settings: Settings, options: dict[str, Any]) -> int:
    """Run ``settings.worker_count`` workers until SIGINT or SIGTERM, replacing any that dies; the exit status."""
    sockets = bind(settings.host, settings.port, settings.worker_count)
    if not settings.metrics.enabled:
        return _supervise(settings, options, sockets, None)
    # The workers keep their metrics in files of a directory of this server's own, which any worker's
    # /metrics sums (monitoring/prometheus.py).
    with worker_directory() as directory:
        return _supervise(settings, options, sockets, directory)


def _supervise(
    settings: Settings, options: dict[str, Any], sockets: list[socket.socket], metrics_directory: str | None
) -> int:
    count = settings.worker_count
    spawn = multiprocessing.get_context("spawn")
    stop = threading.Event()
    status = 0

    def start(slot: int) -> BaseProcess:
        process = spawn.Process(target=_worker, args=(slot, sockets[slot], settings, options), name=f"worker-{slot}")
        process.start()
        return process

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("received %s, stopping the workers", signal.Signals(signum).name)
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    processes = [start(slot) for slot in range(count)]
    try:
        while not stop.wait(0.5):
            for slot, process in enumerate(processes):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    log.error("worker %d failed to start; stopping", slot)
                    status = 1
                    stop.set()
                    break
                log.warning(
                    "worker %d (pid %s) died with exit status %s; starting another", slot, process.pid, process.exitcode
                )
                if metrics_directory is not None and process.pid is not None:
                    worker_exited(metrics_directory, process.pid)  # its queue gauges; its counters still count
                processes[slot] = start(slot)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
        for sock in set(sockets):
            sock.close()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return status
