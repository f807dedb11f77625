"""SqlStore: the store port on SQLAlchemy Core, one connection per transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Generic, TypeVar, overload

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import PoolProxiedConnection

from userpool.crypto.sealing import Sealer
from userpool.store.sql.admin_keys import SqlAdminKeyRepo
from userpool.store.sql.clients import SqlClientRepo
from userpool.store.sql.codes import SqlCodeRepo
from userpool.store.sql.config_cache import ConfigCache, ConfigReads
from userpool.store.sql.console import SqlOperatorRepo, SqlOperatorSessionRepo
from userpool.store.sql.console_attempts import SqlConsoleAttemptRepo
from userpool.store.sql.devices import SqlDeviceRepo
from userpool.store.sql.domains import SqlDomainRepo, SqlResourceServerRepo
from userpool.store.sql.driver import Link
from userpool.store.sql.engine import BEGIN, BEGIN_WRITE, WRITE_OPTION, is_sqlite, store_engine
from userpool.store.sql.federated_identities import SqlFederatedIdentityRepo
from userpool.store.sql.federation_transactions import SqlFederationTransactionRepo
from userpool.store.sql.groups import SqlGroupRepo
from userpool.store.sql.identity_pools import SqlIdentityPoolRepo, SqlIdentityRepo, SqlIdentitySigningKeyRepo
from userpool.store.sql.identity_providers import SqlIdentityProviderRepo
from userpool.store.sql.import_jobs import SqlImportJobRepo
from userpool.store.sql.oauth import SqlAuthorizationCodeRepo, SqlHostedSessionRepo, SqlUICustomizationRepo
from userpool.store.sql.outbox import SqlOutboxRepo
from userpool.store.sql.password_history import SqlPasswordHistoryRepo
from userpool.store.sql.pools import SqlPoolRepo
from userpool.store.sql.saml import SqlSamlAssertionRepo, SqlSamlSigningKeyRepo
from userpool.store.sql.sessions import SqlAuthChallengeRepo, SqlRefreshTokenRepo, SqlSignInSessionRepo
from userpool.store.sql.sign_in_counters import CounterMemo, SqlSignInCounterRepo
from userpool.store.sql.signing_keys import SqlSigningKeyRepo
from userpool.store.sql.software_tokens import SqlSoftwareTokenRepo
from userpool.store.sql.stand_ins import SqlStandInRepo
from userpool.store.sql.threat_protection import SqlAuthEventRepo, SqlRiskConfigurationRepo
from userpool.store.sql.users import SqlUserRepo
from userpool.store.sql.webauthn_credentials import SqlWebAuthnCredentialRepo
from userpool.store.sql.write_gate import WriteGate, database_path

log = logging.getLogger("userpool.store")
# How many of SQLite's connections SqlStore.give_back keeps between read transactions: the event loop's quick
# reads (api/endpoint.py) take one at a time, a worker thread's reads now and then another.
KEPT_CONNECTIONS = 2


R = TypeVar("R")


class _per_transaction(Generic[R]):  # a decorator, named like the cached_property it replaces
    """A repository of the transaction, made on first use and kept in its ``__dict__``: functools.cached_property
    without the lock that it takes on Python 3.11 (about half a microsecond per repository a request uses). A
    transaction belongs to one thread."""

    def __init__(self, make: Callable[[SqlTx], R]) -> None:
        self._make = make
        self._name = make.__name__

    @overload
    def __get__(self, tx: None, owner: type[SqlTx]) -> _per_transaction[R]: ...
    @overload
    def __get__(self, tx: SqlTx, owner: type[SqlTx]) -> R: ...
    def __get__(self, tx: SqlTx | None, owner: type[SqlTx]) -> R | _per_transaction[R]:
        if tx is None:
            return self
        value = tx.__dict__[self._name] = self._make(tx)
        return value


class SqlTx:
    def __init__(self, link: Link, sealer: Sealer, config: ConfigReads | None = None) -> None:
        self._link = link
        self._sealer = sealer
        # Configuration kept by the process, for read transactions only (config_cache.py says why).
        self._config = config
        self._counters: CounterMemo = {}
        self._after_commit: list[Callable[[], None]] = []

    def after_commit(self, action: Callable[[], None]) -> None:
        self._after_commit.append(action)

    def committed(self) -> None:
        """Run the after-commit actions: the transaction has committed and let its locks go. One that fails
        is logged and the others still run; the transaction's caller is not told (its writes stand)."""
        actions, self._after_commit = self._after_commit, []
        for action in actions:
            try:
                action()
            except Exception:
                log.exception("an after-commit action failed")

    @property
    def _conn(self) -> sa.Connection:
        # SQLAlchemy's connection, made on first use: a repository that runs only driver statements (the hot
        # reads) never asks for it.
        return self._link.sa

    @property
    def connection(self) -> sa.Connection:
        return self._link.sa

    @property
    def link(self) -> Link:
        """The transaction's connection: the driver's, and SQLAlchemy's over it (driver.py)."""
        return self._link

    @contextmanager
    def rolled_back(self) -> Iterator[None]:
        savepoint = self._conn.begin_nested()
        try:
            yield
        finally:
            savepoint.rollback()

    @_per_transaction
    def pools(self) -> SqlPoolRepo:
        return SqlPoolRepo(self._link, self._config)

    @_per_transaction
    def clients(self) -> SqlClientRepo:
        return SqlClientRepo(self._link, self._sealer, self._config)

    @_per_transaction
    def users(self) -> SqlUserRepo:
        return SqlUserRepo(self._link, self._sealer, self._counters)

    @_per_transaction
    def groups(self) -> SqlGroupRepo:
        return SqlGroupRepo(self._link, self._sealer)

    @_per_transaction
    def federated_identities(self) -> SqlFederatedIdentityRepo:
        return SqlFederatedIdentityRepo(self._conn)

    @_per_transaction
    def domains(self) -> SqlDomainRepo:
        return SqlDomainRepo(self._link, self._config)

    @_per_transaction
    def resource_servers(self) -> SqlResourceServerRepo:
        return SqlResourceServerRepo(self._conn)

    @_per_transaction
    def identity_providers(self) -> SqlIdentityProviderRepo:
        return SqlIdentityProviderRepo(self._conn, self._sealer)

    @_per_transaction
    def outbox(self) -> SqlOutboxRepo:
        return SqlOutboxRepo(self._conn, self._sealer)

    @_per_transaction
    def admin_keys(self) -> SqlAdminKeyRepo:
        return SqlAdminKeyRepo(self._conn, self._sealer, self._config)

    @_per_transaction
    def codes(self) -> SqlCodeRepo:
        return SqlCodeRepo(self._conn)

    @_per_transaction
    def signing_keys(self) -> SqlSigningKeyRepo:
        return SqlSigningKeyRepo(self._link, self._sealer, self._config)

    @_per_transaction
    def sign_in_sessions(self) -> SqlSignInSessionRepo:
        return SqlSignInSessionRepo(self._link)

    @_per_transaction
    def refresh_tokens(self) -> SqlRefreshTokenRepo:
        return SqlRefreshTokenRepo(self._link)

    @_per_transaction
    def auth_challenges(self) -> SqlAuthChallengeRepo:
        return SqlAuthChallengeRepo(self._conn)

    @_per_transaction
    def sign_in_counters(self) -> SqlSignInCounterRepo:
        return SqlSignInCounterRepo(self._link, self._counters)

    @_per_transaction
    def stand_ins(self) -> SqlStandInRepo:
        return SqlStandInRepo(self._conn)

    @_per_transaction
    def devices(self) -> SqlDeviceRepo:
        return SqlDeviceRepo(self._conn, self._sealer)

    @_per_transaction
    def software_tokens(self) -> SqlSoftwareTokenRepo:
        return SqlSoftwareTokenRepo(self._conn, self._sealer)

    @_per_transaction
    def webauthn_credentials(self) -> SqlWebAuthnCredentialRepo:
        return SqlWebAuthnCredentialRepo(self._conn)

    @_per_transaction
    def password_history(self) -> SqlPasswordHistoryRepo:
        return SqlPasswordHistoryRepo(self._conn)

    @_per_transaction
    def authorization_codes(self) -> SqlAuthorizationCodeRepo:
        return SqlAuthorizationCodeRepo(self._conn)

    @_per_transaction
    def hosted_sessions(self) -> SqlHostedSessionRepo:
        return SqlHostedSessionRepo(self._conn)

    @_per_transaction
    def federation_transactions(self) -> SqlFederationTransactionRepo:
        return SqlFederationTransactionRepo(self._conn, self._sealer)

    @_per_transaction
    def saml_signing_keys(self) -> SqlSamlSigningKeyRepo:
        return SqlSamlSigningKeyRepo(self._conn, self._sealer)

    @_per_transaction
    def saml_assertions(self) -> SqlSamlAssertionRepo:
        return SqlSamlAssertionRepo(self._conn)

    @_per_transaction
    def ui_customizations(self) -> SqlUICustomizationRepo:
        return SqlUICustomizationRepo(self._conn)

    @_per_transaction
    def operators(self) -> SqlOperatorRepo:
        return SqlOperatorRepo(self._conn)

    @_per_transaction
    def operator_sessions(self) -> SqlOperatorSessionRepo:
        return SqlOperatorSessionRepo(self._conn)

    @_per_transaction
    def console_attempts(self) -> SqlConsoleAttemptRepo:
        return SqlConsoleAttemptRepo(self._conn)

    @_per_transaction
    def risk_configurations(self) -> SqlRiskConfigurationRepo:
        return SqlRiskConfigurationRepo(self._conn, self._config)

    @_per_transaction
    def auth_events(self) -> SqlAuthEventRepo:
        return SqlAuthEventRepo(self._conn)

    @_per_transaction
    def import_jobs(self) -> SqlImportJobRepo:
        return SqlImportJobRepo(self._conn)

    @_per_transaction
    def identity_pools(self) -> SqlIdentityPoolRepo:
        return SqlIdentityPoolRepo(self._conn)

    @_per_transaction
    def identities(self) -> SqlIdentityRepo:
        return SqlIdentityRepo(self._conn)

    @_per_transaction
    def identity_signing_keys(self) -> SqlIdentitySigningKeyRepo:
        return SqlIdentitySigningKeyRepo(self._conn, self._sealer)


