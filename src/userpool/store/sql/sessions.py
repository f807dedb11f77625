"""Sign-in sessions (origin_jti), refresh tokens and challenge Sessions (Cognito developer guide: 'Refresh tokens',
'Ending user sessions with token revocation').

Refresh tokens and Session values are looked up by the SHA-256 of their value; the values are never stored.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from userpool.model.token_records import ChallengeSession, RefreshToken, SignInSession
from userpool.store.sql.driver import DriverStatement, Link, row_type
from userpool.store.sql.rows import conflicts_as
from userpool.store.sql.tables import auth_challenges, refresh_tokens, sign_in_sessions

_s = sign_in_sessions.c
_r = refresh_tokens.c
_c = auth_challenges.c


# Built once (docs/architecture.md, Hot-path rules): executing a prepared statement object skips construction and
# cache-key generation. An INSERT takes its values as parameters; the other statements' parameters are named unlike any
# column, since an UPDATE executed with a parameter named after a column would also SET that column.
_GET_SESSION_QUERY = sa.select(sign_in_sessions).where(_s.origin_jti == sa.bindparam("origin_jti"))
# Every access token's check reads its session: on the driver's connection (driver.py).
_GET_SESSION = DriverStatement(_GET_SESSION_QUERY)
_SessionRow = row_type("_SessionRow", _GET_SESSION_QUERY)
# Every refresh reads its token: on the driver's connection too.
_GET_REFRESH_QUERY = sa.select(refresh_tokens).where(_r.token_hash == sa.bindparam("token_hash"))
_GET_REFRESH = DriverStatement(_GET_REFRESH_QUERY)
_RefreshRow = row_type("_RefreshRow", _GET_REFRESH_QUERY)
# ... and its session with it, in one statement (the session's columns keep their names).
_GET_REFRESH_WITH_SESSION_QUERY = (
    sa.select(
        _r.token_hash,
        _r.issued_at,
        _r.expires_at.label("token_expires_at"),
        _r.superseded_at,
        *sign_in_sessions.c,
    )
    .join(sign_in_sessions, _s.origin_jti == _r.origin_jti)
    .where(_r.token_hash == sa.bindparam("token_hash"))
)
_GET_REFRESH_WITH_SESSION = DriverStatement(_GET_REFRESH_WITH_SESSION_QUERY)
_RefreshSessionRow = row_type("_RefreshSessionRow", _GET_REFRESH_WITH_SESSION_QUERY)
_ADD_SESSION = sign_in_sessions.insert()
_ADD_REFRESH = refresh_tokens.insert()
_SUPERSEDE = (
    refresh_tokens.update()
    .where(_r.token_hash == sa.bindparam("hash"), _r.superseded_at.is_(None))
    .values(superseded_at=sa.bindparam("now"))
)
_ADD_CHALLENGE = auth_challenges.insert()
_GET_CHALLENGE = sa.select(auth_challenges).where(_c.session_hash == sa.bindparam("hash"))
_CONSUME_CHALLENGE = auth_challenges.delete().where(_c.session_hash == sa.bindparam("hash"))


def _session(row: Any, scopes: list[str] | None) -> SignInSession:
    """``scopes``: the row's JSON column, parsed (the driver gives SQLite's as text)."""
    return SignInSession(
        origin_jti=row.origin_jti,
        pool_id=row.pool_id,
        client_id=row.client_id,
        sub=row.sub,
        auth_time=row.auth_time,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        device_key=row.device_key,
        scopes=tuple(scopes or ()),
        last_active_at=row.last_active_at,
        last_ip=row.last_ip,
        device_type=row.device_type,
        sso_session_id=row.sso_session_id,
    )


class SqlSignInSessionRepo:
    def __init__(self, link: Link) -> None:
        self._link = link

    @property
    def _conn(self) -> sa.Connection:
        return self._link.sa

    def add(self, session: SignInSession) -> None:
        with conflicts_as({}, "origin_jti"):
            self._conn.execute(
                _ADD_SESSION,
                {
                    "origin_jti": session.origin_jti,
                    "pool_id": session.pool_id,
                    "client_id": session.client_id,
                    "sub": session.sub,
                    "auth_time": session.auth_time,
                    "created_at": session.created_at,
                    "expires_at": session.expires_at,
                    "revoked_at": session.revoked_at,
                    "device_key": session.device_key,
                    "scopes": list(session.scopes) or None,
                    "last_active_at": session.last_active_at,
                    "last_ip": session.last_ip,
                    "device_type": session.device_type,
                    "sso_session_id": session.sso_session_id,
                },
            )

    def get(self, origin_jti: str) -> SignInSession | None:
        found = self._link.first(_GET_SESSION, {"origin_jti": origin_jti})
        if found is None:
            return None
        row = _SessionRow._make(found)
        return _session(row, self._link.json(row.scopes))

    def revoke(self, origin_jti: str, now: float) -> None:
        self._conn.execute(
            sign_in_sessions.update().where(_s.origin_jti == origin_jti, _s.revoked_at.is_(None)).values(revoked_at=now)
        )

    def revoke_user(self, pool_id: str, sub: str, now: float) -> None:
        self._conn.execute(
            sign_in_sessions.update()
            .where(_s.pool_id == pool_id, _s.sub == sub, _s.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def extend(self, origin_jti: str, expires_at: float) -> None:
        self._conn.execute(
            sign_in_sessions.update()
            .where(_s.origin_jti == origin_jti, _s.expires_at < expires_at)
            .values(expires_at=expires_at)
        )

    def delete_expired(self, pool_id: str, sub: str, now: float) -> None:
        self._conn.execute(sign_in_sessions.delete().where(_s.pool_id == pool_id, _s.sub == sub, _s.expires_at <= now))

    def live_for_user(self, pool_id: str, sub: str, now: float) -> list[SignInSession]:
        query = (
            sa.select(sign_in_sessions)
            .where(_s.pool_id == pool_id, _s.sub == sub, _s.revoked_at.is_(None), _s.expires_at > now)
            .order_by(_s.created_at, _s.origin_jti)
        )
        return [_session(row, row.scopes) for row in self._conn.execute(query)]

    def touch(self, origin_jti: str, now: float, ip: str | None, device_type: str | None) -> None:
        self._conn.execute(
            sign_in_sessions.update()
            .where(_s.origin_jti == origin_jti)
            .values(last_active_at=now, last_ip=ip, device_type=device_type)
        )


class SqlRefreshTokenRepo:
    def __init__(self, link: Link) -> None:
        self._link = link

    @property
    def _conn(self) -> sa.Connection:
        return self._link.sa

    def add(self, token: RefreshToken) -> None:
        with conflicts_as({}, "token_hash"):
            self._conn.execute(
                _ADD_REFRESH,
                {
                    "token_hash": token.token_hash,
                    "origin_jti": token.origin_jti,
                    "issued_at": token.issued_at,
                    "expires_at": token.expires_at,
                    "superseded_at": token.superseded_at,
                },
            )

    def get(self, token_hash: str) -> RefreshToken | None:
        found = self._link.first(_GET_REFRESH, {"token_hash": token_hash})
        if found is None:
            return None
        row = _RefreshRow._make(found)
        return RefreshToken(row.token_hash, row.origin_jti, row.issued_at, row.expires_at, row.superseded_at)

    def with_session(self, token_hash: str) -> tuple[RefreshToken, SignInSession] | None:
        found = self._link.first(_GET_REFRESH_WITH_SESSION, {"token_hash": token_hash})
        if found is None:
            return None
        row = _RefreshSessionRow._make(found)
        token = RefreshToken(row.token_hash, row.origin_jti, row.issued_at, row.token_expires_at, row.superseded_at)
        return token, _session(row, self._link.json(row.scopes))

    def supersede(self, token_hash: str, now: float) -> bool:
        """Mark a rotated-out token; a token already superseded keeps its first time (the grace period's start).
        Whether this call superseded it: of concurrent rotations of one token exactly one does (the update is
        conditional, and PostgreSQL re-checks its condition once a concurrent writer's row lock is released)."""
        result = self._conn.execute(_SUPERSEDE, {"hash": token_hash, "now": now})
        return result.rowcount == 1


class SqlAuthChallengeRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, session: ChallengeSession) -> None:
        with conflicts_as({}, "session_hash"):
            self._conn.execute(
                _ADD_CHALLENGE,
                {
                    "session_hash": session.session_hash,
                    "pool_id": session.pool_id,
                    "client_id": session.client_id,
                    "sub": session.sub,
                    "challenge": session.challenge,
                    "state": session.state,
                    "created_at": session.created_at,
                    "expires_at": session.expires_at,
                },
            )

    def get(self, session_hash: str) -> ChallengeSession | None:
        row = self._conn.execute(_GET_CHALLENGE, {"hash": session_hash}).first()
        if row is None:
            return None
        return ChallengeSession(
            session_hash=row.session_hash,
            pool_id=row.pool_id,
            client_id=row.client_id,
            sub=row.sub,
            challenge=row.challenge,
            created_at=row.created_at,
            expires_at=row.expires_at,
            state=dict(row.state or {}),
        )

    def consume(self, session_hash: str) -> bool:
        """Delete the Session; True only for the one caller that deleted it (single use under races)."""
        deleted = self._conn.execute(_CONSUME_CHALLENGE, {"hash": session_hash}).rowcount
        return bool(deleted == 1)

    def delete_expired(self, now: float) -> None:
        self._conn.execute(auth_challenges.delete().where(_c.expires_at <= now))
