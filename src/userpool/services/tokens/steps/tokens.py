"""Issuing ID, access and refresh tokens, and checking access tokens for the token-authorized operations.

Cognito developer guide: 'Understanding the identity (ID) token', 'Understanding the access token', 'Refresh tokens',
'Ending user sessions with token revocation'. Every sign-in creates a sign-in session whose ``origin_jti`` all tokens
derived from it share; revoking the session (RevokeToken, GlobalSignOut, AdminUserGlobalSignOut, AdminDisableUser)
refuses its refresh tokens and access tokens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from userpool.context import Ctx
from userpool.crypto import jwt
from userpool.crypto.opaque import digest, new_opaque_value
from userpool.errors import NotAuthorizedException, UserNotFoundException
from userpool.ids import new_uuid
from userpool.model import session_config
from userpool.model.claim_overrides import ClaimOverrides, customised_access_claims, customised_id_claims
from userpool.model.claims import SIGN_IN_SCOPE, Issuance, access_token_claims, id_token_claims, readable_attributes
from userpool.model.client_config import revocation_enabled, token_lifetimes
from userpool.model.oauth_requests import OPENID, left_half_hash
from userpool.model.records import Client, Group, Pool, User
from userpool.model.token_records import ACCESS_TOKEN, ID_TOKEN, RefreshToken, SignInSession
from userpool.services import housekeeping
from userpool.services.tokens.steps.session_tracking import activity, make_room, record_grant
from userpool.services.tokens.steps.signing_keys import current_kids, issuer, signing_key, verifying_key
from userpool.store.base import Tx

MAX_GROUPS = 100  # a user belongs to at most 100 groups (Cognito developer guide: 'Quotas in Amazon Cognito')
INVALID_ACCESS_TOKEN = "Invalid Access Token"  # noqa: S105 (a message)
INVALID_ID_TOKEN = "Invalid Id Token"  # noqa: S105 (a message)
_MESSAGES = {
    ACCESS_TOKEN: (INVALID_ACCESS_TOKEN, "Access Token has expired"),
    ID_TOKEN: (INVALID_ID_TOKEN, "Id Token has expired"),
}


@dataclass(frozen=True, slots=True)
class Signer:
    """A pool's two current keys, parsed."""

    id_kid: str
    id_key: jwt.ParsedKey
    access_kid: str
    access_key: jwt.ParsedKey


@dataclass(frozen=True, slots=True)
class AccessContext:
    """Who an accepted access token speaks for: pool, app client, user and sign-in session (origin_jti)."""

    pool: Pool
    client: Client
    user: User
    session_id: str | None
    claims: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Grant:
    """What a completed sign-in or refresh hands to ``authentication_result``: the tokens' subject and
    session, read in the same transaction that recorded it, and the new refresh token if one was issued."""

    pool: Pool
    client: Client
    user: User
    groups: tuple[Group, ...]
    session: SignInSession
    refresh_token: str | None
    # (DeviceKey, DeviceGroupKey) of a device this sign-in began tracking: NewDeviceMetadata.
    new_device: tuple[str, str] | None = None
    # The pool's current keys, read in the same transaction (docs/architecture.md, Hot-path rules: no transaction of its
    # own).
    keys: Signer | None = None


def signer(ctx: Ctx, tx: Tx, pool_id: str) -> Signer:
    """The pool's current signing keys, created on first use."""
    kids = tx.signing_keys.current_kids(pool_id)
    if ID_TOKEN not in kids or ACCESS_TOKEN not in kids:
        kids = current_kids(ctx, pool_id)
    id_kid, access_kid = kids[ID_TOKEN], kids[ACCESS_TOKEN]
    return Signer(id_kid, signing_key(ctx, id_kid), access_kid, signing_key(ctx, access_kid))


def stored_signer(ctx: Ctx, tx: Tx, pool_id: str) -> Signer | None:
    """The pool's current keys as ``tx`` sees them, or None before the pool has any (``signer`` creates them,
    outside the caller's transaction)."""
    kids = tx.signing_keys.current_kids(pool_id)
    if ID_TOKEN not in kids or ACCESS_TOKEN not in kids:
        return None
    id_kid, access_kid = kids[ID_TOKEN], kids[ACCESS_TOKEN]
    return Signer(id_kid, signing_key(ctx, id_kid), access_kid, signing_key(ctx, access_kid))


def user_groups(tx: Tx, user: User) -> tuple[Group, ...]:
    return tuple(tx.groups.groups_of(user.pool_id, user.sub, MAX_GROUPS, None).items)


def add_refresh_token(ctx: Ctx, tx: Tx, session: SignInSession) -> str:
    """A new refresh token of ``session``, expiring with it; the value is returned, its digest stored."""
    value = new_opaque_value()
    tx.refresh_tokens.add(RefreshToken(digest(value), session.origin_jti, ctx.now, session.expires_at))
    return value


