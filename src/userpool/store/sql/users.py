"""Users, their attributes and their sign-in aliases.

ListUsers queries are answered from indexes only: the username index, the (status|enabled, username)
indexes, or the (name, value, sub) index of ``user_attributes``; one more indexed query loads the
attributes of the page's users.

A write transaction that reads one user locks its row until commit: every write of a user is a
read-modify-write of the whole record (``update``), and under PostgreSQL's READ COMMITTED two of them racing
would otherwise each write back its own stale copy, losing the other's change. SQLite needs no row lock:
its writers already run one at a time (BEGIN IMMEDIATE), and SQLAlchemy renders no FOR UPDATE there.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from userpool.crypto.sealing import Sealer
from userpool.model.records import Page, User, UserQuery
from userpool.model.vocabulary import UserStatus
from userpool.store.base import NotFound
from userpool.store.sql.driver import DriverStatement, Link, row_type
from userpool.store.sql.rows import conflicts_as, count
from userpool.store.sql.sign_in_counters import CounterMemo, counters_of
from userpool.store.sql.tables import VALUE_PREFIX_CHARS, user_aliases, user_attributes, users

# Every string that starts with p sorts between p and p + U+10FFFF (byte order, see tables.py).
_TOP = "\U0010ffff"
_CONFLICTS = {"username_norm": "username", "user_aliases": "alias", "alias": "alias"}


# One user's row; its attributes and aliases in one round trip (kind 0: attribute name/value, 1: alias): built once
# and run on the driver's connection (driver.py; docs/architecture.md, Hot-path rules).
_POOL: sa.BindParameter[str] = sa.bindparam("pool_id")
_SUB: sa.BindParameter[str] = sa.bindparam("sub")
_BY_SUB_QUERY = sa.select(users).where(users.c.pool_id == _POOL, users.c.sub == _SUB)
_BY_USERNAME_QUERY = sa.select(users).where(
    users.c.pool_id == _POOL, users.c.username_norm == sa.bindparam("username_norm")
)
_BY_USERNAME = DriverStatement(_BY_USERNAME_QUERY)
_BY_SUB_LOCKED = DriverStatement(_BY_SUB_QUERY.with_for_update())
_BY_USERNAME_LOCKED = DriverStatement(_BY_USERNAME_QUERY.with_for_update())
# The user a Username parameter names (UserRepo.find): the sub of each way of naming one (username, three
# aliases, the sub itself), ranked, in a subquery that runs once; then that user's row by primary key.
_NAMED = users.alias("named")
_RANKED = sa.union_all(
    sa.select(_NAMED.c.sub, sa.literal_column("0").label("rank")).where(
        _NAMED.c.pool_id == _POOL, _NAMED.c.username_norm == sa.bindparam("username_norm")
    ),
    *(
        sa.select(user_aliases.c.sub, sa.literal_column(str(rank))).where(
            user_aliases.c.pool_id == _POOL, user_aliases.c.alias == sa.bindparam(f"alias_{rank}")
        )
        for rank in (1, 2, 3)
    ),
    sa.select(_NAMED.c.sub, sa.literal_column("4")).where(
        _NAMED.c.pool_id == _POOL, _NAMED.c.sub == sa.bindparam("as_sub")
    ),
).subquery("ranked")
_FIRST_HIT = sa.select(_RANKED.c.sub).order_by(_RANKED.c.rank).limit(1).scalar_subquery()
_FIND_QUERY = sa.select(users).where(users.c.pool_id == _POOL, users.c.sub == _FIRST_HIT)
_FIND = DriverStatement(_FIND_QUERY)
_FIND_LOCKED = DriverStatement(_FIND_QUERY.with_for_update())
_INSERT = users.insert()
_ALIAS_RANKS = 3
_CHILDREN_OF_ONE_QUERY = sa.union_all(
    sa.select(sa.literal_column("0").label("kind"), user_attributes.c.name, user_attributes.c.value).where(
        user_attributes.c.pool_id == _POOL, user_attributes.c.sub == _SUB
    ),
    sa.select(sa.literal_column("1"), user_aliases.c.alias, user_aliases.c.alias).where(
        user_aliases.c.pool_id == _POOL, user_aliases.c.sub == _SUB
    ),
)
_CHILDREN_OF_ONE = DriverStatement(_CHILDREN_OF_ONE_QUERY)


class _rows_as_json(FunctionElement[Any]):
    """Its arguments' values in each row, as one JSON array of arrays: PostgreSQL's ``json_agg`` of
    ``json_build_array``, SQLite's ``json_group_array`` of ``json_array``."""

    inherit_cache = True
    name = "rows_as_json"