class _ReadTransaction:
    """``SqlStore.read()``: the pool's connection itself, without SQLAlchemy's around it until a repository asks
    for one (driver.py), so that a read of the hot path costs its statements and little else. A class rather
    than a generator: entering and leaving it is a good part of a short read's own cost.

    On SQLite the read is one transaction (BEGIN ... COMMIT): every statement in it sees the same snapshot.
    On PostgreSQL it runs in autocommit mode, without BEGIN and COMMIT: at READ COMMITTED, which a transaction
    there would have, each statement sees what was committed when it started, in a transaction or not, so the
    two statements were two round trips (about 50 µs of our CPU each, a fifth of GetUser's) that changed
    nothing a read sees. A read transaction writes nothing, so there is nothing for a commit to make atomic."""

    __slots__ = ("_link", "_store", "_tx")

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def __enter__(self) -> SqlTx:
        store = self._store
        link = self._link = Link(store.engine, store.connection(), locking=False)
        try:
            if store.sqlite:
                link.execute_control(BEGIN)
            else:
                link.read_in_autocommit()
        except BaseException:
            link.close()
            raise
        tx = self._tx = SqlTx(link, store.sealer, ConfigReads(store.config, link))
        return tx

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        link = self._link
        try:
            if kind is None:
                link.commit()
            else:
                link.rollback()
        except BaseException:
            if kind is None:
                link.rollback()
            raise
        finally:
            self._store.give_back(link)
        if kind is None:
            self._tx.committed()


