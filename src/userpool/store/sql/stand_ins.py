"""The records kept for names no user has (services/stand_ins.py): a lockout counter and codes per name's
stand-in sub, in one table as JSON, each row forgotten once it no longer matters."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from userpool.model.codes import OneTimeCode
from userpool.model.codes import forgotten_at as code_forgotten_at
from userpool.model.lockout import forgotten_at as counter_forgotten_at
from userpool.model.token_records import SignInCounters
from userpool.store.sql.tables import user_stand_ins as t

SIGN_IN = "sign_in"  # the kind of a lockout counter; codes are kept under their purpose
_KEY = ("pool_id", "kind", "subject")
_COUNTER_FIELDS = ("failed_attempts", "last_attempt_at", "locked_until")
_CODE_FIELDS = tuple(f.name for f in fields(OneTimeCode))


class _Rows:
    """Rows of one kind at a time, by (pool, kind, subject)."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def _where(self, pool_id: str, kind: str, subject: str) -> sa.ColumnElement[bool]:
        return sa.and_(t.c.pool_id == pool_id, t.c.kind == kind, t.c.subject == subject)

    def _insert(self, values: dict[str, Any]) -> Any:
        dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        return dialect.insert(t).values(**values)

    def read(self, pool_id: str, kind: str, subject: str, for_update: bool) -> dict[str, Any] | None:
        """The record, or None; ``for_update`` locks its row until commit, as a user's would be locked."""
        if for_update and self._conn.dialect.name == "postgresql":
            # A row to lock even the first time a name is tried: concurrent first attempts then queue on it,
            # as they would on a user's row, instead of each finding nothing and counting one. (SQLite has
            # one writer at a time.) An empty record is no record; one left empty is forgotten at once.
            empty = {"pool_id": pool_id, "kind": kind, "subject": subject, "state": {}, "forget_at": 0.0}
            self._conn.execute(self._insert(empty).on_conflict_do_nothing(index_elements=list(_KEY)))
        query = sa.select(t.c.state).where(self._where(pool_id, kind, subject))
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return dict(row.state) if row is not None and row.state else None

    def write(self, pool_id: str, kind: str, subject: str, state: dict[str, Any], forget_at: float) -> None:
        values = {"pool_id": pool_id, "kind": kind, "subject": subject, "state": state, "forget_at": forget_at}
        insert = self._insert(values)
        self._conn.execute(
            insert.on_conflict_do_update(index_elements=list(_KEY), set_={"state": state, "forget_at": forget_at})
        )

    def delete(self, pool_id: str, kind: str, subject: str) -> None:
        self._conn.execute(t.delete().where(self._where(pool_id, kind, subject)))


class SqlStandInCounterRepo:
    """A name's failed sign-in counter (AttemptCounterRepo), kept until fifteen quiet minutes reset it."""

    def __init__(self, rows: _Rows) -> None:
        self._rows = rows

    def get(self, pool_id: str, sub: str, for_update: bool = False) -> SignInCounters | None:
        state = self._rows.read(pool_id, SIGN_IN, sub, for_update)
        if state is None:
            return None
        return SignInCounters(
            failed_attempts=int(state.get("failed_attempts") or 0),
            last_attempt_at=state.get("last_attempt_at"),
            locked_until=state.get("locked_until"),
        )

    def set_attempts(self, pool_id: str, sub: str, counters: SignInCounters) -> None:
        state = {k: getattr(counters, k) for k in _COUNTER_FIELDS}
        self._rows.write(pool_id, SIGN_IN, sub, state, counter_forgotten_at(counters) or 0.0)


class SqlStandInCodeRepo:
    """A name's codes (CodeRepo), kept until the code and its hourly counters have run out."""

    def __init__(self, rows: _Rows) -> None:
        self._rows = rows

    def get(self, pool_id: str, sub: str, purpose: str, for_update: bool = False) -> OneTimeCode | None:
        state = self._rows.read(pool_id, purpose, sub, for_update)
        if state is None:
            return None
        return OneTimeCode(**{k: state[k] for k in _CODE_FIELDS})

    def put(self, code: OneTimeCode) -> None:
        self._rows.write(code.pool_id, code.purpose, code.sub, asdict(code), code_forgotten_at(code))

    def delete(self, pool_id: str, sub: str, purpose: str) -> None:
        self._rows.delete(pool_id, purpose, sub)


class SqlStandInRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        rows = _Rows(conn)
        self.counters = SqlStandInCounterRepo(rows)
        self.codes = SqlStandInCodeRepo(rows)

    def delete_expired(self, now: float) -> None:
        self._conn.execute(t.delete().where(t.c.forget_at <= now))
