"""The lockout's decisions (model/lockout.py): when an attempt is verified, waits, or is refused."""

from __future__ import annotations

from dataclasses import replace

from userpool.model.lockout import (
    FREE_FAILURES,
    IN_FLIGHT_SECONDS,
    MAX_LOCK_SECONDS,
    QUIET_RESET_SECONDS,
    Start,
    after_failure,
    after_success,
    begin_attempt,
)
from userpool.model.token_records import SignInCounters

NOW = 1_700_000_000.0


def _begun(counters: SignInCounters, now: float = NOW) -> SignInCounters:
    start, counted = begin_attempt(counters, now)
    assert start is Start.PROCEED and counted is not None
    return counted


def test_attempts_up_to_the_threshold_are_verified_at_once_and_the_next_waits_for_them() -> None:
    counters = SignInCounters()
    for n in range(1, FREE_FAILURES + 2):
        counters = _begun(counters)
        assert counters.failed_attempts == n and counters.locked_until is None
    # Five counted, none known yet: the sixth may be behind a right password, so it waits rather than fails.
    assert begin_attempt(counters, NOW) == (Start.WAIT, None)
    # One of them was right: the counter is reset and the waiting attempt goes ahead.
    assert begin_attempt(after_success(counters), NOW)[0] is Start.PROCEED


def test_a_failure_at_the_threshold_locks_and_the_waiting_attempts_are_refused() -> None:
    counters = SignInCounters()
    for _ in range(FREE_FAILURES + 1):
        counters = _begun(counters)
    locked = after_failure(counters, NOW + 0.05)
    assert locked.locked_until == NOW + 1.05
    assert begin_attempt(locked, NOW + 0.1) == (Start.REFUSE, None)
    # Once the lock is over nothing is in flight: the next attempt is verified at once, and its failure
    # doubles the lock.
    sixth = _begun(locked, NOW + 1.1)
    assert sixth.failed_attempts == FREE_FAILURES + 2
    assert begin_attempt(sixth, NOW + 1.2) == (Start.WAIT, None)
    assert after_failure(sixth, NOW + 1.2).locked_until == NOW + 3.2


def test_failures_below_the_threshold_do_not_lock() -> None:
    counters = SignInCounters()
    for _ in range(FREE_FAILURES):
        counters = after_failure(_begun(counters), NOW)
    assert counters.locked_until is None
    assert begin_attempt(counters, NOW)[0] is Start.PROCEED


def test_an_attempt_that_never_reported_back_counts_as_a_failure_after_a_while() -> None:
    counters = SignInCounters()
    for _ in range(FREE_FAILURES + 1):
        counters = _begun(counters)
    assert begin_attempt(counters, NOW + IN_FLIGHT_SECONDS - 1)[0] is Start.WAIT
    start, counted = begin_attempt(counters, NOW + IN_FLIGHT_SECONDS)
    assert start is Start.PROCEED and counted is not None and counted.failed_attempts == FREE_FAILURES + 2


def test_quiet_minutes_reset_the_count() -> None:
    counters = replace(SignInCounters(), failed_attempts=FREE_FAILURES + 3, last_attempt_at=NOW)
    later = NOW + QUIET_RESET_SECONDS
    assert _begun(counters, later).failed_attempts == 1


def test_quiet_minutes_count_from_the_end_of_the_lock() -> None:
    # The longest lock, set by the fifteenth failure, ends as long after that attempt as the quiet minutes last.
    counters = replace(SignInCounters(), failed_attempts=15, last_attempt_at=NOW, locked_until=NOW + MAX_LOCK_SECONDS)
    assert _begun(counters, NOW + MAX_LOCK_SECONDS).failed_attempts == 16
    assert _begun(counters, NOW + MAX_LOCK_SECONDS + QUIET_RESET_SECONDS).failed_attempts == 1
