"""GetDerivedToken: OAuth 2.0 Token Exchange (RFC 8693) of a user's token for a narrower one bound to one
audience (API reference; Cognito developer guide: 'Exchanging tokens for downstream services').

The requesting app client is authorized by IAM credentials (a checked signature: api/service_model.py) or by
its ClientSecret when it has one, and needs ALLOW_TOKEN_EXCHANGE_IMPERSONATION, or
ALLOW_TOKEN_EXCHANGE_DELEGATION when an ActorToken names an intermediary (RFC 8693 §1.1). The subject token is
an access or ID token this pool issued, checked as the token-authorized operations check theirs (signature,
expiry, user, revocation). The issued token:

- is issued to the requesting client (``client_id``, RFC 8693 §4.3) for the user the subject token speaks for,
  with the subject's sign-in (``origin_jti``, ``auth_time``, ``event_id``), so revoking that sign-in revokes it;
- carries the intersection of the requested scopes, the subject's and the client's (no request: the subject's),
  kept to the named resource server's scopes when ``Resources`` names one;
- is bound to one audience (``aud``): the name in ``Audiences``, or the resource server in ``Resources``
  (RFC 8693 §2.1);
- with an actor token, carries ``act`` with the actor's ``sub`` and ``client_id``, and the actor's own
  ``act`` nested within (RFC 8693 §4.1);
- expires with the client's token validity, never after the subject token.

SAML 2.0 assertions and tokens of third-party identity providers (SubjectTokenProviderName) are not exchanged
by this server.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from userpool.context import Ctx
from userpool.crypto import jwt
from userpool.errors import InvalidParameterException, NotAuthorizedException, ResourceNotFoundException
from userpool.model.claims import SIGN_IN_SCOPE, Issuance, id_token_claims, readable_attributes
from userpool.model.client_config import allowed_oauth_scopes, effective_auth_flows, token_lifetimes
from userpool.model.client_secrets import secret_matches
from userpool.model.records import Client, Pool
from userpool.model.vocabulary import ExplicitAuthFlow
from userpool.services.lookup.app_clients import app_client
from userpool.services.tokens.steps.signing_keys import issuer
from userpool.services.tokens.steps.tokens import (
    AccessContext,
    authenticate_access_token,
    authenticate_id_token,
    checked_claims,
    signer,
    user_groups,
)
from userpool.store.base import Tx

ACCESS = "ACCESS_TOKEN"
ID = "ID_TOKEN"
SAML2 = "SAML2"
BOTH_TARGETS = "You can't request both Audiences and Resources."
NOT_EXCHANGED = "Only access and ID tokens that this user pool issued can be exchanged."
NO_ACTOR_TYPE = "ActorTokenType is required with an ActorToken."
NO_SCOPES = "None of the requested scopes can be granted."
WRONG_POOL = "The {kind} was not issued by the user pool of client {client_id}."


@dataclass(frozen=True, slots=True)
class _Exchange:
    """What the issued token is made of: the subject, its scopes, the audience, the actor."""

    subject: AccessContext
    scopes: tuple[str, ...]
    audience: str | None
    act: dict[str, Any] | None


def _authorize(ctx: Ctx, client: Client, given: str | None) -> None:
    """IAM credentials (a checked signature) or, for a client with a secret, the ClientSecret."""
    if ctx.caller or not client.secrets:
        return
    if not given:
        raise NotAuthorizedException(f"Client {client.id} is configured for secret but secret was not received")
    if not secret_matches(client, given):
        raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")


def _check_request(client: Client, req: dict[str, Any]) -> None:
    delegation = req.get("ActorToken") is not None
    flow = (
        ExplicitAuthFlow.ALLOW_TOKEN_EXCHANGE_DELEGATION
        if delegation
        else ExplicitAuthFlow.ALLOW_TOKEN_EXCHANGE_IMPERSONATION
    )
    if flow not in effective_auth_flows(client.config):
        raise InvalidParameterException(f"{flow.removeprefix('ALLOW_')} flow not enabled for this client")
    if req.get("Audiences") and req.get("Resources"):
        raise InvalidParameterException(BOTH_TARGETS)
    if delegation and req.get("ActorTokenType") is None:
        raise InvalidParameterException(NO_ACTOR_TYPE)
    foreign = req.get("SubjectTokenProviderName") is not None or req.get("ActorTokenProviderName") is not None
    if foreign or SAML2 in (req["SubjectTokenType"], req.get("ActorTokenType")):
        raise InvalidParameterException(NOT_EXCHANGED)


def _token_of_pool(ctx: Ctx, tx: Tx, pool: Pool, client: Client, token: str, kind: str) -> AccessContext:
    """The user, client and claims of a user's access or ID token of ``pool``."""
    found = (
        authenticate_access_token(ctx, tx, token, required_scope=None)
        if kind == ACCESS
        else authenticate_id_token(ctx, tx, token)
    )
    if found.pool.id != pool.id:
        raise NotAuthorizedException(WRONG_POOL.format(kind="subject token", client_id=client.id))
    return found


def _subject_scopes(tx: Tx, subject: AccessContext, kind: str) -> tuple[str, ...]:
    """An access token's scopes; an ID token has none of its own, so its sign-in's (an API sign-in's is the
    user-pool scope), when it names its sign-in."""
    if kind == ACCESS:
        return tuple(str(subject.claims.get("scope", "")).split())
    if subject.session_id is None:
        return ()
    session = tx.sign_in_sessions.get(subject.session_id)
    if session is None:
        return ()
    return session.scopes or (SIGN_IN_SCOPE,)


