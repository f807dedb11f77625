"""PreventUserExistenceErrors and failed sign-in lockout (Cognito developer guide: 'Managing user existence error
responses', 'Lockout behavior for failed sign-in attempts'; docs/architecture.md, Security invariants: an unknown user
and a wrong password cost the same time and, where the client hides users, give the same error)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from tests.conftest import ACCESS_KEY, SECRET_KEY, Server, make_settings, running_server
from tests.support.auth import PASSWORD, make_client, make_user, sign_in
from tests.support.bridge import serve_in_thread, socket_client
from tests.support.errors import fails
from tests.support.existence import POOL_KINDS, Hiding, hiding_pool, outcome
from tests.support.plans import captured_sql
from tests.support.users import NewUser, add_users
from userpool.app import build_runtime, create_app
from userpool.clock import FixedClock
from userpool.model.lockout import lock_seconds

WRONG = ("NotAuthorizedException", "Incorrect username or password.")
LOCKED = ("NotAuthorizedException", "Password attempts exceeded")


def _attempt(idp: Any, client: dict[str, Any], username: str, password: str) -> Any:
    return idp.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def _admin_attempt(idp: Any, pool_id: str, client: dict[str, Any], username: str, password: str) -> Any:
    return idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def test_initiate_auth__prevent_user_existence_errors_hides_missing_users(
    app_server: Server, idp: Any, pool_id: str
) -> None:
    hiding = make_client(idp, pool_id, PreventUserExistenceErrors="ENABLED")
    legacy = make_client(idp, pool_id, PreventUserExistenceErrors="LEGACY")
    make_user(idp, pool_id, "ann")
    add_users(app_server.runtime.store, pool_id, [NewUser("imported", status="RESET_REQUIRED")])
    assert fails(_attempt, idp=idp, client=hiding, username="nobody", password=PASSWORD) == WRONG
    assert fails(_attempt, idp=idp, client=hiding, username="ann", password="Wrong-Pass-1") == WRONG
    assert fails(_attempt, idp=idp, client=hiding, username="imported", password=PASSWORD) == WRONG
    assert fails(_admin_attempt, idp=idp, pool_id=pool_id, client=hiding, username="nobody", password=PASSWORD) == WRONG
    assert fails(_attempt, idp=idp, client=legacy, username="nobody", password=PASSWORD)[0] == "UserNotFoundException"
    assert fails(_attempt, idp=idp, client=legacy, username="imported", password=PASSWORD)[0] == (
        "PasswordResetRequiredException"
    )


def test_initiate_auth__lockout_after_five_failures(clocked: Server, clock: FixedClock) -> None:
    idp = clocked.client()
    pool_id = idp.create_user_pool(PoolName="lockout")["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    make_user(idp, pool_id, "bob")
    for _ in range(5):
        assert fails(_attempt, idp=idp, client=client, username="ann", password="Wrong-Pass-1") == WRONG
    # Locked for 1 s: even the right password is refused, and other users are not affected.
    assert fails(_attempt, idp=idp, client=client, username="ann", password=PASSWORD) == LOCKED
    sign_in(idp, client, "bob")
    clock.advance(1.5)
    assert fails(_attempt, idp=idp, client=client, username="ann", password="Wrong-Pass-1") == WRONG
    # The sixth failure locks for 2 s; attempts during the lock neither count nor extend it.
    clock.advance(1.5)
    assert fails(_attempt, idp=idp, client=client, username="ann", password=PASSWORD) == LOCKED
    clock.advance(0.6)
    sign_in(idp, client, "ann")
    # Success reset the counter: four failures no longer lock.
    for _ in range(4):
        assert fails(_attempt, idp=idp, client=client, username="ann", password="Wrong-Pass-1") == WRONG
    sign_in(idp, client, "ann")


def test_initiate_auth__lockout_counter_resets_after_quiet_minutes(clocked: Server, clock: FixedClock) -> None:
    idp = clocked.client()
    pool_id = idp.create_user_pool(PoolName="quiet")["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    for _ in range(4):
        fails(_attempt, idp=idp, client=client, username="ann", password="Wrong-Pass-1")
    clock.advance(15 * 60)
    # Without the reset this would be the fifth failure and lock the next attempt.
    assert fails(_attempt, idp=idp, client=client, username="ann", password="Wrong-Pass-1") == WRONG
    sign_in(idp, client, "ann")


@pytest.mark.every_database
def test_initiate_auth__lockout_holds_under_concurrent_guesses(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path / "data", database_url)
    runtime = build_runtime(settings, FixedClock(time.time()))
    with serve_in_thread(create_app(settings, runtime=runtime)) as url:
        idp = socket_client(url, ACCESS_KEY, SECRET_KEY)
        pool_id = idp.create_user_pool(PoolName="race")["UserPool"]["Id"]
        client = make_client(idp, pool_id)
        make_user(idp, pool_id, "ann")

        def guess(n: int) -> tuple[str, str]:
            return fails(_attempt, idp=idp, client=client, username="ann", password=f"Guess-{n}-Pass")

        with ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(guess, range(12)))
    runtime.store.dispose()
    # Each guess is counted before its password is checked, so no more than five are ever checked.
    assert answers.count(WRONG) == 5
    assert answers.count(LOCKED) == 7


class _CountingArgon2:
    """Stands in for the argon2 hasher inside the runtime's PasswordHasher: counts the hashes verified."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.verified = 0

    def verify(self, stored: str, password: str) -> bool:
        self.verified += 1
        return bool(self._inner.verify(stored, password))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_initiate_auth__unknown_user_costs_as_much_as_a_wrong_password(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What makes the time of both paths alike: each verifies exactly one argon2 hash (an unknown user's
    # against a dummy). The time itself is measured by `python -m bench existence`.
    settings = make_settings(tmp_path / "data", database_url)
    samples = 3
    with running_server(settings, FixedClock(time.time())) as server:
        idp = server.client()
        pool_id = idp.create_user_pool(PoolName="timing")["UserPool"]["Id"]
        client = make_client(idp, pool_id, PreventUserExistenceErrors="ENABLED")
        # One user per wrong guess: no user reaches the lockout, which would answer without verifying.
        users = add_users(server.runtime.store, pool_id, [NewUser(f"user{i}") for i in range(samples)])
        password_hash = server.runtime.deps.hasher.hash(PASSWORD)
        with server.runtime.store.write() as tx:
            for user in users:
                tx.users.update(replace(user, password_hash=password_hash))
        counting = _CountingArgon2(server.runtime.deps.hasher._argon2)
        monkeypatch.setattr(server.runtime.deps.hasher, "_argon2", counting)

        def verified(username: str) -> int:
            before = counting.verified
            assert fails(_attempt, idp=idp, client=client, username=username, password="Wrong-Pass-1") == WRONG
            return counting.verified - before

        for i in range(samples):
            assert verified(f"missing{i}") == 1
            assert verified(f"user{i}") == 1


@pytest.mark.parametrize("kind", POOL_KINDS)
def test_initiate_auth__unknown_users_are_locked_out_alike(clocked: Server, clock: FixedClock, kind: str) -> None:
    idp = clocked.client()
    hiding = hiding_pool(idp, kind)

    def password(name: str, given: str = "Wrong-Pass-1") -> Any:
        return outcome(_attempt, idp=idp, client=hiding.client, username=name, password=given)

    def srp(name: str) -> Any:
        client = AWSSRP(name, "Wrong-Pass-1", hiding.pool_id, hiding.client_id, client=idp)
        return outcome(client.authenticate_user)

    for _ in range(5):
        assert password(hiding.real) == password(hiding.unknown) == ("error", *WRONG)
    # The fifth failure locks both for a second, the right password included.
    assert password(hiding.real, PASSWORD) == password(hiding.unknown, PASSWORD) == ("error", *LOCKED)
    clock.advance(1.5)
    # A wrong SRP proof counts as a wrong password does, and locks both again (for two seconds).
    assert srp(hiding.real) == srp(hiding.unknown) == ("error", *WRONG)
    assert password(hiding.real) == password(hiding.unknown) == ("error", *LOCKED)
    clock.advance(2.5)
    assert password(hiding.real) == password(hiding.unknown) == ("error", *WRONG)


def test_initiate_auth__lockout_escalation_outlasts_the_longest_lock(clocked: Server, clock: FixedClock) -> None:
    idp = clocked.client()
    pool_id = idp.create_user_pool(PoolName="escalation")["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    # Fifteen failures, each once the lock the last one set has run out: 1, 2, 4 ... 512 s, then 15 minutes.
    for failures in range(1, 16):
        assert fails(_attempt, idp=idp, client=client, username="ann", password="Wrong-Pass-1") == WRONG
        clock.advance(lock_seconds(failures))
    assert lock_seconds(15) == 15 * 60
    # The longest lock has just run out, and fifteen minutes have passed since the last attempt; the failures
    # are still counted, so the next one locks for fifteen minutes again rather than starting over.
    assert fails(_attempt, idp=idp, client=client, username="ann", password="Wrong-Pass-1") == WRONG
    assert fails(_attempt, idp=idp, client=client, username="ann", password=PASSWORD) == LOCKED
    clock.advance(15 * 60)
    sign_in(idp, client, "ann")


def _work(engine: Any, call: Any, **kwargs: Any) -> list[str]:
    """The reads and writes ``call`` sends to the database (transaction and savepoint control left out)."""
    with captured_sql(engine) as statements:
        outcome(call, **kwargs)
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    return [s.sql.split()[0].upper() for s in statements if not s.sql.lstrip().upper().startswith(control)]


@pytest.mark.parametrize("kind", POOL_KINDS)
def test_hidden_users__unknown_names_cost_the_statements_real_users_do(
    clocked: Server, clock: FixedClock, kind: str
) -> None:
    # Time itself is measured by `python -m bench existence`; the statements are what it mostly depends on.
    clocked.runtime.dispatcher.stop()  # the messages real users are sent are delivered outside the request
    idp = clocked.client()
    engine = clocked.runtime.store.engine
    hiding = hiding_pool(idp, kind)
    signed_up = hiding_pool(idp, kind, signed_up=True)
    srp_a = AWSSRP(hiding.real, PASSWORD, hiding.pool_id, hiding.client_id, client=idp).get_auth_params()["SRP_A"]
    operations: list[tuple[Hiding, Any, dict[str, Any]]] = [
        (hiding, idp.initiate_auth, {"AuthFlow": "USER_SRP_AUTH", "AuthParameters": {"SRP_A": srp_a}}),
        (hiding, idp.initiate_auth, {"AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"PASSWORD": "Wrong-1"}}),
        (hiding, idp.forgot_password, {}),
        (hiding, idp.confirm_forgot_password, {"ConfirmationCode": "000000", "Password": "N3w-Passw0rd"}),
        (signed_up, idp.resend_confirmation_code, {}),
    ]
    for pool, call, request in operations:
        counts = []
        for name in (pool.real, pool.unknown, pool.real, pool.unknown):
            params = dict(request, ClientId=pool.client_id)
            if "AuthParameters" in params:
                params["AuthParameters"] = dict(params["AuthParameters"], USERNAME=name)
            else:
                params["Username"] = name
            counts.append(len(_work(engine, call, **params)))
        # The first round may clean up expired rows (services/housekeeping.py); the second may not.
        assert counts[2] == counts[3], (call, request, counts)
