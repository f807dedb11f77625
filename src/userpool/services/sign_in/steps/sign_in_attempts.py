"""Counting password checks (USER_PASSWORD_AUTH, SRP's PASSWORD_VERIFIER, CUSTOM_AUTH's password proof)
towards the failed sign-in lockout (model/lockout.py).

An attempt is counted on a counter: the user's, or where the client hides which users exist, the stand-in
counter of the name typed (services/users/steps/stand_ins.py), so that a name no user has is locked out exactly as a
user is. Any other unknown name (the client says so anyway) is counted on nobody: the same statements,
nothing written, so both paths still cost the same.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from userpool.context import Ctx
from userpool.errors import NotAuthorizedException, UserNotFoundException
from userpool.model.lockout import LOCKED_MESSAGE, WAIT_SECONDS, Start, after_failure, after_success, begin_attempt
from userpool.model.records import Client, Pool, User
from userpool.model.token_records import SignInCounters
from userpool.services.lookup.app_clients import hides_users
from userpool.services.users.steps.stand_ins import forget_expired, stand_in_sub
from userpool.store.base import AttemptCounterRepo, Tx

# How often an attempt waiting on the lockout (model/lockout.py) asks again.
WAIT_POLL_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class Counter:
    """The failed sign-in counter an attempt is counted on: ``sub``'s in the pool, a user's or, with
    ``stand_in``, a name's stand-in counter."""

    pool_id: str
    sub: str
    stand_in: bool = False

    def repo(self, tx: Tx) -> AttemptCounterRepo:
        return tx.stand_ins.counters if self.stand_in else tx.sign_in_counters


def counter_for(ctx: Ctx, pool: Pool, client: Client, user: User | None, username: str) -> Counter:
    """The counter of an attempt at ``username``, which names ``user`` (None: no user)."""
    if user is not None:
        return Counter(pool.id, user.sub)
    if hides_users(client):
        return Counter(pool.id, stand_in_sub(ctx, pool, username), stand_in=True)
    return nobody(pool)


def nobody(pool: Pool) -> Counter:
    """A counter no row holds."""
    return Counter(pool.id, str(uuid.uuid4()))


def begin_counted_attempt(ctx: Ctx, counter: Counter) -> None:
    """Count the attempt before its password is checked, or refuse it if the counter is locked; past the
    threshold, wait while the attempt counted last is still being verified (model/lockout.py)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with ctx.store.write() as tx:
            repo = counter.repo(tx)
            if counter.stand_in:
                forget_expired(ctx, tx)
            counters = repo.get(counter.pool_id, counter.sub, for_update=True)
            start, counted = begin_attempt(counters or SignInCounters(), ctx.now)
            if counted is not None:
                # Counted on nobody, this updates no row: the statements, not the data, are what cost time.
                repo.set_attempts(counter.pool_id, counter.sub, counted)
        if start is Start.PROCEED:
            return
        if start is Start.REFUSE or time.monotonic() >= deadline:
            raise NotAuthorizedException(LOCKED_MESSAGE)
        time.sleep(WAIT_POLL_SECONDS)


def record_failed_attempt(ctx: Ctx, counter: Counter) -> None:
    """The counted attempt failed: lock the counter if that reaches the threshold (model/lockout.py)."""
    with ctx.store.write() as tx:
        repo = counter.repo(tx)
        counters = repo.get(counter.pool_id, counter.sub, for_update=True)
        # Nobody's counter does not exist: the same transaction, nothing written.
        if counters is not None:
            failed = after_failure(counters, ctx.now)
            if failed != counters:
                repo.set_attempts(counter.pool_id, counter.sub, failed)


def record_success(ctx: Ctx, counter: Counter) -> None:
    """The counted attempt succeeded: the counter starts again (a sign-in that goes on to its end resets it
    in its own write instead, outcome.py ``conclude``)."""
    with ctx.store.write() as tx:
        repo = counter.repo(tx)
        counters = repo.get(counter.pool_id, counter.sub, for_update=True)
        if counters is not None:
            repo.set_attempts(counter.pool_id, counter.sub, after_success(counters))


@contextmanager
def counted_attempt(ctx: Ctx, counter: Counter) -> Iterator[None]:
    """A password (or SRP proof) check counted on ``counter``: counted before the block runs, or refused; a
    wrong answer raised by the block is recorded as a failure, which locks at the threshold. A right one is
    not recorded here: the sign-in's own write resets the user's counter (outcome.py, ``conclude``).
    """
    begin_counted_attempt(ctx, counter)
    try:
        yield
    except (NotAuthorizedException, UserNotFoundException):
        record_failed_attempt(ctx, counter)
        raise