def _granted(
    subject_scopes: tuple[str, ...], client: Client, requested: list[str] | None, resource: str | None
) -> tuple[str, ...]:
    """RFC 8693 §2.1 ``scope``: the requested scopes the subject holds and the client is allowed (the
    user-pool scope of API sign-ins counts as allowed for every client), else the subject's own; narrowed
    to one resource server's scopes when ``resource`` names it."""
    if requested:
        allowed = {*allowed_oauth_scopes(client), SIGN_IN_SCOPE}
        scopes = [s for s in dict.fromkeys(requested) if s in subject_scopes and s in allowed]
    else:
        scopes = list(subject_scopes)
    if resource is not None:
        scopes = [s for s in scopes if s.startswith(resource + "/")]
    return tuple(scopes)


def _act(ctx: Ctx, tx: Tx, pool: Pool, client: Client, token: str, kind: str) -> dict[str, Any]:
    """The ``act`` claim for an actor token of ``pool``: an access token (a user's or an app client's own)
    or a user's ID token."""
    if kind == ACCESS:
        pool_id, claims = checked_claims(ctx, tx, token, "access")
        if "username" in claims:
            claims = authenticate_access_token(ctx, tx, token, required_scope=None).claims
    else:
        found = authenticate_id_token(ctx, tx, token)
        pool_id, claims = found.pool.id, found.claims
    if pool_id != pool.id:
        raise NotAuthorizedException(WRONG_POOL.format(kind="actor token", client_id=client.id))
    act: dict[str, Any] = {"sub": claims["sub"]}
    actor_client = claims.get("client_id") or claims.get("aud")
    if isinstance(actor_client, str):
        act["client_id"] = actor_client
    if isinstance(claims.get("act"), dict):
        act["act"] = claims["act"]
    return act


def _exchange(ctx: Ctx, tx: Tx, pool: Pool, client: Client, req: dict[str, Any]) -> _Exchange:
    kind = req["SubjectTokenType"]
    subject = _token_of_pool(ctx, tx, pool, client, req["SubjectToken"], kind)
    resource = (req.get("Resources") or [None])[0]
    if resource is not None and tx.resource_servers.get(pool.id, resource) is None:
        raise ResourceNotFoundException(f"Resource server {resource} does not exist.")
    audience = resource or (req.get("Audiences") or [None])[0]
    scopes = _granted(_subject_scopes(tx, subject, kind), client, req.get("Scopes"), resource)
    actor = req.get("ActorToken")
    act = _act(ctx, tx, pool, client, actor, req["ActorTokenType"]) if actor is not None else None
    return _Exchange(subject, scopes, audience, act)


def _access_claims(ctx: Ctx, pool: Pool, client: Client, ex: _Exchange, expires: int) -> dict[str, Any]:
    subject = ex.subject.claims
    user = ex.subject.user
    claims: dict[str, Any] = {"sub": user.sub}
    if isinstance(subject.get("cognito:groups"), list):
        claims["cognito:groups"] = subject["cognito:groups"]
    claims.update({"iss": issuer(ctx.settings, pool.id), "version": 2, "client_id": client.id})
    if ex.audience is not None:
        claims["aud"] = ex.audience
    for name in ("origin_jti", "event_id"):
        if isinstance(subject.get(name), str):
            claims[name] = subject[name]
    claims.update(
        {
            "token_use": "access",
            "scope": " ".join(ex.scopes),
            "auth_time": subject["auth_time"] if isinstance(subject.get("auth_time"), int) else subject["iat"],
            "exp": expires,
            "iat": int(ctx.now),
            "jti": str(uuid.uuid4()),
            "username": user.username,
        }
    )
    if ex.act is not None:
        claims["act"] = ex.act
    return claims


def get_derived_token(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Exchange a user's access or ID token for an access (or ID) token of the requesting client with fewer
    scopes and one audience: GetDerivedToken."""
    with ctx.store.read() as tx:
        pool, client = app_client(tx, req["ClientId"])
    _authorize(ctx, client, req.get("ClientSecret"))
    _check_request(client, req)
    wants_id_token = req.get("RequestedTokenType") == ID
    with ctx.store.read() as tx:
        ex = _exchange(ctx, tx, pool, client, req)
        keys = signer(ctx, tx, pool.id)
        groups = user_groups(tx, ex.subject.user) if wants_id_token else ()
    if not wants_id_token and not ex.scopes:
        raise InvalidParameterException(NO_SCOPES)
    lifetimes = token_lifetimes(client.config)
    lifetime = lifetimes.id if wants_id_token else lifetimes.access
    expires = min(int(ctx.now) + lifetime, int(ex.subject.claims["exp"]))
    if wants_id_token:
        subject = ex.subject.claims
        issuance = Issuance(
            issuer=issuer(ctx.settings, pool.id),
            client_id=ex.audience or client.id,
            user=ex.subject.user,
            groups=groups,
            readable=readable_attributes(pool, client.config),
            auth_time=int(subject.get("auth_time") or subject["iat"]),
            issued_at=int(ctx.now),
            event_id=str(subject.get("event_id") or uuid.uuid4()),
            origin_jti=ex.subject.session_id,
            id_lifetime=expires - int(ctx.now),
            access_lifetime=0,
        )
        claims = id_token_claims(issuance, str(uuid.uuid4()))
        if ex.act is not None:
            claims["act"] = ex.act
        token = jwt.sign(claims, keys.id_kid, keys.id_key)
        return {"IssuedToken": token, "IssuedTokenType": ID, "TokenType": "N_A", "ExpiresIn": expires - int(ctx.now)}
    token = jwt.sign(_access_claims(ctx, pool, client, ex, expires), keys.access_kid, keys.access_key)
    return {
        "IssuedToken": token,
        "IssuedTokenType": ACCESS,
        "TokenType": "Bearer",
        "ExpiresIn": expires - int(ctx.now),
        "Scopes": list(ex.scopes),
    }
