"""One SQLite writer at a time, queued in the kernel rather than by SQLite's busy handler.

SQLite lets one transaction write at a time (``BEGIN IMMEDIATE`` takes the write lock). A writer that finds
the lock taken is left to the busy handler, which sleeps and tries again: 1 ms, then 2, 5, 10 ms and longer.
The lock is held for a fraction of a millisecond, so with several worker processes writing (every sign-in
and refresh does) the waiters sleep through many commits, and two workers did no more sign-ins than one.

Here a writer first takes this gate: a thread lock inside the process, then ``flock`` on a file beside the
database across processes. Both block in the kernel and wake the waiter the moment the holder lets go, so
``BEGIN IMMEDIATE`` then finds the lock free (the busy handler remains for any other program writing to the
file). The gate is let go after COMMIT or ROLLBACK.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

try:
    import fcntl
except ImportError:  # Windows: the thread lock alone, and SQLite's busy handler between processes
    fcntl = None  # type: ignore[assignment]

# As long as SQLite's own busy_timeout (engine.py): a writer waits no longer here than it would there.
WAIT_SECONDS = 30.0


class WriteGate:
    def __init__(self, database_path: str | None) -> None:
        self._threads = threading.Lock()
        # Opened on first use, in the process that uses it: a worker forked after the store was made must not
        # share the parent's open file (flock locks belong to the open file, not to the process).
        self._path = f"{database_path}-writer.lock" if database_path else None
        self._fd: int | None = None
        self._pid = 0

    def _file(self) -> int | None:
        if self._path is None or fcntl is None:
            return None
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextmanager
    def held(self) -> Iterator[None]:
        if not self._threads.acquire(timeout=WAIT_SECONDS):
            raise sqlite3.OperationalError("database is locked")
        try:
            fd = self._file()
            if fd is None:
                yield
                return
            assert fcntl is not None
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


def database_path(database: str | None) -> str | None:
    """The file of a SQLite database URL's database part; None for an in-memory database."""
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return database
