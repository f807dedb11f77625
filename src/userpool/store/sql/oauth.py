"""Authorization codes, hosted-UI sign-in sessions and UI customizations.

Codes and session cookies are looked up by the SHA-256 of their value; the values are never stored. A code is
redeemed by a conditional UPDATE (``WHERE used_at IS NULL``): of two token requests racing with the same
code, the database lets exactly one through.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from userpool.model.oauth_records import AuthorizationCode, HostedSession, SamlSessionLink, UICustomization
from userpool.model.saml_service_provider import NameId
from userpool.store.sql.rows import conflicts_as
from userpool.store.sql.tables import authorization_codes, hosted_sessions, ui_customizations

_a = authorization_codes.c
_h = hosted_sessions.c
_u = ui_customizations.c


def _code(row: Any) -> AuthorizationCode:
    return AuthorizationCode(
        code_hash=row.code_hash,
        pool_id=row.pool_id,
        client_id=row.client_id,
        sub=row.sub,
        redirect_uri=row.redirect_uri,
        scopes=tuple(row.scopes or ()),
        auth_time=row.auth_time,
        created_at=row.created_at,
        expires_at=row.expires_at,
        nonce=row.nonce,
        code_challenge=row.code_challenge,
        code_challenge_method=row.code_challenge_method,
        used_at=row.used_at,
        origin_jti=row.origin_jti,
        sso_session_id=row.sso_session_id,
    )


class SqlAuthorizationCodeRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, code: AuthorizationCode) -> None:
        with conflicts_as({}, "code_hash"):
            self._conn.execute(
                authorization_codes.insert().values(
                    code_hash=code.code_hash,
                    pool_id=code.pool_id,
                    client_id=code.client_id,
                    sub=code.sub,
                    redirect_uri=code.redirect_uri,
                    scopes=list(code.scopes),
                    nonce=code.nonce,
                    code_challenge=code.code_challenge,
                    code_challenge_method=code.code_challenge_method,
                    auth_time=code.auth_time,
                    created_at=code.created_at,
                    expires_at=code.expires_at,
                    used_at=code.used_at,
                    origin_jti=code.origin_jti,
                    sso_session_id=code.sso_session_id,
                )
            )

    def get(self, code_hash: str) -> AuthorizationCode | None:
        row = self._conn.execute(sa.select(authorization_codes).where(_a.code_hash == code_hash)).first()
        return _code(row) if row else None

    def redeem(self, code_hash: str, now: float, origin_jti: str) -> bool:
        stmt = (
            authorization_codes.update()
            .where(_a.code_hash == code_hash, _a.used_at.is_(None))
            .values(used_at=now, origin_jti=origin_jti)
        )
        return bool(self._conn.execute(stmt).rowcount == 1)

    def burn(self, code_hash: str, now: float) -> None:
        stmt = authorization_codes.update().where(_a.code_hash == code_hash, _a.used_at.is_(None)).values(used_at=now)
        self._conn.execute(stmt)

    def delete_expired(self, before: float) -> None:
        self._conn.execute(authorization_codes.delete().where(_a.expires_at <= before))


def _saml_columns(saml: SamlSessionLink | None) -> dict[str, Any]:
    if saml is None:
        return {}
    n = saml.name_id
    return {
        "saml_provider": saml.provider_name,
        "saml_name_id": [n.value, n.format, n.name_qualifier, n.sp_name_qualifier],
        "saml_session_index": saml.session_index,
    }


def _hosted(row: Any) -> HostedSession:
    saml = None
    if row.saml_provider is not None and row.saml_name_id:
        saml = SamlSessionLink(row.saml_provider, NameId(*row.saml_name_id), row.saml_session_index)
    return HostedSession(
        row.session_hash,
        row.pool_id,
        row.sub,
        row.auth_time,
        row.created_at,
        row.expires_at,
        saml,
        client_id=row.client_id,
        last_active_at=row.last_active_at,
        last_ip=row.last_ip,
        device_type=row.device_type,
    )


class SqlHostedSessionRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, session: HostedSession) -> None:
        with conflicts_as({}, "session_hash"):
            self._conn.execute(
                hosted_sessions.insert().values(
                    session_hash=session.session_hash,
                    pool_id=session.pool_id,
                    sub=session.sub,
                    auth_time=session.auth_time,
                    created_at=session.created_at,
                    expires_at=session.expires_at,
                    client_id=session.client_id,
                    last_active_at=session.last_active_at,
                    last_ip=session.last_ip,
                    device_type=session.device_type,
                    **_saml_columns(session.saml),
                )
            )

    def get(self, session_hash: str) -> HostedSession | None:
        row = self._conn.execute(sa.select(hosted_sessions).where(_h.session_hash == session_hash)).first()
        return _hosted(row) if row is not None else None

    def live_for_user(self, pool_id: str, sub: str, now: float) -> list[HostedSession]:
        query = (
            sa.select(hosted_sessions)
            .where(_h.pool_id == pool_id, _h.sub == sub, _h.expires_at > now)
            .order_by(_h.created_at, _h.session_hash)
        )
        return [_hosted(row) for row in self._conn.execute(query)]

    def touch(self, session_hash: str, now: float, ip: str | None, device_type: str | None) -> None:
        self._conn.execute(
            hosted_sessions.update()
            .where(_h.session_hash == session_hash)
            .values(last_active_at=now, last_ip=ip, device_type=device_type)
        )

    def delete(self, session_hash: str) -> None:
        self._conn.execute(hosted_sessions.delete().where(_h.session_hash == session_hash))

    def delete_expired(self, now: float) -> None:
        self._conn.execute(hosted_sessions.delete().where(_h.expires_at <= now))

    def delete_saml(self, pool_id: str, provider_name: str, name_id: str, session_indexes: tuple[str, ...]) -> int:
        rows = self._conn.execute(
            sa.select(_h.session_hash, _h.saml_name_id, _h.saml_session_index).where(
                _h.pool_id == pool_id, _h.saml_provider == provider_name
            )
        ).all()
        ended = [
            row.session_hash
            for row in rows
            if row.saml_name_id
            and row.saml_name_id[0] == name_id
            and (not session_indexes or row.saml_session_index in session_indexes)
        ]
        if ended:
            self._conn.execute(hosted_sessions.delete().where(_h.session_hash.in_(ended)))
        return len(ended)


def _put_customization(dialect: Any) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE in ``dialect``, keeping the first creation time: two first
    SetUICustomization calls for one client at once both succeed, the later one's customization kept."""
    insert = dialect.insert(ui_customizations).values({c.name: sa.bindparam(c.name) for c in ui_customizations.c})
    changes = {name: insert.excluded[name] for name in ("css", "image", "image_type", "version", "updated_at")}
    return insert.on_conflict_do_update(index_elements=["pool_id", "client_id"], set_=changes)


_PUT_CUSTOMIZATION = {"postgresql": _put_customization(postgresql), "sqlite": _put_customization(sqlite)}


class SqlUICustomizationRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self._put = _PUT_CUSTOMIZATION["postgresql" if conn.dialect.name == "postgresql" else "sqlite"]

    def put(self, customization: UICustomization) -> None:
        self._conn.execute(
            self._put,
            {
                "pool_id": customization.pool_id,
                "client_id": customization.client_id,
                "css": customization.css,
                "image": customization.image,
                "image_type": customization.image_type,
                "version": customization.version,
                "created_at": customization.created_at,
                "updated_at": customization.updated_at,
            },
        )

    def get(self, pool_id: str, client_id: str) -> UICustomization | None:
        row = self._conn.execute(
            sa.select(ui_customizations).where(_u.pool_id == pool_id, _u.client_id == client_id)
        ).first()
        if row is None:
            return None
        return UICustomization(
            row.pool_id,
            row.client_id,
            row.css,
            bytes(row.image) if row.image is not None else None,
            row.image_type,
            row.version,
            row.created_at,
            row.updated_at,
        )
