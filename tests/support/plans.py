"""The SQL an API call runs, captured from the store's engine, and the database's plan for each statement."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy import event

USER_TABLES = ("users", "user_attributes", "user_aliases")
_FROM_USER_TABLE = re.compile(r"\b(?:FROM|JOIN)\s+(?:\"?)(users|user_attributes|user_aliases)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Statement:
    sql: str
    parameters: Any

    @property
    def reads_users(self) -> bool:
        return self.sql.lstrip().upper().startswith("SELECT") and bool(_FROM_USER_TABLE.search(self.sql))


@contextmanager
def captured_sql(engine: sa.Engine) -> Iterator[list[Statement]]:
    """Every statement sent to the database through ``engine`` while the block runs."""
    statements: list[Statement] = []

    def record(_conn: Any, _cursor: Any, sql: str, parameters: Any, _context: Any, _many: bool) -> None:
        statements.append(Statement(sql, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def traced_round_trips(engine: sa.Engine) -> Iterator[list[str]]:
    """What PostgreSQL connections taken from ``engine``'s pool while the block runs send the server, one entry
    per round trip, read off libpq's protocol trace: a simple query's text ("BEGIN"), "execute" for a statement
    sent with the extended protocol (parameterised ones), or "prepare" for a statement prepared on that
    connection (once: psycopg's at their fifth execution there, the store's hot reads at their first). Filled in
    when the block ends."""
    trips: list[str] = []
    traces: list[Any] = []
    with ExitStack() as files:

        def taken(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
            trace = files.enter_context(tempfile.TemporaryFile("w+"))
            traces.append(trace)
            dbapi_conn.pgconn.trace(trace.fileno())
            dbapi_conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

        def given_back(dbapi_conn: Any, _record: Any) -> None:
            if dbapi_conn is not None:
                dbapi_conn.pgconn.untrace()  # flushes what libpq wrote

        event.listen(engine, "checkout", taken)
        event.listen(engine, "checkin", given_back)
        try:
            yield trips
        finally:
            event.remove(engine, "checkout", taken)
            event.remove(engine, "checkin", given_back)
        for trace in traces:
            trace.seek(0)
            sent: list[str] = []  # the extended protocol's messages since the last Sync
            for line in trace:
                fields = line.rstrip("\n").split("\t")
                if fields[0] != "F":
                    continue
                if fields[2] == "Query":
                    trips.append(fields[3].strip().strip('"'))
                elif fields[2] == "Sync":
                    trips.append("execute" if "Execute" in sent else "prepare")
                    sent = []
                else:
                    sent.append(fields[2])


def explain(engine: sa.Engine, statement: Statement) -> list[str]:
    """The plan of ``statement``, one line per node: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement.sql, statement.parameters).all()
            return [str(r[3]) for r in rows]
        rows = conn.exec_driver_sql("EXPLAIN " + statement.sql, statement.parameters).all()
        return [str(r[0]) for r in rows]


def analyze(engine: sa.Engine) -> None:
    """Refresh PostgreSQL's statistics of the user tables, as autovacuum would after a bulk load."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in USER_TABLES:
                conn.exec_driver_sql(f"ANALYZE {table}")


_SQLITE_CONSTRAINTS = re.compile(r"^SEARCH .*\((?P<terms>[^()]*)\)$")
_LIMIT = re.compile(r"\bLIMIT\b", re.IGNORECASE)
_PG_SORT = re.compile(r"(?:^|->)\s*(?:Incremental )?Sort\b")
_PG_COLUMNS = re.compile(r"\b(pool_id|sub|name|value|username_norm|status|enabled|alias)\b")


def _pool_only(dialect: str, line: str) -> bool:
    """Whether a plan line walks an index on ``pool_id`` alone, i.e. every row of the pool."""
    if dialect == "sqlite":
        match = _SQLITE_CONSTRAINTS.match(line)
        return match is not None and match.group("terms") == "pool_id=?"
    return "Index Cond:" in line and set(_PG_COLUMNS.findall(line.split("Index Cond:", 1)[1])) == {"pool_id"}


def plan_problems(dialect: str, plan: list[str], statement: Statement) -> list[str]:
    """The lines of a plan that make its cost grow with the pool, empty if there are none: a table read
    without an index, a sort of the pool's rows, or a walk of the whole pool that a LIMIT does not stop."""
    if dialect == "sqlite":
        bad = [line for line in plan if line.startswith("SCAN ") or "TEMP B-TREE" in line]
        used = any(" USING " in line and ("INDEX" in line or "PRIMARY KEY" in line) for line in plan)
    else:
        bad = [line for line in plan if "Seq Scan" in line or _PG_SORT.search(line)]
        used = any(kind in line for line in plan for kind in ("Index Scan", "Index Only Scan", "Bitmap Index Scan"))
    if not used:
        bad.append("no index used")
    # A LIMIT stops a walk of the pool early only when every row of the walk matches: true of the plain
    # username listing, never of an attribute filter, whose rows of other attributes must be stepped over.
    filtered = "FROM user_attributes" in statement.sql and " user_attributes.name = " in statement.sql
    if filtered or not _LIMIT.search(statement.sql):
        bad += [line for line in plan if _pool_only(dialect, line)]
    return bad
