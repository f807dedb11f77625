"""What session management keeps of sign-ins and refreshes while a pool tracks sessions (Cognito developer guide:
'Managing user sessions'; model/session_config.py): each token session's last activity, its address and device,
and at most MaxPerUser live token sessions per user. While a pool does not track sessions nothing of this is
written, and a refresh stays a read."""

from __future__ import annotations

import ipaddress

from userpool.context import Ctx
from userpool.model import session_config
from userpool.model.oauth_records import HostedSession
from userpool.model.records import Pool
from userpool.model.sessions import sso_session_id
from userpool.model.token_records import SignInSession
from userpool.model.user_agents import device_type
from userpool.store.base import Tx


def activity(ctx: Ctx) -> tuple[str | None, str]:
    """The address (when the peer is one: an in-process caller has none) and device description of the request
    in hand."""
    try:
        address: str | None = str(ipaddress.ip_address(ctx.source_ip))
    except ValueError:
        address = None
    return address, device_type(ctx.user_agent)


def make_room(ctx: Ctx, tx: Tx, pool: Pool, sub: str) -> None:
    """Before a new token session: revoke the user's least recently used ones until it fits within MaxPerUser
    (lowering the limit evicts nobody before the user's next sign-in)."""
    found = session_config.settings(pool)
    live = tx.sign_in_sessions.live_for_user(pool.id, sub, ctx.now) if found.tracking else []
    excess = len(live) - found.max_per_user + 1
    if not found.tracking or excess <= 0:
        return
    by_use = sorted(live, key=lambda s: (s.last_active_at or s.created_at, s.created_at, s.origin_jti))
    for session in by_use[:excess]:
        tx.sign_in_sessions.revoke(session.origin_jti, ctx.now)


def record_refresh(ctx: Ctx, pool: Pool, session: SignInSession) -> None:
    """A refresh or rotation of ``session`` is its latest activity, and that of the SSO session it came through,
    where the pool tracks sessions."""
    if not session_config.tracking(pool):
        return
    ip, device = activity(ctx)
    with ctx.store.write() as tx:
        tx.sign_in_sessions.touch(session.origin_jti, ctx.now, ip, device)
        record_grant(ctx, tx, session)


def record_grant(ctx: Ctx, tx: Tx, session: SignInSession) -> None:
    """Tokens granted to ``session`` (a code or implicit grant, a refresh, a rotation) count as activity of the SSO
    session it came through (SessionDescriptionType LastActiveDate: "the most recent authentication, token grant,
    or token rotation"). Call it where the pool tracks sessions."""
    if session.sso_session_id is None:
        return
    parent = hosted_session_named(tx, session.pool_id, session.sub, session.sso_session_id, ctx.now)
    if parent is not None:
        tx.hosted_sessions.touch(parent.session_hash, ctx.now, parent.last_ip, parent.device_type)


def hosted_session_named(tx: Tx, pool_id: str, sub: str, session_id: str, now: float) -> HostedSession | None:
    """The user's live hosted session whose SessionId is ``session_id`` (model/sessions.py)."""
    for session in tx.hosted_sessions.live_for_user(pool_id, sub, now):
        if sso_session_id(session.session_hash) == session_id:
            return session
    return None


def end_parent_sso_session(tx: Tx, session: SignInSession, now: float) -> None:
    """RevokeAssociatedSessions LINKED on a token session: end the hosted session it came through, if any."""
    if session.sso_session_id is None:
        return
    parent = hosted_session_named(tx, session.pool_id, session.sub, session.sso_session_id, now)
    if parent is not None:
        tx.hosted_sessions.delete(parent.session_hash)