class SqlStore:
    def __init__(self, engine: Engine, sealer: Sealer) -> None:
        self.engine = store_engine(engine)
        self._write_engine = self.engine.execution_options(**{WRITE_OPTION: True})
        self.sealer = sealer
        self.sqlite = is_sqlite(engine)
        self._gate = WriteGate(database_path(engine.url.database)) if self.sqlite else None
        self.config = ConfigCache()
        # SQLite's connections kept checked out between read transactions (give_back).
        self._kept: list[PoolProxiedConnection] = []

    @property
    def reads_wait(self) -> bool:
        return not self.sqlite

    def connection(self) -> PoolProxiedConnection:
        """A connection of the pool for a read transaction: one kept from an earlier one, or the pool's."""
        kept = self._kept
        return kept.pop() if kept else self.engine.raw_connection()

    def give_back(self, link: Link) -> None:
        """The end of a read transaction's connection: kept for the next one on SQLite when only its driver was
        used and it is in no transaction (a couple at most), else back to the pool (on PostgreSQL out of
        autocommit first). Taking a connection from SQLAlchemy's pool and giving it back costs ~5 µs, a sixth of
        what GetUser spends on its read."""
        driver = link.driver_only()
        if not self.sqlite:
            link.leave_autocommit()
        elif driver is not None and len(self._kept) < KEPT_CONNECTIONS and not driver.in_transaction:
            self._kept.append(link.pooled)
            return
        link.close()

    @contextmanager
    def _begin(self, engine: Engine, begin: str) -> Iterator[sa.Connection]:
        if not self.sqlite:
            with engine.begin() as conn:
                yield conn
            return
        # sqlite3 runs in autocommit mode (engine.py): SQLAlchemy's transaction emits no BEGIN, this does;
        # its commit and rollback end the transaction begun here.
        with engine.connect() as conn, conn.begin():
            conn.exec_driver_sql(begin)
            yield conn

    def read(self) -> _ReadTransaction:
        return _ReadTransaction(self)

    @contextmanager
    def write(self) -> Iterator[SqlTx]:
        # The after-commit actions run once the block has ended without an exception: after COMMIT, and on
        # SQLite after the write gate is let go.
        if self._gate is None:
            with self._begin(self._write_engine, BEGIN_WRITE) as conn:
                tx = SqlTx(Link(self._write_engine, conn.connection, locking=True, connection=conn), self.sealer)
                yield tx
        else:
            with self._gate.held(), self._begin(self._write_engine, BEGIN_WRITE) as conn:
                tx = SqlTx(Link(self._write_engine, conn.connection, locking=True, connection=conn), self.sealer)
                yield tx
        tx.committed()

    @contextmanager
    def snapshot(self) -> Iterator[sa.Connection]:
        """A read transaction that sees one state of the database from its first statement to its last, for
        reading a whole pool (pool_transfer/): PostgreSQL's REPEATABLE READ; SQLite's reads always do."""
        if self.sqlite:
            with self._begin(self.engine, BEGIN) as conn:
                yield conn
            return
        with self.engine.connect() as conn:
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                yield conn

    @contextmanager
    def bulk_write(self) -> Iterator[sa.Connection]:
        """A write transaction's connection, for writing a whole pool at once (pool_transfer/): committed on
        normal exit, rolled back on any exception, like ``write``."""
        with self.write() as tx:
            yield tx.connection

    def dispose(self) -> None:
        while self._kept:
            self._kept.pop().close()
        self.engine.dispose()