def start_session(
    ctx: Ctx,
    tx: Tx,
    pool: Pool,
    client: Client,
    user: User,
    device_key: str | None = None,
    new_device: tuple[str, str] | None = None,
    scopes: tuple[str, ...] = (),
    auth_time: float | None = None,
    sso_session_id: str | None = None,
) -> Grant:
    """Record a completed sign-in in the caller's write transaction: a new origin_jti with ``auth_time`` now,
    and its first refresh token, expiring after the client's refresh-token lifetime. ``device_key`` binds
    the sign-in to a tracked device: its tokens carry the key and refreshing them requires it. An OAuth
    code carries its ``scopes``, the ``auth_time`` of the hosted sign-in it came from and that hosted
    session's id. Where the pool tracks sessions, the request's address and device are noted, and the user's
    least recently used sessions beyond MaxPerUser revoked (tokens/steps/session_tracking.py)."""
    lifetime = token_lifetimes(client.config).refresh
    tracked = session_config.tracking(pool)
    ip, device = activity(ctx) if tracked else (None, None)
    session = SignInSession(
        origin_jti=new_uuid(),
        pool_id=pool.id,
        client_id=client.id,
        sub=user.sub,
        auth_time=ctx.now if auth_time is None else auth_time,
        created_at=ctx.now,
        expires_at=ctx.now + lifetime,
        device_key=device_key,
        scopes=scopes,
        last_active_at=ctx.now,
        last_ip=ip,
        device_type=device,
        sso_session_id=sso_session_id,
    )
    if tracked:
        make_room(ctx, tx, pool, user.sub)
        record_grant(ctx, tx, session)
    # Sessions past their last refresh token's expiry are of no use to anyone: prune the user's on the way,
    # now and then (every read refuses an expired session anyway: services/housekeeping.py).
    if housekeeping.prune_user_now():
        tx.sign_in_sessions.delete_expired(pool.id, user.sub, ctx.now)
    tx.sign_in_sessions.add(session)
    refresh = add_refresh_token(ctx, tx, session)
    keys = stored_signer(ctx, tx, pool.id)
    return Grant(pool, client, user, user_groups(tx, user), session, refresh, new_device, keys)


@dataclass(frozen=True, slots=True)
class OAuthIssue:
    """What an OAuth endpoint adds to an issuance: the request's ``nonce`` (ID token), and that the ID token
    exists only with the ``openid`` scope and carries ``at_hash`` (OIDC Core §3.1.3.6)."""

    nonce: str | None = None


def authentication_result(
    ctx: Ctx, grant: Grant, oauth: OAuthIssue | None = None, overrides: ClaimOverrides | None = None
) -> dict[str, Any]:
    """AuthenticationResultType: fresh ID and access tokens for ``grant`` (signed after the write committed:
    no signing inside a transaction). A sign-in through the OAuth endpoints (``oauth``) carries its scopes
    in the access token and ``nonce`` / ``at_hash`` in the ID token. ``overrides`` are PreTokenGeneration's
    changes (token_issuance.py runs the trigger)."""
    client = grant.client
    lifetimes = token_lifetimes(client.config)
    keys = grant.keys
    if keys is None:
        with ctx.store.read() as tx:
            keys = signer(ctx, tx, grant.pool.id)
    # origin_jti appears only where token revocation is on; the session exists anyway.
    revocable = revocation_enabled(client)
    issuance = Issuance(
        issuer=issuer(ctx.settings, grant.pool.id),
        client_id=client.id,
        user=grant.user,
        groups=grant.groups,
        readable=readable_attributes(grant.pool, client.config),
        auth_time=int(grant.session.auth_time),
        issued_at=int(ctx.now),
        event_id=new_uuid(),
        origin_jti=grant.session.origin_jti if revocable else None,
        id_lifetime=lifetimes.id,
        access_lifetime=lifetimes.access,
        device_key=grant.session.device_key,
        scopes=grant.session.scopes,
    )
    access_claims = access_token_claims(issuance, new_uuid())
    if overrides is not None:
        access_claims = customised_access_claims(access_claims, overrides)
    access_token = jwt.sign(access_claims, keys.access_kid, keys.access_key)
    result: dict[str, Any] = {"AccessToken": access_token, "ExpiresIn": lifetimes.access, "TokenType": "Bearer"}
    if oauth is not None:
        issuance = replace(issuance, nonce=oauth.nonce, at_hash=left_half_hash(access_token))
    if oauth is None or OPENID in grant.session.scopes:
        id_claims = id_token_claims(issuance, new_uuid())
        if overrides is not None:
            id_claims = customised_id_claims(id_claims, overrides)
        result["IdToken"] = jwt.sign(id_claims, keys.id_kid, keys.id_key)
    if grant.refresh_token is not None:
        result["RefreshToken"] = grant.refresh_token
    if grant.new_device is not None:
        result["NewDeviceMetadata"] = {"DeviceKey": grant.new_device[0], "DeviceGroupKey": grant.new_device[1]}
    return result


