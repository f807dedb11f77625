"""Ending sign-ins: RevokeToken, GlobalSignOut, AdminUserGlobalSignOut, and the sign-out that AdminDisableUser
performs (Cognito developer guide: 'Ending user sessions with token revocation').

Revoking a sign-in session refuses its refresh tokens and every access token carrying its ``origin_jti``;
a global sign-out revokes all of the user's sessions and records ``signed_out_at``. ID and access tokens stay
cryptographically valid until ``exp`` for third parties that only check signatures.
"""

from __future__ import annotations

from typing import Any

from userpool.context import Ctx
from userpool.crypto import jwt
from userpool.crypto.opaque import digest
from userpool.errors import UnauthorizedException, UnsupportedOperationException, UnsupportedTokenTypeException
from userpool.model import session_config
from userpool.model.client_config import revocation_enabled
from userpool.model.client_secrets import secret_matches
from userpool.services.lookup.app_clients import app_client
from userpool.services.lookup.records import pool_or_404, user_or_404
from userpool.services.tokens.steps.session_tracking import end_parent_sso_session
from userpool.services.tokens.steps.tokens import authenticate_access_token
from userpool.store.base import Tx


def sign_out_user(tx: Tx, pool_id: str, sub: str, now: float) -> None:
    """Revoke every sign-in of the user and refuse access tokens issued before now (in the caller's write)."""
    tx.sign_in_counters.sign_out(pool_id, sub, now)
    tx.sign_in_sessions.revoke_user(pool_id, sub, now)


def _is_jwt(token: str) -> bool:
    try:
        jwt.unverified_header(token)
    except jwt.JwtError:
        return False
    return True


def revoke_token(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Revoke a refresh token and every token of its sign-in (origin_jti): RevokeToken.

    An unknown or already revoked token, or one of another client, is answered with success and changes
    nothing, as RFC 7009 has it: the caller learns nothing about tokens it does not hold.
    """
    with ctx.store.read() as tx:
        pool, client = app_client(tx, req["ClientId"])
    if client.secrets:
        if not secret_matches(client, req.get("ClientSecret") or ""):
            raise UnauthorizedException("Invalid client credentials.")
    if not revocation_enabled(client):
        raise UnsupportedOperationException("Token revocation is not enabled for this client.")
    token = req["Token"]
    if _is_jwt(token):
        raise UnsupportedTokenTypeException("Only refresh tokens can be revoked.")
    with ctx.store.write() as tx:
        found = tx.refresh_tokens.with_session(digest(token))
        session = found[1] if found is not None else None
        if session is not None and session.client_id == client.id:
            tx.sign_in_sessions.revoke(session.origin_jti, ctx.now)
            # RevokeAssociatedSessions LINKED: the hosted session the sign-in came through ends too, where the
            # pool tracks sessions (not the other token sessions that came through it).
            if req.get("RevokeAssociatedSessions") == "LINKED" and session_config.tracking(pool):
                end_parent_sso_session(tx, session, ctx.now)
    return {}


def global_sign_out(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Sign the access token's user out of every device and client: GlobalSignOut."""
    with ctx.store.write() as tx:
        access = authenticate_access_token(ctx, tx, req["AccessToken"])
        sign_out_user(tx, access.pool.id, access.user.sub, ctx.now)
    return {}


def admin_user_global_sign_out(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Sign a user out of every device and client, as an administrator: AdminUserGlobalSignOut."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        user = user_or_404(tx, pool, req["Username"])
        sign_out_user(tx, pool.id, user.sub, ctx.now)
    return {}
