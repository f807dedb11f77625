"""The records kept for names no user has (services/users/steps/stand_ins.py): a lockout counter and codes per name's
stand-in sub, and the challenges simulated for them by their Session's digest, in one table as JSON, each
row forgotten once it no longer matters."""

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
SESSION = "session"  # a simulated challenge, by the digest of its Session (or SECRET_BLOCK)
_KEY = ("pool_id", "kind", "subject")
_COUNTER_FIELDS = ("failed_attempts", "last_attempt_at", "locked_until")
_CODE_FIELDS = tuple(f.name for f in fields(OneTimeCode))


# Statements built once (docs/architecture.md, Hot-path rules): a stand-in's lookups must cost what a user's prebuilt
# ones do.
_WHERE = sa.and_(
    t.c.pool_id == sa.bindparam("pool_id"), t.c.kind == sa.bindparam("kind"), t.c.subject == sa.bindparam("subject")
)
_READ = sa.select(t.c.state).where(_WHERE)
_READ_LOCKED = _READ.with_for_update()
_READ_LIVE = _READ.where(t.c.forget_at > sa.bindparam("now"))
_DELETE = t.delete().where(_WHERE)
_DELETE_EXPIRED = t.delete().where(t.c.forget_at <= sa.bindparam("now"))


def _upsert(dialect: Any) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE of a whole record in ``dialect``."""
    values: dict[str, Any] = {c: sa.bindparam(c) for c in ("pool_id", "kind", "subject", "state", "forget_at")}
    insert = dialect.insert(t).values(values)
    changes = {"state": insert.excluded.state, "forget_at": insert.excluded.forget_at}
    return insert.on_conflict_do_update(index_elements=list(_KEY), set_=changes)


_UPSERT = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}
# PostgreSQL, reading to write: the record locked, made empty first if there is none, in one statement (a
# conflicting insert that updates locks the row it meets; it sets nothing new) — so that concurrent first
# attempts at a name queue on one row as they would on a user's, instead of each finding nothing and
# counting one, and a record costs one statement, as a user's locked read does. An empty record is no
# record; one left empty is forgotten at once. (SQLite has one writer at a time: its plain read does.)
_LOCK_PG = (
    postgresql.insert(t)
    .values({c: sa.bindparam(c) for c in ("pool_id", "kind", "subject", "state", "forget_at")})
    .on_conflict_do_update(index_elements=list(_KEY), set_={"state": t.c.state})
    .returning(t.c.state)
)


class _Rows:
    """Rows of one kind at a time, by (pool, kind, subject)."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self._postgresql = conn.dialect.name == "postgresql"
        self._upsert = _UPSERT["postgresql" if self._postgresql else "sqlite"]

    def read(self, pool_id: str, kind: str, subject: str, for_update: bool) -> dict[str, Any] | None:
        """The record, or None; ``for_update`` locks its row until commit, as a user's would be locked."""
        key = {"pool_id": pool_id, "kind": kind, "subject": subject}
        if for_update and self._postgresql:
            state = self._conn.execute(_LOCK_PG, {**key, "state": {}, "forget_at": 0.0}).scalar()
        else:
            state = self._conn.execute(_READ_LOCKED if for_update else _READ, key).scalar()
        return dict(state) if state else None

    def write(self, pool_id: str, kind: str, subject: str, state: dict[str, Any], forget_at: float) -> None:
        params = {"pool_id": pool_id, "kind": kind, "subject": subject, "state": state, "forget_at": forget_at}
        self._conn.execute(self._upsert, params)

    def delete(self, pool_id: str, kind: str, subject: str) -> None:
        self._conn.execute(_DELETE, {"pool_id": pool_id, "kind": kind, "subject": subject})


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
        self._rows = rows = _Rows(conn)
        self.counters = SqlStandInCounterRepo(rows)
        self.codes = SqlStandInCodeRepo(rows)

    def add_session(self, pool_id: str, session_hash: str, record: dict[str, Any], expires_at: float) -> None:
        self._rows.write(pool_id, SESSION, session_hash, record, expires_at)

    def session(self, pool_id: str, session_hash: str, now: float) -> dict[str, Any] | None:
        row = self._conn.execute(
            _READ_LIVE, {"pool_id": pool_id, "kind": SESSION, "subject": session_hash, "now": now}
        ).first()
        return dict(row.state) if row is not None else None

    def consume_session(self, pool_id: str, session_hash: str) -> bool:
        deleted = self._conn.execute(_DELETE, {"pool_id": pool_id, "kind": SESSION, "subject": session_hash})
        return bool(deleted.rowcount == 1)

    def delete_expired(self, now: float) -> None:
        self._conn.execute(_DELETE_EXPIRED, {"now": now})
