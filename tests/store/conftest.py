"""A store built straight from a database URL, for the storage contract suite.

One migrated schema per database for the whole session (the migrations take longer than most contract
tests), emptied before each test: SQLite in a session folder, PostgreSQL in the session's scratch database.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from userpool.crypto.sealing import Sealer
from userpool.store.sql import migrate
from userpool.store.sql.engine import make_engine
from userpool.store.sql.store import SqlStore
from userpool.store.sql.tables import metadata

SECRETS = ("contract-test-secret",)


def store_from_url(url: str) -> SqlStore:
    """A store on ``url`` with the schema brought to the newest revision."""
    engine = make_engine(url)
    sealer = Sealer(SECRETS)
    migrate.upgrade(engine, sealer)
    return SqlStore(engine, sealer)


def empty(store: SqlStore) -> None:
    """Delete every row the application keeps (the schema and its revision stay). DELETE, children first,
    not TRUNCATE: on tables this small PostgreSQL deletes in a fraction of the time it truncates."""
    with store.engine.connect() as conn, conn.begin():
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # the store's engine leaves BEGIN to its caller
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(scope="session")
def _session_stores() -> Iterator[dict[str, SqlStore]]:
    stores: dict[str, SqlStore] = {}
    yield stores
    for store in stores.values():
        store.dispose()


@pytest.fixture
def store(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _session_stores: dict[str, SqlStore],
) -> SqlStore:
    """An empty store on ``backend``'s database, its schema shared by every test of the session."""
    if backend not in _session_stores:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('contract') / 'userpool.sqlite3'}"
        else:
            url = str(request.getfixturevalue("postgres_url"))
        _session_stores[backend] = store_from_url(url)
    found = _session_stores[backend]
    empty(found)
    return found
