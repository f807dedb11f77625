"""What a PreTokenGeneration function changes in the tokens, and applying it to their claims.

Cognito developer guide: 'Pre token generation Lambda trigger'. V1_0 answers change the ID token's claims and the groups
of both tokens; V2_0 / V3_0 answers change the claims of each token, the access token's scopes and the groups. A claim
that is both added and suppressed is suppressed (AWS: "If a value is both suppressed and replaced, then it will be
suppressed"). Claims the server owns are never changed; attempts are ignored, as Cognito ignores them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Cognito's list of claims a function cannot modify (the same page), and the members this server keeps
# under its own control besides: ``scope`` changes only through scopesToAdd / scopesToSuppress.
IMMUTABLE_CLAIMS = frozenset(
    {
        "acr",
        "amr",
        "aud",
        "at_hash",
        "auth_time",
        "azp",
        "cognito:username",
        "exp",
        "iat",
        "identities",
        "iss",
        "jti",
        "nbf",
        "nonce",
        "origin_jti",
        "sub",
        "token_use",
        "client_id",
        "username",
        "event_id",
        "version",
        "device_key",
        "scope",
    }
)
GROUPS, ROLES, PREFERRED_ROLE = "cognito:groups", "cognito:roles", "cognito:preferred_role"
# Groups and roles change only through groupOverrideDetails (AWS: "For group related claims, use
# groupOverrideDetails instead").
GROUP_CLAIMS = frozenset({GROUPS, ROLES, PREFERRED_ROLE})
# ID-token claims that keep a plain value: AWS does not let a V2 answer give them an array or an object.
PLAIN_ID_CLAIMS = frozenset({"email_verified", "phone_number_verified", "updated_at", "address"})


@dataclass(frozen=True, slots=True)
class TokenChanges:
    """The claims one token gains (or whose values change) and loses."""

    add: Mapping[str, Any] = field(default_factory=dict)
    suppress: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class GroupOverride:
    """groupOverrideDetails: the groups, IAM roles and preferred role the tokens carry instead of the user's;
    an empty or missing list leaves its claim out."""

    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    preferred_role: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimOverrides:
    id_token: TokenChanges = TokenChanges()
    access_token: TokenChanges = TokenChanges()
    scopes_to_add: tuple[str, ...] = ()
    scopes_to_suppress: frozenset[str] = frozenset()
    # None: the user's own groups stay.
    groups: GroupOverride | None = None


def _changed(claims: dict[str, Any], changes: TokenChanges, plain: frozenset[str]) -> dict[str, Any]:
    result = dict(claims)
    for name, value in changes.add.items():
        if name in IMMUTABLE_CLAIMS or name in GROUP_CLAIMS:
            continue
        if name in plain and isinstance(value, (list, dict)):
            continue
        result[name] = value
    for name in changes.suppress:
        if name not in IMMUTABLE_CLAIMS:
            result.pop(name, None)
    return result


def _with_groups(claims: dict[str, Any], override: GroupOverride, with_roles: bool) -> dict[str, Any]:
    result = {k: v for k, v in claims.items() if k not in GROUP_CLAIMS}
    if override.groups:
        result[GROUPS] = list(override.groups)
    if with_roles:
        if override.roles:
            result[ROLES] = list(override.roles)
        if override.preferred_role:
            result[PREFERRED_ROLE] = override.preferred_role
    return result


def customised_id_claims(claims: dict[str, Any], overrides: ClaimOverrides) -> dict[str, Any]:
    """The ID token's claims with the function's changes: groups, roles and preferred role first, then the
    claims added and suppressed."""
    if overrides.groups is not None:
        claims = _with_groups(claims, overrides.groups, with_roles=True)
    return _changed(claims, overrides.id_token, PLAIN_ID_CLAIMS)


def customised_access_claims(claims: dict[str, Any], overrides: ClaimOverrides) -> dict[str, Any]:
    """The access token's claims with the function's changes: its groups (access tokens carry no roles),
    claims and scopes. A token left without scopes has no ``scope`` claim."""
    if overrides.groups is not None:
        claims = _with_groups(claims, overrides.groups, with_roles=False)
    result = _changed(claims, overrides.access_token, frozenset())
    if overrides.scopes_to_add or overrides.scopes_to_suppress:
        current = str(result.get("scope", "")).split()
        scopes = [
            s for s in dict.fromkeys([*current, *overrides.scopes_to_add]) if s not in overrides.scopes_to_suppress
        ]
        if scopes:
            result["scope"] = " ".join(scopes)
        else:
            result.pop("scope", None)
    return result
