"""Token refresh: GetTokensFromRefreshToken and the ``refresh_token`` grant of ``/oauth2/token``, with
refresh-token rotation (Developer Guide, "Refresh tokens"), and the checks that InitiateAuth's
REFRESH_TOKEN_AUTH shares (services/sign_in/steps/refresh_auth.py).

Refreshed tokens keep the sign-in's ``origin_jti`` and ``auth_time`` and carry the user's current
attributes and groups, as the pool's PreTokenGeneration function (TokenGeneration_RefreshTokens) shapes
them. A refresh without rotation only reads; with rotation the function runs before the presented token is
superseded, so that its failure leaves the token as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from userpool.context import Ctx
from userpool.crypto.opaque import digest
from userpool.errors import InvalidParameterException, NotAuthorizedException, RefreshTokenReuseException
from userpool.model.client_config import effective_auth_flows, refresh_token_rotation
from userpool.model.client_secrets import secret_matches
from userpool.model.records import Client, Pool, User
from userpool.model.token_records import RefreshToken, SignInSession
from userpool.model.vocabulary import ExplicitAuthFlow
from userpool.services.lookup.app_clients import app_client
from userpool.services.tokens.steps.session_tracking import record_refresh
from userpool.services.tokens.steps.token_issuance import claim_overrides
from userpool.services.tokens.steps.tokens import (
    Grant,
    OAuthIssue,
    add_refresh_token,
    authentication_result,
    stored_signer,
    user_groups,
)
from userpool.store.base import Tx
from userpool.triggers.sources import Source

REFRESH_SOURCE = Source.TOKEN_GENERATION_REFRESH_TOKENS

INVALID = "Invalid Refresh Token"


@dataclass(frozen=True, slots=True)
class Rotation:
    """The client's RefreshTokenRotation: whether it is on, and its RetryGracePeriodSeconds."""

    enabled: bool
    grace_seconds: int


def rotation_of(client: Client) -> Rotation:
    """What the client's RefreshTokenRotation setting asks for (off unless its Feature is ENABLED)."""
    setting = refresh_token_rotation(client)
    return Rotation(setting.get("Feature") == "ENABLED", int(setting.get("RetryGracePeriodSeconds") or 0))


def _reused(ctx: Ctx, record: RefreshToken, rotation: Rotation) -> bool:
    """A rotated-out token presented after its grace period (RetryGracePeriodSeconds, 0–60)."""
    return record.superseded_at is not None and ctx.now > record.superseded_at + rotation.grace_seconds


def _live_session(
    ctx: Ctx, tx: Tx, pool: Pool, client: Client, value: str, device_key: str | None
) -> tuple[RefreshToken, SignInSession, User]:
    """The refresh token's record, sign-in session and user, refused with Cognito's messages (Cognito developer guide:
    'Refresh tokens'); a disabled user is told so rather than that its (revoked) token is revoked. A token of a sign-in
    bound to a device refreshes only with that DEVICE_KEY."""
    found = tx.refresh_tokens.with_session(digest(value))
    if found is None:
        raise NotAuthorizedException(INVALID)
    record, session = found
    if session.client_id != client.id or session.pool_id != pool.id:
        raise NotAuthorizedException(INVALID)
    if session.device_key is not None and device_key != session.device_key:
        raise NotAuthorizedException(INVALID)
    user = tx.users.get_by_sub(pool.id, session.sub)
    if user is None:
        raise NotAuthorizedException(INVALID)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if session.revoked_at is not None:
        raise NotAuthorizedException("Refresh Token has been revoked")
    if record.expires_at <= ctx.now:
        raise NotAuthorizedException("Refresh Token has expired")
    return record, session, user


@dataclass(frozen=True, slots=True)
class RefreshRead:
    """What refreshing a token finds in one read transaction: its record and sign-in session, and the grant, or
    None for a rotated-out token presented after its grace period."""

    record: RefreshToken
    session: SignInSession
    grant: Grant | None


def read_refresh(
    ctx: Ctx, tx: Tx, pool: Pool, client: Client, value: str, rotation: Rotation, device_key: str | None
) -> RefreshRead:
    """The reads and checks of refreshing ``value``, in the caller's read transaction; Cognito's refusals."""
    record, session, user = _live_session(ctx, tx, pool, client, value, device_key)
    if _reused(ctx, record, rotation):
        return RefreshRead(record, session, None)
    keys = stored_signer(ctx, tx, pool.id)
    return RefreshRead(record, session, Grant(pool, client, user, user_groups(tx, user), session, None, keys=keys))


