"""The hot reads on the database driver's own connection (sqlite3, psycopg), past SQLAlchemy's execution.

A statement executed through SQLAlchemy costs ~20-40 µs of Python before and after the driver's few: the
execution context, parameter processing, the result's metadata and row processors; the driver itself takes
~3-8 µs for a primary-key read on SQLite. The few statements every token-authenticated read runs (a user by
sub, username or any name, its attributes and aliases, a sign-in session) are written once as SQLAlchemy Core
statements like every other, compiled here once per dialect into the driver's SQL text and parameter order,
and executed on the driver's connection of the transaction (docs/architecture.md, Hot-path rules). sqlite3
keeps the prepared statement per connection, psycopg prepares it on the server after a few executions: the
same caching SQLAlchemy's executions get. In a read on PostgreSQL (autocommit mode, store.py) they go one
level lower still, through libpq itself (``_libpq_rows``), prepared on each connection at their first use.

Rows come back as the driver gives them: tuples in the statement's column order, JSON columns as text on
SQLite (psycopg parses them with the engine's deserializer), booleans as 0/1 on SQLite. The repositories
convert them as they converted SQLAlchemy's rows.

When anything listens to the store engine's statement events (a test capturing the SQL, a tracing
instrumentation), the same SQL text goes through SQLAlchemy's ``exec_driver_sql`` instead, so that every
statement is still seen there; its rows are the driver's as they are, so nothing else changes.
"""

from __future__ import annotations

import itertools
import re
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
import sqlalchemy as sa
from psycopg import errors as pg_errors
from psycopg.adapt import Transformer
from psycopg.pq import ConnStatus, DiagnosticField, ExecStatus
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.pool import PoolProxiedConnection

from userpool.store.sql.engine import json_loads

Params = dict[str, Any]

# psycopg's placeholders in SQLAlchemy's SQL for it ("%(name)s"; a literal "%" written "%%").
_PYFORMAT = re.compile(r"%\((\w+)\)s|%%")
# Numbers the statements prepared on PostgreSQL connections are named by, one per DriverStatement (a counter's
# next() is atomic: two threads may compile statements at once).
_statement_numbers = itertools.count(1)


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    # The parameters' names in their order, for a driver that takes them by position (sqlite3's "?"); None
    # for one that takes them by name (psycopg's "%(name)s").
    order: tuple[str, ...] | None
    # Values the statement carries itself (a LIMIT).
    fixed: Params
    # ``order``'s values out of a dict of parameters, as a tuple.
    _pick: Callable[[Params], tuple[Any, ...]] | None
    # PostgreSQL: the same SQL with libpq's placeholders ($1, $2...), its parameters' names in their order, and
    # the name it is prepared under on a connection (_libpq_rows).
    libpq: _LibpqStatement | None = None

    def arguments(self, params: Params) -> tuple[Any, ...] | Params:
        merged = {**self.fixed, **params} if self.fixed else params
        return merged if self._pick is None else self._pick(merged)


@dataclass(frozen=True, slots=True)
class _LibpqStatement:
    sql: bytes
    order: tuple[str, ...]
    name: bytes

    def values(self, params: Params, fixed: Params) -> list[bytes | None] | None:
        """The parameters in libpq's text format, or None when one is of a type this does not write, or a string
        holding a NUL, which libpq would cut short there (``"alice\\0x"`` read as ``"alice"``): psycopg then runs
        the statement, and refuses that string as it always has."""
        values: list[bytes | None] = []
        for name in self.order:
            value = params[name] if name in params else fixed[name]
            kind = type(value)
            if kind is str:
                if "\0" in value:
                    return None
                values.append(value.encode())
            elif kind is int:
                values.append(str(value).encode())
            elif value is None:
                values.append(None)
            else:
                return None
        return values


def _libpq_statement(sql: str) -> _LibpqStatement:
    order: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "%"
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    name = f"userpool_{next(_statement_numbers)}".encode()
    return _LibpqStatement(_PYFORMAT.sub(placeholder, sql).encode(), tuple(order), name)


def _picker(order: tuple[str, ...]) -> Callable[[Params], tuple[Any, ...]]:
    if not order:
        return lambda _: ()
    if len(order) == 1:
        name = order[0]
        return lambda params: (params[name],)
    return itemgetter(*order)


class DriverStatement:
    """A SELECT of SQLAlchemy Core, for execution on the driver's connection: compiled on first use per
    dialect. Its parameters must need no conversion by SQLAlchemy (strings, numbers), which compiling checks."""

    __slots__ = ("_by_dialect", "statement")

    def __init__(self, statement: sa.Select[Any] | sa.CompoundSelect[Any]) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            found = self._by_dialect[dialect.name] = _compile(self.statement, dialect)
        return found


