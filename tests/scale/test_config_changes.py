"""A configuration change made through one worker process, or one instance, is what the next request through
another sees, although each process keeps the pool and client configuration it has read (store/sql/
config_cache.py): two workers of one server on SQLite, each request sent through a connection a known worker
holds, and two instances on one PostgreSQL database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import postgres
from tests.support.auth import ALL_PASSWORD_FLOWS, make_client, make_user, sign_in
from tests.support.bridge import free_port
from tests.support.processes import Served, admin, server_environment, serving
from tests.support.worker_clients import client_per_worker

pytestmark = pytest.mark.socket

# Idle connections stay open for the whole test: each client's requests must reach the worker it began with.
KEEP_ALIVE = {"USERPOOL_KEEP_ALIVE_TIMEOUT_SECONDS": "600"}
NINE = "Nine-ch9!"
PASSPHRASE = "config-cache-test-passphrase"


def _each_change_seen_by_the_other(a: Any, b: Any, check: Callable[[], None]) -> None:
    """Changes of a client's token validity and auth flows, of the pool's password policy, and a deleted
    client, each made through ``a`` and seen by the next request through ``b``, which has read the pool
    and client before each change."""
    pool_id = a.create_user_pool(PoolName="cached")["UserPool"]["Id"]
    client = make_client(a, pool_id)
    client_id = client["ClientId"]
    make_user(a, pool_id, "ann")
    tokens = sign_in(b, client, "ann")
    assert tokens["ExpiresIn"] == 3600
    assert b.get_user(AccessToken=tokens["AccessToken"])["Username"] == "ann"
    b.sign_up(ClientId=client_id, Username="bob", Password=NINE)
    check()

    a.update_user_pool_client(
        UserPoolId=pool_id,
        ClientId=client_id,
        ExplicitAuthFlows=ALL_PASSWORD_FLOWS,
        AccessTokenValidity=5,
        TokenValidityUnits={"AccessToken": "minutes"},
    )
    refreshed = b.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}
    )
    assert refreshed["AuthenticationResult"]["ExpiresIn"] == 300

    a.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])
    with pytest.raises(b.exceptions.InvalidParameterException, match="USER_PASSWORD_AUTH flow not enabled"):
        sign_in(b, client, "ann")

    a.update_user_pool(UserPoolId=pool_id, Policies={"PasswordPolicy": {"MinimumLength": 12}})
    with pytest.raises(b.exceptions.InvalidPasswordException):
        b.sign_up(ClientId=client_id, Username="carl", Password=NINE)

    assert b.get_user(AccessToken=tokens["AccessToken"])["Username"] == "ann"
    a.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    with pytest.raises(b.exceptions.NotAuthorizedException):
        b.get_user(AccessToken=tokens["AccessToken"])
    check()


def _cli(served: Served, database_url: str, *args: str) -> None:
    """``userpool export`` or ``import`` on the servers' database, as an operator runs it beside them."""
    data_dir = served.log_path.parent
    env = server_environment(data_dir, database_url, free_port(), 1, USERPOOL_EXPORT_PASSPHRASE=PASSPHRASE)
    done = subprocess.run(
        [sys.executable, "-m", "userpool", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


def _pool_made_again_under_its_id(
    a: Any, b: Any, served: Served, database_url: str, folder: Path, check: Callable[[], None]
) -> None:
    """A pool deleted through ``a`` and imported again under its id (userpool import, past the API), while
    ``b`` held the configuration it had before: ``b`` serves the imported one."""
    pool_id = a.create_user_pool(PoolName="again")["UserPool"]["Id"]
    client_id = make_client(a, pool_id)["ClientId"]
    export = folder / f"{pool_id}.export"
    _cli(served, database_url, "export", pool_id, str(export))
    a.update_user_pool(UserPoolId=pool_id, Policies={"PasswordPolicy": {"MinimumLength": 12}})
    with pytest.raises(b.exceptions.InvalidPasswordException):
        b.sign_up(ClientId=client_id, Username="dora", Password=NINE)
    a.delete_user_pool(UserPoolId=pool_id)
    with pytest.raises(b.exceptions.ResourceNotFoundException):
        b.sign_up(ClientId=client_id, Username="dora", Password=NINE)
    _cli(served, database_url, "import", str(export))
    b.sign_up(ClientId=client_id, Username="dora", Password=NINE)  # the exported policy: eight characters
    check()


def test_two_workers__a_configuration_change_through_one_is_seen_by_the_next_request_on_the_other(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'data' / 'userpool.sqlite3'}"
    with serving(tmp_path / "data", database_url, workers=2, **KEEP_ALIVE) as served:
        first, second = client_per_worker(served).values()

        def check() -> None:
            first.check()
            second.check()

        _each_change_seen_by_the_other(first.client, second.client, check)
        _each_change_seen_by_the_other(second.client, first.client, check)
        _pool_made_again_under_its_id(first.client, second.client, served, database_url, tmp_path, check)


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Served, str, Path]]:
    """Instances A and B on one PostgreSQL database, with one public URL (a load balancer's; A's port stands
    in for it), so that either verifies the other's tokens."""
    folder = tmp_path_factory.mktemp("config")
    with ExitStack() as stack:
        try:
            database_url = stack.enter_context(postgres.scratch_database(stack.enter_context(postgres.server_url())))
        except (RuntimeError, sa.exc.OperationalError) as exc:
            pytest.skip(f"PostgreSQL is not available for the tests: {exc}")
        port = free_port()
        shared = {"USERPOOL_PUBLIC_URL": f"http://127.0.0.1:{port}"}
        a = stack.enter_context(serving(folder / "a", database_url, workers=1, port=port, **shared))
        b = stack.enter_context(serving(folder / "b", database_url, workers=1, **shared))
        yield a, b, database_url, folder


@pytest.mark.postgresql
@pytest.mark.xdist_group("config_instances")
def test_two_instances__a_configuration_change_through_one_is_seen_by_the_next_request_on_the_other(
    instances: tuple[Served, Served, str, Path],
) -> None:
    a_server, b_server, database_url, folder = instances
    a, b = admin(a_server.url), admin(b_server.url)
    assert a_server.process.pid != b_server.process.pid != os.getpid()
    _each_change_seen_by_the_other(a, b, lambda: None)
    _each_change_seen_by_the_other(b, a, lambda: None)
    _pool_made_again_under_its_id(a, b, a_server, database_url, folder, lambda: None)
