"""Failed sign-in lockout, as Cognito does it (Cognito developer guide: 'Lockout behavior for failed sign-in attempts').

After five consecutive failed password verifications a user is locked for one second, and every further
failure doubles the lock (2^(n−5) s for n failures) up to fifteen minutes. Attempts during a lock are refused
with "Password attempts exceeded" and neither count nor extend it. A successful sign-in resets the counter,
and so do fifteen minutes without attempts "at any time after a lockout" (AWS's user pool authentication
guide, on lockout behaviour): the quiet minutes count from the end of the last lock, not from the last
attempt. Counted from the attempt, the longest lock (also fifteen minutes) would itself be the quiet time,
and a guesser who just waited each lock out would start over at five free guesses after every one of
them: about 675 guesses a user a day instead of about 110.

Each attempt is counted *before* its password is verified, in one row-locked write, so that concurrent
guesses cannot all be verified before the first failure is known: however many arrive at once, no more than
five are verified before the lock. An attempt that finds five counted and one of them still being verified
waits for it (:func:`begin_attempt` says WAIT) rather than being refused: that attempt may be a correct
password, whose success resets the counter, as it does when many clients of one user sign in at once. A
verified failure sets the lock (:func:`after_failure`); the waiting attempts then meet it and are refused.
An attempt that never reports back (its process died) counts as a failure after ``IN_FLIGHT_SECONDS``.
"""

from __future__ import annotations

from dataclasses import replace
from enum import Enum

from userpool.model.token_records import SignInCounters

FREE_FAILURES = 4  # the fifth consecutive failure locks
MAX_LOCK_SECONDS = 15 * 60.0
QUIET_RESET_SECONDS = 15 * 60.0
LOCKED_MESSAGE = "Password attempts exceeded"
# Past the threshold, how long an attempt counted last may be still being verified (argon2id and SRP take
# well under a second, even queued behind others), and how long another attempt waits for it to end.
IN_FLIGHT_SECONDS = 10.0
WAIT_SECONDS = 5.0


class Start(Enum):
    PROCEED = "proceed"  # counted: verify the password
    WAIT = "wait"  # past the threshold, with an attempt still being verified: ask again shortly
    REFUSE = "refuse"  # locked


def is_locked(counters: SignInCounters, now: float) -> bool:
    return counters.locked_until is not None and now < counters.locked_until


def lock_seconds(failures: int) -> float:
    """How long ``failures`` consecutive failures lock the user: 0 up to four, then 1, 2, 4 ... 900 s."""
    if failures <= FREE_FAILURES:
        return 0.0
    return min(2.0 ** min(failures - FREE_FAILURES - 1, 20), MAX_LOCK_SECONDS)


def quiet_since(counters: SignInCounters) -> float | None:
    """Since when nothing has happened to the counter: the last attempt, or the end of the last lock if
    that came later; None for a counter never used."""
    last, lock = counters.last_attempt_at, counters.locked_until
    if last is None or lock is None:
        return last if lock is None else lock
    return max(last, lock)


def forgotten_at(counters: SignInCounters) -> float | None:
    """When the counter is back to zero by itself (QUIET_RESET_SECONDS of quiet): a record of it kept for
    nothing else may be deleted then. None for a counter never used."""
    since = quiet_since(counters)
    return since + QUIET_RESET_SECONDS if since is not None else None


def _failures(counters: SignInCounters, now: float) -> int:
    """The consecutive failures counted, none after QUIET_RESET_SECONDS without an attempt or a lock."""
    forgotten = forgotten_at(counters)
    if forgotten is not None and now >= forgotten:
        return 0
    return counters.failed_attempts


def _in_flight(counters: SignInCounters, now: float) -> bool:
    """An attempt was counted since the last lock was set and has not yet reported back."""
    last = counters.last_attempt_at
    if last is None or now - last >= IN_FLIGHT_SECONDS:
        return False
    return counters.locked_until is None or last > counters.locked_until


def begin_attempt(counters: SignInCounters, now: float) -> tuple[Start, SignInCounters | None]:
    """Whether a password attempt may be verified now, and if so the counters with it counted (as a failure,
    until :func:`after_success` resets them)."""
    if is_locked(counters, now):
        return Start.REFUSE, None
    failures = _failures(counters, now)
    if failures > FREE_FAILURES and _in_flight(counters, now):
        return Start.WAIT, None
    return Start.PROCEED, replace(counters, failed_attempts=failures + 1, last_attempt_at=now)


def after_failure(counters: SignInCounters, now: float) -> SignInCounters:
    """The counters once a counted attempt is known to have failed: locked from now if the failures counted
    reach the threshold."""
    lock = lock_seconds(counters.failed_attempts)
    return replace(counters, locked_until=now + lock) if lock else counters


def count_attempt(counters: SignInCounters, now: float) -> SignInCounters:
    """The counters once an attempt is counted as a failure and locked at once if it reaches the threshold:
    for the one-time codes of a challenge (services/sign_in/steps/mfa_answers.py), which one user does not answer many
    times at once."""
    failures = _failures(counters, now) + 1
    lock = lock_seconds(failures)
    return replace(counters, failed_attempts=failures, last_attempt_at=now, locked_until=now + lock if lock else None)


def after_success(counters: SignInCounters) -> SignInCounters:
    return replace(counters, failed_attempts=0, locked_until=None)
