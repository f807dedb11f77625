"""Each user's passkeys (WebAuthn credentials): unique per pool by credential id, listed in credential-id order,
the signature counter advanced only by a conditional update."""

from __future__ import annotations

import base64
from typing import Any

import sqlalchemy as sa

from userpool.model.passkeys import Passkey
from userpool.model.records import Page
from userpool.store.sql.rows import conflicts_as, count, keyset_page
from userpool.store.sql.tables import webauthn_credentials

_w = webauthn_credentials.c


def _passkey(row: Any) -> Passkey:
    return Passkey(
        pool_id=row.pool_id,
        sub=row.sub,
        credential_id=bytes(row.credential_id),
        public_key=bytes(row.public_key),
        sign_count=int(row.sign_count),
        relying_party_id=row.relying_party_id,
        friendly_name=row.friendly_name,
        transports=tuple(row.transports or ()),
        created_at=row.created_at,
        authenticator_attachment=row.authenticator_attachment,
        last_used_at=row.last_used_at,
    )


def _cursor(row: Any) -> str:
    return base64.urlsafe_b64encode(bytes(row.credential_id)).decode()


class SqlWebAuthnCredentialRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, passkey: Passkey) -> None:
        with conflicts_as({}, "credential_id"):
            self._conn.execute(
                webauthn_credentials.insert().values(
                    pool_id=passkey.pool_id,
                    credential_id=passkey.credential_id,
                    sub=passkey.sub,
                    public_key=passkey.public_key,
                    sign_count=passkey.sign_count,
                    relying_party_id=passkey.relying_party_id,
                    friendly_name=passkey.friendly_name,
                    transports=list(passkey.transports),
                    authenticator_attachment=passkey.authenticator_attachment,
                    created_at=passkey.created_at,
                    last_used_at=passkey.last_used_at,
                )
            )

    def get(self, pool_id: str, credential_id: bytes) -> Passkey | None:
        query = sa.select(webauthn_credentials).where(_w.pool_id == pool_id, _w.credential_id == credential_id)
        row = self._conn.execute(query).first()
        return _passkey(row) if row else None

    def of_user(self, pool_id: str, sub: str, limit: int, after: bytes | None) -> Page[Passkey]:
        where = [_w.pool_id == pool_id, _w.sub == sub]
        if after is not None:
            where.append(_w.credential_id > after)
        query = sa.select(webauthn_credentials).where(*where).order_by(_w.credential_id).limit(limit + 1)
        return keyset_page(self._conn.execute(query).all(), limit, _passkey, _cursor)

    def count(self, pool_id: str, sub: str) -> int:
        return count(self._conn, webauthn_credentials, _w.pool_id == pool_id, _w.sub == sub)

    def delete(self, pool_id: str, sub: str, credential_id: bytes) -> bool:
        deleted = self._conn.execute(
            webauthn_credentials.delete().where(_w.pool_id == pool_id, _w.sub == sub, _w.credential_id == credential_id)
        ).rowcount
        return bool(deleted == 1)

    def record_use(self, passkey: Passkey, sign_count: int, now: float) -> bool:
        updated = self._conn.execute(
            webauthn_credentials.update()
            .where(
                _w.pool_id == passkey.pool_id,
                _w.credential_id == passkey.credential_id,
                _w.sign_count == passkey.sign_count,
            )
            .values(sign_count=sign_count, last_used_at=now)
        ).rowcount
        return bool(updated == 1)
