"""Groups and memberships."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from userpool.crypto.sealing import Sealer
from userpool.model.records import Group, Page, User
from userpool.store.base import NotFound
from userpool.store.sql.driver import DriverStatement, Link, row_type
from userpool.store.sql.rows import conflicts_as, count, keyset_page
from userpool.store.sql.tables import group_members, groups, users
from userpool.store.sql.users import SqlUserRepo


def _group(row: Any) -> Group:
    return Group(row.pool_id, row.name, row.description, row.role_arn, row.precedence, row.created_at, row.updated_at)


# The first page of a user's groups, read on every token issued: on the driver's connection (driver.py;
# docs/architecture.md, Hot-path rules).
_GROUPS_OF_QUERY = (
    sa.select(groups)
    .join(group_members, (group_members.c.pool_id == groups.c.pool_id) & (group_members.c.group_name == groups.c.name))
    .where(group_members.c.pool_id == sa.bindparam("pool_id"), group_members.c.sub == sa.bindparam("sub"))
    .order_by(group_members.c.group_name)
    .limit(sa.bindparam("limit"))
)
_GROUPS_OF = DriverStatement(_GROUPS_OF_QUERY)
_GroupRow = row_type("_GroupRow", _GROUPS_OF_QUERY)


class SqlGroupRepo:
    def __init__(self, link: Link, sealer: Sealer) -> None:
        self._link = link  # the member users are read through the users' repository, which takes the link
        self._sealer = sealer  # the member users' SRP verifiers are sealed

    @property
    def _conn(self) -> sa.Connection:
        return self._link.sa

    def add(self, group: Group) -> None:
        with conflicts_as({}, "name"):
            self._conn.execute(
                groups.insert().values(
                    pool_id=group.pool_id,
                    name=group.name,
                    description=group.description,
                    role_arn=group.role_arn,
                    precedence=group.precedence,
                    created_at=group.created_at,
                    updated_at=group.updated_at,
                )
            )

    def get(self, pool_id: str, name: str) -> Group | None:
        row = self._conn.execute(sa.select(groups).where(groups.c.pool_id == pool_id, groups.c.name == name)).first()
        return _group(row) if row else None

    def update(self, group: Group) -> None:
        stmt = (
            groups.update()
            .where(groups.c.pool_id == group.pool_id, groups.c.name == group.name)
            .values(
                description=group.description,
                role_arn=group.role_arn,
                precedence=group.precedence,
                updated_at=group.updated_at,
            )
        )
        if self._conn.execute(stmt).rowcount == 0:
            raise NotFound(group.name)

    def delete(self, pool_id: str, name: str) -> None:
        stmt = groups.delete().where(groups.c.pool_id == pool_id, groups.c.name == name)
        if self._conn.execute(stmt).rowcount == 0:
            raise NotFound(name)

    def list(self, pool_id: str, limit: int, after: str | None) -> Page[Group]:
        stmt = sa.select(groups).where(groups.c.pool_id == pool_id)
        if after is not None:
            stmt = stmt.where(groups.c.name > after)
        rows = self._conn.execute(stmt.order_by(groups.c.name).limit(limit + 1)).all()
        return keyset_page(rows, limit, _group, lambda r: str(r.name))

    def count(self, pool_id: str) -> int:
        return count(self._conn, groups, groups.c.pool_id == pool_id)

    def add_member(self, pool_id: str, name: str, sub: str) -> None:
        exists = self._conn.execute(
            sa.select(group_members.c.sub).where(
                group_members.c.pool_id == pool_id,
                group_members.c.group_name == name,
                group_members.c.sub == sub,
            )
        ).first()
        if exists is None:
            with conflicts_as({}, "member"):
                self._conn.execute(group_members.insert().values(pool_id=pool_id, group_name=name, sub=sub))

    def remove_member(self, pool_id: str, name: str, sub: str) -> None:
        self._conn.execute(
            group_members.delete().where(
                group_members.c.pool_id == pool_id,
                group_members.c.group_name == name,
                group_members.c.sub == sub,
            )
        )

    def groups_of(self, pool_id: str, sub: str, limit: int, after: str | None) -> Page[Group]:
        m = group_members
        if after is None:
            found = self._link.all(_GROUPS_OF, {"pool_id": pool_id, "sub": sub, "limit": limit + 1})
            return keyset_page([_GroupRow._make(r) for r in found], limit, _group, lambda r: str(r.name))
        stmt = (
            sa.select(groups)
            .join(m, (m.c.pool_id == groups.c.pool_id) & (m.c.group_name == groups.c.name))
            .where(m.c.pool_id == pool_id, m.c.sub == sub)
        )
        if after is not None:
            stmt = stmt.where(m.c.group_name > after)
        rows = self._conn.execute(stmt.order_by(m.c.group_name).limit(limit + 1)).all()
        return keyset_page(rows, limit, _group, lambda r: str(r.name))

    def count_groups_of(self, pool_id: str, sub: str) -> int:
        return count(self._conn, group_members, group_members.c.pool_id == pool_id, group_members.c.sub == sub)

    def members(self, pool_id: str, name: str, limit: int, after: str | None) -> Page[User]:
        m = group_members
        stmt = (
            sa.select(users.c.sub, users.c.username_norm)
            .join(m, (m.c.pool_id == users.c.pool_id) & (m.c.sub == users.c.sub))
            .where(m.c.pool_id == pool_id, m.c.group_name == name)
        )
        if after is not None:
            stmt = stmt.where(users.c.username_norm > after)
        rows = self._conn.execute(stmt.order_by(users.c.username_norm).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        found = SqlUserRepo(self._link, self._sealer).get_many(pool_id, [r.sub for r in rows])
        return Page(found, rows[-1].username_norm if more and rows else None)