@compiles(_rows_as_json, "postgresql")
def _rows_as_json_postgresql(element: _rows_as_json, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(_rows_as_json, "sqlite")
def _rows_as_json_sqlite(element: _rows_as_json, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


# In a read, a user by sub with its attributes and aliases beside its row, as JSON ([kind, name, value], as
# _CHILDREN_OF_ONE gives them): one statement where there were two, one round trip fewer on PostgreSQL for
# GetUser and every refresh. A sub no user has costs one statement, as it did.
_CHILDREN = _CHILDREN_OF_ONE_QUERY.subquery("children")
_BY_SUB_WITH_CHILDREN = DriverStatement(
    sa.select(
        users,
        sa.select(_rows_as_json(_CHILDREN.c.kind, _CHILDREN.c.name, _CHILDREN.c.value))
        .scalar_subquery()
        .label("children"),
    ).where(users.c.pool_id == _POOL, users.c.sub == _SUB)
)
# A user's row as the driver gives it (a tuple in the table's column order), with its columns by name.
_UserRow = row_type("_UserRow", _BY_SUB_QUERY)
_USER_COLUMNS = len(users.c)


def _children(
    sub: str, rows: Iterable[Sequence[Any]], attrs: dict[str, dict[str, str]], aliases: dict[str, list[str]]
) -> None:
    """A user's attributes and aliases from _CHILDREN_OF_ONE's rows (kind 0: attribute name and value, 1: alias)."""
    for kind, name, value in rows:
        if int(kind) == 0:
            attrs[sub][name] = value
        else:
            aliases[sub].append(name)


@lru_cache(maxsize=4096)
def _unsealed(sealer: Sealer, sealed: str, context: str) -> str:
    """A user's SRP verifier, unsealed once per sealed value: every read of a user who has one would otherwise
    decode and decrypt its ~1 kB (~6 µs), GetUser's too. Keyed by the sealed value itself, so a changed
    verifier is a new entry and a kept one is exactly what its ciphertext authenticated."""
    return sealer.unseal(sealed, context)


def _matches(column: sa.ColumnElement[Any], value: str, prefix: bool) -> sa.ColumnElement[bool]:
    if prefix:
        return sa.and_(column >= value, column < value + _TOP)
    return column == value


class SqlUserRepo:
    def __init__(self, link: Link, sealer: Sealer, counters: CounterMemo | None = None) -> None:
        self._link = link
        self._sealer = sealer
        # The transaction's sign-in counters read along with a user's row (sign_in_counters.py).
        self._counters: CounterMemo = {} if counters is None else counters
        self._locking = link.locking

    @property
    def _conn(self) -> sa.Connection:
        return self._link.sa

    def _context(self, pool_id: str, sub: str) -> str:
        # Bound to the row, so a sealed verifier copied onto another user does not open.
        return f"srp:{pool_id}:{sub}"

    # -- writes ---------------------------------------------------------------------------------

    def _row_values(self, user: User) -> dict[str, Any]:
        return {
            "username": user.username,
            "username_norm": user.username_norm,
            "status": user.status,
            "enabled": user.enabled,
            "password_hash": user.password_hash,
            "password_expires_at": user.password_expires_at,
            "mfa": user.mfa,
            "updated_at": user.updated_at,
            "password_sign_in_disabled": user.password_sign_in_disabled,
            "srp_salt": user.srp_salt if user.srp_verifier else None,
            "srp_verifier_sealed": (
                self._sealer.seal(user.srp_verifier, self._context(user.pool_id, user.sub))
                if user.srp_salt and user.srp_verifier
                else None
            ),
        }

    def _write_children(self, user: User) -> None:
        if user.attributes:
            self._conn.execute(
                user_attributes.insert(),
                [
                    {
                        "pool_id": user.pool_id,
                        "sub": user.sub,
                        "name": n,
                        "value": v,
                        "value_prefix": v[:VALUE_PREFIX_CHARS],
                    }
                    for n, v in user.attributes.items()
                ],
            )
        if user.aliases:
            with conflicts_as(_CONFLICTS, "alias"):
                self._conn.execute(
                    user_aliases.insert(),
                    [{"pool_id": user.pool_id, "sub": user.sub, "alias": a} for a in user.aliases],
                )

    def add(self, user: User) -> None:
        row = {"pool_id": user.pool_id, "sub": user.sub, "created_at": user.created_at, **self._row_values(user)}
        with conflicts_as(_CONFLICTS, "username"):
            # The statement built once, the row as its parameters: no statement is made per user (a user
            # import adds hundreds of thousands).
            self._conn.execute(_INSERT, row)
        self._write_children(user)

    def update(self, user: User) -> None:
        self._counters.pop((user.pool_id, user.sub), None)
        where = (users.c.pool_id == user.pool_id) & (users.c.sub == user.sub)
        with conflicts_as(_CONFLICTS, "username"):
            if self._conn.execute(users.update().where(where).values(**self._row_values(user))).rowcount == 0:
                raise NotFound(user.sub)
        for child in (user_attributes, user_aliases):
            self._conn.execute(child.delete().where((child.c.pool_id == user.pool_id) & (child.c.sub == user.sub)))
        self._write_children(user)

    def delete(self, pool_id: str, sub: str) -> None:
        self._counters.pop((pool_id, sub), None)
        stmt = users.delete().where((users.c.pool_id == pool_id) & (users.c.sub == sub))
        if self._conn.execute(stmt).rowcount == 0:
            raise NotFound(sub)

    # -- reads ----------------------------------------------------------------------------------

    def _load(self, pool_id: str, rows: list[Any]) -> list[User]:
        if not rows:
            return []
        subs = [r.sub for r in rows]
        attrs: dict[str, dict[str, str]] = defaultdict(dict)
        aliases: dict[str, list[str]] = defaultdict(list)
        if len(subs) == 1:
            self._load_children_of_one(pool_id, subs[0], attrs, aliases)
            return self._users(rows, attrs, aliases)
        for a in self._conn.execute(
            sa.select(user_attributes.c.sub, user_attributes.c.name, user_attributes.c.value).where(
                user_attributes.c.pool_id == pool_id, user_attributes.c.sub.in_(subs)
            )
        ):
            attrs[a.sub][a.name] = a.value
        for al in self._conn.execute(
            sa.select(user_aliases.c.sub, user_aliases.c.alias).where(
                user_aliases.c.pool_id == pool_id, user_aliases.c.sub.in_(subs)
            )
        ):
            aliases[al.sub].append(al.alias)
        return self._users(rows, attrs, aliases)

    def _load_children_of_one(
        self, pool_id: str, sub: str, attrs: dict[str, dict[str, str]], aliases: dict[str, list[str]]
    ) -> None:
        _children(sub, self._link.all(_CHILDREN_OF_ONE, {"pool_id": pool_id, "sub": sub}), attrs, aliases)

    def _users(self, rows: list[Any], attrs: dict[str, dict[str, str]], aliases: dict[str, list[str]]) -> list[User]:
        return [
            User(
                pool_id=r.pool_id,
                sub=r.sub,
                username=r.username,
                username_norm=r.username_norm,
                status=UserStatus(r.status),
                enabled=bool(r.enabled),
                password_hash=r.password_hash,
                password_expires_at=r.password_expires_at,
                attributes=attrs[r.sub],
                created_at=r.created_at,
                updated_at=r.updated_at,
                aliases=tuple(sorted(aliases[r.sub])),
                mfa=dict(self._link.json(r.mfa) or {}),
                srp_salt=r.srp_salt if r.srp_verifier_sealed else None,
                srp_verifier=(
                    _unsealed(self._sealer, r.srp_verifier_sealed, self._context(r.pool_id, r.sub))
                    if r.srp_verifier_sealed
                    else None
                ),
                password_sign_in_disabled=bool(r.password_sign_in_disabled),
            )
            for r in rows
        ]

    def get_by_sub(self, pool_id: str, sub: str) -> User | None:
        if self._locking:
            return self._load_one(pool_id, self._link.first(_BY_SUB_LOCKED, {"pool_id": pool_id, "sub": sub}))
        found = self._link.first(_BY_SUB_WITH_CHILDREN, {"pool_id": pool_id, "sub": sub})
        if found is None:
            return None
        return self._load_one(pool_id, found[:_USER_COLUMNS], self._link.json(found[_USER_COLUMNS]) or ())

    def get_by_username(self, pool_id: str, username_norm: str) -> User | None:
        query = _BY_USERNAME_LOCKED if self._locking else _BY_USERNAME
        return self._load_one(pool_id, self._link.first(query, {"pool_id": pool_id, "username_norm": username_norm}))

    def _load_one(self, pool_id: str, found: Any, children: Iterable[Sequence[Any]] | None = None) -> User | None:
        """The user of row ``found``, with ``children`` (_CHILDREN_OF_ONE's rows) when they were read along with
        it, else read now."""
        if found is None:
            return None
        row = _UserRow._make(found)
        self._counters[(pool_id, row.sub)] = counters_of(row)
        if children is None:
            return self._load(pool_id, [row])[0]
        attrs: dict[str, dict[str, str]] = defaultdict(dict)
        aliases: dict[str, list[str]] = defaultdict(list)
        _children(row.sub, children, attrs, aliases)
        return self._users([row], attrs, aliases)[0]

    def find(self, pool_id: str, username_norm: str, aliases: tuple[str, ...], sub: str | None) -> User | None:
        if len(aliases) > _ALIAS_RANKS:
            raise ValueError(f"at most {_ALIAS_RANKS} aliases")
        padded = (*aliases, *("",) * (_ALIAS_RANKS - len(aliases)))
        params = {"pool_id": pool_id, "username_norm": username_norm, "as_sub": sub or ""}
        params.update({f"alias_{rank}": alias for rank, alias in enumerate(padded, start=1)})
        found = self._link.first(_FIND_LOCKED if self._locking else _FIND, params)
        if found is None:
            # The statement a found user's attributes and aliases take, for a sub no user has: the lookup of
            # a name no user has costs what a user's does (where a client hides which users exist, a faster
            # answer would tell them apart).
            self._link.all(_CHILDREN_OF_ONE, {"pool_id": pool_id, "sub": ""})
            return None
        return self._load_one(pool_id, found)

    def alias_holder(self, pool_id: str, alias: str) -> str | None:
        sub = self._conn.execute(
            sa.select(user_aliases.c.sub).where(user_aliases.c.pool_id == pool_id, user_aliases.c.alias == alias)
        ).scalar()
        return str(sub) if sub else None

    def get_many(self, pool_id: str, subs: list[str]) -> list[User]:
        rows = self._conn.execute(sa.select(users).where(users.c.pool_id == pool_id, users.c.sub.in_(subs))).all()
        by_sub = {u.sub: u for u in self._load(pool_id, list(rows))}
        return [by_sub[s] for s in subs if s in by_sub]

    def count(self, pool_id: str) -> int:
        return count(self._conn, users, users.c.pool_id == pool_id)

    def list(self, pool_id: str, query: UserQuery | None, limit: int, after: str | None) -> Page[User]:
        if query is None or query.attribute in ("username", "cognito:user_status", "status"):
            return self._list_by_username(pool_id, query, limit, after)
        return self._list_by_attribute(pool_id, query, limit, after)

    def _list_by_username(self, pool_id: str, query: UserQuery | None, limit: int, after: str | None) -> Page[User]:
        stmt = sa.select(users).where(users.c.pool_id == pool_id)
        if query is not None and query.attribute == "username":
            stmt = stmt.where(_matches(users.c.username_norm, query.value, query.prefix))
        elif query is not None and query.attribute == "cognito:user_status":
            stmt = stmt.where(_matches(users.c.status, query.value, query.prefix))
        elif query is not None:
            stmt = stmt.where(users.c.enabled == (query.value == "Enabled"))
        if after is not None:
            stmt = stmt.where(users.c.username_norm > after)
        rows = self._conn.execute(stmt.order_by(users.c.username_norm).limit(limit + 1)).all()
        page = self._load(pool_id, list(rows[:limit]))
        return Page(page, rows[limit - 1].username_norm if len(rows) > limit else None)

    def _list_by_attribute(self, pool_id: str, query: UserQuery, limit: int, after: str | None) -> Page[User]:
        a = user_attributes
        head = query.value[:VALUE_PREFIX_CHARS]
        if len(query.value) < VALUE_PREFIX_CHARS:
            # Shorter than a stored prefix, the value is matched by the prefix alone: equal to it only when the
            # whole value is, a prefix of it exactly when of the whole value. The index answers by itself.
            match = _matches(a.c.value_prefix, head, query.prefix)
        else:
            match = sa.and_(a.c.value_prefix == head, _matches(a.c.value, query.value, query.prefix))
        stmt = sa.select(a.c.sub, a.c.value_prefix).where(a.c.pool_id == pool_id, a.c.name == query.attribute, match)
        if after is not None:
            last_prefix, last_sub = json.loads(after)
            stmt = stmt.where(
                sa.or_(a.c.value_prefix > last_prefix, sa.and_(a.c.value_prefix == last_prefix, a.c.sub > last_sub))
            )
        keys = self._conn.execute(stmt.order_by(a.c.value_prefix, a.c.sub).limit(limit + 1)).all()
        more = len(keys) > limit
        keys = keys[:limit]
        found = self.get_many(pool_id, [k.sub for k in keys])
        cursor = json.dumps([keys[-1].value_prefix, keys[-1].sub]) if more and keys else None
        return Page(found, cursor)
