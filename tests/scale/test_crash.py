"""A worker killed with SIGKILL in the middle of a sign-up load (SQLite and PostgreSQL, two workers): after a
restart every acknowledged sign-up is there and whole, and nothing half-written is visible."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from botocore.exceptions import BotoCoreError, ClientError

from tests.support.auth import PASSWORD, make_client
from tests.support.metrics import scrape
from tests.support.processes import admin, serving

pytestmark = pytest.mark.socket

THREADS = 8
PER_THREAD = 15
KILL_AFTER = 40  # acknowledged sign-ups before the kill (of 120 sent)


def _sign_up_load(url: str, client_id: str, kill: Any) -> dict[str, tuple[str, str]]:
    """Sign-ups from THREADS threads; ``kill()`` runs once KILL_AFTER are acknowledged. Returns the
    acknowledged ones: email -> (UserSub, name)."""
    acknowledged: dict[str, tuple[str, str]] = {}
    lock = threading.Lock()
    killed = threading.Event()

    def run(thread: int) -> None:
        idp = admin(url)
        try:
            for i in range(PER_THREAD):
                email, name = f"user-{thread}-{i}@example.com", f"User {thread} {i}"
                try:
                    answer = idp.sign_up(
                        ClientId=client_id,
                        Username=email,
                        Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": name}],
                    )
                except (ClientError, BotoCoreError):
                    continue  # not acknowledged (e.g. the connection died with the worker): may or may not exist
                with lock:
                    acknowledged[email] = (answer["UserSub"], name)
                    due = len(acknowledged) >= KILL_AFTER and not killed.is_set()
                    if due:
                        killed.set()
                if due:
                    kill()
        finally:
            idp.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(run, range(THREADS)))
    assert killed.is_set(), "the load ended before the kill"
    return acknowledged


def _half_written(database_url: str, pool_id: str) -> dict[str, list[Any]]:
    """Rows of ``pool_id`` that a torn sign-up would leave: users without their attributes or alias,
    attributes or aliases without their user."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    queries = {
        "users without email": "SELECT u.sub FROM users u WHERE u.pool_id = :p AND NOT EXISTS "
        "(SELECT 1 FROM user_attributes a WHERE a.pool_id = u.pool_id AND a.sub = u.sub AND a.name = 'email')",
        "users without name": "SELECT u.sub FROM users u WHERE u.pool_id = :p AND NOT EXISTS "
        "(SELECT 1 FROM user_attributes a WHERE a.pool_id = u.pool_id AND a.sub = u.sub AND a.name = 'name')",
        "users without alias": "SELECT u.sub FROM users u WHERE u.pool_id = :p AND NOT EXISTS "
        "(SELECT 1 FROM user_aliases l WHERE l.pool_id = u.pool_id AND l.sub = u.sub)",
        "attributes without user": "SELECT a.sub FROM user_attributes a WHERE a.pool_id = :p AND NOT EXISTS "
        "(SELECT 1 FROM users u WHERE u.pool_id = a.pool_id AND u.sub = a.sub)",
        "aliases without user": "SELECT l.sub FROM user_aliases l WHERE l.pool_id = :p AND NOT EXISTS "
        "(SELECT 1 FROM users u WHERE u.pool_id = l.pool_id AND u.sub = l.sub)",
    }
    try:
        with engine.connect() as conn:
            return {k: list(conn.execute(sa.text(q), {"p": pool_id}).scalars()) for k, q in queries.items()}
    finally:
        engine.dispose()


def test_sigkill_of_a_worker_mid_sign_up_load_loses_nothing_acknowledged(tmp_path: Path, served_database: str) -> None:
    data_dir = tmp_path / "data"
    with serving(data_dir, served_database, workers=2) as served:
        idp = admin(served.url)
        pool_id = idp.create_user_pool(
            PoolName="crash", UsernameAttributes=["email"], AutoVerifiedAttributes=["email"]
        )["UserPool"]["Id"]
        client_id = make_client(idp, pool_id)["ClientId"]
        victims = served.worker_pids()
        assert len(victims) == 2
        threads = scrape(served.url).value("userpool_password_hash_threads")
        acknowledged = _sign_up_load(served.url, client_id, lambda: os.kill(victims[0], signal.SIGKILL))
        # serve replaces the dead worker (it checks twice a second).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (victims[0] in served.worker_pids() or len(served.worker_pids()) < 2):
            time.sleep(0.1)
        assert victims[0] not in served.worker_pids() and len(served.worker_pids()) == 2
        assert f"(pid {victims[0]}) died" in served.log_tail(400)
        # The dead worker's gauges are forgotten, its replacement's counted (once it has started): the threads
        # of two live workers. Its counters still count: every acknowledged sign-up, whichever worker answered.
        after = scrape(served.url)
        while after.value("userpool_password_hash_threads") != threads and time.monotonic() < deadline:
            time.sleep(0.1)
            after = scrape(served.url)
        assert after.value("userpool_password_hash_threads") == threads
        assert after.value("userpool_requests_total", operation="SignUp", outcome="success") >= len(acknowledged)
    assert len(acknowledged) >= KILL_AFTER

    with serving(data_dir, served_database, workers=2) as served:
        idp = admin(served.url)
        for email, (sub, name) in acknowledged.items():
            user = idp.admin_get_user(UserPoolId=pool_id, Username=email)
            attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
            assert (user["Username"], attributes["email"], attributes["name"]) == (sub, email, name)
            assert user["UserStatus"] == "UNCONFIRMED"
        # Every user there (acknowledged or not) is whole, and found by its alias.
        listed = idp.get_paginator("list_users").paginate(UserPoolId=pool_id).build_full_result()["Users"]
        assert {u["Username"] for u in listed} >= {sub for sub, _ in acknowledged.values()}
        for user in listed:
            email = {a["Name"]: a["Value"] for a in user["Attributes"]}["email"]
            assert idp.admin_get_user(UserPoolId=pool_id, Username=email)["Username"] == user["Username"]
    assert _half_written(served_database, pool_id) == {
        "users without email": [],
        "users without name": [],
        "users without alias": [],
        "attributes without user": [],
        "aliases without user": [],
    }
