"""The claims of ID and access tokens (Cognito developer guide: 'Understanding the identity (ID) token', 'Understanding
the access token')."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from userpool.model.federated_identities import IDENTITIES, identities_claim
from userpool.model.frozen import FrozenDict
from userpool.model.records import Group, Pool, User
from userpool.model.schema import DEV_PREFIX, definitions

# The scope of every token issued through the API; access-token operations require it (Cognito developer guide:
# 'Scopes, M2M, and APIs with resource servers').
SIGN_IN_SCOPE = "aws.cognito.signin.user.admin"
ACCESS_TOKEN_VERSION = 2


@dataclass(frozen=True, slots=True)
class Issuance:
    """One issuance of an ID + access token pair: who, for which client, from which sign-in, when."""

    issuer: str
    client_id: str
    user: User
    groups: tuple[Group, ...]
    readable: frozenset[str]
    auth_time: int
    issued_at: int
    event_id: str
    origin_jti: str | None
    id_lifetime: int
    access_lifetime: int
    device_key: str | None = None
    # OAuth sign-ins: the granted scopes become the access token's ``scope``; ``nonce``
    # and ``at_hash`` go into the ID token.
    scopes: tuple[str, ...] = ()
    nonce: str | None = None
    at_hash: str | None = None


# Readable attributes worked out for a pool and client configuration the configuration cache shares: keyed by
# their identities, which stay theirs while they are held here, and cleared when full.
_READABLE: dict[tuple[int, int], tuple[Pool, Mapping[str, Any], frozenset[str]]] = {}
_READABLE_KEPT = 256


def readable_attributes(pool: Pool, client_config: Mapping[str, Any]) -> frozenset[str]:
    """The attributes a client may read: its ReadAttributes, else every attribute that is not developer-only
    (AWS: CreateUserPoolClient API reference, ReadAttributes).

    Every token issued and every GetUser asks; for a pool and client read from the configuration cache, whose
    configuration is frozen (model/frozen.py) and so the same until a write replaces the objects, the answer
    is worked out once."""
    if not (isinstance(client_config, FrozenDict) and isinstance(pool.config, FrozenDict)):
        return _readable(pool, client_config)
    key = (id(pool), id(client_config))
    found = _READABLE.get(key)
    if found is not None and found[0] is pool and found[1] is client_config:
        return found[2]
    readable = _readable(pool, client_config)
    if len(_READABLE) >= _READABLE_KEPT:
        _READABLE.clear()
    _READABLE[key] = (pool, client_config, readable)
    return readable


def _readable(pool: Pool, client_config: Mapping[str, Any]) -> frozenset[str]:
    chosen = client_config.get("ReadAttributes")
    if chosen:
        return frozenset(n for n in chosen if not n.startswith(DEV_PREFIX))
    return frozenset(n for n, d in definitions(pool).items() if not d.get("DeveloperOnlyAttribute"))


def ordered_groups(groups: Iterable[Group]) -> list[Group]:
    """By Precedence, lowest first, groups without one last; then by name [AWS order unverified]."""
    return sorted(groups, key=lambda g: (g.precedence is None, g.precedence or 0, g.name))


def preferred_role(groups: Iterable[Group]) -> str | None:
    """RoleArn of the lowest-Precedence group with a role; none when tied groups name different roles."""
    with_roles = [g for g in groups if g.role_arn]
    if not with_roles:
        return None
    best = ordered_groups(with_roles)[0]
    tied = {g.role_arn for g in with_roles if g.precedence == best.precedence}
    return best.role_arn if len(tied) == 1 else None


def _claim_value(name: str, value: str) -> Any:
    if name.endswith("_verified"):
        # ID tokens carry verification flags as JSON booleans.
        return value == "true"
    if name == "updated_at":
        try:
            return int(value)
        except ValueError:
            return value
    if name == "address":
        return {"formatted": value}
    return value


def attribute_claims(attributes: Mapping[str, str], readable: frozenset[str]) -> dict[str, Any]:
    """The user's readable attributes as ID-token claims; ``custom:`` ones stay strings, ``dev:custom:``
    ones never appear."""
    claims: dict[str, Any] = {}
    for name in sorted(attributes):
        if name == "sub" or name.startswith(DEV_PREFIX) or name not in readable:
            continue
        claims[name] = _claim_value(name, attributes[name])
    identities = attributes.get(IDENTITIES)
    claim = identities_claim(identities) if identities else None
    if claim is not None:
        # The array form, every value a string (the attribute's is a JSON string with a boolean and a number).
        claims[IDENTITIES] = claim
    return claims


def _group_claims(groups: tuple[Group, ...]) -> dict[str, Any]:
    ordered = ordered_groups(groups)
    return {"cognito:groups": [g.name for g in ordered]} if ordered else {}


def id_token_claims(i: Issuance, jti: str) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": i.user.sub, **_group_claims(i.groups)}
    roles = list(dict.fromkeys(g.role_arn for g in ordered_groups(i.groups) if g.role_arn))
    if roles:
        claims["cognito:roles"] = roles
        role = preferred_role(i.groups)
        if role:
            claims["cognito:preferred_role"] = role
    claims.update(attribute_claims(i.user.attributes, i.readable))
    claims.update({"iss": i.issuer, "cognito:username": i.user.username})
    if i.origin_jti:
        claims["origin_jti"] = i.origin_jti
    if i.nonce is not None:
        claims["nonce"] = i.nonce
    if i.at_hash is not None:
        claims["at_hash"] = i.at_hash
    claims.update(
        {
            "aud": i.client_id,
            "event_id": i.event_id,
            "token_use": "id",
            "auth_time": i.auth_time,
            "exp": i.issued_at + i.id_lifetime,
            "iat": i.issued_at,
            "jti": jti,
        }
    )
    return claims


def access_token_claims(i: Issuance, jti: str) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": i.user.sub, **_group_claims(i.groups), "iss": i.issuer}
    claims.update({"version": ACCESS_TOKEN_VERSION, "client_id": i.client_id})
    if i.device_key:
        claims["device_key"] = i.device_key
    if i.origin_jti:
        claims["origin_jti"] = i.origin_jti
    claims.update(
        {
            "event_id": i.event_id,
            "token_use": "access",
            "scope": " ".join(i.scopes) if i.scopes else SIGN_IN_SCOPE,
            "auth_time": i.auth_time,
            "exp": i.issued_at + i.access_lifetime,
            "iat": i.issued_at,
            "jti": jti,
            "username": i.user.username,
        }
    )
    return claims


def client_credentials_claims(
    issuer: str, client_id: str, scopes: tuple[str, ...], issued_at: int, lifetime: int, jti: str
) -> dict[str, Any]:
    """A client_credentials access token: the client is its own subject; no user, groups, ID or refresh
    token (Cognito developer guide: 'Scopes, M2M, and APIs with resource servers')."""
    return {
        "sub": client_id,
        "token_use": "access",
        "scope": " ".join(scopes),
        "auth_time": issued_at,
        "iss": issuer,
        "exp": issued_at + lifetime,
        "iat": issued_at,
        "version": ACCESS_TOKEN_VERSION,
        "jti": jti,
        "client_id": client_id,
    }
