"""The hosted pages' sign-in session: the managed-login cookie that gives single sign-on across a pool's app
clients for an hour, until ``/logout`` (Cognito developer guide: 'Authorize endpoint', 'Logout endpoint',
'User pool managed login').

The cookie holds a random value; the server keeps its SHA-256 with the user and the time of sign-in, so a
session can be ended server-side and a copied database holds no live cookie. Each pool's cookie has a name of
its own: on the server's own URL every pool shares one host, and a sign-in to one pool (say, one that signs
its users in through another pool as its OIDC provider) must not end the browser's session with another.
"""

from __future__ import annotations

from dataclasses import dataclass

from userpool.context import Ctx
from userpool.crypto.opaque import digest, new_opaque_value
from userpool.model import session_config
from userpool.model.oauth_records import HostedSession, SamlSessionLink
from userpool.model.records import Pool, User
from userpool.model.sessions import sso_session_id
from userpool.model.vocabulary import UserStatus
from userpool.services.tokens.steps.session_tracking import activity

_COOKIE_PREFIX = "userpool_session_"
LIFETIME_SECONDS = 3600
_MAX_COOKIE = 256


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The user a browser's session cookie speaks for, when it signed in, and the session's SessionId (SSO)."""

    user: User
    auth_time: float
    session_id: str


def cookie_name(pool_id: str) -> str:
    """The name of ``pool_id``'s session cookie (a pool id is a valid cookie name, RFC 6265 §4.1.1)."""
    return _COOKIE_PREFIX + pool_id


def pool_of_cookie(name: str) -> str | None:
    """The pool whose session cookie ``name`` is, if it is one."""
    pool_id = name.removeprefix(_COOKIE_PREFIX)
    return pool_id if pool_id != name and 0 < len(pool_id) <= 55 else None


def _activity(ctx: Ctx, pool: Pool) -> tuple[str | None, str | None]:
    """The address and device of the request, kept where the pool tracks sessions (model/session_config.py)."""
    if not session_config.tracking(pool):
        return None, None
    return activity(ctx)


def open_session(
    ctx: Ctx, pool: Pool, client_id: str, user: User, auth_time: float, saml: SamlSessionLink | None = None
) -> str:
    """Record a hosted sign-in through ``client_id`` (``saml``: the SAML sign-in it came from, for single
    logout); returns the cookie value (never stored)."""
    value = new_opaque_value()
    expires_at = ctx.now + LIFETIME_SECONDS
    ip, device = _activity(ctx, pool)
    session = HostedSession(
        digest(value),
        pool.id,
        user.sub,
        auth_time,
        ctx.now,
        expires_at,
        saml,
        client_id=client_id,
        last_active_at=ctx.now,
        last_ip=ip,
        device_type=device,
    )
    with ctx.store.write() as tx:
        tx.hosted_sessions.delete_expired(ctx.now)
        tx.hosted_sessions.add(session)
    return value


def session_id_of(cookie: str) -> str:
    """The SessionId of the hosted session the cookie value ``cookie`` opens."""
    return sso_session_id(digest(cookie))


def session_of(ctx: Ctx, pool_id: str, cookie: str | None) -> HostedSession | None:
    """The live session of ``pool_id`` the cookie holds, whoever it speaks for."""
    if not cookie or len(cookie) > _MAX_COOKIE:
        return None
    with ctx.store.read() as tx:
        session = tx.hosted_sessions.get(digest(cookie))
    if session is None or session.pool_id != pool_id or session.expires_at <= ctx.now:
        return None
    return session


def signed_in(ctx: Ctx, pool_id: str, cookie: str | None) -> SignedIn | None:
    """The signed-in user of a live session of ``pool_id``, who must still exist, be enabled and confirmed."""
    if not cookie or len(cookie) > _MAX_COOKIE:
        return None
    with ctx.store.read() as tx:
        session = tx.hosted_sessions.get(digest(cookie))
        if session is None or session.pool_id != pool_id or session.expires_at <= ctx.now:
            return None
        user = tx.users.get_by_sub(pool_id, session.sub)
    if user is None or not user.enabled or user.status not in (UserStatus.CONFIRMED, UserStatus.EXTERNAL_PROVIDER):
        return None
    return SignedIn(user, session.auth_time, sso_session_id(session.session_hash))


def reusable_session(ctx: Ctx, pool: Pool, client_id: str, cookie: str | None) -> SignedIn | None:
    """The signed-in user of the browser's hosted session, if ``client_id`` may reuse it without asking the user
    again: where the pool tracks sessions, within the client's SSOSession.MaxValidityMinutes of the user's last
    authentication (model/session_config.py). The reuse is the session's latest activity."""
    found = signed_in(ctx, pool.id, cookie)
    if found is None or not session_config.sso_reusable(pool, client_id, found.auth_time, ctx.now):
        return None
    if cookie and session_config.tracking(pool):
        ip, device = _activity(ctx, pool)
        with ctx.store.write() as tx:
            tx.hosted_sessions.touch(digest(cookie), ctx.now, ip, device)
    return found


def end_session(ctx: Ctx, pool_id: str, cookie: str | None) -> None:
    """Forget the session of ``pool_id`` the cookie holds (``/logout``); tokens already issued stay valid
    (Cognito developer guide: 'Logout endpoint'). Another pool's session is left alone."""
    if not cookie or len(cookie) > _MAX_COOKIE:
        return
    with ctx.store.write() as tx:
        session = tx.hosted_sessions.get(digest(cookie))
        if session is not None and session.pool_id == pool_id:
            tx.hosted_sessions.delete(digest(cookie))
