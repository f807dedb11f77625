"""The targets, each started as its own OS process pinned to the server CPUs, and the CPU each one uses.

- ``userpool-sqlite``: ``python -m userpool serve`` on a SQLite file in a temporary data directory.
- ``userpool-postgresql``: the same on a scratch database of the tests' PostgreSQL (dropped afterwards).
- ``moto``: moto's ``moto_server`` (werkzeug, threaded), its per-request log line turned off as ours is.

Our server runs the ``userpool`` package the environment imports (the editable install, or ``PYTHONPATH``), or,
given ``source``, the one in that ``src/`` directory: another revision's, for ``bench compare``.

Our server verifies real SigV4 against an admin key given in its environment (never ``--dev``). Server CPU
is read from ``/proc/<pid>/stat`` (utime + stime of the process and any children, e.g. workers), so CPU per
request is measured, not estimated; PostgreSQL's backends serving our database are read the same way and
reported apart (they are not pinned: the database server is shared with whatever else runs here).
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from bench.api import Endpoint
from bench.sigv4 import Signer
from userpool.config import Argon2Params

USERPOOL_SQLITE = "userpool-sqlite"
USERPOOL_POSTGRESQL = "userpool-postgresql"
MOTO = "moto"
TARGETS = (USERPOOL_SQLITE, USERPOOL_POSTGRESQL, MOTO)

REGION = "us-east-1"
ACCESS_KEY = "AKIDUSERPOOLBENCH001"
SECRET_KEY = "bench-secret-key-0123456789abcdefghijklm"  # noqa: S105 - a key of the throwaway bench server
SERVER_SECRET = "bench-server-secret-0123456789"  # noqa: S105 - seals the throwaway server's secrets
MOTO_ACCESS_KEY = "testing"
MOTO_SECRET_KEY = "testing"  # noqa: S105 - moto accepts any credentials
_TICKS = os.sysconf("SC_CLK_TCK")

# moto's CLI with werkzeug's per-request log line off: our server logs no request either.
_MOTO = (
    "import logging, sys; logging.getLogger('werkzeug').setLevel(logging.WARNING); "
    "from moto.server import main; main(sys.argv[1:])"
)


@dataclass(frozen=True)
class CpuTimes:
    user: float
    system: float

    @property
    def total(self) -> float:
        return self.user + self.system

    def __sub__(self, other: CpuTimes) -> CpuTimes:
        return CpuTimes(self.user - other.user, self.system - other.system)


def _stat(pid: int) -> tuple[int, CpuTimes] | None:
    """(parent pid, utime and stime in seconds) of ``pid``, None if it is gone or unreadable."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), CpuTimes(int(fields[11]) / _TICKS, int(fields[12]) / _TICKS)


def process_cpu_times(pid: int) -> CpuTimes:
    """utime and stime of ``pid`` and of every live descendant (a server's worker processes)."""
    stats = {p: s for p in (int(d) for d in os.listdir("/proc") if d.isdigit()) if (s := _stat(p)) is not None}
    children: dict[int, list[int]] = {}
    for p, (parent, _) in stats.items():
        children.setdefault(parent, []).append(p)
    user = system = 0.0
    todo = [pid]
    while todo:
        p = todo.pop()
        if p in stats:
            user += stats[p][1].user
            system += stats[p][1].system
            todo += children.get(p, [])
    return CpuTimes(user, system)


def cpus_busy_seconds(cpus: frozenset[int]) -> float:
    """Non-idle time of ``cpus`` since boot, from /proc/stat: user, nice, system, irq, softirq and steal."""
    busy = 0
    with open("/proc/stat") as f:
        for line in f:
            name, *fields = line.split()
            if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cpus:
                user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
                busy += user + nice + system + irq + softirq + steal
    return busy / _TICKS


