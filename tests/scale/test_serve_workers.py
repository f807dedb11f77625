"""``serve --workers 2`` as an operator runs it: each worker on a CPU and a listening socket of its own, so
connections opened together are spread over both workers; a port already taken is refused, not shared."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.bridge import free_port
from tests.support.processes import server_environment, serving
from tests.support.worker_clients import socket_inodes

pytestmark = pytest.mark.socket

CONNECTIONS = 16


def _allowed_cpus(pid: int) -> str:
    with open(f"/proc/{pid}/status") as f:
        return next(line.split(":", 1)[1].strip() for line in f if line.startswith("Cpus_allowed_list:"))


def _established_to(port: int) -> set[str]:
    """Inodes of the established TCP sockets whose local port is ``port`` (the server ends)."""
    found = set()
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            local_port, state, inode = int(fields[1].split(":")[1], 16), fields[3], fields[9]
            if local_port == port and state == "01":
                found.add(inode)
    return found


def test_two_workers__connections_opened_together_reach_both_workers_each_on_its_own_cpu(
    tmp_path: Path, served_database: str
) -> None:
    with serving(tmp_path / "data", served_database, workers=2) as served:
        port = int(served.url.rsplit(":", 1)[1])
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(CONNECTIONS)]
        try:
            for connection in connections:
                connection.connect()
            for connection in connections:
                connection.request("GET", "/healthz")
                assert connection.getresponse().read() == b'{"status":"ok"}'
            held = _established_to(port)
            per_worker = {pid: len(socket_inodes(pid) & held) for pid in served.worker_pids()}
        finally:
            for connection in connections:
                connection.close()
        assert sum(per_worker.values()) == CONNECTIONS
        # The kernel deals connections out by address hash: all 16 on one worker would happen once in 2^15.
        assert all(count > 0 for count in per_worker.values()), per_worker
        if len(os.sched_getaffinity(0)) >= 2:
            cpus = [_allowed_cpus(pid) for pid in served.worker_pids()]
            assert len(set(cpus)) == 2 and all(c.isdigit() for c in cpus), cpus


def test_serve__a_port_already_listened_on_is_refused_not_shared(tmp_path: Path) -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", port))
        taken.listen()
        database = f"sqlite:///{tmp_path / 'data' / 'userpool.sqlite3'}"
        (tmp_path / "data").mkdir()
        result = subprocess.run(
            [sys.executable, "-m", "userpool", "serve"],
            env=server_environment(tmp_path / "data", database, port, 2),
            capture_output=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr.decode()


def test_two_workers__pin_workers_off_leaves_the_cpus_to_the_kernel(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'data' / 'userpool.sqlite3'}"
    with serving(tmp_path / "data", database, workers=2, USERPOOL_PIN_WORKERS="false") as served:
        everything = _allowed_cpus(os.getpid())
        assert [_allowed_cpus(pid) for pid in served.worker_pids()] == [everything, everything]
        assert "on CPUs all" in served.log_tail(400)
