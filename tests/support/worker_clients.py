"""boto3 clients held to one worker process of a ``serve --workers N``: each keeps one connection open, and the
kernel's table of sockets tells which worker holds its other end (SO_REUSEPORT deals connections out by their
addresses, so a test cannot choose the worker; it opens connections until each worker holds one).

A keep-alive connection the server closed would be opened again, perhaps to the other worker: ``PinnedClient.
check`` says whether the client still talks through the connection it began with, to the same worker.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from tests.conftest import ACCESS_KEY, SECRET_KEY
from tests.support.bridge import REGION
from tests.support.processes import Served

# Enough attempts that every worker of two holds one of them but once in 2^40.
ATTEMPTS = 40


@dataclass(frozen=True)
class Connection:
    local_port: int
    remote_port: int
    inode: str


def _tcp_connections() -> list[Connection]:
    """The established IPv4 TCP connections of this machine (loopback included)."""
    found = []
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[3] == "01":
                local, remote = (int(address.split(":")[1], 16) for address in fields[1:3])
                found.append(Connection(local, remote, fields[9]))
    return found


def socket_inodes(pid: int) -> set[str]:
    """The inodes of the sockets process ``pid`` holds (from /proc)."""
    found = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[len("socket:[") : -1])
    return found


def _ports_to(server_port: int) -> set[int]:
    """The local ports of this process's connections to ``server_port``."""
    mine = socket_inodes(os.getpid())
    return {c.local_port for c in _tcp_connections() if c.remote_port == server_port and c.inode in mine}


def _worker_holding(served: Served, server_port: int, client_port: int) -> int | None:
    """The worker whose socket is the server's end of the connection from ``client_port``."""
    ends = {c.inode for c in _tcp_connections() if c.local_port == server_port and c.remote_port == client_port}
    for pid in served.worker_pids():
        if socket_inodes(pid) & ends:
            return pid
    return None


@dataclass
class PinnedClient:
    """A cognito-idp client whose one connection the worker ``pid`` holds."""

    client: Any
    pid: int
    local_port: int
    served: Served

    def check(self) -> None:
        """Fail unless the client's connection is the one it began with, still held by its worker."""
        server_port = int(self.served.url.rsplit(":", 1)[1])
        assert _ports_to(server_port) >= {self.local_port}, "the client's connection was closed"
        assert _worker_holding(self.served, server_port, self.local_port) == self.pid


def _one_connection_client(url: str) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"total_max_attempts": 1}, max_pool_connections=1),
    )


def client_per_worker(served: Served) -> dict[int, PinnedClient]:
    """A client held to each worker of ``served`` (the server's keep-alive timeout must outlast the test)."""
    server_port = int(served.url.rsplit(":", 1)[1])
    workers = set(served.worker_pids())
    pinned: dict[int, PinnedClient] = {}
    for _ in range(ATTEMPTS):
        before = _ports_to(server_port)
        client = _one_connection_client(served.url)
        client.list_user_pools(MaxResults=1)  # opens its connection, kept alive
        opened = _ports_to(server_port) - before
        assert len(opened) == 1, opened
        port = opened.pop()
        pid = _worker_holding(served, server_port, port)
        if pid is not None and pid not in pinned:
            pinned[pid] = PinnedClient(client, pid, port, served)
        else:
            client.close()
        if set(pinned) == workers:
            return pinned
    raise AssertionError(f"no connection reached every worker of {sorted(workers)} in {ATTEMPTS} attempts")
