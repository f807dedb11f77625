"""Fixtures shared by every test layer.

``backend`` is the database a test runs on (``database_url`` is a fresh one of it); ``idp`` is a boto3
cognito-idp client talking to a fresh server on that backend (in process); ``live_server`` is the same server
on a real socket.

Which databases: a test runs on SQLite only, unless what it checks depends on the database, in which case it
runs on SQLite and on PostgreSQL (two test ids, ``[sqlite]`` and ``[postgresql]``):

- every test under ``tests/store/`` and ``tests/scale/`` (the repositories, migrations, several workers or
  instances sharing one database, crashes);
- a test or module marked ``@pytest.mark.every_database``: concurrency and races through one server, and the
  statements a hot path sends.

The API, OAuth, hosted UI, console and trigger tests check behaviour above the store, the same whichever
database is under it; the store's own tests and the marked ones are where the two databases differ. The
decision is made in ``pytest_generate_tests`` below, for every test that asks for ``backend`` (directly or
through ``database_url``, ``settings``, ``idp``...).

``make test`` runs the suite in pytest-xdist workers: each test's SQLite files are in its ``tmp_path``, each
worker's PostgreSQL scratch database is its own (named after ``PYTEST_XDIST_WORKER``), servers listen on
free ports, and the browser tests are one xdist group (tests/web/conftest.py).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from _pytest.nodeid import NodeId
from starlette.testclient import TestClient

import userpool.app
import userpool.crypto.jwt
from tests.support import postgres
from tests.support.bridge import REGION, in_process_client, serve_in_thread, socket_client
from tests.support.key_supply import KeySupply
from userpool.app import Runtime, build_runtime, create_app
from userpool.clock import Clock
from userpool.config import Argon2Params, Settings
from userpool.crypto.sealing import Sealer
from userpool.services.identity_pools.steps import openid_tokens
from userpool.services.tokens.steps import signing_keys
from userpool.store.sql import migrate
from userpool.store.sql.engine import make_engine
from userpool.store.sql.tables import metadata

ACCESS_KEY = "AKIDUSERPOOLTEST0001"
SECRET_KEY = "test-secret-key-0123456789abcdefghijklmn"

BACKENDS = ["sqlite", "postgresql"]
# Where every test runs on both databases, marker or not (paths relative to this folder).
EVERY_DATABASE_FOLDERS = ("store", "scale")
TESTS = Path(__file__).resolve().parent


def runs_on_every_database(definition: pytest.Function) -> bool:
    if definition.get_closest_marker("every_database") is not None:
        return True
    folder = definition.path.resolve().relative_to(TESTS).parts[0]
    return folder in EVERY_DATABASE_FOLDERS


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The ``xdist_group`` of a test appended to its node id on pytest-xdist workers, as ``--dist loadgroup``
    does to send a group to one worker: pytest-xdist 3.8 writes a node id field that pytest 9 no longer reads
    (pytest-xdist issue #1386), so every test went out on its own and a module or package fixture (Chromium,
    a loaded database, a server) was set up again on each worker that got one of its tests."""
    if not getattr(config.option, "loadgroup", False):  # set on the workers of --dist loadgroup only
        return
    for item in items:
        names = {
            str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")
        }
        suffix = "@" + "_".join(sorted(names))
        if names and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        backends = BACKENDS if runs_on_every_database(metafunc.definition) else ["sqlite"]
        metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    try:
        with postgres.server_url() as base, postgres.scratch_database(base) as url:
            yield url
    except (RuntimeError, sa.exc.OperationalError) as exc:
        pytest.skip(f"PostgreSQL is not available for the tests: {exc}")


