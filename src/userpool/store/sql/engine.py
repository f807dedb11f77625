"""Engines for SQLite (embedded default) and PostgreSQL (scale-out), set up as docs/architecture.md says (Storage)."""

from __future__ import annotations

import contextlib
import json
import os
import time
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from userpool.store.sql.write_gate import database_path

WRITE_OPTION = "userpool_write"
BEGIN = "BEGIN"
# A writer takes the write lock up front: two deferred transactions that both upgrade to writing would
# otherwise deadlock and fail with "database is locked".
BEGIN_WRITE = "BEGIN IMMEDIATE"


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` / ``postgres://`` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def json_loads(text: str | bytes) -> Any:
    """JSON columns read with orjson (several are read on every request); what orjson refuses but
    the stdlib reads (NaN, integers beyond 64 bits) still loads as before."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


# A PostgreSQL connection given back to the pool less than this long ago is taken again as it is; one idle
# longer is checked first with a round trip (HikariCP's aliveBypassWindowMs, 500 ms by default).
ALIVE_BYPASS_SECONDS = 0.5
_GIVEN_BACK = "userpool_given_back"


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return _postgresql_engine(url)


def _postgresql_engine(url: str) -> Engine:
    """SQLAlchemy's ``pool_pre_ping`` checks every connection it hands out with a ``SELECT 1``: a round trip
    before every transaction's first statement (one of GetUser's five then), each a wait, a thread switch and
    the server's work. Under load each connection
    is back in use within milliseconds of being given back, and one that worked that recently is trusted; one
    idle for longer (which is every connection once the database server has restarted, or cut it off while it
    sat in the pool) is checked as before, and replaced by a new one if the check fails, so that no request
    pays for a connection that died in the pool."""
    engine = sa.create_engine(url, pool_size=10, max_overflow=40, pool_timeout=60, json_deserializer=json_loads)
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_conn: Any, record: Any) -> None:
        record.info[_GIVEN_BACK] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _given_back(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info[_GIVEN_BACK] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        given_back = record.info.get(_GIVEN_BACK)
        if given_back is not None and time.monotonic() - given_back < ALIVE_BYPASS_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_conn)
        except dialect.loaded_dbapi.Error as err:
            # The pool discards this connection and hands out another (checked the same way) in its place.
            raise sa.exc.DisconnectionError(str(err)) from err

    return engine


def _create_private(url: str) -> None:
    """Create the database file readable by its owner only, before SQLite makes it with 0644. SQLite gives its
    -wal, -shm and journal files the mode of the database file, so they are private too."""
    parsed = sa.engine.make_url(url)
    path = database_path(parsed.database)
    if path is None or parsed.query.get("uri"):
        return
    # An existing database keeps its mode (the data directory around it is private: bootstrap.py); a missing
    # folder is left to SQLite, whose error says so.
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_engine(url: str) -> Engine:
    _create_private(url)
    engine = sa.create_engine(url, pool_size=8, max_overflow=56, pool_timeout=60, json_deserializer=json_loads)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that BEGIN is ours to choose.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    # The begin listener goes on an option view of the engine, not on the engine itself, which therefore
    # keeps no connection event listener for store_engine's sibling (whose transactions begin in SqlStore).
    transactional = engine.execution_options()

    @event.listens_for(transactional, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql(BEGIN_WRITE if conn.get_execution_options().get(WRITE_OPTION, False) else BEGIN)

    return transactional


def store_engine(engine: Engine) -> Engine:
    """The engine SqlStore runs its transactions on. On SQLite: one sharing ``engine``'s pool and dialect but none of
    its connection event listeners, and SqlStore emits BEGIN itself. SQLAlchemy sends every statement of a connection
    through its event dispatch as soon as the engine has any such listener, which costs a short read about a third of
    its time (docs/architecture.md, Hot-path rules). PostgreSQL needs no listener: the engine itself."""
    if not is_sqlite(engine):
        return engine
    return Engine(engine.pool, engine.dialect, engine.url)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