def granted(ctx: Ctx, pool: Pool, found: RefreshRead) -> tuple[Grant, RefreshToken]:
    """The grant ``read_refresh`` found, with the token's record, its session's activity noted; a rotated-out
    token presented after its grace period ends the whole sign-in (RefreshTokenReuseException)."""
    if found.grant is not None:
        record_refresh(ctx, pool, found.session)
        return found.grant, found.record
    # A rotated-out token coming back means it may have leaked: end the whole sign-in.
    with ctx.store.write() as tx:
        tx.sign_in_sessions.revoke(found.session.origin_jti, ctx.now)
    raise RefreshTokenReuseException("Refresh Token has been reused")


def _rotate(ctx: Ctx, grant: Grant, record: RefreshToken, rotation: Rotation) -> Grant:
    """Supersede the presented token and issue its successor in the same sign-in, with a full lifetime.

    Requests racing with one token (other workers or instances): the one whose supersede wins rotates; the
    others are retries within the grace period, or, without one, reuse that ends the sign-in."""
    with ctx.store.write() as tx:
        session = tx.sign_in_sessions.get(grant.session.origin_jti)
        if session is None or session.revoked_at is not None:
            raise NotAuthorizedException("Refresh Token has been revoked")
        reused = False
        if not tx.refresh_tokens.supersede(record.token_hash, ctx.now):
            current = tx.refresh_tokens.get(record.token_hash)
            since = current.superseded_at if current is not None else None
            reused = not rotation.grace_seconds or since is None or ctx.now > since + rotation.grace_seconds
        if reused:
            tx.sign_in_sessions.revoke(session.origin_jti, ctx.now)
        else:
            expires_at = ctx.now + (record.expires_at - record.issued_at)
            tx.sign_in_sessions.extend(session.origin_jti, expires_at)
            value = add_refresh_token(ctx, tx, replace(session, expires_at=expires_at))
    if reused:
        raise RefreshTokenReuseException("Refresh Token has been reused")
    return Grant(grant.pool, grant.client, grant.user, grant.groups, grant.session, value, keys=grant.keys)


def _check_client_secret(client: Client, given: str | None) -> None:
    """GetTokensFromRefreshToken carries the raw ClientSecret instead of a SECRET_HASH; compared in constant
    time with each of the client's secrets."""
    if not client.secrets:
        return
    if not given:
        raise NotAuthorizedException(f"Client {client.id} is configured for secret but secret was not received")
    if not secret_matches(client, given):
        raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")


def get_tokens_from_refresh_token(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """New tokens for a refresh token, and a new refresh token when the client rotates them:
    GetTokensFromRefreshToken (Amplify v6's refresh path)."""
    # The client, its checks and the token's reads in one read transaction.
    with ctx.store.read() as tx:
        pool, client = app_client(tx, req["ClientId"])
        _check_client_secret(client, req.get("ClientSecret"))
        if ExplicitAuthFlow.ALLOW_REFRESH_TOKEN_AUTH not in effective_auth_flows(client.config):
            raise InvalidParameterException("REFRESH_TOKEN_AUTH flow not enabled for this client")
        rotation = rotation_of(client)
        found = read_refresh(ctx, tx, pool, client, req["RefreshToken"], rotation, req.get("DeviceKey"))
    grant, record = granted(ctx, pool, found)
    overrides = claim_overrides(ctx, grant, REFRESH_SOURCE, req.get("ClientMetadata"))
    if rotation.enabled:
        grant = _rotate(ctx, grant, record, rotation)
    return {"AuthenticationResult": authentication_result(ctx, grant, None, overrides)}


def oauth_refresh(ctx: Ctx, pool: Pool, client: Client, found: RefreshRead) -> dict[str, Any]:
    """AuthenticationResultType for ``/oauth2/token`` with ``grant_type=refresh_token``, of the token ``read_refresh``
    found: the rules of GetTokensFromRefreshToken, with rotation when the client has it (Cognito developer guide:
    'Token endpoint'). The PreTokenGeneration function runs before rotation, so that its failure leaves the token
    as it was; a sign-in through the API (no OAuth scopes) gets tokens that look as the API's do."""
    rotation = rotation_of(client)
    grant, record = granted(ctx, pool, found)
    overrides = claim_overrides(ctx, grant, REFRESH_SOURCE)
    if rotation.enabled:
        grant = _rotate(ctx, grant, record, rotation)
    return authentication_result(ctx, grant, OAuthIssue() if grant.session.scopes else None, overrides)