@pytest.fixture(scope="session", autouse=True)
def _sqlite_schema_from_a_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A server built in the tests (``build_runtime``) on an empty SQLite file gets the schema copied from a
    database migrated once per session, instead of running every Alembic revision again: that took most of a
    test server's start (about 0.3 s, for a thousand servers). A database that has tables, and PostgreSQL, go
    through the migrations as before; tests/store/test_migrations.py runs them itself, and ``userpool serve``
    processes (tests/scale) are not affected."""
    template = tmp_path_factory.mktemp("schema") / "userpool.sqlite3"
    engine = make_engine(f"sqlite:///{template}")
    migrate.upgrade(engine)
    engine.dispose()

    def upgrade(engine: sa.Engine, sealer: Sealer | None = None) -> None:
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database and database != ":memory:" and not engine.url.query:
            with closing(sqlite3.connect(database)) as target:
                empty = target.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
                if empty:
                    with closing(sqlite3.connect(template)) as source:
                        source.backup(target)
                    return
        migrate.upgrade(engine, sealer)

    with pytest.MonkeyPatch.context() as patch:
        # build_runtime reaches the migrations through this name only.
        patch.setattr(userpool.app, "migrate", SimpleNamespace(upgrade=upgrade))
        yield


@pytest.fixture(scope="session", autouse=True)
def _signing_keys_from_a_supply() -> Iterator[None]:
    """A pool's token signing keys, made at its first sign-in, come from a supply made once per test
    process (tests/support/key_supply.py) instead of being generated and parsed anew for every pool and
    server: that took about 0.3 s of CPU in nearly every test that signs in. The keys are real RSA-2048 keys
    all the same, distinct within any test's database; ``userpool serve`` processes (tests/scale) are not
    affected."""
    supply = KeySupply()
    with pytest.MonkeyPatch.context() as patch:
        # _new_generation reaches key generation through these names only, KeyCache the parsing through this.
        patch.setattr(signing_keys, "generate_private_pem", supply.private_pem)
        patch.setattr(signing_keys, "public_jwk", supply.public_jwk)
        # The identity pools' OpenID token keys likewise.
        patch.setattr(openid_tokens, "generate_private_pem", supply.private_pem)
        patch.setattr(openid_tokens, "public_jwk", supply.public_jwk)
        patch.setattr(userpool.crypto.jwt, "load_private_pem", supply.load_private_pem)
        yield


def truncate_database(url: str) -> None:
    """Empty every table of a shared test database (services commit, so tests cannot roll back)."""
    engine = sa.create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        if sa.inspect(conn).has_table("pools"):
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    engine.dispose()


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``, as ``pytest_generate_tests`` chose for this test."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'userpool.sqlite3'}"
    url = str(request.getfixturevalue("postgres_url"))
    truncate_database(url)
    return url


def make_settings(data_dir: Path, database_url: str, **over: Any) -> Settings:
    base = Settings(
        data_dir=data_dir,
        database_url=database_url,
        region=REGION,
        account_id="123456789012",
        admin_access_key_id=ACCESS_KEY,
        admin_secret_access_key=SECRET_KEY,
        secret_keys=("test-server-secret",),
        argon2=Argon2Params.fast(),
    )
    return base.replace(**over)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path / "data", database_url)


@dataclass
class Server:
    settings: Settings
    runtime: Runtime
    test_client: TestClient

    def client(self, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY, **config: Any) -> Any:
        return in_process_client(self.test_client, access_key, secret_key, **config)

    def identity(self, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY, **config: Any) -> Any:
        """boto3's cognito-identity client (identity pools), signed with the server's admin key, in process."""
        return in_process_client(self.test_client, access_key, secret_key, service="cognito-identity", **config)


@contextmanager
def running_server(settings: Settings, clock: Clock | None = None) -> Iterator[Server]:
    """A server built from ``settings``, in process, with its lifespan (the outbox dispatcher) running."""
    runtime = build_runtime(settings, clock)
    with TestClient(create_app(settings, runtime=runtime)) as test_client:
        yield Server(settings, runtime, test_client)
    runtime.store.dispose()


@pytest.fixture
def app_server(settings: Settings) -> Iterator[Server]:
    with running_server(settings) as server:
        yield server


@pytest.fixture
def idp(app_server: Server) -> Any:
    """boto3's cognito-idp client, signed with the server's admin key, in process."""
    return app_server.client()


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """The server on a real loopback socket; yields its base URL."""
    runtime = build_runtime(settings)
    with serve_in_thread(create_app(settings, runtime=runtime)) as url:
        yield url
    runtime.store.dispose()


@pytest.fixture
def live_idp(live_server: str) -> Any:
    return socket_client(live_server, ACCESS_KEY, SECRET_KEY)


@pytest.fixture
def pool_id(idp: Any) -> str:
    return str(idp.create_user_pool(PoolName="test-pool")["UserPool"]["Id"])


os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
