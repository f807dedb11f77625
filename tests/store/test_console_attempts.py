"""The console's sign-in attempt counters on SQLite and PostgreSQL: exact under racing writers, forgotten
when their period ends, and bounded in number."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from tests.conftest import Server
from userpool.model.operators import AttemptCount
from userpool.store.sql.tables import console_sign_in_attempts

NOW = 1_700_000_000.0
KEY = "a" * 64


def _rows(server: Server) -> dict[str, int]:
    engine = sa.create_engine(server.settings.effective_database_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(console_sign_in_attempts)).all()
    engine.dispose()
    return {row.counter_key: row.attempts for row in rows}


def test_console_attempts__racing_takes_stop_exactly_at_the_limit(app_server: Server) -> None:
    store = app_server.runtime.store
    racers = 12
    start = threading.Barrier(racers)
    taken: list[bool] = []

    def take() -> None:
        start.wait()
        with store.write() as tx:
            taken.append(tx.console_attempts.take(KEY, 5, NOW, 900, 1000))

    threads = [threading.Thread(target=take) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == [False] * (racers - 5) + [True] * 5
    with store.read() as tx:
        assert tx.console_attempts.get(KEY, NOW) == AttemptCount(5, NOW + 900)


def test_console_attempts__an_ended_count_starts_again_and_a_give_back_frees_one(app_server: Server) -> None:
    store = app_server.runtime.store
    with store.write() as tx:
        assert [tx.console_attempts.take(KEY, 2, NOW + i, 900, 1000) for i in range(3)] == [True, True, False]
        tx.console_attempts.give_back(KEY, NOW + 3)
        assert tx.console_attempts.take(KEY, 2, NOW + 4, 900, 1000)
        assert not tx.console_attempts.take(KEY, 2, NOW + 5, 900, 1000)
        # A refused attempt does not move the end on: the lock ends 900 s after the last counted one.
        assert tx.console_attempts.get(KEY, NOW + 5) == AttemptCount(2, NOW + 904)
        assert tx.console_attempts.get(KEY, NOW + 904) is None
        assert tx.console_attempts.take(KEY, 2, NOW + 904, 900, 1000)
        assert tx.console_attempts.get(KEY, NOW + 904) == AttemptCount(1, NOW + 1804)
        tx.console_attempts.forget(KEY)
        assert tx.console_attempts.get(KEY, NOW + 904) is None


def test_console_attempts__new_counters_delete_dead_ones_and_keep_the_table_bounded(app_server: Server) -> None:
    store = app_server.runtime.store
    with store.write() as tx:
        for i in range(4):
            assert tx.console_attempts.take(f"{i:064d}", 5, NOW + i, 900, 3)
    # Three live at most: the one nearest its end went when the fourth came.
    assert set(_rows(app_server)) == {f"{i:064d}" for i in (1, 2, 3)}
    with store.write() as tx:
        assert tx.console_attempts.take(KEY, 5, NOW + 902, 900, 3)
    # Counters whose period has ended are gone as soon as another counter is made.
    assert set(_rows(app_server)) == {f"{3:064d}", KEY}
