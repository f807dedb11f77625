"""Password sign-in: USER_PASSWORD_AUTH (InitiateAuth), ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH
(AdminInitiateAuth). Spec auth-flows §2 (order of checks), §3; quotas-and-errors §4, §5.

An unknown user and a wrong password take the same path and the same time: the same transactions, and an
argon2 verification against a dummy hash (PasswordHasher.verify(None, ...)); with PreventUserExistenceErrors
ENABLED they also give the same error. The argon2 verification runs outside any transaction.

Triggers (spec auth-flows §2 steps 4-5): a name no user has goes to the pool's UserMigration function, which
may move the user in with the password typed; then PreAuthentication sees the user before its status and
password are checked. Both run between transactions.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from userpool.context import Ctx
from userpool.crypto import srp
from userpool.errors import InvalidParameterException, NotAuthorizedException, UserNotFoundException
from userpool.model.lockout import LOCKED_MESSAGE, WAIT_SECONDS, Start, after_failure, begin_attempt
from userpool.model.records import Client, Pool, User
from userpool.model.sign_in import WRONG_CREDENTIALS, status_refusal
from userpool.model.token_records import SignInCounters
from userpool.services.public_clients import check_secret_hash, hides_users
from userpool.services.sign_in import Attempt, Outcome, finish_first_factor, lookup_user, respond
from userpool.services.user_migration import migrate_on_sign_in
from userpool.triggers.sign_in import pre_authentication

# How often an attempt waiting on the lockout (model/lockout.py) asks again.
WAIT_POLL_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class FlowCall:
    """One InitiateAuth / AdminInitiateAuth call, its client resolved; ``client_metadata`` is the request's
    ClientMetadata, which PreAuthentication and UserMigration receive as ``validationData``."""

    pool: Pool
    client: Client
    params: dict[str, str]
    admin: bool
    client_metadata: Mapping[str, Any] | None = None


def required_parameter(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return value


def attempt_sub(user: User | None) -> str:
    """The counter row an attempt is counted on: the user's, or for an unknown user one that does not exist
    (the same transactions, nothing written), so that both paths cost the same."""
    return user.sub if user is not None else str(uuid.uuid4())


def begin_counted_attempt(ctx: Ctx, pool_id: str, sub: str) -> None:
    """Count the attempt before its password is checked, or refuse it if the user is locked; past the
    threshold, wait while the attempt counted last is still being verified (model/lockout.py)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with ctx.store.write() as tx:
            counters = tx.sign_in_counters.get(pool_id, sub, for_update=True)
            start, counted = begin_attempt(counters or SignInCounters(), ctx.now)
            if counted is not None:
                # For an unknown user this updates no row: the statements, not the data, are what cost time.
                tx.sign_in_counters.set_attempts(pool_id, sub, counted)
        if start is Start.PROCEED:
            return
        if start is Start.REFUSE or time.monotonic() >= deadline:
            raise NotAuthorizedException(LOCKED_MESSAGE)
        time.sleep(WAIT_POLL_SECONDS)


def record_failed_attempt(ctx: Ctx, pool_id: str, sub: str) -> None:
    """The counted attempt failed: lock the user if that reaches the threshold (model/lockout.py)."""
    with ctx.store.write() as tx:
        counters = tx.sign_in_counters.get(pool_id, sub, for_update=True)
        # An unknown user's row does not exist: the same transaction, nothing written.
        if counters is not None:
            failed = after_failure(counters, ctx.now)
            if failed != counters:
                tx.sign_in_counters.set_attempts(pool_id, sub, failed)


@contextmanager
def counted_attempt(ctx: Ctx, pool_id: str, user: User | None) -> Iterator[None]:
    """A password (or SRP proof) check counted against the user's lockout (model/lockout.py): counted before
    the block runs, or refused; a wrong answer raised by the block is recorded as a failure, which locks the
    user at the threshold. A right one is not recorded here: the sign-in's own write resets the counter
    (services/sign_in.py, ``conclude``).
    """
    sub = attempt_sub(user)
    begin_counted_attempt(ctx, pool_id, sub)
    try:
        yield
    except (NotAuthorizedException, UserNotFoundException):
        record_failed_attempt(ctx, pool_id, sub)
        raise


def password_sign_in(ctx: Ctx, call: FlowCall) -> dict[str, Any]:
    """USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH: tokens or the next challenge."""
    attempt = Attempt(call.params.get("DEVICE_KEY") or None, may_track=not call.admin)
    return respond(ctx, password_step(ctx, call, attempt), request_metadata=call.client_metadata)


def password_step(ctx: Ctx, call: FlowCall, attempt: Attempt) -> Outcome:
    """Verify USERNAME + PASSWORD (and SECRET_HASH) and conclude: the next challenge, or the signed-in user."""
    username = required_parameter(call.params, "USERNAME")
    password = required_parameter(call.params, "PASSWORD")
    # SECRET_HASH is computed over the USERNAME as the client sent it, alias or not (spec auth-flows §2).
    check_secret_hash(call.client, username, call.params.get("SECRET_HASH"))
    hides = hides_users(call.client)
    with ctx.store.read() as tx:
        user = lookup_user(tx, call.pool, username)
    if user is None:
        user = migrate_on_sign_in(ctx, call.pool, call.client, username, password, call.client_metadata)
    pre_authentication(
        ctx.settings,
        call.pool,
        user,
        username,
        client_id=call.client.id,
        hides_users=hides,
        validation_data=call.client_metadata,
    )
    if user is not None:
        refusal = status_refusal(user, hides)
        if refusal is not None:
            raise refusal
    hasher = ctx.deps.hasher
    with counted_attempt(ctx, call.pool.id, user):
        matches = hasher.verify(user.password_hash if user is not None else None, password)
        if user is None:
            if hides:
                raise NotAuthorizedException(WRONG_CREDENTIALS)
            raise UserNotFoundException("User does not exist.")
        if not matches or user.password_hash is None:
            raise NotAuthorizedException(WRONG_CREDENTIALS)
    # Hashes made with older argon2 parameters are upgraded while the password is at hand.
    rehashed = hasher.hash(password) if hasher.needs_rehash(user.password_hash) else None
    # A password set before SRP enrolment existed gets its verifier now, the first time the server sees
    # the plaintext again (spec auth-flows §6.3); the modexp runs here, outside any transaction.
    enrolled = None
    if user.srp_verifier is None:
        salt, verifier = srp.enrol(call.pool.id, user.username, password)
        enrolled = (salt, format(verifier, "x"))
    return finish_first_factor(ctx, call.pool, call.client, user, rehashed, enrolled, attempt)
