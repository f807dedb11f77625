"""The external identities that sign users in (model/federated_identities.py), keyed by pool, provider and the
subject or linked attribute, exactly as the provider spells them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from userpool.model.federated_identities import FederatedIdentity
from userpool.store.base import NotFound
from userpool.store.sql.rows import conflicts_as
from userpool.store.sql.tables import federated_identities as t


def _key(pool_id: str, provider_name: str, attribute_name: str, attribute_value: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        t.c.pool_id == pool_id,
        t.c.provider_name == provider_name,
        t.c.attribute_name == attribute_name,
        t.c.attribute_value == attribute_value,
    )


def _identity(row: Any) -> FederatedIdentity:
    return FederatedIdentity(
        pool_id=row.pool_id,
        provider_name=row.provider_name,
        attribute_name=row.attribute_name,
        attribute_value=row.attribute_value,
        sub=row.sub,
        provider_type=row.provider_type,
        issuer=row.issuer,
        primary=bool(row.is_primary),
        created_at_ms=int(row.created_at_ms),
        disabled=bool(row.disabled),
    )


def _values(identity: FederatedIdentity) -> dict[str, Any]:
    return {
        "sub": identity.sub,
        "provider_type": identity.provider_type,
        "issuer": identity.issuer,
        "is_primary": identity.primary,
        "created_at_ms": identity.created_at_ms,
        "disabled": identity.disabled,
    }


class SqlFederatedIdentityRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, identity: FederatedIdentity) -> None:
        with conflicts_as({}, "identity"):
            self._conn.execute(
                t.insert().values(
                    pool_id=identity.pool_id,
                    provider_name=identity.provider_name,
                    attribute_name=identity.attribute_name,
                    attribute_value=identity.attribute_value,
                    **_values(identity),
                )
            )

    def get(
        self, pool_id: str, provider_name: str, attribute_name: str, attribute_value: str
    ) -> FederatedIdentity | None:
        row = self._conn.execute(
            sa.select(t).where(_key(pool_id, provider_name, attribute_name, attribute_value))
        ).first()
        return None if row is None else _identity(row)

    def of_user(self, pool_id: str, sub: str) -> list[FederatedIdentity]:
        rows = self._conn.execute(
            sa.select(t)
            .where(t.c.pool_id == pool_id, t.c.sub == sub)
            .order_by(t.c.created_at_ms, t.c.provider_name, t.c.attribute_name, t.c.attribute_value)
        )
        return [_identity(r) for r in rows]

    def update(self, identity: FederatedIdentity) -> None:
        where = _key(identity.pool_id, identity.provider_name, identity.attribute_name, identity.attribute_value)
        if self._conn.execute(t.update().where(where).values(**_values(identity))).rowcount == 0:
            raise NotFound(identity.attribute_value)

    def delete(self, pool_id: str, provider_name: str, attribute_name: str, attribute_value: str) -> bool:
        stmt = t.delete().where(_key(pool_id, provider_name, attribute_name, attribute_value))
        return bool(self._conn.execute(stmt).rowcount)
