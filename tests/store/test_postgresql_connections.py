"""PostgreSQL connections taken from the pool (store/sql/engine.py): one given back moments ago is used as it is,
without a round trip to check it; one idle longer is checked first, so that connections the database server
cut off while they sat in the pool cost no request an error. The statements a read prepares on a connection
(store/sql/driver.py) are prepared again when something on it threw them away."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from tests.store.conftest import store_from_url
from tests.store.contract.records import new_pool
from tests.support import postgres
from userpool.store.sql import engine as engines


@pytest.fixture
def own_database() -> Iterator[tuple[str, str]]:
    """A scratch database of this test's own (its backends are cut off below), and the server's URL."""
    try:
        with postgres.server_url() as base, postgres.scratch_database(base) as url:
            yield base, url
    except (RuntimeError, sa.exc.OperationalError) as exc:
        pytest.skip(f"PostgreSQL is not available for the tests: {exc}")


def _backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _pings(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The checks the pool makes of a connection before handing it out (SQLAlchemy's dialect ``do_ping``)."""
    made: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_conn: Any) -> bool:
        made.append(1)
        return bool(ping(dbapi_conn))

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return made


def test_a_connection_given_back_moments_ago_is_taken_again_unchecked(
    own_database: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, url = own_database
    engine = engines.make_engine(url)
    try:
        pings = _pings(engine, monkeypatch)
        first = _backend_pid(engine)  # a new connection: just made, not checked
        assert [_backend_pid(engine) for _ in range(20)] == [first] * 20
        assert pings == []
        time.sleep(engines.ALIVE_BYPASS_SECONDS + 0.1)
        assert _backend_pid(engine) == first
        assert pings == [1]  # idle longer than the window: checked once, found alive, kept
    finally:
        engine.dispose()


def test_connections_cut_off_in_the_pool_are_replaced_before_a_request_gets_one(
    own_database: tuple[str, str],
) -> None:
    base, url = own_database
    engine = engines.make_engine(url)
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        # Three connections in the pool, then every one of them ended by the server (as a restart ends them).
        held = [engine.connect() for _ in range(3)]
        pids = {int(c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()) for c in held}
        for conn in held:
            conn.close()
        with admin.connect() as conn:
            ended = conn.exec_driver_sql(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid = ANY(%(pids)s)) AS ended",
                {"pids": list(pids)},
            ).scalar_one()
        assert ended == 3
        time.sleep(engines.ALIVE_BYPASS_SECONDS + 0.1)
        # Every request after that gets a working connection: none of the dead ones is handed out.
        for _ in range(5):
            with engine.connect() as conn:
                assert int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()) not in pids
    finally:
        admin.dispose()
        engine.dispose()


def test_a_read_prepares_its_statements_again_after_they_were_deallocated(own_database: tuple[str, str]) -> None:
    _, url = own_database
    store = store_from_url(url)
    try:
        with store.write() as tx:
            pool = new_pool(tx)
        with store.read() as tx:  # the configuration generation's statement, prepared on the connection
            assert tx.pools.get(pool.id) == pool
        with store.engine.connect() as conn:  # the same connection: the pool holds one
            # What psycopg sends after a statement that changed the schema, as a migration's do.
            conn.exec_driver_sql("DEALLOCATE ALL")
        for _ in range(2):
            with store.read() as tx:
                assert tx.pools.get(pool.id) == pool
        assert store.engine.pool.checkedin() == 1  # type: ignore[attr-defined]
    finally:
        store.dispose()


def test_a_read_whose_connection_was_cut_off_fails_once_and_the_next_read_gets_a_new_one(
    own_database: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, url = own_database
    monkeypatch.setattr(engines, "ALIVE_BYPASS_SECONDS", 60)  # no check before use, however long this takes
    store = store_from_url(url)
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with store.write() as tx:
            pool = new_pool(tx)
        with store.read() as tx:
            assert tx.pools.get(pool.id) == pool
        pid = _backend_pid(store.engine)  # the pool's one connection, the read's
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT pg_terminate_backend(%(pid)s)", {"pid": pid})
            for _ in range(500):  # the backend ends a moment later
                if not conn.exec_driver_sql("SELECT 1 FROM pg_stat_activity WHERE pid = %(pid)s", {"pid": pid}).all():
                    break
                time.sleep(0.01)
        # Given back moments ago, the connection is handed out unchecked (test above): this read finds it dead.
        with pytest.raises(psycopg.OperationalError), store.read() as tx:
            tx.pools.get(pool.id)
        # Thrown away, not given back to the pool: the next read gets a working connection.
        with store.read() as tx:
            assert tx.pools.get(pool.id) == pool
        assert _backend_pid(store.engine) != pid
    finally:
        admin.dispose()
        store.dispose()
