"""The records kept for names no user has (user_stand_ins) on SQLite and PostgreSQL: counters and codes per
stand-in sub, forgotten once they no longer matter, and counted one at a time when tried at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import Server
from userpool.model.codes import FORGOT_PASSWORD, SIGNUP, OneTimeCode
from userpool.model.lockout import QUIET_RESET_SECONDS
from userpool.model.token_records import SignInCounters

NOW = 1_700_000_000.0
SUB = "0b3c2f4e-8a1d-4c2b-9e7f-5d6a7b8c9d0e"


def _code(pool_id: str, purpose: str, expires_at: float) -> OneTimeCode:
    return OneTimeCode(pool_id, SUB, purpose, "a" * 64, "email", expires_at, 1, NOW, 2, NOW, NOW)


def test_stand_ins__keep_counters_and_codes_until_they_no_longer_matter(app_server: Server, pool_id: str) -> None:
    store = app_server.runtime.store
    counters = SignInCounters(failed_attempts=6, last_attempt_at=NOW, locked_until=NOW + 2)
    signup = _code(pool_id, SIGNUP, NOW + 60)
    forgot = _code(pool_id, FORGOT_PASSWORD, NOW + 7200)
    with store.write() as tx:
        assert tx.stand_ins.counters.get(pool_id, SUB, for_update=True) is None
        assert tx.stand_ins.codes.get(pool_id, SUB, SIGNUP, for_update=True) is None
        tx.stand_ins.counters.set_attempts(pool_id, SUB, counters)
        tx.stand_ins.codes.put(signup)
        tx.stand_ins.codes.put(forgot)
    with store.read() as tx:
        assert tx.stand_ins.counters.get(pool_id, SUB) == counters
        assert tx.stand_ins.codes.get(pool_id, SUB, SIGNUP) == signup
        assert tx.stand_ins.codes.get(pool_id, SUB, FORGOT_PASSWORD) == forgot
    # The counter is back to zero fifteen quiet minutes after its lock ends; the sign-up code's counters
    # run out an hour after they opened, the other code when it expires.
    with store.write() as tx:
        tx.stand_ins.delete_expired(NOW + 2 + QUIET_RESET_SECONDS - 1)
        assert tx.stand_ins.counters.get(pool_id, SUB) == counters
        tx.stand_ins.delete_expired(NOW + 2 + QUIET_RESET_SECONDS)
        assert tx.stand_ins.counters.get(pool_id, SUB) is None
        tx.stand_ins.delete_expired(NOW + 3600)
        assert tx.stand_ins.codes.get(pool_id, SUB, SIGNUP) is None
        assert tx.stand_ins.codes.get(pool_id, SUB, FORGOT_PASSWORD) == forgot
        tx.stand_ins.codes.delete(pool_id, SUB, FORGOT_PASSWORD)
        assert tx.stand_ins.codes.get(pool_id, SUB, FORGOT_PASSWORD) is None


def test_stand_ins__go_with_their_pool(app_server: Server, idp: object, pool_id: str) -> None:
    store = app_server.runtime.store
    with store.write() as tx:
        tx.stand_ins.counters.set_attempts(pool_id, SUB, SignInCounters(1, NOW))
        tx.pools.delete(pool_id)
    with store.read() as tx:
        assert tx.stand_ins.counters.get(pool_id, SUB) is None


def test_stand_ins__first_attempts_at_once_are_each_counted(app_server: Server, pool_id: str) -> None:
    store = app_server.runtime.store
    racers = 8
    start = threading.Barrier(racers)

    def count(_: int) -> None:
        start.wait()
        with store.write() as tx:
            found = tx.stand_ins.counters.get(pool_id, SUB, for_update=True) or SignInCounters()
            tx.stand_ins.counters.set_attempts(pool_id, SUB, SignInCounters(found.failed_attempts + 1, NOW))

    with ThreadPoolExecutor(max_workers=racers) as pool:
        list(pool.map(count, range(racers)))
    with store.read() as tx:
        assert tx.stand_ins.counters.get(pool_id, SUB) == SignInCounters(racers, NOW)


def test_stand_ins__simulated_sessions_expire_and_are_used_once(app_server: Server, pool_id: str) -> None:
    store = app_server.runtime.store
    record = {"client": "c", "challenge": "CUSTOM_CHALLENGE", "state": {"history": []}}
    with store.write() as tx:
        tx.stand_ins.add_session(pool_id, "a" * 64, record, NOW + 180)
        tx.stand_ins.add_session(pool_id, "b" * 64, record, NOW + 180)
    with store.write() as tx:
        assert tx.stand_ins.session(pool_id, "a" * 64, NOW) == record
        assert tx.stand_ins.session(pool_id, "a" * 64, NOW + 180) is None
        assert tx.stand_ins.consume_session(pool_id, "a" * 64)
        assert not tx.stand_ins.consume_session(pool_id, "a" * 64)
        assert tx.stand_ins.session(pool_id, "a" * 64, NOW) is None
        tx.stand_ins.delete_expired(NOW + 180)
    with store.read() as tx:
        assert tx.stand_ins.session(pool_id, "b" * 64, NOW) is None
