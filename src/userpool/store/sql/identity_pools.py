"""Identity pools, their identities and logins, and the keys of their OpenID tokens (private keys sealed at rest,
each bound to its kid: docs/architecture.md, Storage)."""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from userpool.crypto.sealing import Sealer
from userpool.model.identity_pools import (
    Identity,
    IdentityLogin,
    IdentityPool,
    IdentitySigningKey,
    PublishedIdentityKey,
)
from userpool.model.records import Page
from userpool.store.base import NotFound
from userpool.store.sql.rows import conflicts_as, keyset_page
from userpool.store.sql.tables import identities, identity_logins, identity_pools, identity_signing_keys

_p, _i, _l, _k = identity_pools.c, identities.c, identity_logins.c, identity_signing_keys.c
_GET_POOL = sa.select(identity_pools).where(_p.id == sa.bindparam("pool_id"))
_GET_IDENTITY = sa.select(identities).where(_i.id == sa.bindparam("identity_id"))
_GET_LOGIN = sa.select(identity_logins).where(
    _l.pool_id == sa.bindparam("pool_id"), _l.login_key == sa.bindparam("login_key")
)


def login_key(provider: str, subject: str) -> str:
    """The SHA-256 (hex) a login is found by: a subject may be longer than an index entry can hold."""
    return hashlib.sha256(provider.encode() + b"\x00" + subject.encode()).hexdigest()


def _pool(row: Any) -> IdentityPool:
    return IdentityPool(
        row.id, row.name, dict(row.config), dict(row.roles), dict(row.tags), row.created_at, row.updated_at
    )


def _identity(row: Any) -> Identity:
    return Identity(row.id, row.pool_id, row.created_at, row.updated_at, bool(row.disabled))


def _login(row: Any) -> IdentityLogin:
    return IdentityLogin(row.pool_id, row.provider, row.subject, row.identity_id, row.created_at)


class SqlIdentityPoolRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, pool: IdentityPool) -> None:
        with conflicts_as({}, "id"):
            self._conn.execute(
                identity_pools.insert().values(
                    id=pool.id,
                    name=pool.name,
                    config=pool.config,
                    roles=pool.roles,
                    tags=pool.tags,
                    created_at=pool.created_at,
                    updated_at=pool.updated_at,
                )
            )

    def get(self, pool_id: str, for_update: bool = False) -> IdentityPool | None:
        query = _GET_POOL.with_for_update() if for_update else _GET_POOL
        row = self._conn.execute(query, {"pool_id": pool_id}).first()
        return _pool(row) if row else None

    def update(self, pool: IdentityPool) -> None:
        result = self._conn.execute(
            identity_pools.update()
            .where(_p.id == pool.id)
            .values(name=pool.name, config=pool.config, roles=pool.roles, tags=pool.tags, updated_at=pool.updated_at)
        )
        if result.rowcount == 0:
            raise NotFound(pool.id)

    def delete(self, pool_id: str) -> bool:
        return bool(self._conn.execute(identity_pools.delete().where(_p.id == pool_id)).rowcount)

    def list(self, limit: int, after: str | None) -> Page[IdentityPool]:
        query = sa.select(identity_pools).order_by(_p.id).limit(limit + 1)
        if after is not None:
            query = query.where(_p.id > after)
        return keyset_page(self._conn.execute(query).all(), limit, _pool, lambda r: str(r.id))


class SqlIdentityRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, identity: Identity) -> None:
        with conflicts_as({}, "id"):
            self._conn.execute(
                identities.insert().values(
                    id=identity.id,
                    pool_id=identity.pool_id,
                    created_at=identity.created_at,
                    updated_at=identity.updated_at,
                    disabled=identity.disabled,
                )
            )

    def get(self, identity_id: str, for_update: bool = False) -> Identity | None:
        query = _GET_IDENTITY.with_for_update() if for_update else _GET_IDENTITY
        row = self._conn.execute(query, {"identity_id": identity_id}).first()
        return _identity(row) if row else None

    def update(self, identity: Identity) -> None:
        result = self._conn.execute(
            identities.update()
            .where(_i.id == identity.id)
            .values(updated_at=identity.updated_at, disabled=identity.disabled)
        )
        if result.rowcount == 0:
            raise NotFound(identity.id)

    def delete(self, identity_id: str) -> bool:
        return bool(self._conn.execute(identities.delete().where(_i.id == identity_id)).rowcount)

    def list(self, pool_id: str, limit: int, after: str | None, hide_disabled: bool) -> Page[Identity]:
        query = sa.select(identities).where(_i.pool_id == pool_id).order_by(_i.id).limit(limit + 1)
        if hide_disabled:
            query = query.where(_i.disabled.is_(False))
        if after is not None:
            query = query.where(_i.id > after)
        return keyset_page(self._conn.execute(query).all(), limit, _identity, lambda r: str(r.id))

    def add_login(self, login: IdentityLogin) -> None:
        with conflicts_as({}, "login"):
            self._conn.execute(
                identity_logins.insert().values(
                    pool_id=login.pool_id,
                    login_key=login_key(login.provider, login.subject),
                    provider=login.provider,
                    subject=login.subject,
                    identity_id=login.identity_id,
                    created_at=login.created_at,
                )
            )

    def login(self, pool_id: str, provider: str, subject: str) -> IdentityLogin | None:
        key = login_key(provider, subject)
        row = self._conn.execute(_GET_LOGIN, {"pool_id": pool_id, "login_key": key}).first()
        return _login(row) if row else None

    def logins_of(self, identity_ids: Sequence[str]) -> dict[str, builtins.list[IdentityLogin]]:
        found: dict[str, builtins.list[IdentityLogin]] = {identity_id: [] for identity_id in identity_ids}
        if not identity_ids:
            return found
        rows = self._conn.execute(
            sa.select(identity_logins)
            .where(_l.identity_id.in_(identity_ids))
            .order_by(_l.identity_id, _l.created_at, _l.login_key)
        ).all()
        for row in rows:
            found[row.identity_id].append(_login(row))
        return found

    def move_logins(self, from_identity: str, to_identity: str) -> int:
        result = self._conn.execute(
            identity_logins.update().where(_l.identity_id == from_identity).values(identity_id=to_identity)
        )
        return int(result.rowcount)

    def remove_login(self, pool_id: str, provider: str, subject: str) -> bool:
        where = (_l.pool_id == pool_id, _l.login_key == login_key(provider, subject))
        return bool(self._conn.execute(identity_logins.delete().where(*where)).rowcount)

    def subjects_of(self, identity_id: str, provider: str, limit: int, after: str | None) -> Page[str]:
        query = (
            sa.select(_l.subject, _l.login_key)
            .where(_l.identity_id == identity_id, _l.provider == provider)
            .order_by(_l.login_key)
            .limit(limit + 1)
        )
        if after is not None:
            query = query.where(_l.login_key > after)
        rows = self._conn.execute(query).all()
        return keyset_page(rows, limit, lambda r: str(r.subject), lambda r: str(r.login_key))


class SqlIdentitySigningKeyRepo:
    def __init__(self, conn: sa.Connection, sealer: Sealer) -> None:
        self._conn = conn
        self._sealer = sealer

    def add(self, key: IdentitySigningKey) -> None:
        with conflicts_as({}, "generation"):
            self._conn.execute(
                identity_signing_keys.insert().values(
                    kid=key.kid,
                    generation=key.generation,
                    current=key.current,
                    # The kid binds the sealed blob to its row: a blob copied onto another key will not open.
                    private_sealed=self._sealer.seal(key.private_pem, key.kid),
                    public_jwk=key.public_jwk,
                    created_at=key.created_at,
                    retired_at=key.retired_at,
                    expires_at=key.expires_at,
                )
            )

    def current(self) -> str | None:
        found = self._conn.execute(
            sa.select(_k.kid).where(_k.current.is_(True)).order_by(_k.generation.desc()).limit(1)
        ).scalar()
        return str(found) if found else None

    def private_pem(self, kid: str) -> str | None:
        sealed = self._conn.execute(sa.select(_k.private_sealed).where(_k.kid == kid)).scalar()
        return self._sealer.unseal(sealed, kid) if sealed else None

    def published(self, now: float) -> builtins.list[PublishedIdentityKey]:
        rows = self._conn.execute(
            sa.select(_k.kid, _k.public_jwk, _k.expires_at)
            .where(sa.or_(_k.expires_at.is_(None), _k.expires_at > now))
            .order_by(_k.generation.desc())
        ).all()
        return [PublishedIdentityKey(r.kid, dict(r.public_jwk), r.expires_at) for r in rows]

    def latest_generation(self) -> int:
        return int(self._conn.execute(sa.select(sa.func.max(_k.generation))).scalar() or 0)

    def retire_current(self, now: float, expires_at: float) -> None:
        self._conn.execute(
            identity_signing_keys.update()
            .where(_k.current.is_(True))
            .values(current=False, retired_at=now, expires_at=expires_at)
        )

    def delete_expired(self, now: float) -> None:
        self._conn.execute(identity_signing_keys.delete().where(_k.expires_at <= now))
