"""What ``userpool export`` and ``userpool import`` run (cli.py asks for the secret and prints the outcome): the
server's database opened as the settings say, as ``userpool migrate`` does, and the file written or read.

An export is written beside its destination, readable by its owner only, and renamed into place once complete:
an export that fails leaves no file. ``-`` is standard output or input, for piping an export from one server to
another.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from userpool.bootstrap import prepare_data_dir, server_secrets
from userpool.config import Settings
from userpool.crypto.export_keys import ExportKey, new_kdf
from userpool.crypto.sealing import Sealer
from userpool.store.sql import migrate
from userpool.store.sql.engine import make_engine
from userpool.store.sql.pool_transfer.export import export_pool
from userpool.store.sql.pool_transfer.file_format import Reader, TransferError
from userpool.store.sql.pool_transfer.restore import Imported, import_pool
from userpool.store.sql.store import SqlStore

STDIO = "-"


@contextlib.contextmanager
def _store(settings: Settings) -> Iterator[tuple[SqlStore, Sealer]]:
    prepare_data_dir(settings.data_dir)
    sealer = Sealer(server_secrets(settings))
    engine = make_engine(settings.effective_database_url)
    migrate.upgrade(engine, sealer)
    store = SqlStore(engine, sealer)
    try:
        yield store, sealer
    finally:
        store.dispose()


@contextlib.contextmanager
def _destination(path: str) -> Iterator[IO[bytes]]:
    if path == STDIO:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    if target.exists():
        raise TransferError(f"{path} exists; nothing was written (remove it, or choose another name)")
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.unlink(missing_ok=True)  # a stale one would keep its mode
        # Owner-only: the file holds the users' attributes in clear (docs/pool-export.md).
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as err:
        raise TransferError(f"cannot write {path}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def export_to(settings: Settings, pool_id: str, path: str, secret: bytes, salt_of: str | None = None) -> dict[str, int]:
    """Export the pool to ``path``, under a fresh salt, or under the salt of the export ``salt_of`` (which
    ``secret`` must open): then an export of an unchanged pool is the same bytes as that one."""
    key = _file_key(secret, salt_of)
    with _store(settings) as (store, sealer), _destination(path) as out:
        return export_pool(store, sealer, pool_id, out, key, time.time())


def _file_key(secret: bytes, salt_of: str | None) -> ExportKey:
    if salt_of is None:
        return ExportKey(secret, new_kdf())
    try:
        with _source(salt_of) as source:
            # The earlier file's header is checked (its MAC, its key check): a passphrase that does not open it is
            # refused rather than making a file that nothing could be compared with.
            return Reader(source).unlock(secret)
    except TransferError as err:
        raise TransferError(f"{salt_of} (--salt-of): {err}; nothing was written") from None


@contextlib.contextmanager
def _source(path: str) -> Iterator[IO[bytes]]:
    if path == STDIO:
        yield sys.stdin.buffer
        return
    try:
        source = open(path, "rb")  # closed below; a missing file is told apart from errors inside
    except FileNotFoundError:
        raise TransferError(f"there is no file {path}") from None
    except OSError as err:
        raise TransferError(f"cannot read {path}: {err.strerror or err}") from None
    with source:
        yield source


def import_from(settings: Settings, path: str, secret: Callable[[], bytes]) -> Imported:
    """Import the file at ``path``; ``secret`` is asked for once the header has shown a file this server reads."""
    with _source(path) as source:
        reader = Reader(source)
        key = reader.unlock(secret())
        with _store(settings) as (store, sealer):
            return import_pool(store, sealer, reader, key)
