"""A user's sessions: ListUserSessions and RevokeUserSession with the user's access token, AdminListUserSessions and
AdminRevokeUserSession as an administrator (Cognito developer guide: 'Managing user sessions'; model/sessions.py).

The sessions are the sign-ins the server keeps anyway: token sessions (an app client's refresh-token family,
one origin_jti) and SSO sessions (a browser's hosted-page cookie). Listed are those neither revoked nor expired,
where the pool tracks sessions (UserSessionTracking ENABLED; OperationNotEnabledException otherwise).

Revoking a token session refuses its refresh tokens and every access token carrying its origin_jti, as RevokeToken
does; revoking an SSO session ends the cookie's sign-in, so the next authorize request asks the user again. The
user's other sessions are untouched, unless RevokeAssociatedSessions is LINKED: then a token session's parent SSO
session goes too, and an SSO session's token sessions with it.
"""

from __future__ import annotations

from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException, ResourceNotFoundException
from userpool.model import session_config
from userpool.model.records import Pool, User
from userpool.model.sessions import (
    PAGE_SIZE,
    SSO,
    TOKEN,
    SessionView,
    description,
    is_sso,
    origin_of,
    sso_session_id,
    token_session_id,
)
from userpool.services.lookup.records import pool_or_404, user_or_404
from userpool.services.tokens.steps.session_tracking import end_parent_sso_session, hosted_session_named
from userpool.services.tokens.steps.tokens import authenticate_access_token
from userpool.store.base import Tx

LINKED = "LINKED"
NO_SESSION = "Session {session_id} does not exist."
CURRENT_SESSION = "The session that the access token belongs to can't be revoked with it."


def _views(tx: Tx, pool: Pool, user: User, now: float) -> list[SessionView]:
    """The user's live token and SSO sessions, oldest first."""
    views = [
        SessionView(
            session_id=token_session_id(s.origin_jti),
            session_type=TOKEN,
            client_id=s.client_id,
            created_at=s.created_at,
            last_active_at=s.last_active_at or s.created_at,
            device_type=s.device_type,
            last_ip=s.last_ip,
            origin_session_id=s.sso_session_id,
            revocable_id=s.origin_jti,
        )
        for s in tx.sign_in_sessions.live_for_user(pool.id, user.sub, now)
    ]
    views += [
        SessionView(
            session_id=sso_session_id(h.session_hash),
            session_type=SSO,
            client_id=h.client_id,
            created_at=h.created_at,
            last_active_at=h.last_active_at or h.created_at,
            device_type=h.device_type,
            last_ip=h.last_ip,
            origin_session_id=None,
            revocable_id=h.session_hash,
        )
        for h in tx.hosted_sessions.live_for_user(pool.id, user.sub, now)
    ]
    return sorted(views, key=lambda v: (v.created_at, v.session_id))


def _page(ctx: Ctx, tx: Tx, pool: Pool, user: User, token: str | None, current: str | None) -> dict[str, Any]:
    """One page of SessionDescriptionType, at most 125, with IsCurrentSession for the session ``current``."""
    scope = f"UserSessions:{pool.id}:{user.sub}"
    start = int(ctx.deps.page_tokens.decode(token, scope) or 0)
    views = _views(tx, pool, user, ctx.now)
    chosen = views[start : start + PAGE_SIZE]
    sessions = []
    for view in chosen:
        place = ctx.deps.geoip.locate(view.last_ip) if view.last_ip else None
        located = (place.city, place.country) if place is not None else None
        sessions.append(description(view, view.session_id == current, located))
    result: dict[str, Any] = {"Sessions": sessions}
    following = start + PAGE_SIZE
    next_token = ctx.deps.page_tokens.encode(str(following) if following < len(views) else None, scope)
    if next_token:
        result["NextToken"] = next_token
    return result


def _revoke(ctx: Ctx, tx: Tx, pool: Pool, user: User, session_id: str, linked: bool, current: str | None) -> None:
    """Revoke the user's live session ``session_id`` (and, ``linked``, the sessions linked to it);
    ResourceNotFoundException for any session that is not the user's and live."""
    missing = ResourceNotFoundException(NO_SESSION.format(session_id=session_id))
    if is_sso(session_id):
        hosted = hosted_session_named(tx, pool.id, user.sub, session_id, ctx.now)
        if hosted is None:
            raise missing
        tx.hosted_sessions.delete(hosted.session_hash)
        if linked:
            for child in tx.sign_in_sessions.live_for_user(pool.id, user.sub, ctx.now):
                if child.sso_session_id == session_id:
                    tx.sign_in_sessions.revoke(child.origin_jti, ctx.now)
        return
    origin = origin_of(session_id)
    session = tx.sign_in_sessions.get(origin) if origin is not None else None
    if (
        session is None
        or session.pool_id != pool.id
        or session.sub != user.sub
        or session.revoked_at is not None
        or session.expires_at <= ctx.now
    ):
        raise missing
    if current is not None and session_id == current:
        raise InvalidParameterException(CURRENT_SESSION)
    tx.sign_in_sessions.revoke(session.origin_jti, ctx.now)
    if linked:
        end_parent_sso_session(tx, session, ctx.now)


def _current(session_id: str | None) -> str | None:
    return token_session_id(session_id) if session_id is not None else None


def list_user_sessions(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """The signed-in user's live sessions across the pool's app clients, the one its access token belongs to
    marked IsCurrentSession: ListUserSessions."""
    with ctx.store.read() as tx:
        access = authenticate_access_token(ctx, tx, req["AccessToken"])
        session_config.require_tracking(access.pool)
        return _page(ctx, tx, access.pool, access.user, req.get("NextToken"), _current(access.session_id))


def revoke_user_session(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Revoke one of the signed-in user's sessions, not the one its access token belongs to: RevokeUserSession."""
    with ctx.store.write() as tx:
        access = authenticate_access_token(ctx, tx, req["AccessToken"])
        session_config.require_tracking(access.pool)
        linked = req.get("RevokeAssociatedSessions") == LINKED
        _revoke(ctx, tx, access.pool, access.user, req["SessionId"], linked, _current(access.session_id))
    return {}


def admin_list_user_sessions(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """A user's live sessions, as an administrator sees them (none is current): AdminListUserSessions."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        session_config.require_tracking(pool)
        user = user_or_404(tx, pool, req["Username"])
        return _page(ctx, tx, pool, user, req.get("NextToken"), None)


def admin_revoke_user_session(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Revoke one of a user's sessions as an administrator; the session must be that user's:
    AdminRevokeUserSession."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        session_config.require_tracking(pool)
        user = user_or_404(tx, pool, req["Username"])
        linked = req.get("RevokeAssociatedSessions") == LINKED
        _revoke(ctx, tx, pool, user, req["SessionId"], linked, None)
    return {}
