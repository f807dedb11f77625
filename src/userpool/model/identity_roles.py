"""An identity pool's roles: what SetIdentityPoolRoles may store, and which role GetCredentialsForIdentity asks STS
for (Cognito developer guide: 'Role-based access control').

- Default roles: ``Roles`` maps ``authenticated`` and ``unauthenticated`` to role ARNs.
- Role mappings, per provider (``RoleMappings`` keyed by the provider's name; a user pool's is
  ``<provider name>:<app client id>``):
  ``Token`` takes the role from the user pool ID token's ``cognito:preferred_role``, or the one of
  ``cognito:roles`` that ``CustomRoleArn`` names; ``Rules`` takes the role of the first rule whose claim matches
  (Equals, Contains, StartsWith, NotEqual; a NotEqual rule on a claim the token lacks is not evaluated).
  When neither decides, ``AmbiguousRoleResolution`` says: the default authenticated role, or Deny.

A claim whose value is a list (``cognito:groups``, ``cognito:roles``) matches a rule when one of its items does
(NotEqual: when none equals the value); any other value is compared as its text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from userpool.errors import (
    InvalidIdentityPoolConfigurationException,
    InvalidParameterException,
    NotAuthorizedException,
)
from userpool.model.identity_pools import AUTHENTICATED, UNAUTHENTICATED, IdentityPool

TOKEN = "Token"  # noqa: S105 (RoleMappingType, not a secret)
RULES = "Rules"
DENY = "Deny"
AUTHENTICATED_ROLE = "AuthenticatedRole"
# "You can specify up to 25 rules per identity provider." (RulesConfigurationType)
MAX_RULES = 25


def mapping_keys(pool: IdentityPool) -> set[str]:
    """The names a RoleMappings key may have in ``pool``: each user pool provider as
    ``<ProviderName>:<ClientId>``, and the pool's other providers by name or ARN."""
    keys = {f"{p['ProviderName']}:{p['ClientId']}" for p in pool.cognito_providers}
    return keys | set(pool.other_providers)


def checked_roles(pool: IdentityPool, roles: dict[str, str], mappings: dict[str, Any]) -> dict[str, Any]:
    """SetIdentityPoolRoles' ``Roles`` and ``RoleMappings`` as they are stored; InvalidParameterException for a
    mapping of a provider the pool does not have, or one that lacks what its type needs."""
    known = mapping_keys(pool)
    for key, mapping in mappings.items():
        if key not in known:
            raise InvalidParameterException(
                f"{key} is not a valid RoleMapping ProviderName or is not a configured provider."
            )
        if "AmbiguousRoleResolution" not in mapping:
            raise InvalidParameterException(
                f"AmbiguousRoleResolution must be specified for the RoleMapping of {key} of type {mapping['Type']}."
            )
        rules = mapping.get("RulesConfiguration", {}).get("Rules")
        if mapping["Type"] == RULES and not rules:
            raise InvalidParameterException(
                f"RulesConfiguration must be specified for the RoleMapping of {key} of type Rules."
            )
        if rules and len(rules) > MAX_RULES:
            raise InvalidParameterException(
                f"The RoleMapping of {key} has {len(rules)} rules; an identity provider can have at most {MAX_RULES}."
            )
        if mapping["Type"] == TOKEN and rules:
            raise InvalidParameterException(f"RulesConfiguration is only for RoleMappings of type Rules ({key}).")
    stored: dict[str, Any] = {"Roles": dict(roles)}
    if mappings:
        stored["RoleMappings"] = {key: dict(mapping) for key, mapping in mappings.items()}
    return stored


@dataclass(frozen=True, slots=True)
class RoleRequest:
    """What the role of a GetCredentialsForIdentity call depends on: whether the identity is authenticated, the
    provider its login is from (the RoleMappings key), that login's token claims, and ``CustomRoleArn``."""

    authenticated: bool
    mapping_key: str | None = None
    claims: Mapping[str, Any] | None = None
    custom_role_arn: str | None = None


def _values(claim: Any) -> list[str]:
    if isinstance(claim, list):
        return [str(v) for v in claim]
    if isinstance(claim, bool):
        return ["true" if claim else "false"]
    return [str(claim)]


def rule_matches(rule: Mapping[str, Any], claims: Mapping[str, Any]) -> bool:
    """Whether one MappingRule matches ``claims``."""
    if rule["Claim"] not in claims:
        return False  # a NotEqual rule on a missing claim is not evaluated either
    values, wanted, kind = _values(claims[rule["Claim"]]), str(rule["Value"]), rule["MatchType"]
    if kind == "NotEqual":
        return wanted not in values
    if kind == "Equals":
        return wanted in values
    if kind == "Contains":
        return any(wanted in v for v in values)
    if kind == "StartsWith":
        return any(v.startswith(wanted) for v in values)
    return False


def _default(pool: IdentityPool, kind: str) -> str:
    role = pool.role(kind)
    if role is None:
        raise InvalidIdentityPoolConfigurationException()
    return role


def _ambiguous(pool: IdentityPool, key: str, mapping: Mapping[str, Any]) -> str:
    if mapping.get("AmbiguousRoleResolution") == AUTHENTICATED_ROLE:
        return _default(pool, AUTHENTICATED)
    raise NotAuthorizedException(f"The ambiguous role mapping rules for: {key} denied this request.")


def _from_token(pool: IdentityPool, key: str, mapping: Mapping[str, Any], request: RoleRequest) -> str:
    claims = request.claims or {}
    allowed = _values(claims["cognito:roles"]) if "cognito:roles" in claims else []
    if request.custom_role_arn:
        if request.custom_role_arn in allowed:
            return request.custom_role_arn
        raise NotAuthorizedException(f"The ambiguous role mapping rules for: {key} denied this request.")
    preferred = claims.get("cognito:preferred_role")
    if isinstance(preferred, str) and preferred:
        return preferred
    if len(allowed) == 1:
        return allowed[0]
    return _ambiguous(pool, key, mapping)


def _from_rules(pool: IdentityPool, key: str, mapping: Mapping[str, Any], request: RoleRequest) -> str:
    claims = request.claims or {}
    rules = mapping.get("RulesConfiguration", {}).get("Rules", [])
    matching = [str(r["RoleARN"]) for r in rules if rule_matches(r, claims)]
    if request.custom_role_arn:
        # "the IAM role for the first matching rule is used, unless CustomRoleArn is specified to override the
        # order": the role of any matching rule.
        if request.custom_role_arn in matching:
            return request.custom_role_arn
        raise NotAuthorizedException(f"The ambiguous role mapping rules for: {key} denied this request.")
    return matching[0] if matching else _ambiguous(pool, key, mapping)


def chosen_role(pool: IdentityPool, request: RoleRequest) -> str:
    """The role ARN STS is asked for; InvalidIdentityPoolConfigurationException where the pool has no role for
    the identity, NotAuthorizedException where its role mapping denies it."""
    if not request.authenticated:
        return _default(pool, UNAUTHENTICATED)
    mapping = pool.role_mapping(request.mapping_key) if request.mapping_key else None
    if mapping is None or request.mapping_key is None:
        return _default(pool, AUTHENTICATED)
    if mapping.get("Type") == TOKEN:
        return _from_token(pool, request.mapping_key, mapping, request)
    return _from_rules(pool, request.mapping_key, mapping, request)