def checked_claims(ctx: Ctx, tx: Tx, token: str, token_use: str) -> tuple[str, dict[str, Any]]:
    """(pool id, claims) of a correctly signed, unexpired ``token_use`` token ("access" or "id") of this server;
    NotAuthorizedException with Cognito's messages otherwise."""
    invalid, expired = _MESSAGES[token_use]
    verified = ctx.deps.verified_tokens
    known = verified.get(token)
    try:
        if known is not None:
            # These exact bytes verified before under this key id (crypto/verified_tokens.py): the key must
            # still be one of this server's.
            kid, claims = known
            found = verifying_key(ctx, tx, kid)
            if found is None:
                raise NotAuthorizedException(invalid)
            pool_id = found[0]
        else:
            parsed = jwt.parse(token)
            found = verifying_key(ctx, tx, parsed.kid)
            if found is None:
                raise NotAuthorizedException(invalid)
            pool_id, key = found
            claims = jwt.verified_claims(parsed, key)
            verified.put(token, parsed.kid, claims)
    except jwt.JwtError:
        raise NotAuthorizedException(invalid) from None
    audience = "client_id" if token_use == ACCESS_TOKEN else "aud"
    if (
        claims.get("token_use") != token_use
        or claims.get("iss") != issuer(ctx.settings, pool_id)
        or not isinstance(claims.get("exp"), int)
        or not isinstance(claims.get("iat"), int)
        or not isinstance(claims.get("sub"), str)
        or not isinstance(claims.get(audience), str)
    ):
        raise NotAuthorizedException(invalid)
    if claims["exp"] <= ctx.now:
        raise NotAuthorizedException(expired)
    return pool_id, claims


def _verified_claims(ctx: Ctx, tx: Tx, token: str, required_scope: str | None) -> tuple[str, dict[str, Any]]:
    """(pool id, claims) of a correctly signed, unexpired access token of this server with ``required_scope``."""
    pool_id, claims = checked_claims(ctx, tx, token, ACCESS_TOKEN)
    scopes = str(claims.get("scope", "")).split()
    if required_scope is not None and required_scope not in scopes:
        raise NotAuthorizedException("Access Token does not have required scopes")
    return pool_id, claims


def _revoked(tx: Tx, user: User, claims: dict[str, Any]) -> bool:
    origin = claims.get("origin_jti")
    if isinstance(origin, str):
        session = tx.sign_in_sessions.get(origin)
        if session is None or session.revoked_at is not None or session.sub != user.sub:
            return True
    counters = tx.sign_in_counters.get(user.pool_id, user.sub)
    signed_out = counters.signed_out_at if counters else None
    if signed_out is None:
        return False
    # iat has whole seconds. A token with an origin_jti is revoked precisely through its session, so only a
    # token issued in an earlier second than the sign-out is refused here, which lets a sign-in right after
    # a sign-out work; a token without one cannot be told apart within the second and is refused.
    cutoff = math.floor(signed_out) if isinstance(origin, str) else signed_out
    return bool(claims["iat"] < cutoff)


def authenticate_access_token(
    ctx: Ctx, tx: Tx, token: str, required_scope: str | None = SIGN_IN_SCOPE
) -> AccessContext:
    """Check an ``AccessToken`` for the token-authorized operations (GetUser, ChangePassword, GlobalSignOut,
    UpdateUserAttributes, device and MFA operations ...): signature, ``exp``, ``iss``, ``token_use``, scope,
    client, user, revocation. Raises NotAuthorizedException with Cognito's messages.
    ``/oauth2/userInfo`` asks for ``openid`` instead of the API scope; token exchange for none."""
    pool_id, claims = _verified_claims(ctx, tx, token, required_scope)
    return _token_context(tx, pool_id, claims, claims["client_id"], INVALID_ACCESS_TOKEN, "Access Token")


def authenticate_id_token(ctx: Ctx, tx: Tx, token: str) -> AccessContext:
    """Check an ID token as ``authenticate_access_token`` checks an access token (no scope: ID tokens have
    none); its audience is the app client it was issued to."""
    pool_id, claims = checked_claims(ctx, tx, token, ID_TOKEN)
    return _token_context(tx, pool_id, claims, claims["aud"], INVALID_ID_TOKEN, "Id Token")


def _token_context(
    tx: Tx, pool_id: str, claims: dict[str, Any], client_id: Any, invalid: str, kind: str
) -> AccessContext:
    """The client (``client_id``, of the token's pool), live user and sign-in session a verified token's
    ``claims`` name, else Cognito's refusal, ``invalid`` for a client not the pool's."""
    found = tx.clients.with_pool(client_id)
    if found is None or found[1].pool_id != pool_id:
        raise NotAuthorizedException(invalid)
    pool, client = found
    user = tx.users.get_by_sub(pool_id, claims["sub"])
    if user is None:
        raise UserNotFoundException("User does not exist.")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if _revoked(tx, user, claims):
        raise NotAuthorizedException(f"{kind} has been revoked")
    origin = claims.get("origin_jti")
    return AccessContext(pool, client, user, origin if isinstance(origin, str) else None, claims)
