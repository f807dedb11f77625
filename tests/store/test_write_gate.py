"""SQLite writers queue on the lock file beside the database (store/sql/write_gate.py): a write waits while
another process holds it and goes ahead the moment it is let go; writers of several processes lose nothing."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
from pathlib import Path

import sqlalchemy as sa

from userpool.crypto.sealing import Sealer
from userpool.store.sql import migrate
from userpool.store.sql.engine import make_engine
from userpool.store.sql.store import SqlStore

PER_PROCESS = 150


def _store(path: Path) -> SqlStore:
    return SqlStore(make_engine(f"sqlite:///{path}"), Sealer(("write-gate-test-secret",)))


def _bump(path: str, times: int) -> None:
    """Read-modify-write of one counter, ``times`` times, each in its own write transaction."""
    store = _store(Path(path))
    for _ in range(times):
        with store.write() as tx:
            conn = tx._conn
            value = conn.exec_driver_sql("SELECT n FROM counter").scalar_one()
            conn.exec_driver_sql("UPDATE counter SET n = ?", (value + 1,))
    store.dispose()


def _prepare(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        conn.execute(sa.text("INSERT INTO counter VALUES (0)"))
    engine.dispose()


def test_write_gate__a_writer_waits_while_another_process_holds_the_lock_file(tmp_path: Path) -> None:
    path = tmp_path / "userpool.sqlite3"
    _prepare(path)
    store = _store(path)
    fd = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT)
    held = multiprocessing.get_context("spawn").Event()
    release = multiprocessing.get_context("spawn").Event()
    holder = multiprocessing.get_context("spawn").Process(target=_hold, args=(f"{path}-writer.lock", held, release))
    holder.start()
    try:
        assert held.wait(30)
        done = threading.Event()
        writer = threading.Thread(target=lambda: (_bump(str(path), 1), done.set()))
        writer.start()
        assert not done.wait(0.5), "the write went ahead while another process held the gate"
        release.set()
        assert done.wait(30)
        writer.join()
    finally:
        release.set()
        holder.join(10)
        os.close(fd)
    with store.read() as tx:
        assert tx._conn.exec_driver_sql("SELECT n FROM counter").scalar_one() == 1
    store.dispose()


def _hold(lock_path: str, held: threading.Event, release: threading.Event) -> None:
    fd = os.open(lock_path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    held.set()
    release.wait(60)
    fcntl.flock(fd, fcntl.LOCK_UN)


def test_write_gate__read_modify_writes_of_two_processes_and_their_threads_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "userpool.sqlite3"
    _prepare(path)
    spawn = multiprocessing.get_context("spawn")
    processes = [spawn.Process(target=_bump, args=(str(path), PER_PROCESS)) for _ in range(2)]
    for process in processes:
        process.start()
    threads = [threading.Thread(target=_bump, args=(str(path), PER_PROCESS)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    store = _store(path)
    with store.read() as tx:
        assert tx._conn.exec_driver_sql("SELECT n FROM counter").scalar_one() == 5 * PER_PROCESS
    store.dispose()