def _compile(statement: sa.Select[Any] | sa.CompoundSelect[Any], dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    sql = compiled.string
    if "POSTCOMPILE" in sql:
        raise ValueError("a statement for the driver cannot have parameters expanded at execution")
    for name, bind in compiled.binds.items():
        if bind.type.bind_processor(dialect) is not None:
            raise ValueError(f"parameter {name!r} needs SQLAlchemy's conversion")
    positional = dialect.paramstyle in ("qmark", "numeric", "format")
    if positional and dialect.paramstyle != "qmark":
        raise ValueError(f"paramstyle {dialect.paramstyle} is not supported")
    fixed = {name: value for name, value in compiled.params.items() if value is not None}
    order = tuple(compiled.positiontup or ()) if positional else None
    libpq = _libpq_statement(sql) if dialect.name == "postgresql" and dialect.paramstyle == "pyformat" else None
    return _Compiled(sql, order, fixed, None if order is None else _picker(order), libpq)


def row_type(name: str, statement: sa.Select[Any]) -> Any:
    """A tuple type naming the columns of ``statement``'s rows, to read the driver's plain tuples by name."""
    return namedtuple(name, [column.name for column in statement.selected_columns])


class _OnConnection:
    """What ``_libpq_rows`` keeps per PostgreSQL connection: the names of the statements prepared on it, and
    psycopg's loaders for its rows (a Transformer, made once: 3 µs a statement otherwise; psycopg's cursor
    likewise keeps one for all its results). A connection serves one thread at a time."""

    __slots__ = ("prepared", "transformer")

    def __init__(self, driver: Any) -> None:
        self.prepared: set[bytes] = set()
        self.transformer = Transformer(driver)


# Keyed by psycopg's connection: gone with it.
_ON_CONNECTION: WeakKeyDictionary[Any, _OnConnection] = WeakKeyDictionary()
_ANSWERED = (ExecStatus.TUPLES_OK, ExecStatus.COMMAND_OK)
_SQLSTATE = DiagnosticField.SQLSTATE
_NO_SUCH_STATEMENT = pg_errors.InvalidSqlStatementName.sqlstate.encode()  # type: ignore[union-attr]


def _libpq_rows(driver: Any, compiled: _Compiled, params: Params) -> list[Any] | None:
    """The rows of a hot statement in a read on PostgreSQL (autocommit mode), sent by libpq itself: prepared on
    the connection the first time it runs there, then executed with PQexecPrepared, which waits for the answer
    in C with the GIL let go; the rows are built by psycopg's own loaders, as its cursors build them. psycopg's
    cursor spends about 30 µs of Python on each statement beside libpq's own 25 (docs/profiles.md). None when a
    parameter is of a type this does not write, for psycopg to run the statement instead."""
    statement = compiled.libpq
    values = None if statement is None else statement.values(params, compiled.fixed)
    if statement is None or values is None:
        return None
    pgconn = driver.pgconn
    kept = _ON_CONNECTION.get(driver)
    if kept is None:
        kept = _ON_CONNECTION[driver] = _OnConnection(driver)
    prepared = kept.prepared
    if statement.name not in prepared:
        _prepare(driver, statement, prepared)
    result = pgconn.exec_prepared(statement.name, values)
    if result.status not in _ANSWERED and result.error_field(_SQLSTATE) == _NO_SUCH_STATEMENT:
        # Gone from the connection: psycopg sends DEALLOCATE ALL after a statement that changed the schema
        # (a migration), and with it go ours. Prepared again, once.
        prepared.clear()
        _prepare(driver, statement, prepared)
        result = pgconn.exec_prepared(statement.name, values)
    _check(driver, result, prepared, preparing=False)
    transformer = kept.transformer
    transformer.set_pgresult(result)
    rows: list[Any] = transformer.load_rows(0, result.ntuples, tuple)
    transformer.set_pgresult(None)  # the result's memory is not kept until the connection's next statement
    return rows


def _prepare(driver: Any, statement: _LibpqStatement, prepared: set[bytes]) -> None:
    _check(driver, driver.pgconn.prepare(statement.name, statement.sql), prepared, preparing=True)
    prepared.add(statement.name)


def _check(driver: Any, result: Any, prepared: set[bytes], preparing: bool) -> None:
    """psycopg's exception for a statement that failed, as its cursor would raise it. What the connection has
    prepared is then looked at again: each statement is prepared anew on its next use, and one the server
    still holds ("already exists") counts as prepared."""
    if result.status in _ANSWERED:
        return
    if driver.pgconn.status != ConnStatus.OK:
        raise psycopg.OperationalError("the connection to the database server is lost")
    error = pg_errors.error_from_result(result, encoding=driver.info.encoding)
    if preparing and isinstance(error, pg_errors.DuplicatePreparedStatement):
        return
    prepared.clear()
    raise error


class Link:
    """One transaction's connection: the driver's, for the hot statements, and SQLAlchemy's over the same
    connection for everything else, made the first time something asks for it (a read transaction of GetUser
    never does, and so never pays for it). ``locking``: a write transaction, in which reads of a user lock its
    row (PostgreSQL's FOR UPDATE)."""

    __slots__ = (
        "_dialect",
        "_driver",
        "_fairy",
        "_json_text",
        "_libpq",
        "_observed",
        "_sa",
        "_transaction",
        "engine",
        "locking",
    )

    def __init__(
        self, engine: Engine, fairy: PoolProxiedConnection, locking: bool, connection: sa.Connection | None = None
    ) -> None:
        self.engine = engine
        self.locking = locking
        self._fairy = fairy
        self._driver: Any = fairy.driver_connection
        self._sa = connection
        self._transaction: sa.RootTransaction | None = None
        self._dialect = engine.dialect
        self._json_text = self._dialect.name == "sqlite"
        dispatch = engine.dispatch
        self._observed = bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute)
        # A read on PostgreSQL, in autocommit mode: the hot statements go through libpq itself.
        self._libpq = False

    @property
    def sa(self) -> sa.Connection:
        """SQLAlchemy's connection, inside the transaction already begun on the driver's."""
        if self._sa is None:
            self._sa = sa.Connection(self.engine, connection=self._fairy)
            # On SQLite the driver is in autocommit mode and BEGIN was sent already (store.py); on PostgreSQL
            # psycopg began the transaction at the first statement. Either way this only gives SQLAlchemy its
            # transaction object, whose commit or rollback is the driver's.
            self._transaction = self._sa.begin()
        return self._sa

    def json(self, value: Any) -> Any:
        """A JSON column's value as the repositories expect it: parsed."""
        return json_loads(value) if self._json_text and isinstance(value, str | bytes) else value

    def first(self, statement: DriverStatement, params: Params) -> Any:
        compiled = statement.compiled(self._dialect)
        if self._observed:
            return self.sa.exec_driver_sql(compiled.sql, compiled.arguments(params)).first()
        if self._libpq and (rows := _libpq_rows(self._driver, compiled, params)) is not None:
            return rows[0] if rows else None
        return self._driver.execute(compiled.sql, compiled.arguments(params)).fetchone()

    def all(self, statement: DriverStatement, params: Params) -> list[Any]:
        compiled = statement.compiled(self._dialect)
        if self._observed:
            return list(self.sa.exec_driver_sql(compiled.sql, compiled.arguments(params)).all())
        if self._libpq and (rows := _libpq_rows(self._driver, compiled, params)) is not None:
            return rows
        return list(self._driver.execute(compiled.sql, compiled.arguments(params)).fetchall())

    def read_in_autocommit(self) -> None:
        """A read on PostgreSQL: no BEGIN or COMMIT around its statements (store.py says why), and the hot ones
        sent through libpq itself."""
        self._driver.autocommit = True
        self._libpq = True

    def leave_autocommit(self) -> None:
        """The connection of a read on PostgreSQL back to transactions (the mode every write expects) before the
        pool has it again; invalidated, so that the pool opens another, when that cannot be done (a broken
        connection)."""
        if not self._libpq:
            return
        self._libpq = False
        try:
            self._driver.autocommit = False
        except Exception:
            self._fairy.invalidate()

    def execute_control(self, sql: str) -> None:
        """BEGIN on SQLite's driver connection, before anything else (store.py)."""
        if self._observed:
            self.sa.exec_driver_sql(sql)
        else:
            self._driver.execute(sql)

    def commit(self) -> None:
        if self._transaction is not None:
            self._transaction.commit()
        else:
            self._driver.commit()

    def rollback(self) -> None:
        if self._transaction is not None:
            self._transaction.rollback()
        else:
            self._driver.rollback()

    @property
    def pooled(self) -> PoolProxiedConnection:
        """The pool's connection under the link."""
        return self._fairy

    def driver_only(self) -> Any:
        """The driver's connection when nothing but the driver used it (no SQLAlchemy connection was made over
        it), else None."""
        return self._driver if self._sa is None else None

    def close(self) -> None:
        """Give the connection back to the pool (through SQLAlchemy's connection when there is one)."""
        if self._sa is not None:
            self._sa.close()
        else:
            self._fairy.close()
