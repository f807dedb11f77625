"""``python -m userpool serve`` as real OS processes (one or several workers), for the scale-out tests."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import ACCESS_KEY, SECRET_KEY
from tests.support.bridge import free_port, socket_client

SERVER_SECRET = "scale-test-server-secret"  # shared by every instance of one test


@dataclass
class Served:
    """One running ``userpool serve``."""

    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        """The worker processes (uvicorn spawns them; multiprocessing's resource tracker is not one)."""
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    parent = int(f.read().rsplit(b")", 1)[1].split()[1])
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmdline = f.read()
            except OSError:
                continue
            if parent == self.process.pid and b"spawn_main" in cmdline:
                found.append(int(entry))
        return sorted(found)


def server_environment(data_dir: Path, database_url: str, port: int, workers: int, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    return {
        **clean,
        "USERPOOL_HOST": "127.0.0.1",
        "USERPOOL_PORT": str(port),
        "USERPOOL_DATA_DIR": str(data_dir),
        "USERPOOL_DATABASE_URL": database_url,
        "USERPOOL_ADMIN_ACCESS_KEY_ID": ACCESS_KEY,
        "USERPOOL_ADMIN_SECRET_ACCESS_KEY": SECRET_KEY,
        # Instances sharing one database share the server secret (README, "Several instances").
        "USERPOOL_SECRET_KEYS": SERVER_SECRET,
        # "info": each worker logs "Application startup complete", which start() waits for.
        "USERPOOL_LOG_LEVEL": "info",
        "USERPOOL_ARGON2__TIME_COST": "1",
        "USERPOOL_ARGON2__MEMORY_KIB": "64",
        "USERPOOL_WORKERS": str(workers),
        **extra,
    }


def _healthy(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def start(data_dir: Path, database_url: str, *, workers: int, port: int | None = None, **extra_env: str) -> Served:
    """Start a server and wait (60 s at most) until it answers and all its workers are up."""
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / f"server-{port}-{time.monotonic_ns()}.log"
    env = server_environment(data_dir, database_url, port, workers, **extra_env)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "userpool", "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    served = Served(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{served.log_tail()}")
        started = log_path.read_text(errors="replace").count("Application startup complete")
        if started >= workers and (workers == 1 or len(served.worker_pids()) == workers) and _healthy(served.url):
            return served
        time.sleep(0.1)
    stop(served)
    raise RuntimeError(f"server did not start within 60 s:\n{served.log_tail()}")


def stop(served: Served) -> None:
    """SIGTERM, as a service manager stops it; SIGKILL after 20 s."""
    if served.process.poll() is None:
        served.process.send_signal(signal.SIGTERM)
        try:
            served.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait(timeout=20)


@contextmanager
def serving(
    data_dir: Path, database_url: str, *, workers: int, port: int | None = None, **extra_env: str
) -> Iterator[Served]:
    served = start(data_dir, database_url, workers=workers, port=port, **extra_env)
    try:
        yield served
    finally:
        stop(served)


def admin(url: str) -> Any:
    """boto3's cognito-idp client of ``url``, signed with the test servers' admin key."""
    return socket_client(url, ACCESS_KEY, SECRET_KEY)