def _spawned_children(pid: int) -> list[int]:
    """Children of ``pid`` started by multiprocessing's spawn (uvicorn's workers), not e.g. a resource
    tracker."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or (stat := _stat(int(entry))) is None or stat[0] != pid:
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if b"spawn_main" in f.read():
                    found.append(int(entry))
        except OSError:
            continue
    return sorted(found)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pinned(command: list[str], cpus: set[int]) -> list[str]:
    """``command`` run on ``cpus`` only (taskset execs it: the pid stays the server's)."""
    if not cpus or not shutil.which("taskset"):
        return command
    return ["taskset", "-c", ",".join(str(c) for c in sorted(cpus)), *command]


@dataclass
class Server:
    """One running target."""

    name: str
    process: subprocess.Popen[bytes]
    endpoint: Endpoint
    log_path: Path
    database_url: str | None = None
    """Our server's database, for bulk loads and query plans; None for moto."""
    data_dir: Path | None = None
    _database_engine: sa.Engine | None = None
    _database_name: str = ""
    cpus: frozenset[int] = frozenset()
    """The CPUs it is pinned to (none: not pinned)."""
    source: Path | None = None
    """The ``src/`` directory our server's code was imported from when it was given; None: the environment's."""

    @property
    def is_moto(self) -> bool:
        return self.name == MOTO

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_times(self) -> CpuTimes:
        return process_cpu_times(self.process.pid)

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: the spawned workers of ``serve --workers N``, or the server
        itself when it runs one worker (then there is no supervisor)."""
        return _spawned_children(self.process.pid) or [self.process.pid]

    def cpus_busy_seconds(self) -> float | None:
        """CPU time spent on the server's CPUs by anything (steal by the hypervisor included); None if not
        pinned. Less the server's own (and the load generator's, when it shares them), what other work took."""
        return cpus_busy_seconds(self.cpus) if self.cpus else None

    def database_cpu_seconds(self) -> float | None:
        """CPU of the PostgreSQL backends connected to our database; None for SQLite and moto."""
        if self._database_engine is None:
            return None
        with self._database_engine.connect() as conn:
            pids = conn.execute(
                sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :db"), {"db": self._database_name}
            ).scalars()
            return sum(s[1].total for pid in pids if (s := _stat(int(pid))) is not None)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _wait_ready(server: Server, method: str, path: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n{server.log_tail()}")
        connection = http.client.HTTPConnection(server.endpoint.host, server.endpoint.port, timeout=5)
        try:
            connection.request(method, path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer {method} {path} within {timeout:g} s:\n{server.log_tail()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _launch(
    command: list[str], env: dict[str, str], log_path: Path, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )


def with_source(env: dict[str, str], source: Path) -> dict[str, str]:
    """``env`` with ``source`` (a ``src/`` directory) first on ``PYTHONPATH``: ahead of the editable install's
    path entry, so ``import userpool`` finds that copy."""
    paths = [str(source), *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p)]
    return {**env, "PYTHONPATH": os.pathsep.join(paths)}


def imported_from(env: dict[str, str], cwd: Path) -> Path:
    """The directory ``import userpool`` loads the package from, in a Python started with ``env`` in ``cwd``."""
    found = subprocess.run(
        [sys.executable, "-c", "import userpool; print(userpool.__file__)"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(found.stdout.strip()).resolve().parent


@contextmanager
def _database(name: str, folder: Path) -> Iterator[tuple[str, sa.Engine | None, str]]:
    """(URL, an engine on the PostgreSQL server for reading its backends, the database's name)."""
    if name == USERPOOL_SQLITE:
        yield f"sqlite:///{folder / 'data' / 'userpool.sqlite3'}", None, ""
        return
    from tests.support.postgres import scratch_database, server_url

    with ExitStack() as stack:
        base = os.environ.get("USERPOOL_BENCH_DATABASE_URL") or stack.enter_context(server_url())
        url = stack.enter_context(scratch_database(base))
        admin = sa.create_engine(base, poolclass=sa.pool.NullPool)
        stack.callback(admin.dispose)
        yield url, admin, sa.engine.make_url(url).database or ""


def userpool_environment(data_dir: Path, url: str, port: int, argon2: Argon2Params, workers: int) -> dict[str, str]:
    """The environment ``userpool serve`` is started with (the settings of config.py, as USERPOOL_*)."""
    return {
        **os.environ,
        "USERPOOL_HOST": "127.0.0.1",
        "USERPOOL_PORT": str(port),
        "USERPOOL_DATA_DIR": str(data_dir),
        "USERPOOL_DATABASE_URL": url,
        "USERPOOL_REGION": REGION,
        "USERPOOL_ADMIN_ACCESS_KEY_ID": ACCESS_KEY,
        "USERPOOL_ADMIN_SECRET_ACCESS_KEY": SECRET_KEY,
        "USERPOOL_SECRET_KEYS": SERVER_SECRET,
        "USERPOOL_LOG_LEVEL": "warning",
        "USERPOOL_ARGON2__TIME_COST": str(argon2.time_cost),
        "USERPOOL_ARGON2__MEMORY_KIB": str(argon2.memory_kib),
        "USERPOOL_ARGON2__PARALLELISM": str(argon2.parallelism),
        # The number of worker processes `serve` starts.
        "USERPOOL_WORKERS": str(workers),
    }


@contextmanager
def start(
    name: str, cpus: set[int], *, argon2: Argon2Params, workers: int = 1, source: Path | None = None
) -> Iterator[Server]:
    """Start target ``name`` pinned to ``cpus``, wait until it answers, and stop it afterwards. Our server
    imports its code from ``source`` (a ``src/`` directory) when it is given, on a database of its own."""
    if name not in TARGETS:
        raise ValueError(f"unknown target {name!r}: one of {', '.join(TARGETS)}")
    if source is not None and name == MOTO:
        raise ValueError("moto has no source of ours to run")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as folder_name:
        folder = Path(folder_name)
        log_path = folder / "server.log"
        if name == MOTO:
            endpoint = Endpoint("127.0.0.1", port, Signer(MOTO_ACCESS_KEY, MOTO_SECRET_KEY, REGION))
            command = [sys.executable, "-c", _MOTO, "-H", "127.0.0.1", "-p", str(port)]
            server = Server(name, _launch(pinned(command, cpus), dict(os.environ), log_path), endpoint, log_path)
            server.cpus = frozenset(cpus)
            try:
                _wait_ready(server, "POST", "/moto-api/reset")
                yield server
            finally:
                _stop(server.process)
            return
        with _database(name, folder) as (url, admin, database_name):
            data_dir = folder / "data"
            endpoint = Endpoint("127.0.0.1", port, Signer(ACCESS_KEY, SECRET_KEY, REGION))
            env = userpool_environment(data_dir, url, port, argon2, workers)
            cwd = None
            if source is not None:
                # Started in its own folder, so that nothing in the current directory shadows ``source``.
                env, cwd = with_source(env, source), folder
                loaded = imported_from(env, cwd)
                if not loaded.is_relative_to(source.resolve()):
                    raise RuntimeError(f"{name}: userpool is imported from {loaded}, not from {source}")
            command = [sys.executable, "-m", "userpool", "serve"]
            process = _launch(pinned(command, cpus), env, log_path, cwd)
            server = Server(name, process, endpoint, log_path, url, data_dir, admin, database_name, frozenset(cpus))
            server.source = source
            try:
                _wait_ready(server, "GET", "/healthz")
                yield server
            finally:
                _stop(server.process)
