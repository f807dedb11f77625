"""A PostgreSQL server for the tests: USERPOOL_TEST_DATABASE_URL, the one on 127.0.0.1:5432, or one
started from Debian's binaries in a temporary folder."""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _own_server() -> Iterator[str]:
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        raise RuntimeError(
            "no PostgreSQL for the tests: set USERPOOL_TEST_DATABASE_URL, run one on 127.0.0.1:5432, "
            "or install Debian's postgresql package"
        )
    bindir = os.path.dirname(binaries[-1])
    folder = tempfile.mkdtemp(prefix="userpool-pg-")
    port = _free_port()
    user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if user:
        shutil.chown(folder, "postgres")
    subprocess.run(
        [*user, f"{bindir}/initdb", "-D", f"{folder}/data", "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *user,
            f"{bindir}/pg_ctl",
            "-D",
            f"{folder}/data",
            "-w",
            "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*user, f"{bindir}/pg_ctl", "-D", f"{folder}/data", "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def server_url() -> Iterator[str]:
    env = os.environ.get("USERPOOL_TEST_DATABASE_URL")
    if env:
        yield env
    elif _port_open("127.0.0.1", 5432):
        yield DEFAULT_URL
    else:
        with _own_server() as url:
            yield url


@contextmanager
def scratch_database(base_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``base_url``, dropped afterwards. Its name says which
    pytest-xdist worker made it (``gw0``...; ``main`` without xdist), and is unique all the same, so that
    workers and test runs sharing a server never share a database."""
    worker = re.sub(r"[^a-z0-9]", "", os.environ.get("PYTEST_XDIST_WORKER", "main").lower()) or "main"
    name = f"userpool_test_{worker}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            for _ in range(20):
                try:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    break
                except sa.exc.OperationalError:
                    time.sleep(0.2)
        admin.dispose()
