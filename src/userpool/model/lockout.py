"""Failed sign-in lockout, as Cognito does it (spec quotas-and-errors §5).

After five consecutive failed password verifications a user is locked for one second, and every further
failure doubles the lock (2^(n−5) s for n failures) up to fifteen minutes. Attempts during a lock are refused
with "Password attempts exceeded" and neither count nor extend it. Fifteen quiet minutes, or a successful
sign-in, reset the counter.

Each attempt is counted *before* its password is verified, in one row-locked write: concurrent guesses are
therefore serialized on the counter, and the attempt that reaches the threshold locks out the ones behind
it even while its own verification is still running. A correct password then resets the counter.
"""

from __future__ import annotations

from dataclasses import replace

from userpool.model.token_records import SignInCounters

FREE_FAILURES = 4  # the fifth consecutive failure locks
MAX_LOCK_SECONDS = 15 * 60.0
QUIET_RESET_SECONDS = 15 * 60.0
LOCKED_MESSAGE = "Password attempts exceeded"


def is_locked(counters: SignInCounters, now: float) -> bool:
    return counters.locked_until is not None and now < counters.locked_until


def lock_seconds(failures: int) -> float:
    """How long ``failures`` consecutive failures lock the user: 0 up to four, then 1, 2, 4 ... 900 s."""
    if failures <= FREE_FAILURES:
        return 0.0
    return min(2.0 ** min(failures - FREE_FAILURES - 1, 20), MAX_LOCK_SECONDS)


def count_attempt(counters: SignInCounters, now: float) -> SignInCounters:
    """The counters once an attempt (not yet known to succeed) is counted as a failure."""
    failures = counters.failed_attempts
    if counters.last_attempt_at is not None and now - counters.last_attempt_at >= QUIET_RESET_SECONDS:
        failures = 0
    failures += 1
    lock = lock_seconds(failures)
    return replace(counters, failed_attempts=failures, last_attempt_at=now, locked_until=now + lock if lock else None)


def after_success(counters: SignInCounters) -> SignInCounters:
    return replace(counters, failed_attempts=0, locked_until=None)
