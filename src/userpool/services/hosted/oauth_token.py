"""``/oauth2/token``: the authorization_code, refresh_token and client_credentials grants (Cognito developer guide:
'Token endpoint'; RFC 6749 §4.1.3, §4.4, §6; RFC 7636 §4.6), and ``/oauth2/revoke`` ('Revoke endpoint';
RFC 7009).

Answers are the RFC 6749 §5.1 JSON members; refusals are OAuthError with the §5.2 codes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from userpool.context import Ctx
from userpool.crypto.opaque import digest
from userpool.errors import (
    CognitoError,
    UnauthorizedException,
    UnsupportedOperationException,
    UnsupportedTokenTypeException,
)
from userpool.model.client_config import allowed_oauth_scopes, effective_auth_flows
from userpool.model.oauth_records import AuthorizationCode
from userpool.model.oauth_requests import S256, OAuthError, client_credentials_scopes, pkce_matches, single
from userpool.model.oauth_settings import CLIENT_CREDENTIALS
from userpool.model.records import Client, Pool
from userpool.model.vocabulary import ExplicitAuthFlow
from userpool.services.hosted.oauth_clients import (
    ClientCredentials,
    allows_flow,
    authenticate_client,
    authenticated_client,
    domain_pool_in,
)
from userpool.services.tokens.refresh import RefreshRead, oauth_refresh, read_refresh, rotation_of
from userpool.services.tokens.revocation import revoke_token
from userpool.services.tokens.steps.machine_tokens import machine_access_token
from userpool.services.tokens.steps.token_issuance import issue_tokens
from userpool.services.tokens.steps.tokens import OAuthIssue, Signer, start_session, stored_signer
from userpool.store.base import Tx
from userpool.triggers.sources import Source

_INVALID_CODE = "The authorization code is invalid, expired or already used."


def _answer(result: dict[str, Any]) -> dict[str, Any]:
    """AuthenticationResultType in RFC 6749 §5.1 names."""
    body: dict[str, Any] = {"access_token": result["AccessToken"]}
    if "IdToken" in result:
        body["id_token"] = result["IdToken"]
    if "RefreshToken" in result:
        body["refresh_token"] = result["RefreshToken"]
    body.update({"token_type": "Bearer", "expires_in": result["ExpiresIn"]})
    return body


def _live_code(ctx: Ctx, client: Client, value: str) -> AuthorizationCode:
    """The code's record if this client may redeem it now; a second redemption ends the sign-in the first
    one started (RFC 6749 §4.1.2: the code may have been stolen)."""
    with ctx.store.read() as tx:
        record = tx.authorization_codes.get(digest(value))
    if record is None or record.client_id != client.id or record.expires_at <= ctx.now:
        raise OAuthError("invalid_grant", _INVALID_CODE)
    if record.used_at is not None:
        if record.origin_jti is not None:
            with ctx.store.write() as tx:
                tx.sign_in_sessions.revoke(record.origin_jti, ctx.now)
        raise OAuthError("invalid_grant", _INVALID_CODE)
    return record


def _check_verifier(record: AuthorizationCode, verifier: str | None) -> None:
    """RFC 7636 §4.6: the verifier must answer the code's S256 challenge; a verifier for a code that was
    bound to no challenge is refused too, as the client believes the code protected when it is not."""
    if record.code_challenge is None:
        if verifier is not None:
            raise OAuthError("invalid_grant", "The authorization request had no code_challenge.")
        return
    # S256 is the only method: a code stored with another one (by an earlier version) is refused.
    if record.code_challenge_method != S256 or not pkce_matches(record.code_challenge, verifier):
        raise OAuthError("invalid_grant", "The code_verifier does not match the code_challenge.")


def _authorization_code(
    ctx: Ctx, pool: Pool, client: Client, form: Mapping[str, str], _ahead: object
) -> dict[str, Any]:
    if not allows_flow(client, "code"):
        raise OAuthError("unauthorized_client", "The authorization code grant is not allowed for this client.")
    value = single(form, "code")
    redirect_uri = single(form, "redirect_uri")
    if value is None or redirect_uri is None:
        raise OAuthError("invalid_request", "code and redirect_uri are required.")
    record = _live_code(ctx, client, value)
    try:
        if redirect_uri != record.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request.")
        _check_verifier(record, single(form, "code_verifier"))
    except OAuthError:
        # RFC 6749 §4.1.3, §10.5; RFC 7636 §4.6: a code presented with the wrong redirect_uri or verifier
        # may have been stolen. It is used up, so that it cannot be tried again, right or wrong.
        with ctx.store.write() as tx:
            tx.authorization_codes.burn(record.code_hash, ctx.now)
        raise
    with ctx.store.write() as tx:
        user = tx.users.get_by_sub(pool.id, record.sub)
        if user is None or not user.enabled:
            raise OAuthError("invalid_grant", "The user can no longer sign in.")
        grant = start_session(
            ctx,
            tx,
            pool,
            client,
            user,
            scopes=record.scopes,
            auth_time=record.auth_time,
            sso_session_id=record.sso_session_id,
        )
        # In the same transaction as the new session: of two racing redemptions only one commits.
        if not tx.authorization_codes.redeem(record.code_hash, ctx.now, grant.session.origin_jti):
            raise OAuthError("invalid_grant", _INVALID_CODE)
    try:
        result = issue_tokens(ctx, grant, Source.TOKEN_GENERATION_HOSTED_AUTH, oauth=OAuthIssue(nonce=record.nonce))
    except CognitoError as err:
        # The pool's PreTokenGeneration function refused or failed: no tokens, the new session is revoked.
        raise OAuthError("invalid_request", err.message) from None
    return _answer(result)


def _refresh_reads(ctx: Ctx, tx: Tx, pool: Pool, client: Client, form: Mapping[str, str]) -> RefreshRead:
    """The refresh_token grant's checks and reads, in the transaction that authenticated the client."""
    value = single(form, "refresh_token")
    if value is None:
        raise OAuthError("invalid_request", "refresh_token is required.")
    if ExplicitAuthFlow.ALLOW_REFRESH_TOKEN_AUTH not in effective_auth_flows(client.config):
        raise OAuthError("unauthorized_client", "Refreshing tokens is not allowed for this client.")
    try:
        return read_refresh(ctx, tx, pool, client, value, rotation_of(client), None)
    except CognitoError as err:
        raise OAuthError("invalid_grant", err.message) from None


