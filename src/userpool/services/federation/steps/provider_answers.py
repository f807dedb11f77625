"""What an identity provider's answer to ``/oauth2/idpresponse`` says, once verified: the authorization code
exchanged for its tokens, the ID token checked, the attributes fetched, and from them the subject and the
claims the user's attributes are mapped from (Cognito developer guide: 'OIDC user pool IdP authentication flow',
'Mapping IdP attributes to profiles and tokens').

Per provider type: OIDC, Google and Sign in with Apple send an ID token, verified against the nonce sent with
the authorization request; OIDC, Google, Facebook and Login with Amazon are asked for the user's attributes
at ``attributes_url``; Apple has no such endpoint and sends the user's name only once, on the first
authorization, as the JSON form field ``user``. That field reaches us through the browser, unsigned, so it
only adds the user's names: it never replaces a claim of the verified ID token (the e-mail address included).
The subject is ``sub`` (OIDC, Google, Apple), ``id``
(Facebook) or ``user_id`` (Login with Amazon); the claims are the ID token's overlaid by the attributes
answer's (OpenID Connect Core 1.0 §5.3.2: both speak of the same ``sub``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from userpool.context import Ctx
from userpool.model.identity_providers import FACEBOOK, GOOGLE, LOGIN_WITH_AMAZON, OIDC, SIGN_IN_WITH_APPLE
from userpool.services.federation.steps.code_exchange import IdpTokens, apple_client_secret, exchange_code
from userpool.services.federation.steps.id_tokens import verify_id_token
from userpool.services.federation.steps.idp_calls import json_object
from userpool.services.federation.steps.idp_errors import IdpError, IdpFailure
from userpool.services.federation.steps.userinfo import fetch_attributes

# The providers whose answer is an OpenID Connect one (an ID token, checked with our nonce).
ID_TOKEN_TYPES = frozenset({OIDC, GOOGLE, SIGN_IN_WITH_APPLE})
_SUBJECT_CLAIM = {FACEBOOK: "id", LOGIN_WITH_AMAZON: "user_id"}
# Apple's ``user`` field is a few hundred bytes; anything much larger is not Apple's.
_MAX_APPLE_USER = 4096


@dataclass(frozen=True, slots=True)
class ProviderAnswer:
    """The provider's ``subject`` for the user, the ``claims`` to map, and the parts they came from, as the
    InboundFederation event names them (``tokenResponse``, ``idToken``, ``userInfo``)."""

    subject: str
    claims: dict[str, Any]
    parts: dict[str, Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class ProviderCall:
    """One answer to check: the provider's effective ProviderDetails (``sign_in_details``), its AttributeMapping,
    and what the authorization request sent (``redirect_uri``, ``nonce``, ``code_verifier``)."""

    name: str
    provider_type: str
    details: Mapping[str, str]
    attribute_mapping: Mapping[str, str]
    redirect_uri: str
    nonce: str
    code_verifier: str


def verified_answer(ctx: Ctx, call: ProviderCall, code: str, apple_user: str | None = None) -> ProviderAnswer:
    """The verified answer of ``call``'s provider for ``code``; IdpError when any step fails. Makes network
    calls: never inside a transaction."""
    tokens = _exchange(ctx, call, code)
    id_claims: dict[str, Any] = {}
    if call.provider_type in ID_TOKEN_TYPES:
        if not tokens.id_token:
            raise IdpError(IdpFailure.ID_TOKEN_MISSING, f"{call.name} Error - the token response has no id_token")
        id_claims = verify_id_token(
            ctx,
            tokens.id_token,
            issuer=call.details.get("oidc_issuer", ""),
            client_id=call.details.get("client_id", ""),
            client_secret=call.details.get("client_secret", ""),
            jwks_uri=call.details.get("jwks_uri", ""),
            nonce=call.nonce,
        )
    user_info: dict[str, Any] = {}
    attributes_url = call.details.get("attributes_url", "")
    if call.provider_type != SIGN_IN_WITH_APPLE and attributes_url:
        user_info = fetch_attributes(
            ctx,
            provider_name=call.name,
            attributes_url=attributes_url,
            access_token=tokens.access_token,
            attributes_request_method=call.details.get("attributes_request_method", "GET"),
            add_attributes=call.details.get("attributes_url_add_attributes") == "true",
            attribute_names=[name for key, name in call.attribute_mapping.items() if key != "username"],
            id_token_subject=str(id_claims.get("sub", "")),
        )
    elif call.provider_type == SIGN_IN_WITH_APPLE:
        user_info = _apple_user(apple_user)
    # The attributes answer overlays the ID token's claims, except Apple's unsigned ``user`` field.
    claims = {**user_info, **id_claims} if call.provider_type == SIGN_IN_WITH_APPLE else {**id_claims, **user_info}
    if call.provider_type in ID_TOKEN_TYPES:
        claims["sub"] = id_claims["sub"]  # the verified subject, whatever the attributes answer says
    subject = _subject(call, claims)
    parts: dict[str, Mapping[str, Any]] = {"tokenResponse": _token_response(tokens)}
    if id_claims:
        parts["idToken"] = id_claims
    if user_info:
        parts["userInfo"] = user_info
    return ProviderAnswer(subject, claims, parts)


def _exchange(ctx: Ctx, call: ProviderCall, code: str) -> IdpTokens:
    details = call.details
    secret = details.get("client_secret", "")
    if call.provider_type == SIGN_IN_WITH_APPLE:
        secret = apple_client_secret(
            ctx,
            private_key=details.get("private_key", ""),
            team_id=details.get("team_id", ""),
            key_id=details.get("key_id", ""),
            client_id=details.get("client_id", ""),
            audience=details.get("oidc_issuer", ""),
        )
    return exchange_code(
        ctx,
        provider_name=call.name,
        token_url=details.get("token_url", ""),
        code=code,
        redirect_uri=call.redirect_uri,
        client_id=details.get("client_id", ""),
        client_secret=secret,
        token_request_method=details.get("token_request_method", "POST"),
        code_verifier=call.code_verifier,
    )


def _subject(call: ProviderCall, claims: Mapping[str, Any]) -> str:
    """The provider's identifier of the user. An OIDC provider's may be mapped to another claim than ``sub``
    (AttributeMapping ``username``); the social providers' are fixed."""
    if call.provider_type == OIDC:
        name = call.attribute_mapping.get("username") or "sub"
    else:
        name = _SUBJECT_CLAIM.get(call.provider_type, "sub")
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise IdpError(IdpFailure.ATTRIBUTES_INVALID, f"{call.name} Error - the user has no {name}")
    return str(value)


def _apple_user(raw: str | None) -> dict[str, Any]:
    """Apple's first-authorization ``user`` field, ``{"name": {"firstName", "lastName"}, "email"}``, as the
    claims ``firstName``, ``lastName`` and ``name``; nothing when absent or not that shape. Its ``email`` is
    left out: the ID token carries the address Apple vouches for."""
    if not raw or len(raw) > _MAX_APPLE_USER:
        return {}
    found = json_object(raw.encode())
    if found is None:
        return {}
    out: dict[str, Any] = {}
    name = found.get("name")
    if isinstance(name, dict):
        parts = [name.get(k) for k in ("firstName", "lastName")]
        for key, value in zip(("firstName", "lastName"), parts, strict=True):
            if isinstance(value, str) and value:
                out[key] = value
        full = " ".join(p for p in parts if isinstance(p, str) and p)
        if full:
            out["name"] = full
    return out


def _token_response(tokens: IdpTokens) -> dict[str, str]:
    out = {"access_token": tokens.access_token, "token_type": tokens.token_type}
    if tokens.id_token:
        out["id_token"] = tokens.id_token
    if tokens.expires_in is not None:
        out["expires_in"] = str(tokens.expires_in)
    return out