def _refresh_token(ctx: Ctx, pool: Pool, client: Client, form: Mapping[str, str], ahead: object) -> dict[str, Any]:
    found = ahead
    if not isinstance(found, RefreshRead):
        with ctx.store.read() as tx:
            found = _refresh_reads(ctx, tx, pool, client, form)
    try:
        return _answer(oauth_refresh(ctx, pool, client, found))
    except CognitoError as err:
        raise OAuthError("invalid_grant", err.message) from None


def _client_credentials(ctx: Ctx, pool: Pool, client: Client, form: Mapping[str, str], ahead: object) -> dict[str, Any]:
    keys = ahead if isinstance(ahead, Signer) else None
    if not client.secret or not allows_flow(client, CLIENT_CREDENTIALS):
        raise OAuthError("unauthorized_client", "The client_credentials grant is not allowed for this client.")
    scopes = client_credentials_scopes(form.get("scope"), allowed_oauth_scopes(client))
    token, lifetime = machine_access_token(ctx, pool, client, scopes, keys)
    return {"access_token": token, "token_type": "Bearer", "expires_in": lifetime}


# Each grant gets the authenticated client and what it read ahead (below).
_GRANTS: dict[str, Callable[[Ctx, Pool, Client, Mapping[str, str], object], dict[str, Any]]] = {
    "authorization_code": _authorization_code,
    "refresh_token": _refresh_token,
    CLIENT_CREDENTIALS: _client_credentials,
}


def _current_keys(ctx: Ctx, tx: Tx, pool: Pool, _client: Client, _form: Mapping[str, str]) -> Signer | None:
    return stored_signer(ctx, tx, pool.id)


# A grant's first checks and reads, made in the transaction that authenticates the client (one transaction less):
# client_credentials signs with the pool's current keys and reads nothing else.
_READS_AHEAD: dict[str, Callable[[Ctx, Tx, Pool, Client, Mapping[str, str]], object]] = {
    "refresh_token": _refresh_reads,
    CLIENT_CREDENTIALS: _current_keys,
}


def token(ctx: Ctx, form: Mapping[str, str], credentials: ClientCredentials, host: str) -> dict[str, Any]:
    """Run the grant of a ``/oauth2/token`` request, reached at ``host``, for the client it authenticates as."""
    grant_type = single(form, "grant_type")
    if grant_type is None:
        raise OAuthError("invalid_request", "grant_type is required.")
    handler = _GRANTS.get(grant_type)
    if handler is None:
        raise OAuthError("unsupported_grant_type", f"grant_type {grant_type} is not supported.")
    reads = _READS_AHEAD.get(grant_type)
    # The Host's pool, the client and the grant's reads in one read transaction.
    with ctx.store.read() as tx:
        pool, client = authenticated_client(tx, credentials, domain_pool_in(ctx, tx, host))
        ahead = reads(ctx, tx, pool, client, form) if reads is not None else None
    return handler(ctx, pool, client, form, ahead)


def revoke(ctx: Ctx, form: Mapping[str, str], credentials: ClientCredentials, domain_pool_id: str | None) -> None:
    """``/oauth2/revoke``: RevokeToken for an authenticated client; unknown tokens succeed (RFC 7009 §2.2)."""
    value = single(form, "token")
    _pool, client = authenticate_client(ctx, credentials, domain_pool_id)
    if value is None:
        raise OAuthError("invalid_request", "token is required.")
    try:
        revoke_token(ctx, {"Token": value, "ClientId": client.id, "ClientSecret": client.secret})
    except UnsupportedTokenTypeException:
        raise OAuthError("unsupported_token_type", "Only refresh tokens can be revoked.") from None
    except UnsupportedOperationException:
        raise OAuthError("invalid_request", "Token revocation is not enabled for this client.") from None
    except UnauthorizedException:
        raise OAuthError("invalid_client", "Client authentication failed.", 401) from None
